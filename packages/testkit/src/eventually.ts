/** Polls `check` (which throws while not yet true) until it passes or `timeoutMs` elapses; rethrows the last failure. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5_000, intervalMs = 10): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() >= end) throw e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits `ms` of wall time (lets asynchronous venue events arrive before asserting their absence). */
export const settle = (ms = 100): Promise<void> => new Promise((r) => setTimeout(r, ms));
