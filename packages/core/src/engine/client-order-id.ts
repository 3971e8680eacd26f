import { CountingId } from '../util/counting-id.js';

/**
 * Generates the ids Tradewire asks venues to carry. Ids are [A-Za-z0-9] only and at most 32
 * characters: valid as IB orderRef, Alpaca client_order_id, Binance newClientOrderId and OKX
 * clOrdId. The durable generator in the state layer persists its counter across restarts.
 * @public
 */
export interface ClientOrderIdGenerator {
  next(): string;
}

/** Non-durable generator: `tw` + a random 8-char run id + a base-36 counter. @public */
export class SessionClientOrderIdGenerator implements ClientOrderIdGenerator {
  readonly #ids: CountingId;
  constructor(runId?: string) {
    const id = runId ?? Array.from({ length: 8 }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(Math.random() * 36)]).join('');
    if (!/^[A-Za-z0-9]{1,16}$/.test(id)) throw new RangeError('runId must be 1-16 alphanumerics');
    this.#ids = new CountingId(`tw${id}`, 4);
  }
  next(): string { return this.#ids.next(); }
}

export { idHash } from '../util/id-index.js';
