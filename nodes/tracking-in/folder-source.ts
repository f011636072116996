import { asDropshipError } from '../../core/errors';
import type { FileTransport } from '../../core/ports/file-transport';
import { openTransport } from '../../connectors/transports';
import { resolveFileConnection, type FileConnection } from '../adapter/file-connection';
import { legacySecretsOf } from '../adapter/file-connection-legacy';
import { settleSecondsOf } from '../adapter/inbound-folder';
import { sendOfNode, type SendFunction } from '../adapter/node-red';
import type { TrackingInContext } from './context';
import { pollShipNoticeFolder, type FolderDocument } from './documents';

/** Ship notice files (X12 856, cXML) in the folder of a file connection (SFTP or local): archived once recorded, else moved aside. */
export function startFolder(context: TrackingInContext): void {
  const { RED, node, config, credentials, log } = context;
  let connection: FileConnection;
  let settleSeconds: number;
  try {
    settleSeconds = settleSecondsOf(config.settleSeconds, 'folder settings');
    connection = resolveFileConnection(
      RED,
      config,
      legacySecretsOf('dropship-tracking-in', credentials),
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
      transport = await openTransport(connection.transport, connection.credentials);
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
