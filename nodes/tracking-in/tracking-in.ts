import path from 'node:path';
import { systemClock } from '../../core/clock';
import { asDropshipError, DropshipError, type DropshipErrorCode } from '../../core/errors';
import { parseJsonBody } from '../../core/http-body';
import type { ShipmentEvent } from '../../core/model/shipment';
import type { OrderStore, ShipmentResult } from '../../core/store/order-store';
import {
  withCarrierDetected,
  withTrackingNumberChecked,
  type InvalidTrackingPolicy,
} from '../../core/tracking/event-carrier';
import { recordShipment, shipmentEventFromReport } from '../../core/tracking/record-shipment';
import {
  compileReportMapping,
  mapShipmentReports,
  type ReportMapping,
} from '../../core/tracking/report-mapping';
import { carrierConnector } from '../../connectors/carriers/registry';
import type { FileTransport } from '../../core/ports/file-transport';
import type { X12GroupReceipt } from '../../connectors/edi/x12/envelope';
import { supplierConnector } from '../../connectors/registry';
import { compileMailMatching, shipmentEventsFromMail } from '../../connectors/mail/supplier-mail';
import {
  SupplierMailbox,
  type HandledMail,
  type MailDisposition,
} from '../../connectors/mail/supplier-mailbox';
import { openTransport } from '../../connectors/transports';
import { migrateConfigNode } from '../adapter/config-migrations';
import {
  resolveFileConnection,
  type FileConnection,
  type FileConnectionReference,
} from '../adapter/file-connection';
import { legacySecretsOf } from '../adapter/file-connection-legacy';
import type { SupplierConfigNode } from '../adapter/config-nodes';
import { settleSecondsOf } from '../adapter/inbound-folder';
import { deployedCarrier, deployedCarrierCodes } from '../adapter/carrier-registry';
import { boundedErrorJson, mountEndpoint } from '../adapter/http-endpoint';
import { exceptionMessage, onInput } from '../adapter/input-handler';
import {
  actorOf,
  connectorLogOf,
  rateLimitedWarning,
  type Node,
  type NodeAPI,
  type NodeDef,
  type NodeMessage,
} from '../adapter/node-red';
import {
  senderCheckOf,
  senderGate,
  senderSecretsOf,
  type SenderAuthConfig,
  type SenderAuthCredentials,
} from '../adapter/sender-auth';
import { showActivity } from '../adapter/status';
import { storeOf } from '../adapter/store-access';
import { startSweep } from '../adapter/sweep';
import { supplierConnectorContext } from '../adapter/supplier-registry';
import { x12PartnerOf, type X12Partner } from '../adapter/x12-partner';
import { pollCarriersOnce, type PollableCarrier } from './carrier-polling';
import { documentFormat, pollShipNoticeFolder, readShipNotice, type FolderDocument } from './documents';
import { flagLabelsWithoutScan } from './label-check';
import { mailTarget, mailTimeFloor, MailFolderReader } from './mail-sources';

type TrackingSource = 'none' | 'supplier' | 'files' | 'imap' | 'mailFolder' | 'carriers';

interface TrackingInNodeDef extends NodeDef, SenderAuthConfig {
  store: string;
  listen: boolean;
  path: string;
  mapping: ReportMapping | string;
  supplier: string;
  source: TrackingSource;
  pollSeconds: number | string;
  /** The `dropship-file-connection` (SFTP or folder) the ship notices are read from. */
  connection: string;
  inboundFolder: string;
  archiveFolder: string;
  errorFolder: string;
  settleSeconds: number | string;
  imapHost: string;
  imapPort: number | string;
  imapTls: boolean;
  imapMailbox: string;
  imapMode: 'auto' | 'poll';
  processedFolder: string;
  unmatchedFolder: string;
  mailFolder: string;
  orderNumberPatterns: string;
  poNumberPatterns: string;
  supplierReferences: string;
  labelHours: number | string;
  invalidTracking: InvalidTrackingPolicy;
}

interface TrackingInCredentials extends SenderAuthCredentials {
  sftpPassword?: string;
  sftpPrivateKey?: string;
  sftpPassphrase?: string;
  imapUser?: string;
  imapPassword?: string;
}

