import { asDropshipError, type DropshipError } from '../../core/errors';
import { orderReference } from '../../core/model/order';
import type { ShipmentEvent } from '../../core/model/shipment';
import { stateName } from '../../core/model/state-names';
import type { OrderStore, ShipmentResult } from '../../core/store/order-store';
import {
  withCarrierDetected,
  withTrackingNumberChecked,
  type InvalidTrackingPolicy,
} from '../../core/tracking/event-carrier';
import { recordShipment } from '../../core/tracking/record-shipment';
import type { ConnectorLog } from '../../core/ports/connector';
import type { X12GroupReceipt } from '../../connectors/edi/x12/envelope';
import type { SupplierConfigNode } from '../adapter/config-nodes';
import { exceptionMessage, rethrowUnlessMessageProblem } from '../adapter/input-handler';
import type { Node, NodeAPI, NodeDef, NodeMessage, SendFunction } from '../adapter/node-red';
import type { FileConnectionReference } from '../adapter/file-connection';
import type { SenderAuthConfig, SenderAuthCredentials } from '../adapter/sender-auth';
import type { NodeStatus } from '../adapter/status';
import { startSweep } from '../adapter/sweep';
import type { X12Partner } from '../adapter/x12-partner';
import type { DocumentContext } from './documents';
import type { ReportMapping } from '../../core/tracking/report-mapping';

/**
 * What every source of the tracking-in node shares: its settings, the store, and the way a shipment event is
 * recorded and sent on. Each source (webhook, message, folder, supplier channel, mail, carriers) has its own file
 * and is handed this context by the node.
 */

export type TrackingSource = 'none' | 'supplier' | 'files' | 'imap' | 'mailFolder' | 'carriers';

export interface TrackingInNodeDef extends NodeDef, SenderAuthConfig {
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

export interface TrackingInCredentials extends SenderAuthCredentials {
  sftpPassword?: string;
  sftpPrivateKey?: string;
  sftpPassphrase?: string;
  imapUser?: string;
  imapPassword?: string;
}

export interface TrackingInContext {
  RED: NodeAPI;
  node: Node<TrackingInCredentials>;
  config: TrackingInNodeDef & FileConnectionReference;
  credentials: TrackingInCredentials;
  supplier: SupplierConfigNode | null;
  /** The selected supplier's id, or "unknown". */
  supplierId: string;
  actor: string;
  status: NodeStatus;
  log: ConnectorLog;
  pollMs: number;
  userDir: string;
  store(): Promise<OrderStore>;
  invalidTracking: InvalidTrackingPolicy;
  /** Run when the node closes (a source's mailbox or reader to stop). */
  stops: (() => Promise<void> | void)[];
  /** Who cXML and X12 documents are read for. */
  documentContext: Omit<DocumentContext, 'receivedAt'>;
  /** Sends `err` out of the exceptions output with `msg`, shows it on the status, and returns it. */
  exception(msg: NodeMessage, err: unknown, send: SendFunction): DropshipError;
  /** Sends a newly recorded parcel event out of the first output; repeats were saved once and go nowhere. */
  announce(result: ShipmentResult, event: ShipmentEvent, msg: NodeMessage, send: SendFunction): void;
  /** Records each event on its own; one refused goes out of the exceptions output, the others are kept. */
  recordEvents(events: ShipmentEvent[], msg: NodeMessage, send: SendFunction): Promise<ShipmentResult[]>;
  /** Answers every X12 functional group read with a 997, through the selected X12 supplier's channel. */
  acknowledgeGroups(receipts: X12GroupReceipt[], msg: NodeMessage): Promise<void>;
  /** Runs `work` now and every `pollSeconds`, one run at a time; a failed run is reported and retried. */
  startTimer(name: string, work: () => Promise<void>): void;
}

export function positive(value: number | string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** One regular expression per line; blank lines ignored. */
export function patternLines(text: string | undefined): string[] | undefined {
  const lines = (text ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.length > 0 ? lines : undefined;
}

export type TrackingInBase = Omit<
  TrackingInContext,
  'exception' | 'announce' | 'recordEvents' | 'acknowledgeGroups' | 'startTimer' | 'documentContext'
>;

/** Adds to the node's settings the recording, sending and timing every source uses. */
export function trackingInContext(
  base: TrackingInBase,
  x12Partner: X12Partner | undefined,
): TrackingInContext {
  const { node, actor, invalidTracking, status } = base;

  const exception: TrackingInContext['exception'] = (msg, err, send) => {
    const error = asDropshipError(err);
    status.show('failed', 'refused', { reason: error.message });
    send([null, exceptionMessage(msg, error), null]);
    return error;
  };

  const announce: TrackingInContext['announce'] = (result, event, msg, send) => {
    if (!result.created) return;
    status.show('accepted', 'parcel', {
      order: orderReference(result.order),
      state: stateName(event.status),
    });
    send([
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
  };

  const recordEvents: TrackingInContext['recordEvents'] = async (events, msg, send) => {
    const recorded: ShipmentResult[] = [];
    for (const event of events) {
      try {
        const canonical = withCarrierDetected(withTrackingNumberChecked(event, invalidTracking));
        if (canonical.unverified)
          node.warn(`parcel kept unverified, without carrier or link: ${canonical.unverified}`);
        const result = await recordShipment(await base.store(), canonical, actor);
        recorded.push(result);
        announce(result, canonical, msg, send);
      } catch (err) {
        rethrowUnlessMessageProblem(err);
        const error = exception({ ...msg, payload: event }, err, send);
        node.warn(`shipment event refused: ${error.message}`);
      }
    }
    return recorded;
  };

  const acknowledgeGroups: TrackingInContext['acknowledgeGroups'] = async (receipts, msg) => {
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
      // The partner's channel failing is a service failure: on to Catch nodes with the message.
      const error = asDropshipError(err);
      status.show('failed', 'acknowledgementNotSent', { reason: error.message });
      node.error(`997 not sent: ${error.message}`, msg);
    }
  };

  return {
    ...base,
    documentContext: {
      supplierId: base.supplierId,
      cxmlSharedSecret: base.supplier?.credentials?.inboundSharedSecret,
      x12Conventions: x12Partner?.conventions,
    },
    exception,
    announce,
    recordEvents,
    acknowledgeGroups,
    startTimer: (name, work) => {
      startSweep(base.RED, node, { name, everyMs: base.pollMs, firstAfterMs: 0, run: work });
    },
  };
}
