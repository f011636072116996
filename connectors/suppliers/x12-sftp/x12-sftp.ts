import { DropshipError, invalidInput, type FieldProblem } from '../../../core/errors';
import { validTimeZone } from '../../../core/routing/routing-rules';
import type { ShipmentEvent } from '../../../core/model/shipment';
import type {
  Acknowledgement,
  CancelResult,
  ChangeRequest,
  ChangeResult,
  ConnectorContext,
  DispatchRequest,
  DispatchResult,
  StockLevel,
  SupplierConnector,
} from '../../../core/ports/supplier-connector';
import type { FileTransport } from '../../../core/ports/file-transport';
import {
  mapX12Transaction,
  SUPPORTED_TRANSACTION_SETS,
  type X12Document,
  type X12PartnerConventions,
} from '../../edi/x12/documents';
import type { X12GroupReceipt } from '../../edi/x12/envelope';
import { generateFunctionalAcknowledgement997 } from '../../edi/x12/generate-997';
import { generatePurchaseOrder850, type PurchaseOrderPurpose } from '../../edi/x12/generate-850';
import { generatePurchaseOrderChange860, type PurchaseOrderChangePurpose } from '../../edi/x12/generate-860';
import type { SupplierInvoice } from '../../edi/x12/map-810';
import { describeFunctionalAcknowledgement } from '../../edi/x12/map-997';
import { peekFunctionalId } from '../../edi/x12/peek';
import { readX12Events } from '../../edi/x12/reader';
import type { X12EnvelopeSettings } from '../../edi/x12/writer';
import { pollInboundFiles } from '../../../core/inbound-files';
import {
  listFolders,
  openTransport,
  poFileName,
  poFileNameSchema,
  settleSecondsSchema,
  transportFolderSchema,
  transportCredentialFields,
  transportSettingsSchema,
  withTransport,
  type TransportSettings,
} from '../../transports';
import { safeFileName } from '../../transports/safe-path';

export interface X12SftpSettings {
  transport: TransportSettings;
  envelope: X12EnvelopeSettings;
  /** Where our 850s (and 997s) go. */
  outboundFolder: string;
  /** Where the supplier leaves 855, 856, 810, 846 and 997 files. */
  inboundFolder: string;
  archiveFolder: string;
  errorFolder: string;
  /** Seconds an inbound file must be unchanged before it is read (default 10; 0: at once). */
  settleSeconds?: number;
  /** Outbound 850 file name; "{poNumber}" is replaced. Same PO number, same file name: a resend replaces it. */
  fileNamePattern?: string;
  /** How this partner takes a whole-PO cancellation: an 850 with BEG01 01 (default) or an 860 with BCH01 01. */
  cancelWith?: '850' | '860';
  /** Send a 997 for every functional group received (default true). */
  send997?: boolean;
  /** Hours after which a group we sent (an 850) without the partner's 997 is reported overdue; 0: never. */
  ackOverdueHours?: number;
  /** Identifier qualifiers naming the shop's SKU in this partner's documents, first match wins. */
  skuQualifiers?: string[];
  /** The partner's IANA time zone: dates and times its documents give without a zone are read in it. */
  timeZone?: string;
}

const FOLDER = transportFolderSchema;
const PARTNER_ID = { type: 'string', minLength: 1, maxLength: 15, pattern: '^[A-Za-z0-9 ._-]+$' } as const;
const QUALIFIER = { type: 'string', pattern: '^[A-Z0-9]{2}$' } as const;
const SEPARATOR = { type: 'string', pattern: '^[^A-Za-z0-9 ]$' } as const;

