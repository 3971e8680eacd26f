import { defineBroker, defineFeed } from '@tradewire/core';
import { IBConfig, IBFeedConfig } from './config.js';
import { IBBroker } from './ib-broker.js';
import { IBDataFeed } from './ib-data-feed.js';

/** Broker `ib`: Interactive Brokers TWS / IB Gateway. */
export const ibBroker = defineBroker({
  name: 'ib',
  description: 'Interactive Brokers TWS / IB Gateway (TWS API via @stoqey/ib)',
  configSchema: IBConfig,
  create: (config, ctx) => new IBBroker(config, { clock: ctx.clock, logger: ctx.logger, ...(ctx.kv ? { kv: ctx.kv } : {}) }),
});

/** Feed `ib`: real-time 5-second bars and/or throttled ticks from TWS. */
export const ibFeed = defineFeed({
  name: 'ib',
  description: 'Interactive Brokers market data: reqRealTimeBars 5-second bars and reqMktData ticks',
  configSchema: IBFeedConfig,
  create: (config, ctx) => new IBDataFeed(config, { clock: ctx.clock, logger: ctx.logger }),
});

export const definitions = [ibBroker, ibFeed] as const;
