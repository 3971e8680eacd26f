import 'reflect-metadata';

/**
 * A plugin's benchmark in a process of its own: `node plugin-case.js <module> [json]` imports the
 * module's `runBenchmark()` and writes its figures as ONE JSON line (nothing when the plugin is
 * not installed or has no benchmark).
 */
const spec = process.argv[2];
if (!spec) throw new RangeError('usage: plugin-case.js <module specifier> [options as JSON]');
const options = process.argv[3] ? (JSON.parse(process.argv[3]) as Record<string, unknown>) : undefined;
try {
  const mod = (await import(spec)) as { runBenchmark?: (options?: Record<string, unknown>) => Promise<Record<string, unknown>> };
  if (typeof mod.runBenchmark === 'function') process.stdout.write(`${JSON.stringify(await mod.runBenchmark(options))}\n`);
} catch (e) {
  const code = (e as { code?: string }).code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw e;
}
