import type { RefundStore } from './refund-store';
import type { RiskSignalStore } from './risk-signal-store';
import type { FunctionalGroupStore } from './functional-group-store';
import type { MetricsStore } from './metrics-store';
import type { NotificationStore } from './notification-store';
import type { OrderChangeStore } from './order-change-store';
import type { OrdersStore, SequenceStore } from './orders-store';
import type { PortalStore } from './portal-store';
import type { PurchaseOrderStore } from './purchase-order-store';
import type { ReturnsStore } from './returns-store';
import type { ParcelWatchStore, ShipmentStore } from './shipment-store';
import type { SupplierStatusPollStore } from './status-poll-store';
import type { StockStore } from './stock-store';
import type { StorefrontSyncStore } from './storefront-sync-store';
import type { WatchdogStore } from './watchdog-store';

export type { Lease } from './lease';
export type { FunctionalGroupSent, FunctionalGroupStore } from './functional-group-store';
export type { MetricsStore } from './metrics-store';
export type { Notification, NotificationState, NotificationStore } from './notification-store';
export type { OrderChangeStore } from './order-change-store';
export {
  otherOrderNumberForm,
  type IntakeMeta,
  type IntakeResult,
  type OrderQuery,
  type OrdersStore,
  type SequenceStore,
} from './orders-store';
export type { PurchaseOrderClaim, PurchaseOrderStore, PurchaseOrderUpdate } from './purchase-order-store';
export type { ReturnsStore } from './returns-store';
export type {
  ParcelPoll,
  ParcelPollOutcome,
  ParcelWatchStore,
  ShipmentResult,
  ShipmentStore,
} from './shipment-store';
export type {
  SupplierStatusPoll,
  SupplierStatusPollOutcome,
  SupplierStatusPollStore,
} from './status-poll-store';
export type {
  StockChange,
  StockFeedOutcome,
  StockFeedRecord,
  StockLevelInput,
  StockQuery,
  StockRecord,
  StockStore,
} from './stock-store';
export type { WatchdogStore } from './watchdog-store';

/**
 * The durable truth of the pipeline: every area's store in one engine (SQLite or PostgreSQL). Every method is one
 * transaction; every state change is a compare-and-set that applies only from the expected states and writes an
 * order event in the same transaction. A consumer that needs one area takes that area's interface.
 */
export interface OrderStore
  extends
    OrdersStore,
    SequenceStore,
    PurchaseOrderStore,
    SupplierStatusPollStore,
    FunctionalGroupStore,
    ShipmentStore,
    ParcelWatchStore,
    NotificationStore,
    StockStore,
    WatchdogStore,
    ReturnsStore,
    MetricsStore,
    StorefrontSyncStore,
    RefundStore,
    RiskSignalStore,
    OrderChangeStore,
    PortalStore {
  readonly engine: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;
}
