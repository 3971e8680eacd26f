import { rtypeName } from './enums.js';
import { fileChunks, streamDbn } from './decode.js';
import { recordToJson } from './records.js';
import { nsToIso } from './timefmt.js';
import { DbnStream } from './stream.js';

/** Result of `inspectDbn`. */
export interface DbnInspectResult {
  version: number;
  /** null for fragments */
  dataset: string | null;
  /** schema name (`'ohlcv-1m'`), null for mixed/live streams and fragments */
  schema: string | null;
  /** metadata start as RFC 3339 with ns precision, null for fragments */
  start: string | null;
  /** metadata end, null when UNDEF (none) or a fragment */
  end: string | null;
  /** requested symbols from the metadata */
  symbols: string[];
  recordCount: number;
  /** record counts keyed by rtype name (`'ohlcv-1m'`, `'mbp-0'`, `'instrument-def'`…; unknown rtypes as `'rtype-0xNN'`) */
  countsByRtype: Record<string, number>;
}

export interface InspectOptions {
  /** the input is a records-only fragment written in this DBN version */
  fragmentVersion?: number;
}

/** Reads a `.dbn` / `.dbn.zst` (or fragment) file and summarises it; constant memory. */
export async function inspectDbn(path: string, opts: InspectOptions = {}): Promise<DbnInspectResult> {
  const counts = new Uint32Array(256);
  const sopts = opts.fragmentVersion !== undefined ? { fragmentVersion: opts.fragmentVersion } : {};
  const { metadata, count } = await streamDbn(fileChunks(path), (v) => { counts[v.rtype]!++; }, sopts);
  const countsByRtype: Record<string, number> = {};
  for (let r = 0; r < 256; r++) if (counts[r]! > 0) countsByRtype[rtypeName(r)] = counts[r]!;
  return {
    version: metadata?.version ?? opts.fragmentVersion ?? 0,
    dataset: metadata?.dataset ?? null,
    schema: metadata?.schema ?? null,
    start: metadata ? nsToIso(metadata.start) : null,
    end: metadata?.end !== undefined ? nsToIso(metadata.end) : null,
    symbols: metadata?.symbols ?? [],
    recordCount: count,
    countsByRtype,
  };
}

export interface DumpOptions {
  /** stop after this many records */
  limit?: number;
  /** the input is a records-only fragment written in this DBN version */
  fragmentVersion?: number;
}

/**
 * Writes every record (up to `limit`) as one JSON line (`recordToJson` shape: DATABENTO.md field names,
 * 64-bit integers as strings). Returns the number of lines written.
 */
export async function dumpDbn(path: string, opts: DumpOptions, writeLine: (line: string) => void): Promise<number> {
  const limit = opts.limit ?? Infinity;
  if (limit <= 0) return 0;
  const s = new DbnStream(opts.fragmentVersion !== undefined ? { fragmentVersion: opts.fragmentVersion } : {});
  let n = 0;
  let done = false;
  const cb = (v: import('./view.js').RecordView): void => {
    if (done) return;
    writeLine(JSON.stringify(recordToJson(v.toRecord())));
    n++;
    if (n >= limit) done = true;
  };
  const src = fileChunks(path);
  for await (const chunk of src) {
    s.write(chunk, cb);
    if (done) {
      (src as unknown as { destroy?: () => void }).destroy?.();
      return n;
    }
  }
  s.end(cb);
  return n;
}
