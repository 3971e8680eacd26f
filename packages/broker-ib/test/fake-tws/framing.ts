/**
 * TWS API framing (VENUES.md §1.1–1.2): the client opens with the unframed `API\0` prefix and a
 * length-prefixed version range; every later message is a 4-byte big-endian length followed by
 * NUL-terminated UTF-8 fields.
 */
export type Field = string | number | boolean;

/** Encodes one framed server message; every field, the last included, ends with NUL. */
export function encodeFrame(fields: readonly Field[]): Buffer {
  const text = fields.map((f) => (typeof f === 'boolean' ? (f ? '1' : '0') : String(f))).join('\0') + '\0';
  const payload = Buffer.from(text, 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(payload.length, 0);
  return Buffer.concat([head, payload]);
}

/** Splits a frame payload into its fields (drops the empty token after the final NUL). */
export function decodePayload(payload: Buffer): string[] {
  const parts = payload.toString('utf8').split('\0');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Incremental reader of the client side of a connection: handshake first, then frames. */
export class ClientStreamReader {
  #buf = Buffer.alloc(0);
  #handshakeDone = false;
  /** the version range the client announced, e.g. `v100..193` */
  versionRange: string | undefined;

  /** Feeds bytes; returns the complete messages now available. `handshake` marks the version range. */
  push(chunk: Buffer): ({ kind: 'handshake'; range: string } | { kind: 'message'; fields: string[] })[] {
    this.#buf = Buffer.concat([this.#buf, chunk]);
    const out: ({ kind: 'handshake'; range: string } | { kind: 'message'; fields: string[] })[] = [];
    if (!this.#handshakeDone) {
      if (this.#buf.length < 8) return out;
      if (this.#buf.subarray(0, 4).toString('latin1') !== 'API\0') throw new Error('fake-tws: client did not start with API\\0');
      const n = this.#buf.readUInt32BE(4);
      if (this.#buf.length < 8 + n) return out;
      this.versionRange = this.#buf.subarray(8, 8 + n).toString('utf8');
      this.#buf = this.#buf.subarray(8 + n);
      this.#handshakeDone = true;
      out.push({ kind: 'handshake', range: this.versionRange });
    }
    while (this.#buf.length >= 4) {
      const n = this.#buf.readUInt32BE(0);
      if (this.#buf.length < 4 + n) break;
      out.push({ kind: 'message', fields: decodePayload(this.#buf.subarray(4, 4 + n)) });
      this.#buf = this.#buf.subarray(4 + n);
    }
    return out;
  }
}
