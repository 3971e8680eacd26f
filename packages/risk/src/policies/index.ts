// Internal table of the built-in policies (the public list is in ../plugin.ts and ../index.ts).
import type { BuiltinPolicy } from '../policy.js';
import { allowedAssets } from './allowed-assets.js';
import { blockedAssets } from './blocked-assets.js';
import { priceBand } from './price-band.js';
import { maxDataStaleness } from './max-data-staleness.js';
import { maxPriceDeviation } from './max-price-deviation.js';
import { maxOrderShares } from './max-order-shares.js';
import { maxOrderValue } from './max-order-value.js';
import { maxPositionShares } from './max-position-shares.js';
import { maxPositionValue } from './max-position-value.js';
import { maxPositions } from './max-positions.js';
import { maxTotalExposure } from './max-total-exposure.js';
import { maxDailyLoss } from './max-daily-loss.js';
import { maxDrawdown } from './max-drawdown.js';
import { dedup } from './dedup.js';
import { maxOrdersPerMinute } from './max-orders-per-minute.js';

const LIST: readonly BuiltinPolicy[] = [
  allowedAssets, blockedAssets, priceBand, maxDataStaleness, maxPriceDeviation, maxOrderShares, maxOrderValue,
  maxPositionShares, maxPositionValue, maxPositions, maxTotalExposure, maxDailyLoss, maxDrawdown, dedup, maxOrdersPerMinute,
];

/** Built-in policies by name. */
export const BUILTIN_POLICIES: ReadonlyMap<string, BuiltinPolicy> = new Map(LIST.map((p) => [p.name, p]));