/** Shipment reports one request or message may carry; more are refused whole, before any is recorded. */
const MAX_REPORTS = 500;
/** Field problems an exception about refused reports lists. */
const MAX_REPORTED_PROBLEMS = 10;
function withPathPrefix(error: DropshipError, prefix: string): DropshipError {
  const details = error.details.length > 0 ? error.details : [{ path: '', message: error.message }];
  return new DropshipError(
    error.code,
    error.message,
    details.map((d) => ({ path: `${prefix}${d.path}`, message: d.message })),
  );
}

const HTTP_STATUS: Partial<Record<DropshipErrorCode, number>> = {
  invalid_input: 422,
  not_found: 404,
  bad_signature: 401,
};

/** Carrier polls claimed per round, and how long a claim holds other instances off. */
const CARRIER_BATCH = 50;
const CARRIER_LEASE_MS = 5 * 60_000;

function positive(value: number | string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

function parseMapping(raw: TrackingInNodeDef['mapping']): ReportMapping {
  if (typeof raw === 'string') return raw ? (JSON.parse(raw) as ReportMapping) : {};
  return raw ?? {};
}

/** One regular expression per line; blank lines ignored. */
function patternLines(text: string | undefined): string[] | undefined {
  const lines = (text ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.length > 0 ? lines : undefined;
}

export = function registerTrackingInNode(RED: NodeAPI): void {
  function DropshipTrackingInNode(this: Node<TrackingInCredentials>, config: TrackingInNodeDef): void {
    // The saved config itself goes to createNode: it carries the node's flow (not copied with the properties).
    RED.nodes.createNode(this, config);
    const migrated: TrackingInNodeDef & FileConnectionReference = migrateConfigNode(
      'dropship-tracking-in',
      config,
    );
    config = migrated;
    const node = this;
    const actor = actorOf(node);
    const credentials: TrackingInCredentials = node.credentials ?? {};
    const supplier = config.supplier
      ? (RED.nodes.getNode(config.supplier) as SupplierConfigNode | null)
      : null;
    const supplierId = supplier?.supplierId ?? 'unknown';
    const pollMs = positive(config.pollSeconds, 60) * 1000;
    const userDir = (RED.settings as { userDir?: string }).userDir ?? process.cwd();
    const log = connectorLogOf(RED, node);
    const stops: (() => Promise<void> | void)[] = [];
    node.on('close', (done: () => void) => {
      void Promise.allSettled(stops.map(async (stop) => stop())).then(() => done());
    });

    const store = (): Promise<OrderStore> => storeOf(RED, node, config.store);
    const invalidTracking: InvalidTrackingPolicy =
      config.invalidTracking === 'unverified' ? 'unverified' : 'refuse';

    function exception(msg: NodeMessage, err: unknown): DropshipError {
      const error = asDropshipError(err);
      showActivity(node, 'failed', error.code);
      node.send([null, exceptionMessage(msg, error), null]);
      return error;
    }

    /** Sends a newly recorded parcel event out of the first output; repeats were saved once and go nowhere. */
    function announce(result: ShipmentResult, event: ShipmentEvent, msg: NodeMessage): void {
      if (!result.created) return;
      showActivity(node, 'accepted', `${event.trackingNumber} ${event.status}`);
      node.send([
        {
          ...msg,
          orderId: result.order.id,
          poNumber: event.poNumber ?? result.shipment.poNumber,
          payload: result.shipment,
          shipmentEvent: event,
          order: { id: result.order.id, state: result.order.state },
        },
        null,
        null,
      ]);
    }

    async function recordEvents(events: ShipmentEvent[], msg: NodeMessage): Promise<ShipmentResult[]> {
      const recorded: ShipmentResult[] = [];
      for (const event of events) {
        try {
          const canonical = withCarrierDetected(withTrackingNumberChecked(event, invalidTracking));
          if (canonical.unverified)
            node.warn(`parcel kept unverified, without carrier or link: ${canonical.unverified}`);
          const result = await recordShipment(await store(), canonical, actor);
          recorded.push(result);
          announce(result, canonical, msg);
        } catch (err) {
          const error = exception({ ...msg, payload: event }, err);
          node.warn(`shipment event refused: ${error.message}`);
        }
      }
      return recorded;
    }

    // ---- JSON reports: webhook and messages -----------------------------------------------------------------
    let mapping: ReturnType<typeof compileReportMapping> | undefined;
    try {
      mapping = compileReportMapping(parseMapping(config.mapping));
    } catch (err) {
      node.error(asDropshipError(err).message);
      showActivity(node, 'failed', 'mapping');
    }

    /** Reports of a webhook are from the selected supplier only: its POs, no other supplier's. */
    const webhookScope = supplier ? { supplierId } : {};
    const refusalWarnings = rateLimitedWarning(node);
    const unverifiedWarnings = rateLimitedWarning(node);

    /**
     * One report or a list of them (read through the mapping); each is recorded on its own. Whatever fails is
     * reported once per call: one exception message, one (rate-limited) warning, however many reports it holds.
     */
    async function takeReports(
      body: unknown,
      source: string,
      msg: NodeMessage,
      scope: { supplierId?: string } = {},
    ): Promise<{
      recorded: ShipmentResult[];
      refusal?: DropshipError;
      unverified: { trackingNumber: string; reason: string }[];
    }> {
      const recorded: ShipmentResult[] = [];
      const unverified: { trackingNumber: string; reason: string }[] = [];
      if (!mapping)
        throw new DropshipError('configuration', 'the report mapping of this node is invalid', [
          { path: 'mapping', message: 'fix the JSON paths in the node' },
        ]);
      let reports: unknown[];
      try {
        reports = mapShipmentReports(body, mapping);
        if (reports.length > MAX_REPORTS)
          throw new DropshipError(
            'invalid_input',
            `${reports.length} shipment reports in one request, more than the ${MAX_REPORTS} one may carry`,
            [{ path: '', message: `has more than ${MAX_REPORTS} reports` }],
          );
      } catch (err) {
        return { recorded, unverified, refusal: refuse(msg, [asDropshipError(err)], 1) };
      }
      const errors: { index: number; error: DropshipError }[] = [];
      for (const [index, report] of reports.entries()) {
        try {
          if (!report || typeof report !== 'object')
            throw new DropshipError('invalid_input', 'a shipment report must be an object', [
              { path: '', message: 'must be an object' },
            ]);
          const event = shipmentEventFromReport(report, source, new Date(), invalidTracking);
          const result = await recordShipment(await store(), event, actor, scope);
          recorded.push(result);
          if (event.unverified) {
            unverified.push({ trackingNumber: event.trackingNumber, reason: event.unverified });
            unverifiedWarnings(`parcel kept unverified, without carrier or link: ${event.unverified}`);
          }
          announce(result, event, msg);
        } catch (err) {
          errors.push({ index, error: asDropshipError(err) });
        }
      }
      if (errors.length === 0) return { recorded, unverified };
      const refusal = refuse(
        msg,
        errors.map(({ index, error }) => (reports.length === 1 ? error : withPathPrefix(error, `/${index}`))),
        reports.length,
      );
      return { recorded, unverified, refusal };
    }

    /** The one exception and warning for the reports of one call that were refused; the first reason leads. */
    function refuse(msg: NodeMessage, errors: DropshipError[], reportCount: number): DropshipError {
      const [first] = errors as [DropshipError];
      const refusal =
        errors.length === 1
          ? first
          : new DropshipError(
              first.code,
              `${errors.length} of ${reportCount} shipment reports refused; the first: ${first.message}`,
              errors.flatMap((e) => e.details).slice(0, MAX_REPORTED_PROBLEMS),
            );
      exception({ ...msg, payload: { refused: errors.length, of: reportCount } }, refusal);
      refusalWarnings(`shipment report refused: ${boundedErrorJson(refusal).message}`);
      return refusal;
    }

    const gate =
      config.listen !== false
        ? senderGate(RED, node, {
            check: senderCheckOf(config),
            secrets: () => senderSecretsOf(config, credentials),
            secretPlace: "the node's sender secret",
          })
        : undefined;
    if (gate) {
      const endpoint = config.path || '/dropship/tracking';
      mountEndpoint(
        RED,
        node,
        'post',
        endpoint,
        async (req) => {
          const refusal = gate.refusal(req);
          if (refusal) return refusal.reply;
          let payload: unknown;
          try {
            payload = parseJsonBody(req.rawBody);
          } catch (err) {
            const error = asDropshipError(err);
            return { status: 400, body: { error: boundedErrorJson(error) } };
          }
          const {
            recorded,
            unverified,
            refusal: refused,
          } = await takeReports(payload, 'webhook', {}, webhookScope);
          const error = refused && boundedErrorJson(refused);
          if (error && recorded.length === 0)
            return { status: HTTP_STATUS[refused.code] ?? 500, body: { errors: [error] } };
          return {
            status: 200,
            body: {
              recorded: recorded.length,
              duplicates: recorded.filter((r) => !r.created).length,
              errors: error ? [error] : [],
              ...(unverified.length > 0 ? { unverified: unverified.slice(0, MAX_REPORTED_PROBLEMS) } : {}),
            },
          };
        },
        { maxItems: MAX_REPORTS },
      );
    }

    // ---- Documents: X12 856 and cXML ShipNoticeRequest ------------------------------------------------------
    let x12Partner: X12Partner | undefined;
    try {
      x12Partner = x12PartnerOf(store, supplier?.supplierId, log);
    } catch (err) {
      node.error(`supplier EDI settings not usable: ${asDropshipError(err).message}`);
    }
    const documentContext = {
      supplierId,
      cxmlSharedSecret: supplier?.credentials?.inboundSharedSecret,
      x12Conventions: x12Partner?.conventions,
    };

    /** Every X12 functional group read is answered with a 997, through the selected X12 supplier's channel. */
    async function acknowledgeGroups(receipts: X12GroupReceipt[], msg: NodeMessage): Promise<void> {
      if (receipts.length === 0) return;
      if (!x12Partner) {
        node.warn(
          `no 997 sent for ${receipts.length} X12 functional group(s): select the partner's EDI X12 supplier`,
        );
        return;
      }
      try {
        await x12Partner.acknowledge(receipts);
      } catch (err) {
        const error = exception(msg, err);
        node.warn(`997 not sent: ${error.message}`);
      }
    }

    async function takeDocument(text: string, msg: NodeMessage): Promise<void> {
      let reading;
      try {
        reading = await readShipNotice(text, { ...documentContext, receivedAt: new Date() });
      } catch (err) {
        exception(msg, err);
        return;
      }
      await recordEvents(reading.events, msg);
      await acknowledgeGroups(reading.receipts, msg);
      if (reading.problems.length > 0)
        exception(
          msg,
          new DropshipError('invalid_input', `${reading.format} ship notice has problems`, reading.problems),
        );
    }

    onInput(node, async (msg) => {
      const source = typeof msg.topic === 'string' && msg.topic ? msg.topic : 'message';
      const payload = msg.payload;
      if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
        const text = payload.toString();
        const format = documentFormat(text);
        if (format === 'x12' || format === 'cxml') {
          await takeDocument(text, msg);
          return;
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          exception(
            msg,
            new DropshipError('invalid_input', 'msg.payload is not JSON, an X12 856 or a cXML ship notice', [
              { path: 'msg.payload', message: 'must be a report (object or list), X12 or cXML text' },
            ]),
          );
          return;
        }
        await takeReports(parsed, source, msg);
        return;
      }
      await takeReports(payload, source, msg);
    });

    // ---- Sources that this node follows by itself ------------------------------------------------------------
    function startFolder(): void {
      let connection: FileConnection;
      let settleSeconds: number;
      try {
        settleSeconds = settleSecondsOf(config.settleSeconds, 'folder settings');
        connection = resolveFileConnection(
          RED,
          migrated,
          legacySecretsOf('dropship-tracking-in', credentials),
          'folder settings',
        );
      } catch (err) {
        node.error(asDropshipError(err).message);
        showActivity(node, 'failed', 'folder settings');
        return;
      }
      const folders = {
        inboundFolder: config.inboundFolder || 'inbound',
        archiveFolder: config.archiveFolder || 'inbound/archive',
        errorFolder: config.errorFolder || 'inbound/error',
        settleSeconds,
      };
      const take = async (document: FolderDocument): Promise<void> => {
        const msg = { topic: `file:${document.file.name}`, file: document.file.name };
        if (document.reading) {
          await recordEvents(document.reading.events, msg);
          await acknowledgeGroups(document.reading.receipts, msg);
        }
        if (document.error)
          exception(
            { ...msg, payload: { file: document.file.name, movedTo: folders.errorFolder } },
            document.error,
          );
      };
      startTimer('ship notice folder poll', async () => {
        let transport: FileTransport | undefined;
        try {
          transport = await openTransport(connection.transport, connection.credentials);
          await pollShipNoticeFolder(
            transport,
            folders,
            { ...documentContext, now: () => new Date() },
            log,
            take,
          );
        } finally {
          await transport?.close();
        }
      });
    }

    /**
     * The selected supplier's own channel, read by its connector (an X12 supplier: the 856s in its inbound
     * folder, each group answered with a 997 under the supplier's envelope and control numbers). Nothing to
     * configure twice: the transport, folders and secrets are the supplier's.
     */
    function startSupplierChannel(): void {
      const connector = supplier ? supplierConnector(supplier.connectorKind) : undefined;
      const readShipments = connector?.readShipments?.bind(connector);
      // A connector that can read ship notices may still have none with these settings (REST without polling).
      const hasSource =
        supplier?.settings === undefined || connector?.readsShipments?.(supplier.settings) !== false;
      if (!supplier || !readShipments || !hasSource) {
        throw new DropshipError(
          'configuration',
          supplier
            ? `supplier "${supplierId}" (${supplier.connectorKind}) has no ship notices to read`
            : config.supplier
              ? `the selected supplier (config node ${config.supplier}) is not in the flows`
              : 'no supplier selected',
          [
            {
              path: 'supplier',
              message:
                'select a supplier whose channel carries ship notices (EDI X12 over SFTP, a REST API with status polling)',
            },
          ],
        );
      }
      startTimer('supplier shipment read', async () => {
        const { context } = supplierConnectorContext(await store(), supplierId, log);
        for await (const event of readShipments(context)) {
          await recordEvents([event], { topic: `supplier:${supplierId}` });
        }
      });
    }

    /** What a supplier mail becomes: parcels on its order, or a reason it matched none (exceptions output). */
    async function handleMail(
      reading: Parameters<typeof shipmentEventsFromMail>[0],
    ): Promise<MailDisposition> {
      if (reading.parcels.length === 0)
        return { outcome: 'unmatched', reason: 'no tracking number found in the mail' };
      const target = await mailTarget(await store(), reading);
      if ('reason' in target) return { outcome: 'unmatched', reason: target.reason };
      const events = shipmentEventsFromMail(
        reading,
        target,
        new Date(),
        await mailTimeFloor(await store(), target),
      );
      await recordEvents(events, {
        topic: 'email',
        mail: { messageId: reading.messageId, subject: reading.subject },
      });
      return { outcome: 'processed' };
    }

    function mailHandled(handled: HandledMail & { file?: string }): void {
      if (handled.disposition.outcome !== 'unmatched') return;
      const { reading } = handled;
      exception(
        {
          topic: 'email',
          payload: {
            messageId: reading?.messageId,
            subject: reading?.subject,
            from: reading?.from,
            poNumbers: reading?.poNumbers,
            orderNumbers: reading?.orderNumbers,
            trackingNumbers: reading?.parcels.map((p) => p.trackingNumber),
            ...(handled.file ? { file: handled.file } : { uid: handled.uid }),
          },
        },
        new DropshipError('not_found', `supplier mail not used: ${handled.disposition.reason}`),
      );
    }

    function mailMatching() {
      return compileMailMatching({
        orderNumberPatterns: patternLines(config.orderNumberPatterns),
        poNumberPatterns: patternLines(config.poNumberPatterns),
        supplierReferences: patternLines(config.supplierReferences),
      });
    }

    function startMailbox(): void {
      const mailbox = new SupplierMailbox({
        settings: {
          host: config.imapHost,
          port: positive(config.imapPort, config.imapTls === false ? 143 : 993),
          secure: config.imapTls !== false,
          mailbox: config.imapMailbox || 'INBOX',
          processedFolder: config.processedFolder || undefined,
          unmatchedFolder: config.unmatchedFolder || undefined,
          mode: config.imapMode === 'poll' ? 'poll' : 'auto',
          pollIntervalMs: pollMs,
          matching: {
            orderNumberPatterns: patternLines(config.orderNumberPatterns),
            poNumberPatterns: patternLines(config.poNumberPatterns),
            supplierReferences: patternLines(config.supplierReferences),
          },
        },
        credentials: { user: credentials.imapUser, password: credentials.imapPassword },
        onMail: handleMail,
        onHandled: mailHandled,
        log,
      });
      stops.push(() => mailbox.stop());
      mailbox.start().then(
        () => showActivity(node, 'waiting', `IMAP ${mailbox.mode}`),
        (err: unknown) => {
          node.error(`IMAP mailbox not followed: ${asDropshipError(err).message}`);
          showActivity(node, 'failed', 'IMAP');
        },
      );
    }

    function startMailFolder(): void {
      const reader = new MailFolderReader({
        folder: path.resolve(userDir, config.mailFolder || 'supplier-mail'),
        matching: mailMatching(),
        pollIntervalMs: pollMs,
        onMail: handleMail,
        onHandled: mailHandled,
        log,
      });
      stops.push(() => reader.stop());
      reader.start().catch((err: unknown) => {
        node.error(`mail folder not followed: ${asDropshipError(err).message}`);
        showActivity(node, 'failed', 'mail folder');
      });
    }

    function pollableCarriers(): PollableCarrier[] {
      return deployedCarrierCodes().flatMap((code) => {
        const account = deployedCarrier(code);
        if (!account?.settings) return [];
        return [
          {
            code,
            connector: carrierConnector(code),
            context: {
              settings: account.settings,
              credentials: account.credentials ?? {},
              log,
              clock: systemClock,
            },
          },
        ];
      });
    }

    function startCarrierPolling(): void {
      startTimer('carrier polling', async () => {
        const carriers = pollableCarriers();
        if (carriers.length === 0) return;
        await pollCarriersOnce({
          store: await store(),
          carriers,
          owner: actor,
          leaseMs: CARRIER_LEASE_MS,
          batchSize: CARRIER_BATCH,
          now: () => new Date(),
          record: async (event) => {
            const result = await (await store()).recordShipmentEvent(event, actor);
            announce(result, event, { topic: event.source });
            return result;
          },
          onProblem: (problem, carrier, parcels) =>
            exception(
              {
                topic: `carrier:${carrier}`,
                payload: { carrier, trackingNumbers: parcels.map((p) => p.trackingNumber) },
              },
              problem,
            ),
        });
      });
    }

    /** Runs `work` now and every `pollSeconds`, one run at a time; a failed run is reported and retried. */
    function startTimer(name: string, work: () => Promise<void>): void {
      startSweep(node, { name, everyMs: pollMs, firstAfterMs: 0, run: work });
    }

    const labelHours = Number(config.labelHours);
    if (Number.isFinite(labelHours) && labelHours > 0) {
      startTimer('label check', async () => {
        for (const { shipment, label } of await flagLabelsWithoutScan(
          await store(),
          labelHours,
          new Date(),
          actor,
        )) {
          node.send([
            null,
            null,
            {
              orderId: shipment.orderId,
              poNumber: shipment.poNumber,
              payload: shipment,
              labelWithoutScan: label,
            },
          ]);
        }
      });
    }

    const starters: Record<TrackingSource, (() => void) | undefined> = {
      none: undefined,
      supplier: startSupplierChannel,
      files: startFolder,
      imap: startMailbox,
      mailFolder: startMailFolder,
      carriers: startCarrierPolling,
    };
    try {
      starters[config.source ?? 'none']?.();
    } catch (err) {
      // Settings the source cannot start with (a broken pattern): reported once, the webhook keeps working.
      node.error(`tracking source not started: ${asDropshipError(err).message}`);
      showActivity(node, 'failed', config.source);
    }
    if (mapping && !gate?.problem) showActivity(node, 'waiting');
  }
  RED.nodes.registerType('dropship-tracking-in', DropshipTrackingInNode as never, {
    credentials: {
      // No SFTP secrets: those of flows saved before file connections are still stored for the node (Node-RED
      // keeps undeclared ones) until the file connection the editor makes takes them over.
      imapUser: { type: 'text' },
      imapPassword: { type: 'password' },
      senderSecret: { type: 'password' },
      previousSenderSecret: { type: 'password' },
    },
  });
};
