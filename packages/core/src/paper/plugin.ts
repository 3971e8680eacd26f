import { defineBroker } from '../registry/adapter-definition.js';
import { provideValue } from '../di.js';
import { TOKENS } from '../tokens.js';
import { PaperBrokerConfig } from './config.js';
import { PaperBroker } from './paper-broker.js';
import { PaperLedgerFile } from './ledger-file.js';

/** The `paper` broker definition (registered by default in every registry the CLI builds). @public */
export const paperBroker = defineBroker({
  name: 'paper',
  description: 'Simulated fills against the feed prices: latency, slippage, commission, partial fills, shorts.',
  configSchema: PaperBrokerConfig,
  create(config, ctx) {
    provideValue(ctx.container, TOKENS.AdapterConfig, config);
    const broker = ctx.container.resolve(PaperBroker);
    if (config.ledgerFile) new PaperLedgerFile(config.ledgerFile).attach(broker);
    return broker;
  },
});
