import { z } from 'zod';
import { broker, inject, PaperBroker, TOKENS, type Clock, type Logger, type Order, type OrderIntent } from '@tradewire/core';

/** Options of the `acme` broker; unknown keys are errors that name the key. */
export const AcmeConfig = z.object({
  initialCash: z.number().positive().default(50_000),
  /** a flat fee Acme charges per order, on top of the simulated fills */
  feePerOrder: z.number().nonnegative().default(1),
}).strict();
export type AcmeConfig = z.output<typeof AcmeConfig>;

/**
 * A third-party broker. The decorator only records metadata; registering happens when the
 * composition root loads this package (by name from a config file, or auto-discovery since
 * package.json says "tradewire": { "plugin": true }). For a real venue, implement
 * BrokerProtocol against its API instead of extending the paper broker.
 */
@broker('acme', { configSchema: AcmeConfig, description: 'Acme simulated venue with a per-order fee' })
export class AcmeBroker extends PaperBroker {
  override readonly name: string = 'acme';
  feesCharged = 0;
  constructor(
    @inject(TOKENS.AdapterConfig) private readonly acme: AcmeConfig,
    @inject(TOKENS.Clock) clock: Clock,
    @inject(TOKENS.Logger) logger: Logger,
  ) {
    super({ initialCash: acme.initialCash, commission: { perShare: 0, rate: 0, minimum: 0 } }, clock, logger);
  }

  override async submitOrder(intent: OrderIntent): Promise<Order> {
    const order = await super.submitOrder(intent);
    this.feesCharged += this.acme.feePerOrder;
    return order;
  }
}
