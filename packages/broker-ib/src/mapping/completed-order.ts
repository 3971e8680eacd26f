import type { OrderState } from '@stoqey/ib';
import type { OrderStatus } from '@tradewire/core';

/**
 * The lowest server version whose completedOrder messages @stoqey/ib 1.6.10 reads correctly. Below
 * 177 (FA_PROFILE_DESUPPORT) TWS still sends the deprecated faProfile field in completedOrder; that
 * decoder never reads it there, so every later field (status, filled quantity …) is shifted and
 * the message is dropped as undecodable. Below this version reqCompletedOrders is not used.
 */
export const COMPLETED_ORDERS_MIN_SERVER_VERSION = 177;

export function completedOrdersReadable(serverVersion: number | undefined): boolean {
  return serverVersion !== undefined && serverVersion >= COMPLETED_ORDERS_MIN_SERVER_VERSION;
}

/**
 * The final status of a completed order: TWS's status (Filled, Cancelled, ApiCancelled, Inactive),
 * or its words (`completedStatus`, e.g. `Rejected by System: …`) for a rejection. Undefined when
 * neither names a final state (the report is then not applied).
 */
export function completedOrderStatus(state: Pick<OrderState, 'status' | 'completedStatus'>): OrderStatus | undefined {
  if (/^rejected/i.test(state.completedStatus ?? '')) return 'REJECTED';
  switch (state.status as string | undefined) {
    case 'Filled': return 'FILLED';
    case 'Cancelled':
    case 'ApiCancelled': return 'CANCELLED';
    case 'Inactive': return 'REJECTED';
    default: return undefined;
  }
}
