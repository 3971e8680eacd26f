// Public surface of @tradewire/testkit. Explicit export list.
export { describeBrokerConformance } from './broker-conformance.js';
export type { BrokerHarness, BrokerHarnessFactory, VenueControl, BrokerConformanceOptions, CaseContext } from './harness.js';
export { VenueLedger } from './venue-ledger.js';
export type { VenueLedgerSnapshot, LedgerOrderRow, LedgerExecutionRow, LedgerOrderState } from './venue-ledger.js';
export { eventually, settle } from './eventually.js';
export { secretCanary, findSecrets } from './secrets-canary.js';
export type { SecretCanary } from './secrets-canary.js';
export { SimulatedClock as FakeClock, MemoryLogger } from '@tradewire/core';
export { describeFeedConformance } from './feed-conformance.js';
export type {
  FeedHarness, FeedHarnessFactory, FeedTraits, FeedVenueControl, FeedScenario, FeedConformanceOptions, FeedRecordKind,
  VenueRecord, VenueDataRecord, VenueBar, VenueTrade, VenueQuote, VenueMalformed,
} from './feed-harness.js';