export const x12SftpSettingsSchema = {
  type: 'object',
  required: ['transport', 'envelope', 'outboundFolder', 'inboundFolder', 'archiveFolder', 'errorFolder'],
  properties: {
    transport: transportSettingsSchema,
    envelope: {
      type: 'object',
      title: 'X12 envelope',
      required: ['senderQualifier', 'senderId', 'receiverQualifier', 'receiverId'],
      properties: {
        senderQualifier: { ...QUALIFIER, title: 'ISA05 our qualifier' },
        senderId: { ...PARTNER_ID, title: 'ISA06 our id' },
        receiverQualifier: { ...QUALIFIER, title: 'ISA07 supplier qualifier' },
        receiverId: { ...PARTNER_ID, title: 'ISA08 supplier id' },
        applicationSenderCode: { ...PARTNER_ID, title: 'GS02' },
        applicationReceiverCode: { ...PARTNER_ID, title: 'GS03' },
        usage: { enum: ['P', 'T'], default: 'P', title: 'ISA15 usage' },
        acknowledgementRequested: { type: 'boolean', default: false, title: 'ISA14 request TA1' },
        elementSeparator: { ...SEPARATOR, default: '*', title: 'Element separator' },
        componentSeparator: { ...SEPARATOR, default: '>', title: 'Component separator' },
        segmentTerminator: {
          type: 'string',
          pattern: '^([^A-Za-z0-9 ]|\\n)$',
          default: '~',
          title: 'Segment terminator',
        },
        lineBreak: { enum: ['none', 'lf', 'crlf'], default: 'none', title: 'Line break after each segment' },
      },
      additionalProperties: false,
    },
    outboundFolder: { ...FOLDER, default: 'outbound', title: 'Outbound folder (our 850s)' },
    inboundFolder: { ...FOLDER, default: 'inbound', title: 'Inbound folder (their 855/856/810/846/997)' },
    archiveFolder: { ...FOLDER, default: 'inbound/archive', title: 'Archive folder' },
    errorFolder: { ...FOLDER, default: 'inbound/error', title: 'Folder for files that could not be read' },
    settleSeconds: settleSecondsSchema,
    fileNamePattern: poFileNameSchema('850_{poNumber}.edi'),
    cancelWith: {
      enum: ['850', '860'],
      default: '850',
      title: 'Cancel a whole PO with',
      description:
        'An 850 with BEG01 01 (Cancellation), or an 860 with BCH01 01, as this partner takes it. Cancelling some lines or changing a quantity is always an 860 (PO change), whose 865 answer is read back.',
    },
    send997: { type: 'boolean', default: true, title: 'Send a 997 for each group received' },
    ackOverdueHours: {
      type: 'number',
      minimum: 0,
      maximum: 720,
      default: 4,
      title: 'Report an 850 the partner has not answered with a 997 after (hours; 0: never)',
    },
    skuQualifiers: {
      type: 'array',
      title:
        'Identifier qualifiers that name our SKU, first match wins (default BP, SK, IN, VP, VN, VA, MG, UP, UK, UA, EN, EA)',
      items: { type: 'string', pattern: '^[A-Z0-9]{2,3}$' },
      maxItems: 20,
    },
    timeZone: {
      type: 'string',
      title:
        "Partner's time zone (IANA name, e.g. America/Chicago) for dates and times without one (default UTC)",
      pattern: '^[A-Za-z_]+(/[A-Za-z0-9_+-]+){0,2}$|^UTC$',
      maxLength: 64,
    },
  },
  additionalProperties: false,
} as const;

/** What a poll of the inbound folder found, whatever its kind. */
export type X12InboundDocument = X12Document;

/** Functional ids each reader takes (files are sorted by the GS01 of their first group). */
const ACKNOWLEDGEMENT_GROUPS = new Set(['PR', 'CA', 'FA']);
const SHIPMENT_GROUPS = new Set(['SH']);
const STOCK_GROUPS = new Set(['IB']);
const INVOICE_GROUPS = new Set(['IN']);
const ALL_GROUPS = new Set(Object.values(SUPPORTED_TRANSACTION_SETS).map((s) => s.functionalId));

/** One X12 document about a PO to upload: its file name, its words for the log, its GS01 and its text. */
interface OutboundDocument {
  name: string;
  what: string;
  functionalId: string;
  poNumber: string;
  /** The document with this interchange control number. */
  text(control: number): string;
}

/**
 * Uploads a document to the outbound folder, once: a file of an earlier attempt still waiting is the same document
 * and is left. The interchange control number is drawn only when a file will be written (gaps are allowed, reuse
 * never); its one group (GS06 = ISA13) then waits for the partner's 997.
 */
