import type { ShipmentEvent, ShipmentLine } from '../../../core/model/shipment';
import type { X12PartnerConventions } from './documents';
import type { X12Transaction } from './envelope';
import {
  addSublineIdentifiers,
  element,
  itemIdentifiers,
  skuOf,
  TransactionView,
  x12Date,
  x12Number,
  x12Timestamp,
  zoneOfTimeCode,
} from './transaction-view';

/** REF qualifiers that carry a parcel tracking number: CN carrier's reference number, 2I tracking number. */
const TRACKING_REF_QUALIFIERS = new Set(['CN', '2I']);
/** MAN01 CP: carrier-assigned package identification (the parcel's tracking number). */
const TRACKING_MAN_QUALIFIERS = new Set(['CP']);
const ESTIMATED_DELIVERY_QUALIFIERS = new Set(['017', '067', '002']);

interface HierarchicalLevel {
  id: string;
  parent: HierarchicalLevel | undefined;
  level: string;
  index: number;
  poNumber?: string;
  trackingNumbers: string[];
  /** REF*BM: for freight without parcel numbers, the bill of lading is what the carrier tracks. */
  billOfLading?: string;
  /** Set on item levels (LIN + SN1). */
  line?: ShipmentLine;
}

export interface ShipNoticeContext extends X12PartnerConventions {
  /** "x12-856:<supplierId>" or similar, kept on every event for the audit trail. */
  source: string;
}

