/** IBBroker against the broker conformance suite, on a fresh fake TWS per case. */
import { IBBroker, IBConfig, IBConnectionPool } from '@tradewire/broker-ib';
import { MemoryLogger } from '@tradewire/core';
import { describeBrokerConformance, type BrokerHarness, type LedgerOrderState, type VenueLedgerSnapshot } from '@tradewire/testkit';
import { FakeTws } from './fake-tws/fake-tws.js';

const STATE: Record<string, LedgerOrderState> = { PreSubmitted: 'open', Submitted: 'open', PendingSubmit: 'open', PendingCancel: 'open', Filled: 'filled', Cancelled: 'cancelled', ApiCancelled: 'cancelled', Inactive: 'rejected' };

export function twsLedger(tws: FakeTws): VenueLedgerSnapshot {
  const l = tws.ledger;
  return {
    orders: [...l.orders.values()].map((o) => ({ clientOrderId: o.orderRef, venueOrderId: String(o.orderId), asset: o.symbol, side: o.action, quantity: o.totalQuantity, filledQuantity: o.filled, state: STATE[o.status] ?? 'open' })),
    // a fill names its execution without IB's correction suffix (the digits after the last period)
    executions: [...l.executions.values()].map((e) => ({ executionId: e.execId.slice(0, e.execId.lastIndexOf('.')), clientOrderId: e.orderRef, asset: e.symbol, side: e.side === 'BOT' ? 'BUY' as const : 'SELL' as const, quantity: e.shares, price: e.price, commission: e.commission })),
    positions: Object.fromEntries([...l.positions].map(([s, p]) => [s, p.quantity])),
    cash: l.cash,
    accountValue: l.netLiquidation((s) => tws.engine.prices.get(s)),
  };
}

async function ibHarness(): Promise<BrokerHarness> {
  const tws = await FakeTws.start({ prices: { AAPL: 100 }, cash: 100_000, nextValidId: 1000 });
  const logger = new MemoryLogger();
  const config = IBConfig.parse({ port: tws.port, clientId: 3, commissionWaitMs: 1_000, submitTimeoutMs: 1_000, requestTimeoutMs: 3_000, connectTimeoutMs: 3_000, reconnect: { initialDelayMs: 50, maxDelayMs: 250 } });
  const make = (): IBBroker => new IBBroker(config, { logger, pool: new IBConnectionPool() });
  const broker = make();
  const others: IBBroker[] = [];
  return {
    broker, asset: 'AAPL', startingCash: 100_000,
    venue: {
      setPrice: async (asset, price, liquidity) => tws.setPrice(asset, price, liquidity),
      ledger: async () => twsLedger(tws),
      prepareRejection: async () => { tws.behaviour.rejectNext.push({ code: 201, message: 'Order rejected - reason:YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE [0 USD] MUST EXCEED THE INITIAL MARGIN' }); return {}; },
      dropConnection: async () => { tws.refuseConnections = true; tws.dropConnections(); },
      restoreConnection: async () => { tws.refuseConnections = false; },
      replayExecutions: async () => tws.replayExecutions(),
      loseNextAcknowledgement: async () => { tws.behaviour.swallowNext++; },
      reorderNext: async () => { tws.behaviour.reorderNext++; },
      rateLimitNext: async (what) => { if (what === 'read') tws.behaviour.rateLimitReads++; else tws.behaviour.rateLimitSubmits++; },
    },
    // a restart: the old process is gone (its session closes), a new instance connects with the same client id
    restart: async () => { await broker.disconnect(); const b = make(); others.push(b); return b; },
    logLines: () => logger.entries.map((e) => `${e.msg} ${JSON.stringify(e.fields)}`),
    close: async () => {
      for (const b of [broker, ...others]) await b.disconnect();
      await tws.close();
    },
  };
}

describeBrokerConformance('ib (IBBroker on the fake TWS)', ibHarness);
