/** Live gateway control-message helpers (DATABENTO.md §6.2–6.3). */

/** Host of a dataset's live gateway: `GLBX.MDP3` → `glbx-mdp3.lsg.databento.com`. */
export function gatewayHost(dataset: string): string {
  return `${dataset.toLowerCase().replace(/\./g, '-')}.lsg.databento.com`;
}
export const GATEWAY_PORT = 13000;

/** Parses `k1=v1|k2=v2` (split on `|`, then on the first `=`). */
export function parseControlLine(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of line.replace(/\r?\n$/, '').split('|')) {
    if (part === '') continue;
    const i = part.indexOf('=');
    if (i < 0) out[part] = '';
    else out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

export function formatControlLine(fields: Record<string, string | number | undefined>): string {
  return `${Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).join('|')}\n`;
}

export interface AuthRequest {
  auth: string;
  dataset: string;
  compression: 'none' | 'zstd';
  tsOut: boolean;
  client: string;
  heartbeatIntervalS?: number | undefined;
  slowReaderBehavior?: 'warn' | 'skip' | undefined;
}

export function authLine(r: AuthRequest): string {
  return formatControlLine({
    auth: r.auth, dataset: r.dataset, encoding: 'dbn', compression: r.compression, ts_out: r.tsOut ? 1 : 0, client: r.client,
    heartbeat_interval_s: r.heartbeatIntervalS, slow_reader_behavior: r.slowReaderBehavior,
  });
}

export interface Subscription {
  schema: string;
  /** default raw_symbol */
  stypeIn?: string | undefined;
  /** default ALL_SYMBOLS */
  symbols?: readonly string[] | undefined;
  /** intraday replay start, ns since epoch */
  start?: bigint | undefined;
  snapshot?: boolean | undefined;
  id?: number | undefined;
}

/** Subscription lines, 500 symbols per line, `is_last=1` on the final one. */
export function subscriptionLines(s: Subscription): string[] {
  const symbols = s.symbols && s.symbols.length > 0 ? [...s.symbols] : ['ALL_SYMBOLS'];
  const lines: string[] = [];
  for (let i = 0; i < symbols.length; i += 500) {
    const chunk = symbols.slice(i, i + 500);
    lines.push(formatControlLine({
      schema: s.schema, stype_in: s.stypeIn ?? 'raw_symbol', symbols: chunk.join(','),
      start: s.start !== undefined ? s.start.toString() : undefined, snapshot: s.snapshot ? 1 : 0,
      id: s.id, is_last: i + 500 >= symbols.length ? 1 : 0,
    }));
  }
  return lines;
}

/** Buffers bytes until `\n`; keeps whatever follows a line. */
export class LineReader {
  #buf: Buffer = Buffer.alloc(0);
  /** maximum line length before the peer is considered broken */
  constructor(private readonly maxLine = 64 * 1024) {}
  push(chunk: Uint8Array): void { this.#buf = this.#buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buf, chunk]); }
  /** next complete line without the newline, or undefined */
  next(): string | undefined {
    const i = this.#buf.indexOf(0x0a);
    if (i < 0) {
      if (this.#buf.length > this.maxLine) throw new Error(`control line longer than ${this.maxLine} bytes`);
      return undefined;
    }
    const line = this.#buf.subarray(0, i).toString('utf8');
    this.#buf = this.#buf.subarray(i + 1);
    return line.replace(/\r$/, '');
  }
  /** bytes after the last line taken */
  rest(): Buffer { const b = this.#buf; this.#buf = Buffer.alloc(0); return b; }
}
