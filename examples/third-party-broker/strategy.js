// Buys 100 on the first bar and closes on the last one.
export default class BuyAndClose {
  constructor() { this.n = 0; }
  async onData(_ts, data, _ctx, broker) {
    this.n++;
    if (this.n === 1) await broker.buy('ACME', 100);
    if (this.n === 3) await broker.closePosition('ACME');
  }
}
