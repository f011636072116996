import { DropshipError, invalidInput, type FieldProblem } from '../../core/errors';
import type { ShipmentEvent } from '../../core/model/shipment';
import type { ConnectorLog } from '../../core/ports/connector';
import type { FileTransport, TransportFile } from '../../core/ports/file-transport';
import { parseCxmlInbound } from '../../connectors/cxml/inbound';
import { SUPPORTED_TRANSACTION_SETS, type X12PartnerConventions } from '../../connectors/edi/x12/documents';
import type { X12GroupReceipt } from '../../connectors/edi/x12/envelope';
import { peekFunctionalId } from '../../connectors/edi/x12/peek';
import { readX12ShipNotices } from '../../connectors/edi/x12/read-ship-notices';
import { pollInboundFiles } from '../../core/inbound-files';

/**
 * Ship notices that arrive as documents (EDI X12 856, cXML ShipNoticeRequest), from a message or a folder: each
 * format is read by its connector (connectors/edi/x12, connectors/cxml); the node records what they find.
 */

export type DocumentFormat = 'x12' | 'cxml' | 'json';

export interface DocumentContext {
  /** Names the source of every event ("x12-856:<supplier>") and the supplier cXML is checked against. */
  supplierId: string;
  /** The secret the supplier's cXML Header/Sender/Credential must present. */
  cxmlSharedSecret?: string;
  /** How the supplier writes X12 (SKU qualifiers, time zone), from its EDI settings. */
  x12Conventions?: X12PartnerConventions;
  receivedAt: Date;
}

/** What one document said: the parcels it reported, and what could not be used (with segment or element). */
export interface DocumentReading {
  format: 'x12' | 'cxml';
  events: ShipmentEvent[];
  problems: FieldProblem[];
  /** One per X12 functional group read, each owed a 997; none for cXML. */
  receipts: X12GroupReceipt[];
}

/** A larger ship notice is refused rather than read into memory; real ones are a few kilobytes. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

/** X12 starts with its ISA segment, cXML with its XML prolog or root; JSON with an object or a list. */
export function documentFormat(text: string): DocumentFormat | undefined {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('ISA')) return 'x12';
  if (start.startsWith('<')) return 'cxml';
  if (start.startsWith('{') || start.startsWith('[')) return 'json';
  return undefined;
}

const SHIP_NOTICE_GROUP = SUPPORTED_TRANSACTION_SETS['856']!.functionalId;

function readCxmlShipNotice(text: string, context: DocumentContext): DocumentReading {
  if (!context.cxmlSharedSecret) {
    throw new DropshipError(
      'configuration',
      'a cXML ship notice needs the supplier whose shared secret it carries',
      [{ path: 'supplier', message: "select the supplier (its 'Shared secret the supplier sends us')" }],
    );
  }
  const document = parseCxmlInbound(text, {
    sharedSecret: context.cxmlSharedSecret,
    supplierId: context.supplierId,
    receivedAt: context.receivedAt.toISOString(),
  });
  if (document.type !== 'shipment') {
    return {
      format: 'cxml',
      events: [],
      problems: [{ path: '/cXML/Request', message: 'is a ConfirmationRequest, not a ShipNoticeRequest' }],
      receipts: [],
    };
  }
  return { format: 'cxml', events: document.shipments, problems: [], receipts: [] };
}

/**
 * The parcels of an X12 856 or cXML ShipNoticeRequest. Throws invalid_input for text that is neither, and the
 * cXML errors as they are (bad_signature for a wrong shared secret).
 */
export async function readShipNotice(text: string, context: DocumentContext): Promise<DocumentReading> {
  const format = documentFormat(text);
  if (format === 'x12') {
    return { format: 'x12', ...(await readX12ShipNotices(text, { ...context, ...context.x12Conventions })) };
  }
  if (format === 'cxml') return readCxmlShipNotice(text, context);
  throw invalidInput('ship notice', [
    { path: '', message: 'is neither an X12 856 (starts with ISA) nor a cXML ShipNoticeRequest' },
  ]);
}

async function readAll(stream: NodeJS.ReadableStream, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > MAX_DOCUMENT_BYTES)
      throw invalidInput(`file ${name}`, [
        { path: '', message: `is larger than ${MAX_DOCUMENT_BYTES} bytes; a ship notice never is` },
      ]);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface FolderDocument {
  file: TransportFile;
  reading?: DocumentReading;
  /** Why the file, or part of it, could not be used; the file then goes to the error folder. */
  error?: DropshipError;
}

export interface DocumentFolders {
  inboundFolder: string;
  archiveFolder: string;
  errorFolder: string;
  /** Seconds a file must be unchanged before it is read (default 10; 0: at once), by `context.now`. */
  settleSeconds?: number;
}

/**
 * Reads every ship notice waiting in the inbound folder, oldest first, and hands each to `take` (which records
 * its parcels). A file is archived once `take` finished it; a file that is not a ship notice, or has problems,
 * is handed over with the reason and then moved to the error folder, never deleted. X12 files of other kinds
 * (855, 846, 810, 997) are left for the readers that want them, and a file changed within the settle time (the
 * supplier may still be writing it) for a later poll. A `take` that fails (store down) leaves the file where it
 * is for the next poll.
 */
export async function pollShipNoticeFolder(
  transport: FileTransport,
  folders: DocumentFolders,
  context: Omit<DocumentContext, 'receivedAt'> & { now: () => Date },
  log: ConnectorLog,
  take: (document: FolderDocument) => Promise<void>,
): Promise<number> {
  let handled = 0;
  const documents = pollInboundFiles<FolderDocument>(
    transport,
    {
      ...folders,
      clock: { now: context.now },
      log,
      accept: async (file) => {
        const functionalId = await peekFunctionalId(
          await transport.openRead(folders.inboundFolder, file.name),
        );
        return functionalId === undefined || functionalId === SHIP_NOTICE_GROUP;
      },
    },
    async function* (stream, file) {
      let document: FolderDocument;
      try {
        const reading = await readShipNotice(await readAll(stream, file.name), {
          ...context,
          receivedAt: context.now(),
        });
        document = {
          file,
          reading,
          error:
            reading.problems.length > 0
              ? invalidInput(`ship notice ${file.name}`, reading.problems)
              : undefined,
        };
      } catch (err) {
        if (!(err instanceof DropshipError) || err.code === 'configuration') throw err;
        // A wrong secret is as final for this file as bad content: it goes to the error folder with its reason.
        document = {
          file,
          error:
            err.code === 'invalid_input'
              ? err
              : invalidInput(`ship notice ${file.name}`, [{ path: '', message: err.message }]),
        };
      }
      yield document;
      // Thrown after the caller took the good parcels: pollInboundFiles moves the file to the error folder.
      if (document.error) throw document.error;
    },
  );
  for await (const document of documents) {
    await take(document);
    handled += 1;
  }
  return handled;
}
