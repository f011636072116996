import path from 'node:path';
import { asDropshipError } from '../../core/errors';
import type { FileTransport } from '../../core/ports/file-transport';
import { validateWithInlineSchema } from '../../core/validation/schema-validator';
import { openTransport, transportSettingsSchema, type TransportSettings } from '../../connectors/transports';
import { settleSecondsOf } from '../adapter/inbound-folder';
import { sendOfNode, type SendFunction } from '../adapter/node-red';
import { positive, type TrackingInContext } from './context';
import { pollShipNoticeFolder, type FolderDocument } from './documents';

/** Ship notice files (X12 856, cXML) in an SFTP or local folder: archived once recorded, else moved aside. */
export function startFolder(context: TrackingInContext): void {
  const { node, config, credentials, userDir, log } = context;
  let settings: TransportSettings;
  let settleSeconds: number;
  try {
    settleSeconds = settleSecondsOf(config.settleSeconds, 'folder settings');
    settings = validateWithInlineSchema<TransportSettings>(
      transportSettingsSchema,
      config.source === 'sftp'
        ? {
            type: 'sftp',
            host: config.sftpHost,
            port: positive(config.sftpPort, 22),
            username: config.sftpUser,
            ...(config.sftpHostKey ? { hostKeySha256: config.sftpHostKey } : {}),
          }
        : { type: 'local', root: path.resolve(userDir, config.folderRoot || '.') },
      'folder settings',
    );
  } catch (err) {
    const { message } = asDropshipError(err);
    node.error(message);
    context.status.show('failed', 'folderSettings', { reason: message });
    return;
  }
  const folders = {
    inboundFolder: config.inboundFolder || 'inbound',
    archiveFolder: config.archiveFolder || 'inbound/archive',
    errorFolder: config.errorFolder || 'inbound/error',
    settleSeconds,
  };
  const send: SendFunction = sendOfNode(node);
  const take = async (document: FolderDocument): Promise<void> => {
    const msg = { topic: `file:${document.file.name}`, file: document.file.name };
    if (document.reading) {
      await context.recordEvents(document.reading.events, msg, send);
      await context.acknowledgeGroups(document.reading.receipts, msg);
    }
    if (document.error)
      context.exception(
        { ...msg, payload: { file: document.file.name, movedTo: folders.errorFolder } },
        document.error,
        send,
      );
  };
  context.startTimer('ship notice folder poll', async () => {
    let transport: FileTransport | undefined;
    try {
      transport = await openTransport(settings, {
        password: credentials.sftpPassword,
        privateKey: credentials.sftpPrivateKey,
        passphrase: credentials.sftpPassphrase,
      });
      await pollShipNoticeFolder(
        transport,
        folders,
        { ...context.documentContext, now: () => new Date() },
        log,
        take,
      );
    } finally {
      await transport?.close();
    }
  });
}
