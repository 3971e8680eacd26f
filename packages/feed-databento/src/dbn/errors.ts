import { DataError } from '@tradewire/core';

/**
 * Stable error codes raised by the DBN codec. Every one is a core `DataError` whose
 * `details.offset` is the absolute byte offset (in the decompressed DBN stream) where the problem was found.
 */
export const DbnErrorCode = {
  /** input does not start with "DBN" (nor a zstd frame) */
  BAD_MAGIC: 'DBN_BAD_MAGIC',
  /** DBN version 0 or newer than 3 */
  UNSUPPORTED_VERSION: 'DBN_UNSUPPORTED_VERSION',
  /** legacy DBZ (pre-DBN) input */
  LEGACY_DBZ: 'DBN_LEGACY_DBZ',
  /** metadata block inconsistent (length < 100, counts past the end, schema definition present, …) */
  BAD_METADATA: 'DBN_BAD_METADATA',
  /** stream ended inside the prelude or metadata */
  TRUNCATED_METADATA: 'DBN_TRUNCATED_METADATA',
  /** record length byte < 16 bytes (e.g. 0) */
  BAD_RECORD_LENGTH: 'DBN_BAD_RECORD_LENGTH',
  /** record length does not match the struct size for its rtype/version */
  RECORD_LENGTH_MISMATCH: 'DBN_RECORD_LENGTH_MISMATCH',
  /** rtype not defined by DBN (only when unknown rtypes are not skipped) */
  UNKNOWN_RTYPE: 'DBN_UNKNOWN_RTYPE',
  /** stream ended inside a record (the header says it runs past the end) */
  TRUNCATED_RECORD: 'DBN_TRUNCATED_RECORD',
  /** zstd stream ended inside a frame */
  ZSTD_TRUNCATED: 'DBN_ZSTD_TRUNCATED',
  /** zstd data is corrupt */
  ZSTD_INVALID: 'DBN_ZSTD_INVALID',
  /** a fragment was given without a version */
  FRAGMENT_VERSION_REQUIRED: 'DBN_FRAGMENT_VERSION_REQUIRED',
  /** encoder given a record it cannot write */
  ENCODE: 'DBN_ENCODE',
} as const;
export type DbnErrorCode = (typeof DbnErrorCode)[keyof typeof DbnErrorCode];

/** A DBN decoding/encoding failure: a core `DataError` carrying `offset` (also in `details.offset`). */
export class DbnError extends DataError {
  readonly offset: number;
  constructor(code: DbnErrorCode, message: string, offset: number, details: Record<string, unknown> = {}, cause?: unknown) {
    const opts: { details: Record<string, unknown>; cause?: unknown } = { details: { offset, ...details } };
    if (cause !== undefined) opts.cause = cause;
    super(`${message} (at byte offset ${offset})`, code, opts);
    this.offset = offset;
  }
}

export function dbnError(code: DbnErrorCode, message: string, offset: number, details?: Record<string, unknown>, cause?: unknown): DbnError {
  return new DbnError(code, message, offset, details, cause);
}