function nearest<T>(level: HierarchicalLevel, pick: (l: HierarchicalLevel) => T | undefined): T | undefined {
  for (let at: HierarchicalLevel | undefined = level; at; at = at.parent) {
    const value = pick(at);
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * 856 Ship Notice/Manifest to shipment events: one event per (PO, tracking number). The HL tree is read as
 * shipment > order > pack > item in any depth: an item's PO is the nearest PRF above it and its parcel the
 * nearest tracking number above it (MAN*CP on the pack, REF*CN on the pack, order or shipment). A notice with a
 * ship date (DTM*011) means the goods left: "in_transit"; without one it only announces: "info_received".
 */
export function mapShipNotice856(transaction: X12Transaction, context: ShipNoticeContext): ShipmentEvent[] {
  const view = new TransactionView(transaction);
  const { segment: bsn, index: bsnIndex } = view.required('BSN', '856');
  let carrier: string | undefined;
  let shippedAt: string | undefined;
  let estimatedDelivery: string | undefined;
  const levels: HierarchicalLevel[] = [];
  const byId = new Map<string, HierarchicalLevel>();
  let current: HierarchicalLevel | undefined;
  const segments = view.segments;
  for (let i = bsnIndex + 1; i < segments.length; i++) {
    const segment = segments[i]!;
    switch (segment[0]) {
      case 'HL': {
        const id = element(segment, 1);
        const parentId = element(segment, 2);
        const parent = parentId === '' ? undefined : byId.get(parentId);
        if (parentId !== '' && !parent)
          throw view.error(i, `HL02 parent "${parentId}" is not an earlier HL01`);
        if (byId.has(id)) throw view.error(i, `HL01 "${id}" is used twice`);
        current = { id, parent, level: element(segment, 3), index: i, trackingNumbers: [] };
        levels.push(current);
        byId.set(id, current);
        break;
      }
      case 'TD5':
        // TD502 "2" says TD503 is a Standard Carrier Alpha Code.
        if (element(segment, 2) === '2' && element(segment, 3) !== '') carrier ??= element(segment, 3);
        break;
      case 'REF':
        if (current && element(segment, 2) !== '') {
          if (TRACKING_REF_QUALIFIERS.has(element(segment, 1)))
            current.trackingNumbers.push(element(segment, 2));
          else if (element(segment, 1) === 'BM') current.billOfLading ??= element(segment, 2);
        }
        break;
      case 'MAN':
        if (current && TRACKING_MAN_QUALIFIERS.has(element(segment, 1)) && element(segment, 2) !== '') {
          current.trackingNumbers.push(element(segment, 2));
        }
        break;
      case 'PRF':
        if (!current) throw view.error(i, 'PRF before any HL');
        if (element(segment, 1) === '') throw view.error(i, 'PRF01 purchase order number is empty');
        current.poNumber = element(segment, 1);
        break;
      case 'DTM':
        if (element(segment, 1) === '011') {
          const zone = zoneOfTimeCode(element(segment, 4), context.timeZone);
          shippedAt ??= x12Timestamp(element(segment, 2), element(segment, 3), zone);
        } else if (ESTIMATED_DELIVERY_QUALIFIERS.has(element(segment, 1))) {
          estimatedDelivery ??= x12Date(element(segment, 2));
        }
        break;
      case 'LIN': {
        if (!current) throw view.error(i, 'LIN before any HL');
        const identifiers = itemIdentifiers(segment, 2);
        const sku = skuOf(identifiers, context.skuQualifiers);
        if (!sku) throw view.error(i, 'LIN names no item identifier (qualifier and id pair)');
        current.line = { sku, quantity: current.line?.quantity ?? 0, identifiers };
        break;
      }
      case 'SLN':
        if (current?.line?.identifiers) addSublineIdentifiers(current.line.identifiers, segment);
        break;
      case 'SN1':
        if (!current?.line) throw view.error(i, 'SN1 without a LIN in its HL level');
        current.line.quantity = x12Number(
          element(segment, 2),
          (m) => view.error(i, m),
          'SN102 units shipped',
        );
        break;
    }
  }
  if (levels.length === 0) throw view.error(bsnIndex, '856 has no HL levels');

  const occurredAt = shippedAt ?? x12Timestamp(element(bsn, 3), element(bsn, 4), context.timeZone);
  if (!occurredAt) throw view.error(bsnIndex, `BSN03 date "${element(bsn, 3)}" is not CCYYMMDD`);
  const events = new Map<string, ShipmentEvent>();
  const eventFor = (poNumber: string, trackingNumber: string): ShipmentEvent => {
    const key = `${poNumber}\u0000${trackingNumber}`;
    let event = events.get(key);
    if (!event) {
      event = {
        poNumber,
        carrier,
        trackingNumber,
        status: shippedAt ? 'in_transit' : 'info_received',
        rawStatus: shippedAt ? 'shipped (856 DTM*011)' : 'ship notice without ship date',
        occurredAt,
        estimatedDelivery,
        source: context.source,
      };
      events.set(key, event);
    }
    return event;
  };
  const tracked = (level: HierarchicalLevel): string[] | undefined =>
    nearest(level, (l) => (l.trackingNumbers.length > 0 ? l.trackingNumbers : undefined)) ??
    nearest(level, (l) => (l.billOfLading ? [l.billOfLading] : undefined));

  const reportedPOs = new Set<string>();
  for (const level of levels) {
    if (!level.line) continue;
    const poNumber = nearest(level, (l) => l.poNumber);
    if (!poNumber) throw view.error(level.index, `item HL ${level.id} has no PRF purchase order above it`);
    const trackingNumbers = tracked(level);
    if (!trackingNumbers) {
      throw view.error(level.index, `item HL ${level.id} has no tracking number (MAN*CP, REF*CN) above it`);
    }
    // The line travels in the first parcel named; further numbers of the same level are announced without lines.
    const event = eventFor(poNumber, trackingNumbers[0]!);
    (event.lines ??= []).push(level.line);
    for (const more of trackingNumbers.slice(1)) eventFor(poNumber, more);
    reportedPOs.add(poNumber);
  }
  // Orders listed without items (an order-level-only notice) are still reported, with their parcels.
  for (const level of levels) {
    if (!level.poNumber || reportedPOs.has(level.poNumber)) continue;
    const trackingNumbers =
      tracked(level) ?? levels.filter((l) => l.parent === level).flatMap((l) => l.trackingNumbers);
    if (trackingNumbers.length === 0) {
      throw view.error(level.index, `order HL ${level.id} (PO ${level.poNumber}) has no tracking number`);
    }
    for (const trackingNumber of trackingNumbers) eventFor(level.poNumber, trackingNumber);
    reportedPOs.add(level.poNumber);
  }
  if (events.size === 0) throw view.error(bsnIndex, '856 has no PRF purchase order reference');
  return [...events.values()];
}
