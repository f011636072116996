/** cXML 1.2: OrderRequest out, Response/Status read, ConfirmationRequest and ShipNoticeRequest in. */
export * from './documents';
export { parseCxmlInbound, type CxmlInboundDocument, type CxmlInboundOptions } from './inbound';
export { assertSafeXml, parseUntrustedXml } from './safe-xml';
