// Public surface of @tradewire/risk. Explicit export list.
import { definitions } from './plugin.js';

export { LiveRiskConfig, DEFAULT_POLICY_ORDER, limitSchema, parseRiskConfig } from './config.js';
export type { LiveRiskConfigInput, PolicyRef } from './config.js';
export { SafeBroker } from './safe-broker.js';
export type { SafeBrokerOptions, RiskSnapshot } from './safe-broker.js';
export { riskMiddleware, createRiskMiddleware, policyDefinitions, definitions } from './plugin.js';
export type { RiskMiddlewareOptions } from './plugin.js';
export { reject } from './policy.js';
export type { StatefulRiskPolicy } from './policy.js';
export { extendedContext, increasesRisk } from './risk-context.js';
export type { SafeRiskContext } from './risk-context.js';
export { riskError, sanityCheck } from './errors.js';
export { RiskStateStore, RiskStateSchema, freshRiskState } from './risk-state.js';
export type { RiskStateData, RiskTrip, RiskAuditEntry, TradingState, LoadedRiskState } from './risk-state.js';
export { engageKillSwitch, clearKillSwitch } from './kill-switch.js';
export type { OperatorCommand } from './kill-switch.js';
export { haltRisk, resumeRisk, readRiskStatus } from './operator.js';
export type { OperatorOptions, RiskStatus } from './operator.js';
export { CircuitBreakers, RollingPeak, BREAKER_CODES } from './circuit-breakers.js';
export type { BreakerTrip } from './circuit-breakers.js';
export { VirtualPortfolio } from './virtual-portfolio.js';
export type { PaperCostModel, VirtualExecution } from './virtual-portfolio.js';
export { PriceGuard } from './price-guard.js';
export type { PriceRecord } from './price-guard.js';
export { SessionCalendar } from './session.js';
export { SlidingWindowCounter } from './sliding-window.js';
export { LimitPolicyConfig } from './policies/_limit.js';
export { AllowedAssetsPolicy, allowedAssetsDefinition } from './policies/allowed-assets.js';
export { BlockedAssetsPolicy, blockedAssetsDefinition } from './policies/blocked-assets.js';
export { PriceBandPolicy, priceBandDefinition } from './policies/price-band.js';
export { MaxDataStalenessPolicy, maxDataStalenessDefinition } from './policies/max-data-staleness.js';
export { MaxPriceDeviationPolicy, maxPriceDeviationDefinition } from './policies/max-price-deviation.js';
export { MaxOrderSharesPolicy, maxOrderSharesDefinition } from './policies/max-order-shares.js';
export { MaxOrderValuePolicy, maxOrderValueDefinition } from './policies/max-order-value.js';
export { MaxPositionSharesPolicy, maxPositionSharesDefinition } from './policies/max-position-shares.js';
export { MaxPositionValuePolicy, maxPositionValueDefinition } from './policies/max-position-value.js';
export { MaxPositionsPolicy, maxPositionsDefinition } from './policies/max-positions.js';
export { MaxTotalExposurePolicy, maxTotalExposureDefinition } from './policies/max-total-exposure.js';
export { MaxDailyLossPolicy, maxDailyLossDefinition } from './policies/max-daily-loss.js';
export { MaxDrawdownPolicy, maxDrawdownDefinition } from './policies/max-drawdown.js';
export { DedupPolicy, dedupDefinition } from './policies/dedup.js';
export { MaxOrdersPerMinutePolicy, maxOrdersPerMinuteDefinition } from './policies/max-orders-per-minute.js';
export { FileKeyValueStore } from './file-kv.js';

/** Plugin entry: the `risk` middleware and every built-in policy definition. @public */
export default definitions;
