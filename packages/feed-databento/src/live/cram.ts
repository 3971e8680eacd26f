import { createHash } from 'node:crypto';

/** Bucket id = the last 5 characters of the API key. */
export function bucketId(apiKey: string): string {
  return apiKey.slice(-5);
}

/**
 * CRAM reply (DATABENTO.md §6.3): lowercase hex SHA-256 of `<challenge>|<apiKey>`, then `-` and the bucket id.
 * Test vector: challenge `abcd1234`, key `db-unittestapikey1234567890FFFFF` →
 * `be87ce3d564b64481d4ad1902e2b41b26e3eef62b9de37d87eb4a1d4a5199b6f-FFFFF`.
 */
export function cramResponse(challenge: string, apiKey: string): string {
  const hash = createHash('sha256').update(`${challenge}|${apiKey}`, 'utf8').digest('hex');
  return `${hash}-${bucketId(apiKey)}`;
}
