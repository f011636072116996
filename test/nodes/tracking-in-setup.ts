import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import type { Order, OrderDraft } from '../../core/model/order';
import type { PurchaseOrder } from '../../core/model/purchase-order';
import type { OrderStore } from '../../core/store/order-store';
import { purchaseOrderDraftFor, sampleOrderDraft } from '../support/orders';

/** What the tests read from a helper node: every message it received. */
export interface Received {
  orderId?: string;
  poNumber?: string;
  topic?: string;
  payload?: Record<string, unknown>;
  shipmentEvent?: { status: string; source: string; trackingNumber: string; carrier?: string };
  error?: { code: string; message: string; details: { path: string; message: string }[] };
  labelWithoutScan?: { trackingNumber: string; hoursWithoutScan: number };
}

export function collect(id: string): Received[] {
  const seen: Received[] = [];
  (helper.getNode(id) as unknown as { on(e: 'input', f: (m: Received) => void): void }).on('input', (msg) =>
    seen.push(msg),
  );
  return seen;
}

export function storeOfFlow(id = 'store'): Promise<OrderStore> {
  return (helper.getNode(id) as unknown as { store(): Promise<OrderStore> }).store();
}

/**
 * An order routed to one PO per supplier, each sent and accepted, as dispatch leaves it: ready for tracking.
 * Each supplier gets the lines whose SKU it is given (all lines for a single supplier).
 */
export async function acceptedOrder(
  store: OrderStore,
  draft: Partial<OrderDraft> = {},
  suppliers: Record<string, string[]> = { acme: ['MUG-01', 'TEE-01'] },
): Promise<{ order: Order; pos: PurchaseOrder[] }> {
  const { order: created } = await store.receiveOrder(sampleOrderDraft(draft), { actor: 'test' });
  const pos = (await store.assignPurchaseOrders(
    created.id,
    ['received'],
    Object.entries(suppliers).map(([supplierId, skus]) =>
      purchaseOrderDraftFor(created, supplierId, { skus }),
    ),
    { type: 'order.routed', actor: 'test' },
  ))!;
  for (const po of pos) {
    await store.claimPurchaseOrder(po.number, { owner: 'test', now: new Date(), durationMs: 60_000 });
    await store.transitionPurchaseOrder(
      po.number,
      ['sending'],
      'accepted',
      {},
      { type: 'po.accepted', actor: 'test' },
    );
  }
  // In the order the suppliers were given (the store lists POs created together by number).
  const supplierOrder = Object.keys(suppliers);
  const stored = (await store.listPurchaseOrders(created.id)).sort(
    (a, b) => supplierOrder.indexOf(a.supplierId) - supplierOrder.indexOf(b.supplierId),
  );
  return { order: (await store.getOrder(created.id))!, pos: stored };
}

/** Waits until `probe` returns something, polling every 25 ms. */
export async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** Writes a file as the supplier left it a minute ago: long settled, read at the next check. */
export function writeSettled(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  const minuteAgo = new Date(Date.now() - 60_000);
  utimesSync(file, minuteAgo, minuteAgo);
}

/** The 856 fixture with its two PO numbers replaced by those of a stored order. */
export function shipNotice(poNumbers: string[]): string {
  return readFileSync(path.join(FIXTURES, 'x12', '856-pipe-newline.x12'), 'utf8')
    .replace('POA1B2C3D4E5-1', poNumbers[0]!)
    .replace('POZZ9XKQ4M7T-1', poNumbers[1]!);
}
