// Public surface of @tradewire/broker-ib. Explicit export list.
import { definitions } from './plugin.js';

export { IBBroker, IB_CAPABILITIES } from './ib-broker.js';
export type { IBBrokerServices } from './ib-broker.js';
export { IBDataFeed } from './ib-data-feed.js';
export type { IBDataFeedServices } from './ib-data-feed.js';
export { IBConfig, IBFeedConfig, IBConnectionConfig, IBContractOverride } from './config.js';
export { ibBroker, ibFeed, definitions } from './plugin.js';
export { IB_ERROR_TABLE, ibError, isIBWarning } from './errors.js';
export { IBConnection } from './client/ib-connection.js';
export type { IBConnectionOptions, IBCode } from './client/ib-connection.js';
export { IBConnectionPool, defaultConnectionPool } from './client/connection-pool.js';
export { Pacer } from './client/pacer.js';
export { mapIBStatus, toIBOrder, IB_STATUSES, ibDateTime } from './mapping/order.js';
export { completedOrderStatus, completedOrdersReadable, COMPLETED_ORDERS_MIN_SERVER_VERSION } from './mapping/completed-order.js';
export { executionAliases, executionKey, parseIBTime, validCommission } from './mapping/execution.js';
export { contractFor } from './mapping/contract.js';
export { OrderIdAllocator } from './order-ids.js';
export { TickThrottle } from './tick-throttle.js';

export default definitions;
