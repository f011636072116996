import { DropshipError, errorText } from '../../../core/errors';
import type { PurchaseOrder, PurchaseOrderState } from '../../../core/model/purchase-order';
import type { ShipmentEvent, ShipmentLine } from '../../../core/model/shipment';
import {
  OutcomeUnknownError,
  SupplierTransientError,
  type Acknowledgement,
  type ConnectorContext,
  type LineAcknowledgement,
} from '../../../core/ports/supplier-connector';
import { PATH, readPath, textAt } from './reply-paths';

/** The one vocabulary a supplier's order statuses are mapped into. */
export type PolledStatus = 'accepted' | 'backordered' | 'rejected' | 'shipped' | 'delivered';
const POLLED_STATUSES: PolledStatus[] = ['accepted', 'backordered', 'rejected', 'shipped', 'delivered'];

/**
 * Asking the supplier's API for each open PO's status (`GET /orders/{id}`), read through dot paths like the
 * send reply. Acknowledgements are read for POs still `sent` or `backordered`, shipments for POs not yet shipped;
 * the carrier account follows a parcel from there.
 */
export interface StatusPollingSettings {
  /** The order's URL: `{{po.number}}` and `{{po.supplierReference}}` are filled in, URL-encoded. */
  url: string;
  intervalSeconds?: number;
  maxBackoffSeconds?: number;
  statusPath?: string;
  /** The supplier's status words (any case) and what each means; DEFAULT_STATUS_MAP when absent. */
  statusMap?: Record<string, PolledStatus>;
  referencePath?: string;
  reasonPath?: string;
  carrierPath?: string;
  trackingNumberPath?: string;
  trackingUrlPath?: string;
  shippedAtPath?: string;
  linesPath?: string;
  lineFields?: { sku?: string; quantity?: string; status?: string };
}

export const DEFAULT_STATUS_MAP: Record<string, PolledStatus> = {
  accepted: 'accepted',
  confirmed: 'accepted',
  processing: 'accepted',
  backordered: 'backordered',
  rejected: 'rejected',
  cancelled: 'rejected',
  shipped: 'shipped',
  delivered: 'delivered',
};

const DEFAULT_INTERVAL_S = 900;
const DEFAULT_MAX_BACKOFF_S = 3600;
/** POs asked about per round and purpose: a large backlog is polled over several rounds. */
const ROUND_SIZE = 20;