async function uploadOnce(ctx: ConnectorContext<X12SftpSettings>, document: OutboundDocument): Promise<void> {
  const { name, what } = document;
  await withTransport(ctx.settings.transport, ctx.credentials, async (transport) => {
    if (await transport.exists(ctx.settings.outboundFolder, name)) {
      ctx.log.info(`${what} already waiting as ${name}; not written again`);
      return;
    }
    const control = await ctx.nextSequenceValue(sequenceScope(ctx));
    await transport.put(ctx.settings.outboundFolder, name, document.text(control));
    ctx.log.info(`${what} uploaded as ${name} (ISA13 ${control})`);
    await ctx.functionalGroups?.sent({
      functionalId: document.functionalId,
      groupControlNumber: String(control),
      document: what,
      poNumber: document.poNumber,
    });
  });
}

/** The 850 of a PO, or its cancellation under its own name (the original's file may still be waiting). */
function upload850(
  request: DispatchRequest,
  ctx: ConnectorContext<X12SftpSettings>,
  purpose: PurchaseOrderPurpose,
): Promise<void> {
  const po = request.purchaseOrder;
  const pattern = ctx.settings.fileNamePattern ?? '850_{poNumber}.edi';
  return uploadOnce(ctx, {
    name: poFileName(pattern, purpose === 'cancellation' ? `${po.number}-CANCEL` : po.number),
    what: `850 ${purpose === 'cancellation' ? 'cancellation ' : ''}${po.number}`,
    functionalId: 'PO',
    poNumber: po.number,
    text: (control) =>
      generatePurchaseOrder850(
        request,
        ctx.settings.envelope,
        { interchange: control },
        ctx.clock.now(),
        purpose,
      ),
  });
}

/** The 860 of a change to a PO (or of its cancellation), under a name of its own per change. */
function upload860(
  request: Pick<ChangeRequest, 'purchaseOrder' | 'previousLines' | 'order' | 'changeId'>,
  ctx: ConnectorContext<X12SftpSettings>,
  purpose: PurchaseOrderChangePurpose,
): Promise<void> {
  const po = request.purchaseOrder;
  const pattern = ctx.settings.fileNamePattern ?? '850_{poNumber}.edi';
  const suffix = purpose === 'cancellation' ? 'CANCEL' : request.changeId.slice(po.number.length + 1);
  return uploadOnce(ctx, {
    name: `860_${poFileName(pattern, `${po.number}-${suffix}`).replace(/^850_/, '')}`,
    what: `860 ${purpose === 'cancellation' ? 'cancellation' : `change ${request.changeId} of`} ${po.number}`,
    functionalId: 'PC',
    poNumber: po.number,
    text: (control) =>
      generatePurchaseOrderChange860(
        request,
        ctx.settings.envelope,
        { interchange: control },
        ctx.clock.now(),
        purpose,
      ),
  });
}

/** How this partner writes its documents, for the X12 mappers; a time zone Intl does not know is refused. */
export function partnerConventions(settings: X12SftpSettings): X12PartnerConventions {
  if (settings.timeZone && !validTimeZone(settings.timeZone)) {
    throw new DropshipError('configuration', `"${settings.timeZone}" is not an IANA time zone`, [
      { path: 'timeZone', message: 'use an IANA name such as America/Chicago, or leave it empty for UTC' },
    ]);
  }
  return { skuQualifiers: settings.skuQualifiers, timeZone: settings.timeZone };
}

function sequenceScope(ctx: { supplierId: string }): string {
  return `x12-interchange:${ctx.supplierId}`;
}

async function sendFunctionalAcknowledgements(
  transport: FileTransport,
  receipts: X12GroupReceipt[],
  ctx: ConnectorContext<X12SftpSettings>,
): Promise<void> {
  // A 997 is never acknowledged with a 997.
  const toAcknowledge = receipts.filter((r) => r.group.functionalId !== 'FA');
  if (toAcknowledge.length === 0 || ctx.settings.send997 === false) return;
  const control = await ctx.nextSequenceValue(sequenceScope(ctx));
  const text = generateFunctionalAcknowledgement997(
    toAcknowledge,
    ctx.settings.envelope,
    { interchange: control },
    ctx.clock.now(),
  );
  const first = toAcknowledge[0]!;
  // Named after the interchange it answers: re-reading the same file after a crash replaces, not duplicates, it.
  const name = safeFileName(
    `997_${first.interchange.senderId}_${first.interchange.controlNumber}.edi`.replace(
      /[^A-Za-z0-9._-]/g,
      '-',
    ),
  );
  await transport.put(ctx.settings.outboundFolder, name, text);
  ctx.log.info(`sent 997 ${name} for ${toAcknowledge.length} group(s) (ISA13 ${control})`);
}

