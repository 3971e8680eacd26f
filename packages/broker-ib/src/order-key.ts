/**
 * TWS keys orders by (API client id, order id): order ids are per client, so another program's
 * order 5 is not ours, and every order entered by hand in TWS has order id 0 (or a negative one
 * once bound), told apart only by its permId. The same key as ib_insync's `orderKey`.
 */
export function ibOrderKey(clientId: number | undefined, orderId: number, permId: number | undefined): string {
  return orderId > 0 ? `${clientId ?? 0}:${orderId}` : `perm:${permId ?? 0}`;
}

/** An order as TWS names it on the wire (openOrder, orderStatus, execDetails). */
export interface IBOrderRef { orderId: number; clientId: number | undefined; permId: number | undefined }
