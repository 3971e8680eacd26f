/** Fixed-point scale of every DBN price: 1 unit = 1e-9. */
export const FIXED_PRICE_SCALE = 1_000_000_000;
/** Null price sentinel (i64::MAX). */
export const UNDEF_PRICE = 9223372036854775807n;
/** Null u32 size sentinel. */
export const UNDEF_ORDER_SIZE = 4294967295;
/** Null timestamp sentinel (u64::MAX); also metadata `end` = none. */
export const UNDEF_TIMESTAMP = 18446744073709551615n;
/** Null StatMsg.quantity in v3 (i64::MAX). */
export const UNDEF_STAT_QUANTITY = 9223372036854775807n;
/** Null StatMsg.quantity in v1/v2 (i32::MAX). */
export const UNDEF_STAT_QUANTITY_V1 = 2147483647;
/** Newest DBN version this codec reads and the one the encoder writes. */
export const DBN_VERSION = 3;
/** Fixed-width symbol length in v1 metadata and v1 records. */
export const SYMBOL_CSTR_LEN_V1 = 22;
/** Fixed-width symbol length in v2/v3. */
export const SYMBOL_CSTR_LEN = 71;
/** Size of the 16-byte record header. */
export const RECORD_HEADER_LEN = 16;
/** Size of the prelude ("DBN" + version + u32 metadata length). */
export const PRELUDE_LEN = 8;
/** Size of the fixed metadata block after the prelude. */
export const FIXED_METADATA_LEN = 100;
/** zstd frame magic (u32 LE). */
export const ZSTD_MAGIC = 0xfd2fb528;
/** Bounds of zstd skippable-frame magics. */
export const ZSTD_SKIPPABLE_MIN = 0x184d2a50;
export const ZSTD_SKIPPABLE_MAX = 0x184d2a5f;
