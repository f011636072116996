import type { DispatchResult, SupplierConnector } from '../../../core/ports/supplier-connector';
import {
  listFolders,
  poFileName,
  poFileNameSchema,
  transportFolderSchema,
  transportCredentialFields,
  transportSettingsSchema,
  withTransport,
  type TransportSettings,
} from '../../transports';
import {
  csvLayoutSchemaProperties,
  DEFAULT_CSV_COLUMNS,
  purchaseOrderCsv,
  type CsvLayout,
} from './csv-document';

export interface CsvSftpSettings extends Partial<CsvLayout> {
  transport: TransportSettings;
  outboundFolder: string;
  /** "{poNumber}" is replaced; the same PO always lands under the same name. */
  fileNamePattern?: string;
}

export const csvSftpSettingsSchema = {
  type: 'object',
  required: ['transport', 'outboundFolder'],
  properties: {
    transport: transportSettingsSchema,
    outboundFolder: { ...transportFolderSchema, default: 'orders', title: 'Upload folder' },
    fileNamePattern: poFileNameSchema('PO_{poNumber}.csv'),
    ...csvLayoutSchemaProperties,
  },
  additionalProperties: false,
} as const;

export const csvSftpConnector: SupplierConnector<CsvSftpSettings> = {
  kind: 'csv-sftp',
  title: 'CSV file over SFTP',
  description:
    "Uploads the PO as a CSV file in the supplier's column layout to their SFTP folder (or a local folder).",
  settingsSchema: csvSftpSettingsSchema,
  credentialFields: transportCredentialFields,

  testConnection: (ctx) =>
    listFolders(ctx.settings.transport, ctx.credentials, [ctx.settings.outboundFolder]),

  async sendPurchaseOrder(request, ctx): Promise<DispatchResult> {
    const { settings } = ctx;
    const po = request.purchaseOrder;
    const name = poFileName(settings.fileNamePattern ?? 'PO_{poNumber}.csv', po.number);
    const csv = purchaseOrderCsv(request, { ...settings, columns: settings.columns ?? DEFAULT_CSV_COLUMNS });
    return withTransport(settings.transport, ctx.credentials, async (transport) => {
      if (await transport.exists(settings.outboundFolder, name)) {
        ctx.log.info(`CSV ${po.number} already waiting as ${name}; not written again`);
        return { outcome: 'sent' };
      }
      await transport.put(settings.outboundFolder, name, csv);
      ctx.log.info(`CSV ${po.number} uploaded as ${name} (${po.lines.length} line(s))`);
      return { outcome: 'sent' };
    });
  },
};
