import { SecType, type Contract } from '@stoqey/ib';
import type { IBConnectionConfig } from '../config.js';

/** The IB contract for a Tradewire asset name: a configured override, else a SMART-routed stock. */
export function contractFor(asset: string, cfg: Pick<IBConnectionConfig, 'contracts' | 'exchange' | 'currency'>): Contract {
  const o = cfg.contracts[asset];
  const c: Contract = {
    symbol: o?.symbol ?? asset,
    secType: (o?.secType ?? 'STK') as SecType,
    exchange: o?.exchange ?? cfg.exchange,
    currency: o?.currency ?? cfg.currency,
  };
  if (o?.primaryExch !== undefined) c.primaryExch = o.primaryExch;
  if (o?.conId !== undefined) c.conId = o.conId;
  if (o?.lastTradeDateOrContractMonth !== undefined) c.lastTradeDateOrContractMonth = o.lastTradeDateOrContractMonth;
  if (o?.multiplier !== undefined) c.multiplier = o.multiplier;
  if (o?.localSymbol !== undefined) c.localSymbol = o.localSymbol;
  return c;
}

/** The Tradewire asset name of an IB contract (reverse of the overrides, else the symbol). */
export function assetOf(contract: Contract, cfg: Pick<IBConnectionConfig, 'contracts'>): string {
  for (const [asset, o] of Object.entries(cfg.contracts)) {
    if ((o.conId !== undefined && o.conId === contract.conId) || ((o.symbol ?? asset) === contract.symbol && (o.localSymbol === undefined || o.localSymbol === contract.localSymbol))) return asset;
  }
  return contract.symbol ?? String(contract.conId ?? '');
}
