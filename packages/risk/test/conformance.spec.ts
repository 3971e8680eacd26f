/** SafeBroker (limits off) around core's PaperBroker must still pass the broker conformance suite. */
import { AdapterRegistry, MemoryKeyValueStore, MemoryLogger, SystemClock, paperBroker, type BrokerProtocol, type Order } from '@tradewire/core';
import { describeBrokerConformance, type BrokerHarness, type LedgerOrderState, type VenueLedgerSnapshot } from '@tradewire/testkit';
import { SafeBroker, parseRiskConfig } from '@tradewire/risk';

const ASSET = 'AAPL';
const CASH = 100_000;
const STATE: Record<Order['status'], LedgerOrderState> = {
  PENDING_SUBMIT: 'open', SUBMITTED: 'open', PARTIALLY_FILLED: 'open', UNKNOWN: 'open',
  FILLED: 'filled', CANCELLED: 'cancelled', REJECTED: 'rejected', EXPIRED: 'expired',
};

async function ledger(b: BrokerProtocol): Promise<VenueLedgerSnapshot> {
  const orders = await b.getOrders(0);
  const fills = await b.getFills(0);
  return {
    orders: orders.map((o) => ({ clientOrderId: o.clientOrderId, venueOrderId: o.orderId, asset: o.asset, side: o.side, quantity: o.quantity, filledQuantity: o.filledQuantity, state: STATE[o.status] })),
    executions: fills.map((f) => ({ executionId: f.executionId, clientOrderId: f.clientOrderId, asset: f.asset, side: f.side, quantity: f.quantity, price: f.price, commission: f.commission })),
    positions: Object.fromEntries((await b.getPositions()).map((p) => [p.asset, p.quantity])),
    cash: await b.getCash(),
    accountValue: await b.getAccountValue(),
  };
}

async function harness(): Promise<BrokerHarness> {
  const logger = new MemoryLogger();
  const clock = new SystemClock();
  const inner = await new AdapterRegistry().register(paperBroker).create('broker', 'paper', { initialCash: CASH, commission: { perShare: 0.005, minimum: 1 } }, { clock, logger });
  const safe = new SafeBroker(inner, { config: parseRiskConfig({}), clock, logger, kv: new MemoryKeyValueStore() });
  const feed = (asset: string, price: number, liquidity?: number): void => {
    safe.onMarketData(Date.now(), { [asset]: { open: price, high: price, low: price, close: price, volume: liquidity ?? 0 } }, { source: 'testkit' });
  };
  feed(ASSET, 100);
  return {
    broker: safe, asset: ASSET, startingCash: CASH,
    venue: {
      setPrice: async (asset, price, liquidity) => feed(asset, price, liquidity),
      ledger: () => ledger(inner),
      prepareRejection: async () => ({ quantity: 10_000_000 }),
    },
    logLines: () => logger.entries.map((e) => `${e.msg} ${JSON.stringify(e.fields)}`),
    close: async () => { await safe.disconnect(); },
  };
}

describeBrokerConformance('risk SafeBroker around core PaperBroker', harness, { waitMs: 1_000 });
