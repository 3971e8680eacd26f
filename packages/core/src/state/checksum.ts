import { createHash } from 'node:crypto';

/** Short content checksum stored next to JSON values, checked on every read. */
export function checksum(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
