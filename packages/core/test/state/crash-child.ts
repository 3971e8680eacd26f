// A Tradewire engine run as a child process for crash tests. Configured by environment:
// TW_STATE_DIR, TW_LEDGER, TW_BARS, TW_START, TW_POLICY, TW_BREAK_STALE, TW_REPLAY,
// TW_TIMEOUT_AT (the Nth submit's response is lost), TW_HOLD_MS (hold the lock, no trading),
// TRADEWIRE_CRASH_AT / TRADEWIRE_CRASH_AFTER (core's crash points).
import {
  LiveEngine, ReplayFeed, SimulatedClock, createStateLayer, isTradingError, silentLogger,
  type FeedEvent, type ReconcilePolicy, type Strategy,
} from '@tradewire/core';
import { FakeVenue, type SubmitMode } from './fake-venue.js';

const env = process.env;
const out = (o: unknown): void => { process.stdout.write(`${JSON.stringify(o)}\n`); };

async function main(): Promise<number> {
  const clock = new SimulatedClock(0);
  let layer;
  try {
    layer = createStateLayer({
      stateDir: env['TW_STATE_DIR']!, breakStaleLock: env['TW_BREAK_STALE'] === '1', clock, logger: silentLogger,
      reconcile: { policy: (env['TW_POLICY'] ?? 'halt') as ReconcilePolicy, intervalSeconds: 5 }, checkpointIntervalSeconds: 3,
    });
  } catch (err) {
    out({ error: isTradingError(err) ? err.code : 'ERROR', message: (err as Error).message });
    return 3;
  }
  if (env['TW_HOLD_MS']) {
    out({ ready: true, pid: process.pid });
    await new Promise((r) => setTimeout(r, Number(env['TW_HOLD_MS'])));
    layer.close();
    return 0;
  }
  const venue = new FakeVenue(env['TW_LEDGER']!);
  venue.now = () => clock.now();
  venue.replayOnConnect = env['TW_REPLAY'] === '1';
  venue.reorder = env['TW_REORDER'] === '1';
  const timeoutAt = Number(env['TW_TIMEOUT_AT'] ?? '0');
  if (timeoutAt > 0) venue.nextSubmit = [...Array<SubmitMode>(timeoutAt - 1).fill('accept'), 'timeout-after-accept'];
  const start = Number(env['TW_START'] ?? '0');
  const bars = Number(env['TW_BARS'] ?? '40');
  const events: FeedEvent[] = [];
  for (let k = 1; k <= bars; k++) {
    const px = 100 + (k % 7);
    events.push([start + k * 1000, { AAPL: { open: px, high: px, low: px, close: px, volume: 1000 } }, {}]);
  }
  let seen = 0;
  const strategy: Strategy = {
    onData(_ts, _data, _ctx, b) {
      seen++;
      void b.buy('AAPL', 1).catch(() => undefined); // an order every bar
    },
    snapshot: () => ({ seen }),
    restore: (s) => { seen = (s as { seen: number }).seen; },
  };
  const engine = new LiveEngine({
    strategy, broker: layer.wrapBroker(venue), feed: new ReplayFeed(events), clock, mode: 'paper',
    extensions: layer.extensions, idGenerator: layer.idGenerator, handleSignals: false,
  });
  await engine.run();
  const s = engine.stats;
  out({ tradingState: s.tradingState, haltReason: s.haltReason, orders: s.orders, fills: s.fills, seen, submits: venue.submitCalls.length, startupError: layer.startupError?.code });
  layer.close();
  return 0;
}

main().then((code) => { process.exitCode = code; }, (err: unknown) => { process.stderr.write(String((err as Error)?.stack ?? err)); process.exitCode = 1; });
