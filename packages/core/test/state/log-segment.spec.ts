// Journal-log segment files: mapped into memory (core's native part) or written by write(2).
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JournalLog, listSegments } from '../../dist/state/journal-log.js';
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
      // a frame is the first `length` bytes of a larger reused buffer: nothing after `length` may reach the file
      for (const f of frames) seg.append(Buffer.concat([f, bytes(64, 9)]), f.length);
      seg.close(false);
      expect(readFileSync(file).equals(expected)).to.equal(true);
    });
  }

  it('mapped into memory: appended bytes are in the file before it is closed (a crash loses nothing appended), followed by zeros; a sealed segment keeps them', function () {
    if (!segmentsMapped()) this.skip();
    const file = join(tempDir(), 'journal.0000000000000001.log');
    const seg = withMmap(true, () => openSegment(file));
    seg.append(frames[0]!, 300);
    const before = readFileSync(file); // another reader, as the next start after a crash would be
    expect(before.subarray(0, 300).equals(frames[0]!)).to.equal(true);
    expect(before.length).to.be.greaterThan(300);
    expect(before.subarray(300).every((b) => b === 0)).to.equal(true);
    seg.close(true);
    const after = readFileSync(file);
    expect(after.length).to.equal(before.length);
    expect(after.subarray(0, 300).equals(frames[0]!)).to.equal(true);
  });

  const until = async (check: () => boolean): Promise<void> => {
    for (const deadline = Date.now() + 10_000; !check(); await new Promise((r) => setTimeout(r, 5))) {
      if (Date.now() > deadline) throw new Error('timed out');
    }
  };
  /** One durable record (seq, kind, now) in `log`. */
  const record = (log: JournalLog): void => { const w = log.begin(3); w.str('N'); w.num(0); log.end(true); };

  it('mapped into memory: the next segment\'s file is written ahead off the engine\'s thread, becomes the segment at the seal, and an unused one is deleted at close', async function () {
    if (!segmentsMapped()) this.skip();
    const dir = tempDir();
    const log = new JournalLog(dir, 0);
    const spareName = (): string | undefined => readdirSync(dir).find((f) => f.startsWith('journal.spare.'));
    await until(() => spareName() !== undefined);
    const spare = join(dir, spareName()!);
    await until(() => existsSync(spare) && statSync(spare).size === 1 << 19);
    const ino = statSync(spare).ino;
    record(log);
    expect(log.seal()).to.equal(join(dir, 'journal.0000000000000001.log'));
    const next = listSegments(dir).at(-1)!;
    expect(next).to.equal(join(dir, 'journal.0000000000000002.log'));
    expect(statSync(next).ino).to.equal(ino); // the spare, renamed: no file created on the order path
    record(log);
    expect(readFileSync(next)[0]).to.equal(0x01); // the frame went into it
    await until(() => existsSync(spare) && statSync(spare).ino !== ino); // the one after it
    log.close(false);
    await until(() => spareName() === undefined); // deleted at close, or (still being written then) when written
    expect(statSync(next).size).to.be.lessThan(100); // cut to what was appended
  });

  it('a spare left by a crash is not a segment (never replayed) and is deleted at the next start; one being written at close is deleted when written', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'journal.spare.1a2b.0.tmp'), Buffer.from([0x01, 0x02, 0x03]));
    expect(listSegments(dir)).to.deep.equal([]);
    const log = new JournalLog(dir, 7);
    expect(existsSync(join(dir, 'journal.spare.1a2b.0.tmp'))).to.equal(false);
    log.close(true); // its own spare may still be being written
    await until(() => !readdirSync(dir).some((f) => f.startsWith('journal.spare.')));
  });
});
