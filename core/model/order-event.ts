/** The audit trail: who changed what on an order, when and why. Events are appended, never edited. */
export interface OrderEvent {
  id: number;
  orderId: string;
  poNumber?: string;
  type: string;
  fromState?: string;
  toState?: string;
  /** The node (type and id) or component that made the change. */
  actor: string;
  reason?: string;
  data?: Record<string, unknown>;
  at: string;
}

export type OrderEventInput = Omit<OrderEvent, 'id' | 'orderId' | 'at' | 'fromState' | 'toState'> & {
  at?: string;
};

/**
 * The event that records a new PO, written by both store engines. It names the PO it creates, whatever PO the
 * triggering event (a routing, a failover) was about.
 */
export function purchaseOrderCreatedEvent(
  cause: OrderEventInput,
  poNumber: string,
  po: { supplierId: string; lines: unknown[] },
): OrderEventInput {
  return {
    ...cause,
    poNumber,
    type: 'po.created',
    data: { ...cause.data, supplierId: po.supplierId, lines: po.lines.length },
  };
}
