/** Core's paper broker against the broker conformance suite. Its "venue" is itself: the ledger is read from its own books. */
import { AdapterRegistry, MemoryLogger, paperBroker, SystemClock, type BrokerProtocol, type Order } from '@tradewire/core';
import { describeBrokerConformance, type BrokerHarness, type LedgerOrderState, type VenueLedgerSnapshot } from '@tradewire/testkit';

const ASSET = 'AAPL';
const CASH = 100_000;

const STATE: Record<Order['status'], LedgerOrderState> = {
  PENDING_SUBMIT: 'open', SUBMITTED: 'open', PARTIALLY_FILLED: 'open', UNKNOWN: 'open',
  FILLED: 'filled', CANCELLED: 'cancelled', REJECTED: 'rejected', EXPIRED: 'expired',
};

async function paperHarness(): Promise<BrokerHarness> {
  const registry = new AdapterRegistry().register(paperBroker);
  const logger = new MemoryLogger();
  const broker = await registry.create('broker', 'paper', { initialCash: CASH, commission: { perShare: 0.005, minimum: 1 } }, { clock: new SystemClock(), logger });
  const feed = (asset: string, price: number, liquidity?: number): void => {
    if (!broker.onMarketData) throw new Error('paper broker has no onMarketData');
    broker.onMarketData(Date.now(), { [asset]: { open: price, high: price, low: price, close: price, volume: liquidity ?? 0 } }, { source: 'testkit' });
  };
  feed(ASSET, 100);
  return {
    broker, asset: ASSET, startingCash: CASH,
    venue: {
      setPrice: async (asset, price, liquidity) => feed(asset, price, liquidity),
      ledger: () => paperLedger(broker),
      prepareRejection: async () => ({ quantity: 10_000_000 }), // far past buying power
    },
    logLines: () => logger.entries.map((e) => `${e.msg} ${JSON.stringify(e.fields)}`),
    close: async () => { await broker.disconnect(); },
  };
}

async function paperLedger(b: BrokerProtocol): Promise<VenueLedgerSnapshot> {
  const orders = await b.getOrders(0);
  const fills = await b.getFills(0);
  const positions = Object.fromEntries((await b.getPositions()).map((p) => [p.asset, p.quantity]));
  return {
    orders: orders.map((o) => ({ clientOrderId: o.clientOrderId, venueOrderId: o.orderId, asset: o.asset, side: o.side, quantity: o.quantity, filledQuantity: o.filledQuantity, state: STATE[o.status] })),
    executions: fills.map((f) => ({ executionId: f.executionId, clientOrderId: f.clientOrderId, asset: f.asset, side: f.side, quantity: f.quantity, price: f.price, commission: f.commission })),
    positions,
    cash: await b.getCash(),
    accountValue: await b.getAccountValue(),
  };
}

describeBrokerConformance('paper (core PaperBroker)', paperHarness, { waitMs: 1_000 });
