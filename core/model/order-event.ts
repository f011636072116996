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
