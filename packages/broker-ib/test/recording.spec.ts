/** The real TWS recording (server version 173) replayed through the real @stoqey/ib client and through IBBroker. */
import path from 'node:path';
import { expect } from 'chai';
import { EventName, IBApi, type Contract } from '@stoqey/ib';
import { IBBroker, IBConfig, IBConnectionPool } from '@tradewire/broker-ib';
import { loadRecording, ReplayTws } from './fake-tws/recording.js';
import { fixturesDir, waitFor } from './support.js';

describe('real TWS recording (rust-ibapi tws_interactions.yaml, v173) replayed', function () {
  this.timeout(15_000);
  const recording = loadRecording(path.join(fixturesDir(), 'ib', 'rust-ibapi_tws_interactions.yaml'));
  let tws: ReplayTws;
  beforeEach(async () => { tws = await ReplayTws.start(recording); });
  afterEach(async () => { await tws.close(); });

  it('parses the recording', () => {
    expect(recording.serverVersion).to.equal(173);
    expect(recording.interactions.map((i) => i.name)).to.deep.equal(['server_time', 'managed_accounts', 'positions', 'account_summary', 'pnl']);
    expect(recording.interactions[2]?.responses).to.have.length(3);
  });

  it('the real client sends byte-identical requests and decodes every recorded response cleanly', async () => {
    const api = new IBApi({ host: '127.0.0.1', port: tws.port });
    const errors: string[] = [];
    const got: { time?: number; accounts?: string[]; positions: [string, string | undefined, number, number | undefined][]; summary: Record<string, string>; positionEnd: boolean; summaryEnd: boolean } = { positions: [], summary: {}, positionEnd: false, summaryEnd: false };
    api.on(EventName.error, (e: Error, code: number) => errors.push(`${code} ${e.message}`));
    api.on(EventName.currentTime, (t: number) => { got.time = t; });
    api.on(EventName.managedAccounts, (a: string) => { (got.accounts ??= []).push(a); });
    api.on(EventName.position, (acct: string, c: Contract, pos: number, avg?: number) => { got.positions.push([acct, c.symbol, pos, avg]); });
    api.on(EventName.positionEnd, () => { got.positionEnd = true; });
    api.on(EventName.accountSummary, (_id: number, _a: string, tag: string, value: string) => { got.summary[tag] = value; });
    api.on(EventName.accountSummaryEnd, () => { got.summaryEnd = true; });
    api.on(EventName.nextValidId, () => {
      api.reqCurrentTime();
      api.reqManagedAccts();
      api.reqPositions();
      api.reqAccountSummary(9000, 'All', 'NetLiquidation,TotalCashValue,GrossPositionValue');
    });
    api.connect(0);
    try {
      await waitFor(() => got.positionEnd && got.summaryEnd && got.time !== undefined && (got.accounts?.length ?? 0) >= 2, 5000, 'recorded responses');
    } finally {
      api.disconnect();
    }
    expect(tws.matched).to.deep.equal(['server_time', 'managed_accounts', 'positions', 'account_summary']);
    expect(tws.unmatched).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    expect(got.time).to.equal(1752606307);
    expect(got.accounts).to.deep.equal(['ACCOUNT_ID', 'ACCOUNT_ID']);
    expect(got.positions).to.deep.equal([['ACCOUNT_ID', 'AAPL', -110, 201.8829709], ['ACCOUNT_ID', 'ES', 1, 315114.75]]);
    expect(got.summary).to.deep.equal({ GrossPositionValue: '23172.60', NetLiquidation: '246447.83', TotalCashValue: '269339.33' });
  });

  it('IBBroker reads the recorded positions (stock, and a future with its multiplier)', async () => {
    const broker = new IBBroker(IBConfig.parse({ port: tws.port, requestTimeoutMs: 3000, connectTimeoutMs: 3000 }), { pool: new IBConnectionPool() });
    try {
      await broker.connect();
      expect(broker.account).to.equal('ACCOUNT_ID');
      const positions = await broker.getPositions();
      expect(positions.map((p) => [p.asset, p.quantity])).to.deep.equal([['AAPL', -110], ['ES', 1]]);
      expect(positions[0]?.avgEntryPrice).to.equal(201.8829709);
      expect(positions[1]?.avgEntryPrice).to.be.closeTo(315114.75 / 50, 1e-9);
    } finally {
      await broker.disconnect();
    }
    expect(tws.matched).to.include('positions');
  });
});
