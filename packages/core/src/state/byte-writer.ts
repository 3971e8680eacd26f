/**
 * Tagged values in a growable byte buffer, shared by the journal log's frames and the rows posted
 * to the journal writer: 0 null · 1 f64 LE · 2 u8 length + ASCII · 3 u32 length + UTF-8 ·
 * 4 u32 length + UTF-8 JSON · 5 (rows only, `row-codec.ts`) the same value as this column in the
 * row before. Numbers are not formatted and short ASCII strings are copied byte by byte: cheaper
 * than JSON or a structured clone on the engine's thread.
 *
 * Every writer is this one class, never a subclass (the log's frames, the writer's rows and the
 * intents' row prefixes all write through it): the engine's thread calls these methods on all of
 * them, and one hidden class keeps their property accesses monomorphic (with a subclass per use,
 * a value costs twice as much on that thread).
 */
export const TAG = { NULL: 0, F64: 1, ASCII: 2, UTF8: 3, JSON: 4, SAME: 5 } as const;

export class ByteWriter {
  #buf = Buffer.allocUnsafe(1 << 16);
  /** `buf` as a DataView: doubles are written with `setFloat64` (little-endian, inlined by the JIT) */
  #view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.length);
  #end: number;
  readonly #start: number;
  /** per column position: the value `col` wrote in the row before (since the last `take`) */
  #prev: (string | null | undefined)[] = [];

  /** `start`: bytes reserved at the front (a frame header). */
  constructor(start = 0) {
    this.#start = start;
    this.#end = start;
  }

