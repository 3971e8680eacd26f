import {
  defaultRegistry, defineMiddleware, type AdapterContext, type AdapterRegistry, type AnyAdapterDefinition,
  type BrokerMiddleware, type BrokerProtocol, type RiskPolicy,
} from '@tradewire/core';
import { LiveRiskConfig } from './config.js';
import { SafeBroker } from './safe-broker.js';
import { BUILTIN_POLICIES } from './policies/index.js';
import { allowedAssetsDefinition } from './policies/allowed-assets.js';
import { blockedAssetsDefinition } from './policies/blocked-assets.js';
import { priceBandDefinition } from './policies/price-band.js';
import { maxDataStalenessDefinition } from './policies/max-data-staleness.js';
import { maxPriceDeviationDefinition } from './policies/max-price-deviation.js';
import { maxOrderSharesDefinition } from './policies/max-order-shares.js';
import { maxOrderValueDefinition } from './policies/max-order-value.js';
import { maxPositionSharesDefinition } from './policies/max-position-shares.js';
import { maxPositionValueDefinition } from './policies/max-position-value.js';
import { maxPositionsDefinition } from './policies/max-positions.js';
import { maxTotalExposureDefinition } from './policies/max-total-exposure.js';
import { maxDailyLossDefinition } from './policies/max-daily-loss.js';
import { maxDrawdownDefinition } from './policies/max-drawdown.js';
import { dedupDefinition } from './policies/dedup.js';
import { maxOrdersPerMinuteDefinition } from './policies/max-orders-per-minute.js';

/** The built-in policies as registry definitions (kind 'risk'), usable on their own. @public */
export const policyDefinitions: readonly AnyAdapterDefinition[] = Object.freeze([
  allowedAssetsDefinition, blockedAssetsDefinition, priceBandDefinition, maxDataStalenessDefinition, maxPriceDeviationDefinition,
  maxOrderSharesDefinition, maxOrderValueDefinition, maxPositionSharesDefinition, maxPositionValueDefinition, maxPositionsDefinition,
  maxTotalExposureDefinition, maxDailyLossDefinition, maxDrawdownDefinition, dedupDefinition, maxOrdersPerMinuteDefinition,
] as AnyAdapterDefinition[]);

/** Options of `createRiskMiddleware`. @public */
export interface RiskMiddlewareOptions {
  /** where user policies named in `policies` are looked up; default: the registry creating the middleware, else core's defaultRegistry */
  registry?: AdapterRegistry;
}

/**
 * The broker middleware named `risk`: wraps the engine's broker in a `SafeBroker`. User policies
 * listed in `policies` (a name that is not built in, or `{ use, config }`) are created from the
 * registry as kind 'risk'.
 * @public
 */
export function createRiskMiddleware(options: RiskMiddlewareOptions = {}) {
  return defineMiddleware({
    name: 'risk',
    description: 'SafeBroker: risk policies, circuit breakers, persistent kill switch, shadow mode',
    configSchema: LiveRiskConfig,
    async create(config, ctx): Promise<BrokerMiddleware> {
      const registry = options.registry ?? ctx.registry ?? defaultRegistry;
      const custom: Record<string, RiskPolicy> = {};
      for (const ref of config.policies) {
        const name = typeof ref === 'string' ? ref : ref.use;
        const cfg = typeof ref === 'string' ? undefined : ref.config;
        if (BUILTIN_POLICIES.has(name) && cfg === undefined) continue; // built from LiveRiskConfig
        custom[name] = await registry.create('risk', name, cfg ?? {}, {
          clock: ctx.clock, logger: ctx.logger, container: ctx.container,
          ...(ctx.kv !== undefined ? { kv: ctx.kv } : {}), ...(ctx.stateDir !== undefined ? { stateDir: ctx.stateDir } : {}),
        });
      }
      return {
        name: 'risk',
        wrap(broker: BrokerProtocol, wctx: AdapterContext): BrokerProtocol {
          const kv = wctx.kv ?? ctx.kv;
          return new SafeBroker(broker, {
            config, clock: wctx.clock ?? ctx.clock, logger: wctx.logger ?? ctx.logger, customPolicies: custom,
            ...(kv !== undefined ? { kv } : {}),
          });
        },
      };
    },
  });
}

/** `defineMiddleware({ name: 'risk', configSchema: LiveRiskConfig, … })`, user policies from the default registry. @public */
export const riskMiddleware = createRiskMiddleware();

/** Everything this package registers: the middleware and the built-in policies. @public */
export const definitions: readonly AnyAdapterDefinition[] = Object.freeze([riskMiddleware as AnyAdapterDefinition, ...policyDefinitions]);
