/** The X12 toolkit: streaming reader with envelope validation, mappers to the canonical model, generators. */
export * from './envelope';
export * from './reader';
export * from './documents';
export * from './writer';
export { generatePurchaseOrder850 } from './generate-850';
export { generateFunctionalAcknowledgement997 } from './generate-997';
export type { SupplierInvoice, SupplierInvoiceLine, SupplierInvoiceCharge } from './map-810';
export type { PurchaseOrder850, PurchaseOrder850Line } from './map-850';
export type { FunctionalAcknowledgement, FunctionalAckStatus } from './map-997';
export type { X12Delimiters } from './tokenizer';
export { peekFunctionalId } from './peek';
export {
  generatePurchaseOrderAcknowledgement855,
  generateShipNotice856,
  type Acknowledgement855,
  type AcknowledgementLine855,
  type ShipNotice856,
} from './generate-supplier-side';
