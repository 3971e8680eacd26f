import type { z } from 'zod';

/** The key the object schema at `path` of `schema` accepts that unknown key `key` is most likely a typo of, if any. */
export function suggestKey(schema: z.ZodType, path: readonly PropertyKey[], key: string): string | undefined {
  const known = knownKeysAt(schema, path);
  return known ? closest(key, known) : undefined;
}

/** The keys an object schema at `path` of `schema` accepts (through optional/default/nullable/pipe wrappers), if it is one. */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let cur: unknown = schema;
  for (const p of path) {
    const shape = shapeOf(cur);
    if (!shape || typeof p !== 'string') return undefined;
    cur = shape[p];
  }
  const shape = shapeOf(cur);
  return shape ? Object.keys(shape) : undefined;
}

function shapeOf(schema: unknown): Record<string, unknown> | undefined {
  let cur = schema as { shape?: Record<string, unknown>; _zod?: { def?: { innerType?: unknown; type?: string; in?: unknown } } } | undefined;
  for (let i = 0; i < 8 && cur; i++) {
    if (cur.shape && typeof cur.shape === 'object') return cur.shape;
    const def = cur._zod?.def;
    if (def?.innerType) cur = def.innerType as typeof cur;
    else if (def?.type === 'pipe') cur = def.in as typeof cur;
    else return undefined;
  }
  return undefined;
}

/** The known key `k` is most likely a typo of (case-insensitive edit distance, swaps counting one; see the limits below). */
function closest(k: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of known) {
    const d = editDistance(k.toLowerCase(), c.toLowerCase());
    if (d < bestD) { bestD = d; best = c; }
  }
  if (best === undefined) return undefined;
  // short keys: 1 edit (2 from 7 characters on); long ones: up to one edit per 6 characters
  return bestD <= 2 ? (bestD < Math.max(2, best.length / 3) ? best : undefined) : bestD <= Math.floor(best.length / 6) ? best : undefined;
}

/** Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`. */
function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row[j] = d;
    }
    before = prev;
    prev = row;
  }
  return prev[b.length]!;
}
