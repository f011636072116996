import { DropshipError } from '../../../core/errors';
import type { ShipmentEvent } from '../../../core/model/shipment';
import type { Acknowledgement, StockLevel } from '../../../core/ports/supplier-connector';
import { segmentPath, type X12Transaction } from './envelope';
import { mapInvoice810, type SupplierInvoice } from './map-810';
import { mapInventoryAdvice846 } from './map-846';
import { mapPurchaseOrder850, type PurchaseOrder850 } from './map-850';
import { mapPurchaseOrderAcknowledgement855 } from './map-855';
import { mapPurchaseOrderChangeAcknowledgement865 } from './map-865';
import { mapShipNotice856 } from './map-856';
import { mapFunctionalAcknowledgement997, type FunctionalAcknowledgement } from './map-997';

/** Where a document came from, for logs, the audit trail and matching 997s. */
export interface X12DocumentOrigin {
  setId: string;
  controlNumber: string;
  groupControlNumber: string;
  interchangeControlNumber: string;
  sender: string;
  receiver: string;
  /** Position of the ST segment in the file. */
  position: number;
}

/** A transaction set mapped to the canonical model. */
export type X12Document = { origin: X12DocumentOrigin } & (
  | { type: 'purchase-order'; purchaseOrder: PurchaseOrder850 }
  | { type: 'acknowledgement'; acknowledgement: Acknowledgement }
  | { type: 'shipment'; shipments: ShipmentEvent[] }
  | { type: 'invoice'; invoice: SupplierInvoice }
  | { type: 'stock'; stock: StockLevel[] }
  | { type: 'functional-acknowledgement'; functionalAcknowledgement: FunctionalAcknowledgement }
);

export type X12DocumentType = X12Document['type'];

/** Transaction set id -> document type, and the GS01 functional id each travels under. */
export const SUPPORTED_TRANSACTION_SETS: Record<string, { type: X12DocumentType; functionalId: string }> = {
  '850': { type: 'purchase-order', functionalId: 'PO' },
  '855': { type: 'acknowledgement', functionalId: 'PR' },
  '865': { type: 'acknowledgement', functionalId: 'CA' },
  '856': { type: 'shipment', functionalId: 'SH' },
  '810': { type: 'invoice', functionalId: 'IN' },
  '846': { type: 'stock', functionalId: 'IB' },
  '997': { type: 'functional-acknowledgement', functionalId: 'FA' },
};

/** How one trading partner writes its documents: per-partner settings of whichever node reads them. */
export interface X12PartnerConventions {
  /** Identifier qualifiers naming the shop's SKU, first match wins (default DEFAULT_SKU_QUALIFIERS). */
  skuQualifiers?: readonly string[];
  /** IANA time zone of dates and times without a DTM04 zone (default UTC). */
  timeZone?: string;
}

export interface X12MappingContext extends X12PartnerConventions {
  supplierId: string;
  /** ISO timestamp the file was received; acknowledgements and stock without their own date carry it. */
  receivedAt: string;
}

export function documentOrigin(transaction: X12Transaction): X12DocumentOrigin {
  return {
    setId: transaction.setId,
    controlNumber: transaction.controlNumber,
    groupControlNumber: transaction.group.controlNumber,
    interchangeControlNumber: transaction.interchange.controlNumber,
    sender: transaction.interchange.senderId,
    receiver: transaction.interchange.receiverId,
    position: transaction.position,
  };
}

/** Maps one transaction set; throws a DropshipError naming the segment position when its content is wrong. */
export function mapX12Transaction(transaction: X12Transaction, context: X12MappingContext): X12Document {
  const origin = documentOrigin(transaction);
  switch (transaction.setId) {
    case '850':
      return { origin, type: 'purchase-order', purchaseOrder: mapPurchaseOrder850(transaction, context) };
    case '855':
      return {
        origin,
        type: 'acknowledgement',
        acknowledgement: mapPurchaseOrderAcknowledgement855(transaction, context),
      };
    case '865':
      return {
        origin,
        type: 'acknowledgement',
        acknowledgement: mapPurchaseOrderChangeAcknowledgement865(transaction, context),
      };
    case '856':
      return {
        origin,
        type: 'shipment',
        shipments: mapShipNotice856(transaction, { ...context, source: `x12-856:${context.supplierId}` }),
      };
    case '810':
      return { origin, type: 'invoice', invoice: mapInvoice810(transaction, context) };
    case '846':
      return { origin, type: 'stock', stock: mapInventoryAdvice846(transaction, context) };
    case '997':
      return {
        origin,
        type: 'functional-acknowledgement',
        functionalAcknowledgement: mapFunctionalAcknowledgement997(transaction),
      };
    default:
      throw new DropshipError('invalid_input', `X12 transaction set ${transaction.setId} is not supported`, [
        {
          path: segmentPath(transaction.position, 'ST'),
          message: `transaction set ${transaction.setId} is not supported (supported: ${Object.keys(SUPPORTED_TRANSACTION_SETS).join(', ')})`,
        },
      ]);
  }
}
