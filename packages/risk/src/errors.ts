import { RiskLimitError, type OrderIntent, type RiskRejection } from '@tradewire/core';

/** Turns a rejection into the typed error a refused order throws (`details`: policy, limit, value, order). @public */
export function riskError(r: RiskRejection, intent?: Pick<OrderIntent, 'clientOrderId' | 'asset' | 'side' | 'quantity'>, extra: Record<string, unknown> = {}): RiskLimitError {
  const details: Record<string, unknown> = { policy: r.policy, limit: r.limit, value: r.value, ...extra };
  if (intent) {
    details['clientOrderId'] = intent.clientOrderId;
    details['asset'] = intent.asset;
    details['side'] = intent.side;
    details['quantity'] = intent.quantity;
  }
  return new RiskLimitError(`${r.policy}: ${r.message}`, r.code, { details });
}

/** Checks an intent before any risk check (RELIABILITY B03): positive finite quantity, finite positive prices. @public */
export function sanityCheck(intent: OrderIntent): RiskRejection | undefined {
  const q = intent.quantity;
  if (typeof q !== 'number' || !Number.isFinite(q) || q <= 0 || Object.is(q, -0)) {
    return { policy: 'order_sanity', code: 'RISK_INVALID_QUANTITY', message: `quantity must be a finite number > 0 (got ${String(q)})`, limit: '> 0', value: String(q) };
  }
  if (q < 1e-12) return { policy: 'order_sanity', code: 'RISK_INVALID_QUANTITY', message: `quantity ${q} is below the smallest tradable size`, limit: '>= 1e-12', value: String(q) };
  const lp = intent.limitPrice;
  if (lp !== undefined && (typeof lp !== 'number' || !Number.isFinite(lp) || lp <= 0)) return badPrice('limitPrice', lp);
  const sp = intent.stopPrice;
  if (sp !== undefined && (typeof sp !== 'number' || !Number.isFinite(sp) || sp <= 0)) return badPrice('stopPrice', sp);
  if (typeof intent.asset !== 'string' || intent.asset.length === 0 || intent.asset.length > 64) {
    return { policy: 'order_sanity', code: 'RISK_INVALID_ASSET', message: 'asset must be a non-empty string of at most 64 characters', value: String(intent.asset).slice(0, 64) };
  }
  if (intent.side !== 'BUY' && intent.side !== 'SELL') {
    return { policy: 'order_sanity', code: 'RISK_INVALID_SIDE', message: `side must be BUY or SELL`, value: String(intent.side) };
  }
  return undefined;
}

function badPrice(k: string, p: unknown): RiskRejection {
  return { policy: 'order_sanity', code: 'RISK_INVALID_PRICE', message: `${k} must be a finite number > 0 (got ${String(p)})`, limit: '> 0', value: String(p) };
}