export const statusPollingSchema = {
  type: 'object',
  title: 'Status polling (GET each order)',
  description:
    "For suppliers that answer later: each open purchase order's status is read from the supplier's API. Acknowledgements are applied by the dispatch node; parcels are read by a tracking-in node whose source is this supplier's channel.",
  required: ['url'],
  properties: {
    url: {
      type: 'string',
      // Not format "uri": the placeholders' braces are not URI characters until they are filled.
      pattern: '^https?://([^{}\\s]|\\{\\{(po\\.number|po\\.supplierReference)\\}\\})+$',
      title: 'Order status URL',
      description:
        "Where one order's status is read with GET, e.g. https://api.supplier.example/v1/orders/{{po.supplierReference}}. {{po.number}} (our PO number) and {{po.supplierReference}} (the supplier's order id from its reply) are filled in, URL-encoded. The authentication is the supplier's.",
    },
    intervalSeconds: {
      type: 'integer',
      minimum: 1,
      maximum: 86400,
      default: DEFAULT_INTERVAL_S,
      title: 'Poll every (s)',
      description:
        'How often each open purchase order is asked about. The schedule is kept in the order store, so a restart does not poll everything at once.',
    },
    maxBackoffSeconds: {
      type: 'integer',
      minimum: 1,
      maximum: 86400,
      default: DEFAULT_MAX_BACKOFF_S,
      title: 'Longest wait after errors (s)',
      description:
        "After a failed poll the wait doubles (twice the interval, four times, …) up to this, or longer when the supplier's Retry-After asks for it; an answer resets it.",
    },
    statusPath: {
      ...PATH,
      default: 'status',
      title: 'Status field',
      description: 'Dot path of the order status in the answer, e.g. status or data.order.state.',
    },
    statusMap: {
      type: 'object',
      title: 'Status words',
      description:
        "The supplier's status words (any case) and what each means: accepted, backordered, rejected, shipped or delivered. Words not listed are no news. Empty: accepted, confirmed, processing, backordered, rejected, cancelled (rejected), shipped, delivered.",
      propertyNames: { pattern: '^[^\\r\\n]+$' },
      additionalProperties: { type: 'string', enum: POLLED_STATUSES },
    },
    referencePath: {
      ...PATH,
      title: 'Supplier order id field',
      description: "Dot path of the supplier's own order id; the send reply's field when empty.",
    },
    reasonPath: {
      ...PATH,
      default: 'reason',
      title: 'Reason field',
      description: 'Dot path of the sentence explaining a rejection or backorder.',
    },
    carrierPath: {
      ...PATH,
      default: 'carrier',
      title: 'Carrier field',
      description: 'Dot path of the carrier (a name such as UPS or a SCAC) of a shipped order.',
    },
    trackingNumberPath: {
      ...PATH,
      default: 'trackingNumber',
      title: 'Tracking number field',
      description: 'Dot path of the tracking number. A shipped status without one is no news yet.',
    },
    trackingUrlPath: {
      ...PATH,
      default: 'trackingUrl',
      title: 'Tracking link field',
      description: "Dot path of the carrier's tracking link, if the supplier gives one.",
    },
    shippedAtPath: {
      ...PATH,
      default: 'shippedAt',
      title: 'Shipped at field',
      description: 'Dot path of when the parcel left (ISO 8601); the time of the poll when absent.',
    },
    linesPath: {
      ...PATH,
      default: 'lines',
      title: 'Line list field',
      description:
        'Dot path of the per-line list: lines with their own status make a partial acknowledgement, shipped lines make the parcel. Without it the whole purchase order is meant.',
    },
    lineFields: {
      type: 'object',
      title: 'Fields of each line',
      description: 'Dot paths inside each element of the line list.',
      properties: {
        sku: { ...PATH, default: 'sku', title: 'SKU', description: 'Our SKU or the supplier’s.' },
        quantity: { ...PATH, default: 'quantity', title: 'Quantity', description: 'How many of the line.' },
        status: { ...PATH, default: 'status', title: 'Status', description: 'Mapped with the status words.' },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

/** The order's status URL for a PO, or undefined when it names a supplier reference the PO does not have yet. */
export function statusUrlFor(template: string, po: PurchaseOrder): string | undefined {
  let missing = false;
  const url = template.replace(/\{\{(po\.number|po\.supplierReference)\}\}/g, (_m, name: string) => {
    const value = name === 'po.number' ? po.number : po.supplierReference;
    if (!value) missing = true;
    return encodeURIComponent(value ?? '');
  });
  return missing ? undefined : url;
}

function mapStatus(word: string | undefined, polling: StatusPollingSettings): PolledStatus | undefined {
  if (word === undefined) return undefined;
  const wanted = word.toLowerCase();
  const map = polling.statusMap ?? DEFAULT_STATUS_MAP;
  const key = Object.keys(map).find((k) => k.toLowerCase() === wanted);
  return key === undefined ? undefined : map[key];
}

/** Each line of the answer with its mapped status (undefined without one), quantity and the supplier's SKU. */
function answerLines(
  reply: unknown,
  polling: StatusPollingSettings,
): { sku: string; quantity: number; status?: PolledStatus }[] {
  const lines = readPath(reply, polling.linesPath ?? 'lines');
  if (!Array.isArray(lines)) return [];
  const fields = polling.lineFields ?? {};
  return (lines as unknown[]).flatMap((line) => {
    const sku = textAt(line, fields.sku ?? 'sku');
    const quantity = Number(readPath(line, fields.quantity ?? 'quantity'));
    if (!sku) return [];
    return [
      {
        sku,
        quantity: Number.isFinite(quantity) ? quantity : 0,
        status: mapStatus(textAt(line, fields.status ?? 'status'), polling),
      },
    ];
  });
}

/** The PO's own SKU for a SKU the supplier reports (its part number where the catalogue mapped one). */
function shopSku(po: PurchaseOrder, sku: string): string {
  return po.lines.find((l) => l.supplierSku === sku || l.sku === sku)?.sku ?? sku;
}

function acknowledgementOf(
  po: PurchaseOrder,
  reply: unknown,
  ctx: ConnectorContext<{ statusPolling?: StatusPollingSettings; referencePath?: string }>,
  now: Date,
): Acknowledgement | undefined {
  const polling = ctx.settings.statusPolling!;
  const status = mapStatus(textAt(reply, polling.statusPath ?? 'status'), polling);
  if (!status) return undefined;
  // A supplier that shipped holds the order: for the acknowledgement that is acceptance.
  const asAck = (s: PolledStatus): Exclude<LineAcknowledgement['status'], 'changed'> =>
    s === 'shipped' || s === 'delivered' ? 'accepted' : s;
  const lines = answerLines(reply, polling)
    .filter((line) => line.status !== undefined)
    .map((line) => ({ sku: line.sku, quantity: line.quantity, status: asAck(line.status!) }));
  let outcome: Acknowledgement['outcome'] = asAck(status);
  if (new Set(lines.map((l) => l.status)).size > 1) outcome = 'partial';
  const reference = textAt(reply, polling.referencePath ?? ctx.settings.referencePath ?? 'id');
  return {
    poNumber: po.number,
    outcome,
    supplierReference: reference ?? po.supplierReference,
    lines: lines.length > 0 ? lines : undefined,
    reason: textAt(reply, polling.reasonPath ?? 'reason'),
    receivedAt: now.toISOString(),
  };
}

function shipmentOf(
  po: PurchaseOrder,
  reply: unknown,
  ctx: ConnectorContext<{ statusPolling?: StatusPollingSettings }>,
  now: Date,
): ShipmentEvent | undefined {
  const polling = ctx.settings.statusPolling!;
  const rawStatus = textAt(reply, polling.statusPath ?? 'status');
  const status = mapStatus(rawStatus, polling);
  if (status !== 'shipped' && status !== 'delivered') return undefined;
  const trackingNumber = textAt(reply, polling.trackingNumberPath ?? 'trackingNumber');
  if (!trackingNumber) {
    ctx.log.debug(`${po.number} is ${status} at supplier ${ctx.supplierId}, with no tracking number yet`);
    return undefined;
  }
  const shippedAt = Date.parse(textAt(reply, polling.shippedAtPath ?? 'shippedAt') ?? '');
  const lines = answerLines(reply, polling);
  const withStatus = lines.some((l) => l.status !== undefined);
  const parcelLines: ShipmentLine[] = lines
    .filter((l) => !withStatus || l.status === 'shipped' || l.status === 'delivered')
    .map((l) => ({ sku: shopSku(po, l.sku), quantity: l.quantity }));
  return {
    poNumber: po.number,
    carrier: textAt(reply, polling.carrierPath ?? 'carrier'),
    trackingNumber,
    trackingUrl: textAt(reply, polling.trackingUrlPath ?? 'trackingUrl'),
    status: status === 'delivered' ? 'delivered' : 'in_transit',
    rawStatus,
    occurredAt: new Date(Number.isNaN(shippedAt) ? now.getTime() : shippedAt).toISOString(),
    lines: parcelLines.length > 0 ? parcelLines : undefined,
    source: `supplier-api:${ctx.supplierId}`,
  };
}

/** The wait after the n-th failure in a row: the interval doubled n times, at most the cap, at least Retry-After. */
export function backoffMs(
  failures: number,
  intervalMs: number,
  maxBackoffMs: number,
  retryAfterMs = 0,
): number {
  return Math.max(Math.min(intervalMs * 2 ** failures, maxBackoffMs), retryAfterMs);
}

/**
 * One round of polls for `purpose`: claims this supplier's due POs in `states` from the store, GETs each one's
 * status and yields what `read` makes of it. Each poll is recorded after its news was handled (the consumer asks
 * for the next item), with the next time: the interval after an answer, a growing wait after a failure. A
 * supplier that is down or slow ends the round; the POs not asked keep their claim's time.
 */
async function* pollRound<T>(
  ctx: ConnectorContext<{ statusPolling?: StatusPollingSettings }>,
  get: (url: string) => Promise<unknown>,
  purpose: 'acknowledgements' | 'shipments',
  states: PurchaseOrderState[],
  read: (po: PurchaseOrder, reply: unknown, now: Date) => { item?: T; answer: string },
  /** Whether the same answer as last time is passed on again (news that applies idempotently). */
  repeat: boolean,
): AsyncIterable<T> {
  const polling = ctx.settings.statusPolling!;
  const schedule = ctx.statusPolls;
  if (!schedule)
    throw new DropshipError(
      'configuration',
      `status polling of supplier ${ctx.supplierId} needs the order store`,
    );
  const intervalMs = (polling.intervalSeconds ?? DEFAULT_INTERVAL_S) * 1000;
  const maxBackoff = (polling.maxBackoffSeconds ?? DEFAULT_MAX_BACKOFF_S) * 1000;
  const due = await schedule.claim(purpose, states, ctx.clock.now(), intervalMs, ROUND_SIZE);
  for (const { purchaseOrder: po, failures, lastAnswer } of due) {
    const now = ctx.clock.now();
    const url = statusUrlFor(polling.url, po);
    if (!url) {
      ctx.log.debug(`${po.number}: no supplier reference yet to ask supplier ${ctx.supplierId} about`);
      await schedule.record(po.number, purpose, {
        polledAt: now,
        nextPollAt: new Date(now.getTime() + intervalMs),
        failures,
        lastAnswer,
      });
      continue;
    }
    let reply: unknown;
    try {
      reply = await get(url);
    } catch (err) {
      const failed = failures + 1;
      const waitMs = backoffMs(
        failed,
        intervalMs,
        maxBackoff,
        err instanceof SupplierTransientError ? err.retryAfterMs : undefined,
      );
      const message = errorText(err);
      ctx.log.warn(
        `status poll of ${po.number} at supplier ${ctx.supplierId} failed (${message}); ` +
          `${failed} in a row, next in ${Math.round(waitMs / 1000)} s`,
      );
      await schedule.record(po.number, purpose, {
        polledAt: now,
        nextPollAt: new Date(now.getTime() + waitMs),
        failures: failed,
        lastAnswer,
        error: message.slice(0, 500),
      });
      if (err instanceof SupplierTransientError || err instanceof OutcomeUnknownError) break;
      continue;
    }
    const { item, answer } = read(po, reply, now);
    // Unless repeated, the same answer as last time is no news (a partly shipped PO polled again).
    if (item !== undefined && (repeat || answer !== lastAnswer)) yield item;
    await schedule.record(po.number, purpose, {
      polledAt: now,
      nextPollAt: new Date(now.getTime() + intervalMs),
      failures: 0,
      lastAnswer: answer,
    });
  }
}

/** Acknowledgements read by polling: for POs still waiting for one (`sent`) or backordered. */
export function pollAcknowledgements(
  ctx: ConnectorContext<{ statusPolling?: StatusPollingSettings; referencePath?: string }>,
  get: (url: string) => Promise<unknown>,
): AsyncIterable<Acknowledgement> {
  // Acknowledgements apply idempotently (a repeated one changes nothing), so each answer is passed on: one whose
  // recording failed is tried again at the next poll.
  return pollRound(
    ctx,
    get,
    'acknowledgements',
    ['sent', 'backordered'],
    (po, reply, now) => {
      const ack = acknowledgementOf(po, reply, ctx, now);
      return { item: ack, answer: ack ? `${ack.outcome}|${ack.supplierReference ?? ''}` : 'none' };
    },
    true,
  );
}

/** Shipments read by polling: for POs the supplier has and has not shipped in full. */
export function pollShipments(
  ctx: ConnectorContext<{ statusPolling?: StatusPollingSettings }>,
  get: (url: string) => Promise<unknown>,
): AsyncIterable<ShipmentEvent> {
  return pollRound(
    ctx,
    get,
    'shipments',
    ['sent', 'accepted', 'backordered'],
    (po, reply, now) => {
      const event = shipmentOf(po, reply, ctx, now);
      const answer = event
        ? [event.status, event.carrier ?? '', event.trackingNumber, JSON.stringify(event.lines ?? [])].join(
            '|',
          )
        : 'none';
      return { item: event, answer };
    },
    false,
  );
}