  /** Bytes written after the reserved front. */
  get size(): number { return this.#end - this.#start; }

  /** Makes room for `bytes` more bytes (the buffer may move: read `bytes` after it). */
  room(bytes: number): void {
    if (this.#end + bytes <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#end + bytes) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.#buf.copy(next, 0, 0, this.#end);
    this.#buf = next;
    this.#view = new DataView(next.buffer, next.byteOffset, next.length);
  }

  /** One raw byte (no tag). */
  byte(v: number): void {
    this.room(1);
    this.#buf[this.#end++] = v;
  }

  /**
   * A number (non-finite → null, as JSON would). `num` and `str` are the typed fast paths (small
   * enough to be inlined into the codec: a double is not boxed to be passed); anything else given
   * to them goes through `value`, so odd inputs keep JSON's semantics whichever method wrote them.
   */
  num(v: number): void {
    if (typeof v !== 'number') { this.value(v); return; }
    this.room(9);
    const o = this.#end;
    if (!Number.isFinite(v)) { this.#buf[o] = TAG.NULL; this.#end = o + 1; return; } // as JSON would
    this.#buf[o] = TAG.F64;
    this.#view.setFloat64(o + 1, v, true);
    this.#end = o + 9;
  }

  str(s: string): void {
    if (typeof s !== 'string') { this.value(s); return; }
    const n = s.length;
    if (n < 256) { // short ASCII, byte by byte; anything else through the UTF-8 encoder
      this.room(2 + n);
      const b = this.#buf;
      const o = this.#end;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        b[o + 2 + i] = c;
      }
      if (i === n) { b[o] = TAG.ASCII; b[o + 1] = n; this.#end = o + 2 + n; return; }
    }
    this.#text(s, TAG.UTF8);
  }

  /**
   * Bytes `[start, end)` of another writer, as they are: values it encoded. Copied four bytes at a
   * time through the two writers' views: no typed-array view allocated per copy.
   */
  raw(src: ByteWriter, start: number, end: number): void {
    if (src === this) throw new RangeError('raw copy from the writer itself');
    const n = end - start;
    if (start < 0 || n < 0 || end > src.#end) throw new RangeError(`raw copy of [${start}, ${end}) past the source's ${src.#end} bytes`);
    this.room(n);
    const from = src.#view;
    const to = this.#view;
    const shift = this.#end - start;
    let i = start;
    for (; i + 4 <= end; i += 4) to.setInt32(i + shift, from.getInt32(i));
    const sb = src.#buf;
    const b = this.#buf;
    for (; i < end; i++) b[i + shift] = sb[i]!;
    this.#end += n;
  }

  /**
   * A number, or null for null / undefined (the optional fields of records and rows): small enough to
   * be inlined, as `num` is; `value` would not be. Anything else goes through `value`, as from `num`.
   */
  optNum(v: number | null | undefined): void {
    if (v === null || v === undefined) this.nil();
    else this.num(v);
  }

  /** A string, or null for null / undefined (as `optNum`). */
  optStr(v: string | null | undefined): void {
    if (v === null || v === undefined) this.nil();
    else this.str(v);
  }

  /** Drops what was written after `mark` (a write that failed half-way). */
  truncate(mark: number): void { if (mark < this.#end) this.#end = mark; }

  /** Where the next value goes (for `raw` copies of what was written since). */
  get mark(): number { return this.#end; }

  /** The internal buffer (valid until the next write: it may grow). */
  get bytes(): Buffer { return this.#buf; }

  /** A DataView of `bytes` (valid as long as `bytes` is). */
  get view(): DataView { return this.#view; }

  nil(): void {
    this.room(1);
    this.#buf[this.#end++] = TAG.NULL;
  }

  /**
   * A value at column position `col` of a row (every row of this writer must write that position
   * through `col`): one byte (`TAG.SAME`) when it equals the row before's value there (asset,
   * side, status… repeat from order to order), else the value. Rows only (`row-codec.ts`).
   */
  col(col: number, v: string | null): void {
    if (this.#prev[col] === v) { this.byte(TAG.SAME); return; }
    this.#prev[col] = v;
    this.optStr(v);
  }

  /** The bytes written since the last `take`, in a fresh (transferable) array; starts over (rows only). */
  take(): Uint8Array {
    const out = new Uint8Array(this.#end - this.#start);
    this.takeInto(out);
    return out;
  }

  /** Copies the bytes written since the last `take` to the start of `dst` (at least `size` long) and starts over, as `take` (rows only). */
  takeInto(dst: Uint8Array): void {
    const n = this.#end - this.#start;
    if (dst.length < n) throw new RangeError(`${n} bytes do not fit in ${dst.length}`);
    dst.set(this.#buf.subarray(this.#start, this.#end));
    this.#end = this.#start;
    this.#prev = [];
  }

  /** Any JSON value (objects of rare records). */
  json(v: unknown): void { this.#text(JSON.stringify(v), TAG.JSON); }

  value(v: unknown): void {
    if (typeof v === 'number') this.num(v);
    else if (typeof v === 'string') this.str(v);
    else if (v === null || v === undefined) this.nil();
    else this.json(v);
  }

  #text(s: string, tag: number): void {
    this.room(5 + s.length * 3);
    const b = this.#buf;
    const o = this.#end;
    b[o] = tag;
    const w = b.write(s, o + 5, 'utf8');
    b.writeUInt32LE(w, o + 1);
    this.#end = o + 5 + w;
  }
}

/** Node's Buffer slicers without `toString`'s argument handling (measurably cheaper per short string). */
interface Slicers { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string }

/** Reads tagged values from `b` (see `ByteWriter`); throws RangeError on malformed input. */
export class ByteReader {
  readonly #b: Buffer & Slicers;
  pos: number;

  constructor(b: Uint8Array, pos = 0) {
    this.#b = (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)) as Buffer & Slicers;
    this.pos = pos;
  }

  byte(): number {
    const v = this.#b[this.pos++];
    if (v === undefined) throw new RangeError('read past the end');
    return v;
  }

  value(): unknown {
    const b = this.#b;
    const p = this.pos;
    const tag = this.byte();
    if (tag === TAG.NULL) return null;
    if (tag === TAG.F64) { this.pos = p + 9; return b.readDoubleLE(p + 1); }
    if (tag === TAG.ASCII) { const l = this.byte(); this.pos = p + 2 + l; return b.latin1Slice(p + 2, p + 2 + l); }
    if (tag === TAG.UTF8 || tag === TAG.JSON) {
      const l = b.readUInt32LE(p + 1);
      this.pos = p + 5 + l;
      const s = b.utf8Slice(p + 5, p + 5 + l);
      return tag === TAG.UTF8 ? s : JSON.parse(s);
    }
    throw new RangeError(`bad value tag ${tag} at ${p}`);
  }
}
