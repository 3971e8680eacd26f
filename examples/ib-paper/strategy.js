// Buys `quantity` when a minute bar closes above the previous bar's high, exits when it closes
// below the previous bar's low. Plain ESM JavaScript: no build step.
export default class BarBreakout {
  constructor(params = {}) {
    this.symbol = params.symbol ?? 'AAPL';
    this.quantity = params.quantity ?? 10;
    this.prev = undefined;
  }
  async onData(_ts, data, _ctx, broker) {
    const bar = data[this.symbol];
    if (!bar || !('close' in bar)) return;
    const prev = this.prev;
    this.prev = bar;
    if (!prev) return;
    const held = broker.getPosition(this.symbol);
    if (held === 0 && bar.close > prev.high) await broker.buy(this.symbol, this.quantity, { tag: 'breakout' });
    else if (held > 0 && bar.close < prev.low) await broker.closePosition(this.symbol);
  }
  snapshot() { return { prev: this.prev }; }
  restore(s) { this.prev = s?.prev; }
}
