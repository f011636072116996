import { x12SftpConnector } from '../../../connectors/suppliers/x12-sftp/x12-sftp';
import {
  generatePurchaseOrderAcknowledgement855,
  generateShipNotice856,
  mapX12Transaction,
  readX12Transactions,
  type X12EnvelopeSettings,
} from '../../../connectors/edi/x12';
import { connectorContext } from '../support/context';
import type { ConformanceHarness } from './harness';
import { sftpPeer } from './sftp-peer';

/** The supplier's side of the envelope: its files come from ACMESUPPLY to DROPSHIPCO. */
const SUPPLIER_ENVELOPE: X12EnvelopeSettings = {
  senderQualifier: 'ZZ',
  senderId: 'ACMESUPPLY',
  receiverQualifier: 'ZZ',
  receiverId: 'DROPSHIPCO',
};

let interchange = 700;

export const harness: ConformanceHarness = {
  kind: 'x12-sftp',
  start: () =>
    sftpPeer({
      settingsFor: (transport) => ({
        transport,
        envelope: {
          senderQualifier: 'ZZ',
          senderId: 'DROPSHIPCO',
          receiverQualifier: 'ZZ',
          receiverId: 'ACMESUPPLY',
        },
        outboundFolder: 'to-supplier',
        inboundFolder: 'from-supplier',
        archiveFolder: 'from-supplier/archive',
        errorFolder: 'from-supplier/error',
        // The supplier's uploads are complete when they appear (written to a temporary name, then renamed).
        settleSeconds: 0,
      }),
      send: (request, settings, credentials) =>
        x12SftpConnector.sendPurchaseOrder(request, connectorContext(settings as never, credentials)),
      outboundFolder: 'to-supplier',
      // Read back with the package's own X12 reader and 850 mapper; 997s and other sets are not orders.
      async readFile(text) {
        for await (const transaction of readX12Transactions(text)) {
          const document = mapX12Transaction(transaction, { supplierId: 'acme', receivedAt: '' });
          if (document.type !== 'purchase-order') continue;
          const po = document.purchaseOrder;
          return {
            kind: po.purpose === '01' ? 'cancellation' : 'order',
            content: {
              poNumber: po.poNumber,
              lines: po.lines.map((l) => ({
                skus: [l.supplierSku, l.sku].filter((s): s is string => Boolean(s)),
                quantity: l.quantity,
              })),
              shipTo: { postalCode: po.shipTo?.postalCode, country: po.shipTo?.country },
            },
          };
        }
        return undefined;
      },
      answers: {
        folder: 'from-supplier',
        acknowledgement: (request, outcome) => {
          const po = request.purchaseOrder;
          return {
            name: `855_${po.number}.edi`,
            text: generatePurchaseOrderAcknowledgement855(
              {
                poNumber: po.number,
                supplierOrderNumber: `SO-${po.number.slice(2, 8)}`,
                lines: po.lines.map((line, i) => ({
                  lineId: String(i + 1),
                  sku: line.sku,
                  supplierSku: line.supplierSku,
                  quantity: line.quantity,
                  status: outcome,
                })),
              },
              SUPPLIER_ENVELOPE,
              { interchange: ++interchange },
              new Date(),
            ),
          };
        },
        shipNotice: (request, trackingNumber) => {
          const po = request.purchaseOrder;
          return {
            name: `856_${po.number}.edi`,
            text: generateShipNotice856(
              {
                shipmentId: `SH-${po.number.slice(2, 8)}`,
                shippedAt: '2026-11-21T07:30:00.000Z',
                carrierScac: 'UPSN',
                orders: [
                  {
                    poNumber: po.number,
                    packages: [
                      {
                        trackingNumber,
                        lines: po.lines.map((l) => ({
                          sku: l.sku,
                          supplierSku: l.supplierSku,
                          quantity: l.quantity,
                        })),
                      },
                    ],
                  },
                ],
              },
              SUPPLIER_ENVELOPE,
              { interchange: ++interchange },
              new Date(),
            ),
          };
        },
      },
    }),
  invalidSettings: (valid) => [
    {
      settings: {
        ...valid,
        envelope: { ...(valid.envelope as object), senderId: 'A-SENDER-ID-LONGER-THAN-15' },
      },
      field: '/envelope/senderId',
    },
    { settings: { ...valid, outboundFolder: '../etc' }, field: '/outboundFolder' },
    { settings: { ...valid, inboundFolder: '/absolute' }, field: '/inboundFolder' },
    { settings: { ...valid, settleSeconds: -1 }, field: '/settleSeconds' },
    { settings: { ...valid, settleSeconds: 'soon' }, field: '/settleSeconds' },
    {
      settings: { ...valid, envelope: { ...(valid.envelope as object), elementSeparator: 'A' } },
      field: '/envelope/elementSeparator',
    },
    { settings: { ...valid, transport: { type: 'ftp', host: 'x' } }, field: '/transport' },
  ],
};
