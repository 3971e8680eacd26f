import { randomBytes } from 'node:crypto';

/**
 * A secret-looking value to configure an adapter with (as its API key/secret), then to search for
 * in everything the adapter produced (TB24). The value is random per run so it cannot occur by chance.
 */
export interface SecretCanary {
  readonly value: string;
  /** names of the places where the canary leaked (empty = clean) */
  findLeaks(sources: Record<string, unknown>): string[];
}

export function secretCanary(prefix = 'twcanary'): SecretCanary {
  const value = `${prefix}_${randomBytes(12).toString('hex')}`;
  return { value, findLeaks: (sources) => findSecrets([value], sources) };
}

/** Searches each source (strings, errors with causes, objects, arrays) for any of `secrets`. */
export function findSecrets(secrets: readonly string[], sources: Record<string, unknown>): string[] {
  const leaks: string[] = [];
  for (const [name, src] of Object.entries(sources)) {
    const text = flatten(src, 0, new Set());
    for (const s of secrets) if (s.length >= 4 && text.includes(s)) leaks.push(name);
  }
  return leaks;
}

function flatten(v: unknown, depth: number, seen: Set<unknown>): string {
  if (depth > 8 || v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v !== 'object') return String(v);
  if (seen.has(v)) return '';
  seen.add(v);
  if (v instanceof Error) {
    const extra = Object.entries(v as unknown as Record<string, unknown>).map(([, x]) => flatten(x, depth + 1, seen)).join('\n');
    return `${v.name}\n${v.message}\n${v.stack ?? ''}\n${extra}\n${flatten((v as { cause?: unknown }).cause, depth + 1, seen)}`;
  }
  if (Array.isArray(v)) return v.map((x) => flatten(x, depth + 1, seen)).join('\n');
  return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}\n${flatten(x, depth + 1, seen)}`).join('\n');
}