/**
 * Answers functional groups read elsewhere (a tracking-in folder or message, an inventory-in feed) with a 997 in
 * this supplier's outbound folder, under its envelope and control numbers, as if read from its own inbound folder.
 */
export async function acknowledgeX12Groups(
  ctx: ConnectorContext<X12SftpSettings>,
  receipts: X12GroupReceipt[],
): Promise<void> {
  if (ctx.settings.send997 === false || receipts.every((r) => r.group.functionalId === 'FA')) return;
  await withTransport(ctx.settings.transport, ctx.credentials, (transport) =>
    sendFunctionalAcknowledgements(transport, receipts, ctx),
  );
}

/**
 * Reads the inbound folder: every file whose first functional group is one of `groups`, each transaction set
 * mapped to the canonical model, a 997 back per group. Valid transaction sets of a partly broken file are
 * still delivered; the file then goes to the error folder and the 997 tells the partner what was rejected.
 */
export async function* readX12Inbound(
  ctx: ConnectorContext<X12SftpSettings>,
  groups: ReadonlySet<string> = ALL_GROUPS,
): AsyncGenerator<X12InboundDocument> {
  const { settings } = ctx;
  const transport = await openTransport(settings.transport, ctx.credentials);
  try {
    const options = {
      inboundFolder: settings.inboundFolder,
      archiveFolder: settings.archiveFolder,
      errorFolder: settings.errorFolder,
      settleSeconds: settings.settleSeconds,
      clock: ctx.clock,
      log: ctx.log,
      signal: ctx.signal,
      accept: async (file: { name: string }): Promise<boolean> => {
        const functionalId = await peekFunctionalId(
          await transport.openRead(settings.inboundFolder, file.name),
        );
        // Unreadable files are taken by every reader, so that they land in the error folder, not stay forever.
        return functionalId === undefined || !ALL_GROUPS.has(functionalId) || groups.has(functionalId);
      },
    };
    yield* pollInboundFiles(transport, options, async function* (stream, file) {
      const receivedAt = ctx.clock.now().toISOString();
      const receipts: X12GroupReceipt[] = [];
      const problems: FieldProblem[] = [];
      const foreignGroups = new Set<number>();
      for await (const event of readX12Events(stream)) {
        if (event.kind === 'problem') problems.push(event.problem);
        else if (event.kind === 'group') receipts.push(event.receipt);
        else if (event.kind === 'transaction') {
          const functionalId = event.transaction.group.functionalId;
          if (!groups.has(functionalId)) {
            if (foreignGroups.has(event.transaction.group.position)) continue;
            foreignGroups.add(event.transaction.group.position);
            problems.push({
              path: `segment ${event.transaction.group.position} (GS)`,
              message: `functional group ${functionalId} in a file of another kind; read mixed files with readInbound`,
            });
            continue;
          }
          try {
            yield mapX12Transaction(event.transaction, {
              ...partnerConventions(settings),
              supplierId: ctx.supplierId,
              receivedAt,
            });
          } catch (err) {
            // One unmappable set does not hide the others; the file still ends in the error folder.
            if (!(err instanceof DropshipError && err.code === 'invalid_input')) throw err;
            problems.push(...err.details);
          }
        }
      }
      await sendFunctionalAcknowledgements(transport, receipts, ctx);
      if (problems.length > 0) throw invalidInput(`X12 file ${file.name}`, problems);
    });
  } finally {
    await transport.close();
  }
}

export interface X12SftpConnector extends SupplierConnector<X12SftpSettings> {
  /** Every document in the inbound folder (mixed files included), for nodes that want them all. */
  readInbound(ctx: ConnectorContext<X12SftpSettings>): AsyncIterable<X12InboundDocument>;
  /** 810 invoices, for cost reconciliation. */
  readInvoices(ctx: ConnectorContext<X12SftpSettings>): AsyncIterable<SupplierInvoice>;
}

