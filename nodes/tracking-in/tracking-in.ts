import type { OrderStore } from '../../core/store/order-store';
import { asDropshipError } from '../../core/errors';
import type { InvalidTrackingPolicy } from '../../core/tracking/event-carrier';
import type { SupplierConfigNode } from '../adapter/config-nodes';
import { migrateConfigNode } from '../adapter/config-migrations';
import type { FileConnectionReference } from '../adapter/file-connection';
import { actorOf, connectorLogOf, type Node, type NodeAPI } from '../adapter/node-red';
import { nodeStatus } from '../adapter/status';
import { storeOf } from '../adapter/store-access';
import { x12PartnerOf, type X12Partner } from '../adapter/x12-partner';
import { startCarrierPolling } from './carrier-source';
import {
  positive,
  trackingInContext,
  type TrackingInContext,
  type TrackingInCredentials,
  type TrackingInNodeDef,
  type TrackingSource,
} from './context';
import { startFolder } from './folder-source';
import { jsonReports, mountReportWebhook } from './json-reports';
import { flagLabelsWithoutScan } from './label-check';
import { startMailbox, startMailFolder } from './mail-source';
import { handleMessages } from './message-input';
import { startSupplierChannel } from './supplier-channel';

/**
 * The tracking-in node: shipment news from its webhook and messages, and from the one source it follows by itself
 * (each source in its own file, handed the context every source shares).
 */
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
    const supplier = config.supplier
      ? (RED.nodes.getNode(config.supplier) as SupplierConfigNode | null)
      : null;
    const stops: TrackingInContext['stops'] = [];
    node.on('close', (done: () => void) => {
      void Promise.allSettled(stops.map(async (stop) => stop())).then(() => done());
    });
    const store = (): Promise<OrderStore> => storeOf(RED, node, config.store);
    const log = connectorLogOf(RED, node);
    const invalidTracking: InvalidTrackingPolicy =
      config.invalidTracking === 'unverified' ? 'unverified' : 'refuse';

    let x12Partner: X12Partner | undefined;
    try {
      x12Partner = x12PartnerOf(store, supplier?.supplierId, log);
    } catch (err) {
      node.error(`supplier EDI settings not usable: ${asDropshipError(err).message}`);
    }
    const context = trackingInContext(
      {
        RED,
        node,
        config: migrated,
        credentials: node.credentials ?? {},
        supplier,
        supplierId: supplier?.supplierId ?? 'unknown',
        actor: actorOf(node),
        status: nodeStatus(RED, node),
        log,
        pollMs: positive(config.pollSeconds, 60) * 1000,
        userDir: (RED.settings as { userDir?: string }).userDir ?? process.cwd(),
        store,
        invalidTracking,
        stops,
      },
      x12Partner,
    );

    const reports = jsonReports(context);
    const gate = mountReportWebhook(context, reports);
    handleMessages(context, reports);

    const labelHours = Number(config.labelHours);
    if (Number.isFinite(labelHours) && labelHours > 0) {
      context.startTimer('label check', async () => {
        for (const { shipment, label } of await flagLabelsWithoutScan(
          await store(),
          labelHours,
          new Date(),
          context.actor,
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

    const starters: Record<TrackingSource, ((context: TrackingInContext) => void) | undefined> = {
      none: undefined,
      supplier: startSupplierChannel,
      files: startFolder,
      imap: startMailbox,
      mailFolder: startMailFolder,
      carriers: startCarrierPolling,
    };
    try {
      starters[config.source ?? 'none']?.(context);
    } catch (err) {
      // Settings the source cannot start with (a broken pattern): reported once, the webhook keeps working.
      const { message } = asDropshipError(err);
      node.error(`tracking source not started: ${message}`);
      context.status.show('failed', 'sourceNotStarted', { reason: message });
    }
    if (reports.usable && !gate?.problem) context.status.show('waiting');
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
