import { timingSafeEqual } from 'node:crypto';
import { DropshipError, invalidInput } from '../../core/errors';
import type { PurchaseOrderLine } from '../../core/model/purchase-order';
import type { ShipmentEvent } from '../../core/model/shipment';
import type { Acknowledgement, LineAcknowledgement, LineOutcome } from '../../core/ports/supplier-connector';
import { attribute, child, children, parseUntrustedXml, text, type XmlNode } from './safe-xml';

/** What a supplier posted to us, mapped to the canonical model. */
export type CxmlInboundDocument =
  | { type: 'acknowledgement'; payloadId: string; acknowledgement: Acknowledgement }
  | { type: 'shipment'; payloadId: string; shipments: ShipmentEvent[] };

export interface CxmlInboundOptions {
  /** The secret the supplier must present in Header/Sender/Credential/SharedSecret. */
  sharedSecret: string;
  supplierId: string;
  receivedAt: string;
  /**
   * The lines of the PO the document refers to, in the order they were sent (ItemOut lineNumber 1..n), to name
   * the SKU of confirmation lines that only carry a lineNumber. Looked up by the caller from `orderID`.
   */
  purchaseOrderLines?(poNumber: string): PurchaseOrderLine[] | undefined;
}

/** ConfirmationHeader/ConfirmationStatus types to our line outcomes ("detail" means changed dates or quantities). */
const CONFIRMATION_STATUS: Record<string, LineOutcome> = {
  accept: 'accepted',
  allDetail: 'changed',
  detail: 'changed',
  backordered: 'backordered',
  reject: 'rejected',
};

function problem(path: string, message: string): DropshipError {
  return invalidInput('cXML document', [{ path, message }]);
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined || expected === '') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function isoDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function confirmation(request: XmlNode, options: CxmlInboundOptions): Acknowledgement {
  const header = child(request, 'ConfirmationHeader');
  const type = attribute(header, 'type');
  if (!header || !type)
    throw problem('/cXML/Request/ConfirmationRequest/ConfirmationHeader', 'is missing or has no type');
  const poNumber = attribute(child(request, 'OrderReference'), 'orderID');
  if (!poNumber) throw problem('/cXML/Request/ConfirmationRequest/OrderReference/@orderID', 'is required');
  const sentLines = options.purchaseOrderLines?.(poNumber);
  const lines: LineAcknowledgement[] = [];
  children(request, 'ConfirmationItem').forEach((item, i) => {
    const path = `/cXML/Request/ConfirmationRequest/ConfirmationItem[${i + 1}]`;
    const lineNumber = Number(attribute(item, 'lineNumber'));
    const sent = Number.isInteger(lineNumber) ? sentLines?.[lineNumber - 1] : undefined;
    const itemId = child(child(child(item, 'ConfirmationStatus'), 'ItemIn'), 'ItemID');
    const sku = sent?.sku ?? text(child(itemId, 'BuyerPartID')) ?? text(child(itemId, 'SupplierPartID'));
    if (!sku)
      throw problem(
        `${path}/@lineNumber`,
        `line ${attribute(item, 'lineNumber') ?? '?'} cannot be matched to a PO line`,
      );
    for (const status of children(item, 'ConfirmationStatus')) {
      const statusType = attribute(status, 'type') ?? '';
      const outcome = CONFIRMATION_STATUS[statusType];
      if (statusType === 'unknown') continue;
      if (!outcome)
        throw problem(`${path}/ConfirmationStatus/@type`, `"${statusType}" is not a confirmation status`);
      lines.push({
        sku,
        orderLineId: sent?.orderLineId,
        status: outcome,
        quantity: Number(attribute(status, 'quantity') ?? attribute(item, 'quantity') ?? 0),
        expectedShipDate: isoDate(attribute(status, 'shipmentDate'))?.slice(0, 10),
        reason: text(child(status, 'Comments')),
      });
    }
  });
  let outcome: Acknowledgement['outcome'];
  if (type === 'reject') outcome = 'rejected';
  else if (type === 'backordered') outcome = 'backordered';
  else if (lines.length === 0) outcome = 'accepted';
  else {
    const kinds = new Set(lines.map((l) => (l.status === 'changed' ? 'accepted' : l.status)));
    outcome = kinds.size > 1 ? 'partial' : ([...kinds][0] as Acknowledgement['outcome']);
  }
  return {
    poNumber,
    outcome,
    supplierReference: attribute(header, 'confirmID'),
    lines: lines.length > 0 ? lines : undefined,
    reason: text(child(header, 'Comments')),
    receivedAt: options.receivedAt,
  };
}

