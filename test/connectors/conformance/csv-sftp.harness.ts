import { csvSftpConnector } from '../../../connectors/suppliers/csv-sftp/csv-sftp';
import { connectorContext } from '../support/context';
import type { ConformanceHarness } from './harness';
import { readDefaultLayoutCsv, sftpPeer } from './sftp-peer';

export const harness: ConformanceHarness = {
  kind: 'csv-sftp',
  start: () =>
    sftpPeer({
      settingsFor: (transport) => ({ transport, outboundFolder: 'orders' }),
      send: (request, settings, credentials) =>
        csvSftpConnector.sendPurchaseOrder(request, connectorContext(settings as never, credentials)),
      outboundFolder: 'orders',
      readFile: async (text) => {
        const content = readDefaultLayoutCsv(text);
        return content && { kind: 'order', content };
      },
    }),
  invalidSettings: (valid) => [
    { settings: { ...valid, columns: [] }, field: '/columns' },
    { settings: { ...valid, columns: [{ header: 'X', field: 'customerEmail' }] }, field: '/columns/0/field' },
    { settings: { ...valid, delimiter: '#' }, field: '/delimiter' },
    { settings: { ...valid, fileNamePattern: '../{poNumber}.csv' }, field: '/fileNamePattern' },
  ],
};