export const x12SftpConnector: X12SftpConnector = {
  kind: 'x12-sftp',
  title: 'EDI X12 over SFTP',
  description:
    'Uploads an X12 850 per PO (and an 850 with BEG01 01 to cancel one, named <PO number>-CANCEL; an 860 to cancel lines or change quantities) to the supplier SFTP folder and reads their 855 and 865 acknowledgements, 856 ship notices, 810 invoices and 846 stock, answering each group with a 997.',
  settingsSchema: x12SftpSettingsSchema,
  credentialFields: transportCredentialFields,

  testConnection: (ctx) =>
    listFolders(ctx.settings.transport, ctx.credentials, [
      ctx.settings.outboundFolder,
      ctx.settings.inboundFolder,
    ]),

  async sendPurchaseOrder(request, ctx): Promise<DispatchResult> {
    await upload850(request, ctx, 'original');
    return { outcome: 'sent' };
  },

  /**
   * A whole PO: an 850 with BEG01 = 01 for the same PO number (or, per partner, an 860 with BCH01 = 01); the
   * partner's 855 or 865 may confirm it later. Some lines: an 860 deleting them or lowering their quantities.
   */
  async cancelPurchaseOrder(request, ctx): Promise<CancelResult> {
    const po = request.purchaseOrder;
    if (request.lines) {
      const previousLines = [
        ...po.lines.map((line) => ({
          ...line,
          quantity:
            line.quantity + (request.lines!.find((c) => c.orderLineId === line.orderLineId)?.quantity ?? 0),
        })),
        ...request.lines.filter((c) => !po.lines.some((line) => line.orderLineId === c.orderLineId)),
      ];
      const changeId = request.changeId ?? `${po.number}-CANCEL-LINES`;
      await upload860({ purchaseOrder: po, previousLines, order: request.order, changeId }, ctx, 'change');
    } else if (ctx.settings.cancelWith === '860') {
      await upload860(
        { purchaseOrder: po, previousLines: po.lines, order: request.order, changeId: `${po.number}-CANCEL` },
        ctx,
        'cancellation',
      );
    } else await upload850(request, ctx, 'cancellation');
    return { outcome: 'requested' };
  },

  /** An 860 with the changed lines (POC); the partner's 865 (BCA) answers it later. */
  async changePurchaseOrder(request, ctx): Promise<ChangeResult> {
    await upload860(request, ctx, 'change');
    return { outcome: 'requested' };
  },

  async *readAcknowledgements(ctx): AsyncIterable<Acknowledgement> {
    for await (const document of readX12Inbound(ctx, ACKNOWLEDGEMENT_GROUPS)) {
      if (document.type === 'acknowledgement') yield document.acknowledgement;
      else if (document.type === 'functional-acknowledgement') {
        const fa = document.functionalAcknowledgement;
        const message = `997 from supplier: group ${fa.functionalId} ${fa.groupControlNumber} ${fa.status}`;
        const problems = describeFunctionalAcknowledgement(fa);
        const known = await ctx.functionalGroups?.acknowledged({
          functionalId: fa.functionalId,
          groupControlNumber: fa.groupControlNumber,
          acknowledgement: fa.status,
        });
        if (known === false) ctx.log.debug(`${message}: a group we have no record of sending`);
        if (fa.status === 'accepted' && problems.length === 0) ctx.log.debug(message);
        else ctx.log.warn(`${message}: ${problems.join(' | ')}`);
      }
    }
  },

  async *readShipments(ctx): AsyncIterable<ShipmentEvent> {
    for await (const document of readX12Inbound(ctx, SHIPMENT_GROUPS)) {
      if (document.type === 'shipment') yield* document.shipments;
    }
  },

  async *readStock(ctx): AsyncIterable<StockLevel> {
    for await (const document of readX12Inbound(ctx, STOCK_GROUPS)) {
      if (document.type === 'stock') yield* document.stock;
    }
  },

  async *readInvoices(ctx): AsyncIterable<SupplierInvoice> {
    for await (const document of readX12Inbound(ctx, INVOICE_GROUPS)) {
      if (document.type === 'invoice') yield document.invoice;
    }
  },

  readInbound: (ctx) => readX12Inbound(ctx),
};
