import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', '..', '..', 'packages', 'cli', 'bin', 'tradewire.js');

function tw(args: string[], cwd: string, env: Record<string, string> = {}): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
const lastJson = (s: string): Record<string, unknown> => JSON.parse(s.trim().split('\n').at(-1)!) as Record<string, unknown>;

interface LedgerLine { t: 'order' | 'fill'; order?: { clientOrderId: string }; fill?: { executionId: string; side: string; quantity: number; asset: string } }
function ledger(stateDir: string): { orders: Set<string>; fills: string[]; position: number } {
  const lines = readFileSync(join(stateDir, 'venue', 'paper-ledger.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LedgerLine);
  const orders = new Set(lines.filter((l) => l.t === 'order').map((l) => l.order!.clientOrderId));
  const fills = lines.filter((l) => l.t === 'fill').map((l) => l.fill!.executionId);
  const position = lines.filter((l) => l.t === 'fill').reduce((s, l) => s + (l.fill!.side === 'BUY' ? 1 : -1) * l.fill!.quantity, 0);
  return { orders, fills, position };
}

describe('demo with a state directory', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'tw-demo-state-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  // the same demo, never killed: what a killed and restarted run must end with
  let clean: { equity: unknown; orders: number };
  before(() => {
    const d = mkdtempSync(join(tmpdir(), 'tw-demo-clean-'));
    try {
      const r = tw(['demo', '--state-dir', join(d, 'state'), '--no-progress', '--json', '--out', join(d, 'out')], d);
      clean = { equity: lastJson(r.stdout)['finalEquity'], orders: ledger(join(d, 'state')).orders.size };
    } finally { rmSync(d, { recursive: true, force: true }); }
  });

  for (const point of ['after-intent-before-send', 'after-send-before-ack', 'after-fill-record']) {
    it(`killed (SIGKILL ${point}) mid-run and restarted: no duplicate orders, positions equal the venue ledger`, () => {
      const sd = join(dir, 'state');
      const crashed = tw(['demo', '--state-dir', sd, '--no-progress', '--json', '--out', join(dir, 'out')], dir, { TRADEWIRE_CRASH_AT: point, TRADEWIRE_CRASH_AFTER: '120' });
      expect(crashed.signal).to.equal('SIGKILL');
      const before = ledger(sd);
      expect(before.orders.size).to.be.within(120, 122);
      // the dead process's lock is only taken over on request
      const refused = tw(['demo', '--state-dir', sd, '--no-progress'], dir);
      expect(refused.status).to.equal(1);
      expect(refused.stderr).to.contain('STATE_LOCK_STALE').and.contain('pid');
      const resumed = tw(['demo', '--state-dir', sd, '--no-progress', '--json', '--break-stale-lock', '--out', join(dir, 'out')], dir);
      expect(resumed.status, resumed.stderr).to.equal(0);
      const after = ledger(sd);
      expect(new Set(after.fills).size, 'no fill booked twice at the venue').to.equal(after.fills.length);
      const show = JSON.parse(tw(['state', 'show', '--state-dir', sd, '--json'], dir).stdout) as { positions: { asset: string; quantity: number }[]; counts: { orders: number; fills: number } };
      const journal = JSON.parse(tw(['state', 'export', '--state-dir', sd, '--format', 'json'], dir).stdout) as { orders: { clientOrderId: string; status: string; rejectionReason?: string }[] };
      const journalIds = new Set(journal.orders.map((o) => o.clientOrderId));
      for (const id of after.orders) expect(journalIds.has(id), `venue order ${id} is in the journal`).to.equal(true);
      // the only journal entries the venue never saw are intents written just before the crash: settled as lost, never resent
      const unseen = journal.orders.filter((o) => !after.orders.has(o.clientOrderId));
      expect(unseen.length).to.equal(point === 'after-intent-before-send' ? 1 : 0);
      for (const o of unseen) expect(o.status).to.equal('REJECTED');
      expect(show.counts.orders).to.equal(journal.orders.length);
      expect(show.counts.fills).to.equal(after.fills.length);
      const held = show.positions.find((p) => p.asset === 'DEMO')?.quantity ?? 0;
      expect(held).to.equal(after.position);
      expect(after.orders.size).to.be.greaterThan(before.orders.size); // it went on trading after the restart
      if (point !== 'after-intent-before-send') {
        // bars between the last checkpoint and the crash reach the restored strategy again, but send
        // nothing: the run ends exactly as if it had never been killed (no bar traded twice)
        expect(after.orders.size, 'venue orders').to.equal(clean.orders);
        expect(lastJson(resumed.stdout)['finalEquity'], 'final equity').to.equal(clean.equity);
      }
    });
  }

  it('a second engine on the same state directory exits non-zero naming the lock holder', async () => {
    const sd = join(dir, 'state');
    // the holder lives inside the repo so that '@tradewire/core' resolves as it does for users
    const scratch = mkdtempSync(join(here, '..', '..', '..', '.tmp-lock-'));
    const holderFile = join(scratch, 'hold.mjs');
    writeFileSync(holderFile, `import { createStateLayer, SimulatedClock, silentLogger } from '@tradewire/core';
const l = createStateLayer({ stateDir: ${JSON.stringify(sd)}, clock: new SimulatedClock(0), logger: silentLogger });
process.stdout.write('ready\\n');
setTimeout(() => l.close(), 20000);`);
    const holder = spawn(process.execPath, [holderFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => { holder.stdout.once('data', () => resolve()); holder.once('exit', (c) => reject(new Error(`holder exited ${c}`))); });
      const r = tw(['demo', '--state-dir', sd, '--no-progress'], dir);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.contain('STATE_LOCKED').and.contain(String(holder.pid));
    } finally {
      holder.kill('SIGKILL');
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('Ctrl-C (SIGINT) as soon as the state dir is locked, while the demo data is still generated: a clean stop, the lock released, a restart resumes', async () => {
    const sd = join(dir, 'state');
    const child = spawn(process.execPath, [bin, 'demo', '--state-dir', sd, '--bars', '1500000', '--no-progress', '--json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // the lock file appears before the 1.5M bars are generated (a synchronous step of seconds)
    const locked = (): boolean => { try { return readdirSync(sd).includes('engine.lock'); } catch { return false; } };
    for (let i = 0; i < 400 && !locked(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(locked(), 'the demo locked its state dir').to.equal(true);
    child.kill('SIGINT');
    const code = await exited;
    expect(code, 'a stop, not a kill by the signal').to.be.oneOf([0, 130]);
    expect(readdirSync(sd), 'the lock is released').to.not.include('engine.lock');
    if (code === 0) expect(Number(lastJson(out)['bars'])).to.be.below(1_500_000); // the engine took the signal: it stopped early
    const again = tw(['demo', '--state-dir', sd, '--bars', '2000', '--no-progress', '--json'], dir);
    expect(again.status, again.stderr).to.equal(0); // no STATE_LOCK_STALE
  });

  it('a corrupted state file: the engine starts HALTED, names the file and moves it aside', () => {
    const sd = join(dir, 'state');
    expect(tw(['demo', '--state-dir', sd, '--bars', '2000', '--no-progress', '--json', '--out', join(dir, 'out')], dir).status).to.equal(0);
    const db = join(sd, 'state.db');
    const bytes = readFileSync(db);
    bytes.fill(0xde, 100, 4100);
    writeFileSync(db, bytes);
    const r = tw(['demo', '--state-dir', sd, '--bars', '2000', '--no-progress', '--json', '--out', join(dir, 'out')], dir);
    expect(r.status).to.equal(3);
    expect(lastJson(r.stdout)['tradingState']).to.equal('HALTED');
    expect(lastJson(r.stdout)['orders']).to.equal(0);
    expect(r.stderr).to.contain('STATE_CORRUPT').and.contain(db);
    expect(readdirSync(sd).some((f) => f.startsWith('state.db.corrupt-'))).to.equal(true);
    // the operator sees when it halted in wall time, not the demo's simulated clock (1970)
    const show = tw(['state', 'show', '--state-dir', sd, '--json'], dir);
    const halted = (lastJson(show.stdout)['halted'] as { at: string; code: string });
    expect(halted.code).to.equal('STATE_CORRUPT');
    expect(Date.now() - Date.parse(halted.at)).to.be.within(0, 10 * 60_000);
  });

  it('a state.db deleted between runs: refused with STATE_MISSING (exit 1), never a fresh ACTIVE start that adopts the venue', () => {
    const sd = join(dir, 'state');
    expect(tw(['demo', '--state-dir', sd, '--bars', '2000', '--no-progress', '--json', '--out', join(dir, 'out')], dir).status).to.equal(0);
    const before = ledger(sd);
    for (const f of readdirSync(sd)) if (f.startsWith('state.db')) rmSync(join(sd, f));
    const r = tw(['demo', '--state-dir', sd, '--bars', '2000', '--no-progress', '--json', '--out', join(dir, 'out')], dir);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.contain('STATE_MISSING').and.contain(join(sd, 'state.db')).and.contain('state-dir.json');
    expect(r.stdout).to.not.contain('tradingState');
    expect(readdirSync(sd)).to.not.include('state.db').and.not.include('engine.lock');
    expect(ledger(sd).orders.size, 'no order sent').to.equal(before.orders.size);
  });

  it('max daily loss trips the kill switch; a restart stays HALTED; risk resume clears it and the audit names who and why', () => {
    const sd = join(dir, 'state');
    const first = tw(['demo', '--state-dir', sd, '--max-daily-loss', '300', '--no-progress', '--json', '--out', join(dir, 'out')], dir);
    expect(first.status).to.equal(3);
    expect(lastJson(first.stdout)['tradingState']).to.equal('HALTED');
    const again = tw(['demo', '--state-dir', sd, '--max-daily-loss', '300', '--no-progress', '--json', '--out', join(dir, 'out')], dir);
    expect(again.status).to.equal(3);
    expect(lastJson(again.stdout)['tradingState']).to.equal('HALTED');
    expect(lastJson(again.stdout)['orders']).to.equal(0);
    expect(again.stderr).to.contain(`resume the risk layer with: tradewire risk resume --state-dir ${sd}`).and.not.contain('state clear-halt');
    expect(tw(['state', 'show', '--state-dir', sd], dir).stdout).to.match(/risk layer {7}HALTED — kill switch: daily loss [\d.]+ reached maxDailyLoss 300 \(by breaker:daily_loss\)/);
    const resume = tw(['risk', 'resume', '--state-dir', sd, '--reason', 'loss reviewed', '--by', 'alice'], dir);
    expect(resume.status, resume.stderr).to.equal(0);
    const show = tw(['risk', 'show', '--state-dir', sd, '--json'], dir);
    const status = JSON.parse(show.stdout) as { state: { tradingState: string }; audit: { action: string; by: string; reason: string }[] };
    expect(status.state.tradingState).to.equal('ACTIVE');
    expect(status.audit.at(-1)).to.deep.include({ action: 'resume', by: 'alice', reason: 'loss reviewed' });
    const third = tw(['demo', '--state-dir', sd, '--max-daily-loss', '300', '--no-progress', '--json', '--out', join(dir, 'out')], dir);
    expect(third.status).to.equal(0);
    expect(lastJson(third.stdout)['tradingState']).to.equal('ACTIVE');
  });
});