function shipNotice(request: XmlNode, options: CxmlInboundOptions): ShipmentEvent[] {
  const header = child(request, 'ShipNoticeHeader');
  if (!header) throw problem('/cXML/Request/ShipNoticeRequest/ShipNoticeHeader', 'is required');
  // "planned" announces a shipment; anything else ("actual", the default) says the goods left.
  const planned = attribute(header, 'shipmentType') === 'planned';
  const occurredAt =
    isoDate(attribute(header, 'shipmentDate')) ??
    isoDate(attribute(header, 'noticeDate')) ??
    options.receivedAt;
  const parcels = children(request, 'ShipControl').flatMap((control) => {
    const identifiers = children(control, 'CarrierIdentifier');
    const carrier =
      text(identifiers.find((c) => attribute(c, 'domain') === 'SCAC')) ??
      text(identifiers.find((c) => attribute(c, 'domain') === 'companyName'));
    return children(control, 'ShipmentIdentifier').flatMap((id) => {
      const trackingNumber = text(id);
      return trackingNumber ? [{ carrier, trackingNumber }] : [];
    });
  });
  if (parcels.length === 0) {
    throw problem(
      '/cXML/Request/ShipNoticeRequest/ShipControl/ShipmentIdentifier',
      'no tracking number is given',
    );
  }
  const events: ShipmentEvent[] = [];
  children(request, 'ShipNoticePortion').forEach((portion, p) => {
    const poNumber = attribute(child(portion, 'OrderReference'), 'orderID');
    if (!poNumber)
      throw problem(
        `/cXML/Request/ShipNoticeRequest/ShipNoticePortion[${p + 1}]/OrderReference/@orderID`,
        'is required',
      );
    const sentLines = options.purchaseOrderLines?.(poNumber);
    const lines = children(portion, 'ShipNoticeItem').flatMap((item) => {
      const itemId = child(item, 'ItemID');
      const sku =
        sentLines?.[Number(attribute(item, 'lineNumber')) - 1]?.sku ??
        text(child(itemId, 'BuyerPartID')) ??
        text(child(itemId, 'SupplierPartID'));
      return sku ? [{ sku, quantity: Number(attribute(item, 'quantity') ?? 0) }] : [];
    });
    parcels.forEach((parcel, i) => {
      events.push({
        poNumber,
        carrier: parcel.carrier,
        trackingNumber: parcel.trackingNumber,
        status: planned ? 'info_received' : 'in_transit',
        rawStatus: `cXML ShipNotice ${planned ? 'planned' : 'actual'}`,
        occurredAt,
        estimatedDelivery: isoDate(attribute(header, 'deliveryDate'))?.slice(0, 10),
        // Lines travel with the first parcel of the notice; the others are announced without lines.
        lines: i === 0 && lines.length > 0 ? lines : undefined,
        source: `cxml-shipnotice:${options.supplierId}`,
      });
    });
  });
  if (events.length === 0) throw problem('/cXML/Request/ShipNoticeRequest/ShipNoticePortion', 'is required');
  return events;
}

/**
 * Parses a supplier's ConfirmationRequest or ShipNoticeRequest (after the XML safety checks) and checks its
 * shared secret. Throws invalid_input for bad documents and a `bad_signature` error for a wrong secret; the
 * HTTP endpoint answers those with cXML status 400 and 401.
 */
export function parseCxmlInbound(xml: string, options: CxmlInboundOptions): CxmlInboundDocument {
  const root = child(parseUntrustedXml(xml, 'cXML document'), 'cXML');
  if (!root) throw problem('/cXML', 'the document is not cXML');
  const payloadId = attribute(root, 'payloadID');
  if (!payloadId) throw problem('/cXML/@payloadID', 'is required');
  const senderCredential = child(child(child(root, 'Header'), 'Sender'), 'Credential');
  const secret = text(child(senderCredential, 'SharedSecret'));
  if (!sameSecret(secret, options.sharedSecret)) {
    throw new DropshipError('bad_signature', 'cXML sender credential refused: wrong or missing SharedSecret');
  }
  const request = child(root, 'Request');
  const confirmationRequest = child(request, 'ConfirmationRequest');
  if (confirmationRequest) {
    return {
      type: 'acknowledgement',
      payloadId,
      acknowledgement: confirmation(confirmationRequest, options),
    };
  }
  const shipNoticeRequest = child(request, 'ShipNoticeRequest');
  if (shipNoticeRequest)
    return { type: 'shipment', payloadId, shipments: shipNotice(shipNoticeRequest, options) };
  throw problem('/cXML/Request', 'is neither a ConfirmationRequest nor a ShipNoticeRequest');
}
