/** Raw order frames from rust-ibapi's tests (fixtures/ib/rust-ibapi_order_messages.txt) pushed through the real client into IBBroker. */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { fixturesDir, rig, waitFor, type Rig } from './support.js';

/** Blocks of `|`-separated frames under their `##` headings. */
function frameBlocks(): Map<string, string[][]> {
  const text = fs.readFileSync(path.join(fixturesDir(), 'ib', 'rust-ibapi_order_messages.txt'), 'utf8');
  const blocks = new Map<string, string[][]>();
  let cur: string[][] | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('## ')) { cur = []; blocks.set(line.slice(3).split(' (')[0] ?? line, cur); continue; }
    if (!cur || line.trim() === '' || line.startsWith('#')) continue;
    const f = line.split('|');
    f.pop(); // every field ends with '|': drop the empty token after the last one
    cur.push(f);
  }
  return blocks;
}

describe('rust-ibapi order frames through IBBroker', () => {
  let r: Rig;
  afterEach(async () => { await r?.close(); });
  const blocks = frameBlocks();

  it('ES limit order ("based on real" frames, decode cleanly at 176): external order adopted, fill joined with its commission', async () => {
    r = await rig();
    await r.broker.connect();
    const es = blocks.get('ES FUT LMT BUY 1 fill sequence, labelled "based on real ESU5 order"');
    expect(es, 'ES block').to.have.length(4);
    for (const f of es ?? []) r.tws.broadcast(f);
    await waitFor(() => r.fills.length === 1, 3000, 'ES fill');
    expect(r.fills[0]).to.deep.include({ executionId: '0001f4e5.58bbad52.01', asset: 'ES', side: 'BUY', quantity: 1, price: 5800, commission: 2.25, timestamp: Date.UTC(2025, 6, 8, 6, 35, 0) });
    const adopted = r.orders.find((o) => o.clientOrderId === 'ib:100:2');
    expect(adopted).to.deep.include({ external: true, asset: 'ES', side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPrice: 5800, status: 'SUBMITTED' });
    // the fake venue's books do not hold this injected order: reconciliation finishes it
    const after = (await r.broker.getOrders()).find((o) => o.clientOrderId === 'ib:100:2');
    expect(after?.status).to.equal('CANCELLED');
    expect(r.logger.entries.filter((e) => e.msg.includes('could not decode'))).to.have.length(0);
  });

  it('TSLA market order (stubbed at v164, one extra trailing field per frame): decoding noise is survived, the fill counts once', async () => {
    r = await rig();
    await r.broker.connect();
    const tsla = blocks.get('TSLA MKT BUY 100 full fill sequence');
    expect(tsla).to.have.length(7);
    for (const f of tsla ?? []) r.tws.broadcast(f);
    for (const f of tsla ?? []) if (f[0] === '11' || f[0] === '59') r.tws.broadcast(f); // replayed
    await waitFor(() => r.fills.length === 1, 3000, 'TSLA fill');
    expect(r.fills[0]).to.deep.include({ executionId: '00025b46.63f8f39c.01', asset: 'TSLA', quantity: 100, price: 196.52, commission: 1 });
    const o = await r.broker.getOrder('ib:100:13');
    expect(o).to.deep.include({ status: 'FILLED', filledQuantity: 100, avgFillPrice: 196.52 });
    expect(r.logger.entries.some((e) => e.msg.includes('could not decode'))).to.equal(true);
    expect(r.broker.isConnected()).to.equal(true);
  });
});
