import { Decompress } from 'fzstd';
import { ZSTD_MAGIC, ZSTD_SKIPPABLE_MAX, ZSTD_SKIPPABLE_MIN } from './constants.js';
import { DbnDecoder, type DbnDecoderOptions, type RecordCallback } from './decoder.js';
import { DbnError, DbnErrorCode, dbnError } from './errors.js';
import type { DbnMetadata } from './metadata.js';

export interface DbnStreamOptions extends DbnDecoderOptions {
  /** `'auto'` (default) sniffs the first bytes; `'zstd'` / `'none'` force it. */
  compression?: 'auto' | 'zstd' | 'none';
}

/**
 * DBN stream decoder for raw or zstd-compressed input (multi-frame zstd included), fed in arbitrary chunks.
 * zstd is decompressed incrementally (fzstd streaming), so records are delivered before a frame ends.
 * Legacy DBZ input is rejected with `DBN_LEGACY_DBZ`. Truncated zstd input raises `DBN_ZSTD_TRUNCATED` at `end()`.
 */
export class DbnStream {
  readonly decoder: DbnDecoder;
  private mode: 'sniff' | 'raw' | 'zstd';
  private sniffBuf: Uint8Array = new Uint8Array(0);
  private zstd: Decompress | undefined;
  private cb: RecordCallback = () => undefined;
  /** compressed bytes consumed (== decompressed for raw input) */
  private inBytes = 0;
  private ended = false;

  constructor(opts: DbnStreamOptions = {}) {
    this.decoder = new DbnDecoder(opts);
    this.mode = opts.compression === 'zstd' ? 'zstd' : opts.compression === 'none' ? 'raw' : 'sniff';
    if (this.mode === 'zstd') this.initZstd();
  }

  get metadata(): DbnMetadata | undefined { return this.decoder.metadata; }
  get recordCount(): number { return this.decoder.recordCount; }
  get compressed(): boolean { return this.mode === 'zstd'; }

  /** true if `head` starts like a zstd (or skippable) frame rather than raw DBN */
  compressedHint(head: Uint8Array): boolean {
    if (head.length < 4) return false;
    const magic = (head[0]! | (head[1]! << 8) | (head[2]! << 16) | (head[3]! << 24)) >>> 0;
    return magic === ZSTD_MAGIC || (magic >= ZSTD_SKIPPABLE_MIN && magic <= ZSTD_SKIPPABLE_MAX);
  }

  private initZstd(): void {
    this.zstd = new Decompress((data) => { if (data.length > 0) this.decoder.write(data, this.cb); });
  }

  /** Feeds a chunk; `onRecord` is called synchronously for each completed record (view valid only during the call). */
  write(chunk: Uint8Array, onRecord: RecordCallback): void {
    if (this.ended) throw new Error('DbnStream: write after end');
    this.cb = onRecord;
    if (this.mode === 'sniff') {
      const merged = new Uint8Array(this.sniffBuf.length + chunk.length);
      merged.set(this.sniffBuf);
      merged.set(chunk, this.sniffBuf.length);
      if (merged.length < 12) { this.sniffBuf = merged; return; }
      this.sniffBuf = new Uint8Array(0);
      this.sniff(merged);
      chunk = merged;
    }
    if (this.mode === 'raw') {
      this.decoder.write(chunk, onRecord);
      this.inBytes += chunk.length;
      return;
    }
    this.pushZstd(chunk, false);
  }

  private sniff(b: Uint8Array): void {
    const magic = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
    if (magic === ZSTD_MAGIC) { this.mode = 'zstd'; this.initZstd(); return; }
    if (magic >= ZSTD_SKIPPABLE_MIN && magic <= ZSTD_SKIPPABLE_MAX) {
      if (b[8] === 0x44 && b[9] === 0x42 && b[10] === 0x5a) {
        throw dbnError(DbnErrorCode.LEGACY_DBZ, 'legacy DBZ files (pre-DBN, 2022) are not supported: re-download the data as DBN', 0);
      }
      // a skippable frame before the real data: let the zstd decoder skip it
      this.mode = 'zstd';
      this.initZstd();
      return;
    }
    this.mode = 'raw';
  }

  private pushZstd(chunk: Uint8Array, final: boolean): void {
    try {
      this.zstd!.push(chunk, final);
    } catch (err) {
      if (err instanceof DbnError) throw err;
      const code = (err as { code?: number }).code;
      const msg = (err as Error).message ?? String(err);
      if (code === 5) {
        throw dbnError(DbnErrorCode.ZSTD_TRUNCATED, `zstd stream truncated: ${msg}`, this.decoder.offset,
          { compressedOffset: this.inBytes + chunk.length }, err);
      }
      throw dbnError(DbnErrorCode.ZSTD_INVALID, `invalid zstd data: ${msg}`, this.decoder.offset,
        { compressedOffset: this.inBytes }, err);
    }
    this.inBytes += chunk.length;
  }

  /** Ends the input; throws a DbnError if it stopped inside a zstd frame, the metadata or a record. */
  end(onRecord?: RecordCallback): void {
    if (this.ended) return;
    if (onRecord) this.cb = onRecord;
    if (this.mode === 'sniff') {
      const b = this.sniffBuf;
      this.sniffBuf = new Uint8Array(0);
      if (b.length >= 4) this.sniff(b); else this.mode = 'raw';
      if (this.mode === 'raw') { this.decoder.write(b, this.cb); this.inBytes += b.length; }
      else this.pushZstd(b, false);
    }
    this.ended = true;
    if (this.mode === 'zstd') this.pushZstd(new Uint8Array(0), true);
    this.decoder.end();
  }
}
