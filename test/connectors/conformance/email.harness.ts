import { SmtpSupplier, type SmtpSupplierMode } from '../peers';
import type { ConformanceHarness, FailureMode } from './harness';
import { readDefaultLayoutCsv } from './sftp-peer';

/** X-PO-Number, the header the connector writes with the PO number. */
function poNumberOf(mail: SmtpSupplier['messages'][number]): string {
  const value = mail.headers.get('x-po-number');
  return typeof value === 'string' ? value : '';
}

export const harness: ConformanceHarness = {
  kind: 'email',
  async start() {
    const smtp = await new SmtpSupplier().start();
    const settings = {
      smtp: { host: '127.0.0.1', port: smtp.port },
      from: 'purchasing@dropship.test',
      to: 'orders@acme.test',
      timeoutMs: 1000,
    };
    const credentials = { username: smtp.username, password: smtp.password };
    const modes: Record<FailureMode, SmtpSupplierMode> = {
      transient: 'defer-451',
      permanent: 'refuse-550',
      unknown: 'hang-after-data',
    };
    const isCancellation = (m: SmtpSupplier['messages'][number]): boolean =>
      m.headers.get('x-po-action') === 'cancel';
    return {
      settings,
      credentials,
      // The order desk reads the CSV attachment; the Message-ID is how its inbox recognises a resend.
      documents: async () =>
        smtp.messages
          .filter((m) => !isCancellation(m))
          .map((m) => {
            const csv = m.attachments.find((a) => a.contentType.startsWith('text/csv'));
            const content = csv && readDefaultLayoutCsv(csv.content.toString('utf8'));
            return {
              id: m.messageId ?? '',
              content: content ?? { poNumber: poNumberOf(m), lines: [], shipTo: {} },
            };
          }),
      ordersCreated: async () =>
        new Set(smtp.messages.filter((m) => !isCancellation(m)).map((m) => m.messageId)).size,
      cancellations: async () =>
        smtp.messages.filter(isCancellation).map((m) => ({ id: m.messageId ?? '', poNumber: poNumberOf(m) })),
      fail: async (mode) => {
        smtp.mode = modes[mode];
        return { settings, credentials };
      },
      recover: async () => {
        smtp.mode = 'ok';
      },
      stop: () => smtp.stop(),
    };
  },
  invalidSettings: (valid) => [
    { settings: { ...valid, to: 'not-an-address' }, field: '/to' },
    { settings: { ...valid, smtp: { host: '127.0.0.1', port: 0 } }, field: '/smtp/port' },
    {
      settings: { ...valid, subjectTemplate: 'PO {poNumber}\r\nBcc: x@evil.test' },
      field: '/subjectTemplate',
    },
  ],
};
