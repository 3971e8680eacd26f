/**
 * Ids made of a fixed prefix and a base-36 counter (`0-9a-z`, zero-padded to `width`), counted up
 * in place: the digits are kept as character codes and incremented like an odometer, and each id
 * is built in one piece (`String.fromCharCode`). Concatenating `prefix + n.toString(36)` instead
 * makes a number string, a padded copy and, past 12 characters, a rope that the first reader of
 * its characters (a comparison, a hash, an encoder) must copy flat again: three to four
 * allocations per order where this makes one.
 * @public
 */
export class CountingId {
  readonly #codes: number[] = [];
  readonly #prefixLength: number;
  readonly #width: number;

  /** Starts at 0 (the first `next()` is 1). `prefix`: ASCII. */
  constructor(prefix: string, width = 1) {
    if (!(width >= 1 && width <= 16) || !Number.isInteger(width)) throw new RangeError(`width must be an integer in [1, 16], got ${width}`);
    for (let i = 0; i < prefix.length; i++) {
      const c = prefix.charCodeAt(i);
      if (c > 0x7f) throw new RangeError('prefix must be ASCII');
      this.#codes.push(c);
    }
    this.#prefixLength = prefix.length;
    this.#width = width;
    this.set(0);
  }

  /** Sets the counter: the next id is `n + 1`. */
  set(n: number): void {
    if (!(n >= 0) || !Number.isSafeInteger(n)) throw new RangeError(`counter must be a non-negative safe integer, got ${n}`);
    const digits = n.toString(36).padStart(this.#width, '0');
    const codes = this.#codes;
    codes.length = this.#prefixLength;
    for (let i = 0; i < digits.length; i++) codes.push(digits.charCodeAt(i));
  }

  /** Counts up by one and returns the id. */
  next(): string {
    const codes = this.#codes;
    for (let i = codes.length - 1; ; i--) {
      if (i < this.#prefixLength) { codes.splice(this.#prefixLength, 0, 49); break; } // carried past the first digit: one digit more
      const c = codes[i]!;
      if (c === 57) { codes[i] = 97; break; } // 9 → a
      if (c !== 122) { codes[i] = c + 1; break; }
      codes[i] = 48; // z → 0, carry
    }
    return String.fromCharCode.apply(null, codes);
  }
}
