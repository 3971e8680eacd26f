import { BrokerError, type Position } from '@tradewire/core';
import type { IBRequests } from './client/ib-requests.js';
import type { IBConnectionConfig } from './config.js';
import { assetOf } from './mapping/contract.js';

/** Positions (reqPositions) and account values (reqAccountSummary) for one account. */
export class AccountReader {
  constructor(private readonly requests: IBRequests, private readonly cfg: IBConnectionConfig, private readonly account: () => string | undefined) {}

  async positions(): Promise<Position[]> {
    const rows = await this.requests.positions();
    const acct = this.account();
    const out: Position[] = [];
    for (const r of rows) {
      if (acct !== undefined && r.account !== acct) continue;
      if (!r.pos) continue;
      const mult = Number(r.contract.multiplier) || 1;
      const avg = (r.avgCost ?? 0) / mult;
      out.push({ asset: assetOf(r.contract, this.cfg), quantity: r.pos, avgEntryPrice: avg, currentPrice: avg, unrealizedPnl: 0, realizedPnl: 0 });
    }
    return out;
  }

  /** One account-summary tag as a number (AvailableFunds, NetLiquidation, …). */
  async value(tag: string): Promise<number> {
    const rows = await this.requests.accountSummary([tag]);
    const acct = this.account();
    const row = rows.find((r) => r.tag === tag && (acct === undefined || r.account === acct)) ?? rows.find((r) => r.tag === tag);
    const v = row ? Number(row.value.replace(/,/g, '')) : NaN;
    if (!Number.isFinite(v)) throw new BrokerError(`IB: account summary has no ${tag}`, 'IB_NO_ACCOUNT_VALUE');
    return v;
  }
}
