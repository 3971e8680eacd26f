// Journal-log segment files: mapped into memory (core's native part) or written by write(2).
import { expect } from 'chai';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { openSegment, segmentsMapped } from '../../dist/state/log-segment.js';
import { cleanupTempDirs, tempDir } from './helpers.js';

/** `n` bytes of a recognisable pattern (no zero byte). */
const bytes = (n: number, seed: number): Buffer => {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = 1 + ((i * 31 + seed) % 250);
  return b;
};

function withMmap<T>(on: boolean, fn: () => T): T {
  process.env['TRADEWIRE_NATIVE_MMAP'] = on ? '1' : '0';
  try { return fn(); } finally { delete process.env['TRADEWIRE_NATIVE_MMAP']; }
}

describe('journal log segment files (log-segment)', () => {
  afterEach(cleanupTempDirs);

  // frames of a few hundred bytes, then ones larger than the mapped file's first reservation (512 kB): it grows
  const frames = [bytes(300, 1), bytes(17, 2), bytes(400_000, 3), bytes(700_000, 4), bytes(1, 5)];
  const expected = Buffer.concat(frames);

  for (const mapped of [true, false]) {
    it(`${mapped ? 'mapped into memory' : 'written by write(2)'}: the file holds exactly the appended frames once closed, whatever their size`, function () {
      if (mapped && !segmentsMapped()) this.skip(); // core's native part not built here
      const file = join(tempDir(), 'journal.0000000000000001.log');
      const seg = withMmap(mapped, () => openSegment(file));
      // a frame is a view of a larger reused buffer: nothing after it may reach the file
      for (const f of frames) seg.append(Buffer.concat([f, bytes(64, 9)]).subarray(0, f.length));
      seg.close(false);
      expect(readFileSync(file).equals(expected)).to.equal(true);
    });
  }

  it('mapped into memory: appended bytes are in the file before it is closed (a crash loses nothing appended), followed by zeros; a sealed segment keeps them', function () {
    if (!segmentsMapped()) this.skip();
    const file = join(tempDir(), 'journal.0000000000000001.log');
    const seg = withMmap(true, () => openSegment(file));
    seg.append(frames[0]!);
    const before = readFileSync(file); // another reader, as the next start after a crash would be
    expect(before.subarray(0, 300).equals(frames[0]!)).to.equal(true);
    expect(before.length).to.be.greaterThan(300);
    expect(before.subarray(300).every((b) => b === 0)).to.equal(true);
    seg.close(true);
    const after = readFileSync(file);
    expect(after.length).to.equal(before.length);
    expect(after.subarray(0, 300).equals(frames[0]!)).to.equal(true);
  });

  it('mapped into memory: a retired segment leaves the log (renamed .free) with its bytes zeroed, and is reused as an empty new segment', function () {
    if (!segmentsMapped()) this.skip();
    const dir = tempDir();
    const first = join(dir, 'journal.0000000000000001.log');
    const seg = withMmap(true, () => openSegment(first));
    expect(() => seg.reuse!(join(dir, 'x.log'))).to.throw(/was not retired/); // in use: never renamed over
    seg.append(frames[0]!);
    seg.append(frames[1]!);
    seg.retire!();
    expect(existsSync(first)).to.equal(false); // the reader no longer sees it
    expect(seg.file).to.equal(`${first}.free`);
    expect(readFileSync(seg.file).every((b) => b === 0)).to.equal(true); // no stale frame survives into its next life
    const next = join(dir, 'journal.0000000000000042.log');
    seg.reuse!(next);
    expect([existsSync(`${first}.free`), seg.file]).to.deep.equal([false, next]);
    seg.append(frames[4]!);
    seg.append(frames[1]!);
    const during = readFileSync(next); // as a restart after a crash would read it: the new frames, then zeros
    expect(during.subarray(0, 18).equals(Buffer.concat([frames[4]!, frames[1]!]))).to.equal(true);
    expect(during.subarray(18).every((b) => b === 0)).to.equal(true);
    seg.close(false);
    expect(readFileSync(next).equals(Buffer.concat([frames[4]!, frames[1]!]))).to.equal(true);
  });

  it('the addon unmaps only what it mapped: any other buffer is refused (unmapping it would free memory V8 owns), its own once', function () {
    if (!segmentsMapped()) this.skip();
    const addon = createRequire(import.meta.url)(fileURLToPath(new URL('../../native/build/tw_mmap.node', import.meta.url))) as { map(fd: number, size: number): ArrayBuffer; unmap(b: ArrayBuffer): void };
    expect(() => addon.unmap(new ArrayBuffer(4096))).to.throw(TypeError, /not a buffer returned by map/);
    const fd = openSync(join(tempDir(), 'm.log'), 'w+');
    const b = addon.map(fd, 4096);
    addon.unmap(b);
    addon.unmap(b); // detached: nothing left to unmap
    expect(b.byteLength).to.equal(0);
    closeSync(fd);
  });
});
