import type { LineOutcome } from '../../../core/ports/supplier-connector';
import { ccyymmdd, X12Writer, type X12ControlNumbers, type X12EnvelopeSettings } from './writer';

/**
 * Documents a supplier sends: the demo's sandbox supplier and integration tests answer our 850s with them.
 * They go through the same writer as our 850 (delimiter checks, counts), and our own mappers read them back.
 */

export interface AcknowledgementLine855 {
  /** PO101 of the 850 line acknowledged. */
  lineId: string;
  quantity: number;
  unitCost?: number;
  sku?: string;
  supplierSku?: string;
  status: LineOutcome;
  /** ACK02: the quantity the status applies to; the ordered quantity when absent. */
  acknowledgedQuantity?: number;
  /** ACK05 with qualifier 068 (current schedule ship), ISO date. */
  expectedShipDate?: string;
}

export interface Acknowledgement855 {
  poNumber: string;
  poDate?: string;
  supplierOrderNumber?: string;
  lines: AcknowledgementLine855[];
}

const ACK_CODES: Record<LineOutcome, string> = {
  accepted: 'IA',
  backordered: 'IB',
  rejected: 'IR',
  changed: 'IQ',
};

function productIds(w: X12Writer, path: string, sku?: string, supplierSku?: string): string[] {
  const ids: string[] = [];
  if (sku) ids.push('BP', w.value(sku, `${path}/sku`, 48));
  if (supplierSku) ids.push('VP', w.value(supplierSku, `${path}/supplierSku`, 48));
  return ids;
}

/** 855 with BAK02 AD (all accepted as ordered), RJ (all rejected) or AC (with changes), one PO1/ACK per line. */
export function generatePurchaseOrderAcknowledgement855(
  ack: Acknowledgement855,
  envelope: X12EnvelopeSettings,
  control: X12ControlNumbers,
  now: Date,
): string {
  const w = new X12Writer(envelope, control, now);
  const statuses = new Set(ack.lines.map((l) => l.status));
  const type =
    statuses.size === 1 && statuses.has('accepted')
      ? 'AD'
      : statuses.size === 1 && statuses.has('rejected')
        ? 'RJ'
        : 'AC';
  w.begin('PR');
  w.beginTransaction('855');
  w.segment(
    'BAK',
    '00',
    type,
    w.value(ack.poNumber, '/poNumber', 22),
    ccyymmdd(ack.poDate ?? now),
    '',
    '',
    '',
    w.value(ack.supplierOrderNumber, '/supplierOrderNumber', 22),
    ccyymmdd(now),
  );
  ack.lines.forEach((line, i) => {
    const path = `/lines/${i}`;
    w.segment(
      'PO1',
      w.value(line.lineId, `${path}/lineId`, 20),
      String(line.quantity),
      'EA',
      line.unitCost === undefined ? '' : String(line.unitCost),
      line.unitCost === undefined ? '' : 'PE',
      ...productIds(w, path, line.sku, line.supplierSku),
    );
    w.segment(
      'ACK',
      ACK_CODES[line.status],
      String(line.acknowledgedQuantity ?? line.quantity),
      'EA',
      line.expectedShipDate ? '068' : '',
      line.expectedShipDate ? ccyymmdd(line.expectedShipDate) : '',
    );
  });
  w.segment('CTT', String(ack.lines.length));
  w.endTransaction();
  return w.finish('855 acknowledgment');
}

export interface ShipNotice856 {
  shipmentId: string;
  /** ISO timestamp the goods left; written as DTM*011. */
  shippedAt: string;
  /** Standard Carrier Alpha Code, TD503. */
  carrierScac?: string;
  service?: string;
  orders: {
    poNumber: string;
    packages: { trackingNumber: string; lines: { sku?: string; supplierSku?: string; quantity: number }[] }[];
  }[];
}

/** 856 in the shipment / order / pack / item structure (BSN05 0001), a MAN*CP tracking number per pack. */
export function generateShipNotice856(
  notice: ShipNotice856,
  envelope: X12EnvelopeSettings,
  control: X12ControlNumbers,
  now: Date,
): string {
  const w = new X12Writer(envelope, control, now);
  w.begin('SH');
  w.beginTransaction('856');
  const shipped = new Date(notice.shippedAt).toISOString();
  w.segment(
    'BSN',
    '00',
    w.value(notice.shipmentId, '/shipmentId', 30),
    ccyymmdd(now),
    now.toISOString().slice(11, 16).replace(':', ''),
    '0001',
  );
  w.segment('DTM', '011', ccyymmdd(shipped), shipped.slice(11, 16).replace(':', ''));
  let hl = 0;
  const level = (parent: number | undefined, code: string): number => {
    hl++;
    w.segment('HL', String(hl), parent === undefined ? '' : String(parent), code);
    return hl;
  };
  const shipment = level(undefined, 'S');
  if (notice.carrierScac) {
    w.segment(
      'TD5',
      'B',
      '2',
      w.value(notice.carrierScac, '/carrierScac', 4),
      'M',
      w.value(notice.service, '/service', 35),
    );
  }
  let item = 0;
  let units = 0;
  notice.orders.forEach((order, o) => {
    const orderLevel = level(shipment, 'O');
    w.segment('PRF', w.value(order.poNumber, `/orders/${o}/poNumber`, 22));
    order.packages.forEach((pack, p) => {
      const packLevel = level(orderLevel, 'P');
      w.segment('MAN', 'CP', w.value(pack.trackingNumber, `/orders/${o}/packages/${p}/trackingNumber`, 48));
      pack.lines.forEach((line, l) => {
        level(packLevel, 'I');
        const path = `/orders/${o}/packages/${p}/lines/${l}`;
        w.segment('LIN', String(++item), ...productIds(w, path, line.sku, line.supplierSku));
        w.segment('SN1', String(item), String(line.quantity), 'EA');
        units += line.quantity;
      });
    });
  });
  // CTT01 counts the HL segments, CTT02 sums SN102 (the 856 convention).
  w.segment('CTT', String(hl), String(units));
  w.endTransaction();
  return w.finish('856 ship notice');
}
