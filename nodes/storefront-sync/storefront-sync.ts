import type { Request, Response } from 'express';
import { systemClock } from '../../core/clock';
import { asDropshipError, DropshipError } from '../../core/errors';
import type { StorefrontCatalogue } from '../../core/ports/storefront-catalogue';
import {
  parseStorefrontSyncConfig,
  type StorefrontSyncConfig,
} from '../../core/storefront-sync/sync-settings';
import {
  importCatalogue,
  planSync,
  runSync,
  type StorefrontSyncDependencies,
  type StorefrontSyncSettings,
  type SyncReport,
} from '../../core/storefront-sync/sync-storefront';
import type { StorefrontConfigNode } from '../adapter/config-nodes';
import { exceptionMessage, onInput } from '../adapter/input-handler';
import { mountOnce } from '../adapter/mount-once';
import { sendOfNode, type Node, type NodeAPI, type NodeDef, type NodeMessage } from '../adapter/node-red';
import { operatorAdminRequest } from '../adapter/operator-routes';
import { nodeStatus } from '../adapter/status';
import { storeOf } from '../adapter/store-access';
import { startSweep } from '../adapter/sweep';
import { routingRulesOf } from '../router/router-access';

interface StorefrontSyncNodeDef extends NodeDef {
  store: string;
  storefront: string;
  router: string;
  intervalSeconds: number | string;
  importMinutes: number | string;
  matchBy: StorefrontSyncConfig['matchBy'];
  map: StorefrontSyncConfig['map'];
  combine: StorefrontSyncConfig['combine'];
  floor: StorefrontSyncConfig['floor'];
  ceiling: StorefrontSyncConfig['ceiling'];
  limits: StorefrontSyncConfig['limits'];
  priceRules: StorefrontSyncConfig['priceRules'];
  pushPrices: StorefrontSyncConfig['pushPrices'];
}

/** What the preview route asks of a deployed sync node. */
interface StorefrontSyncNode extends Node {
  preview(limit: number): Promise<SyncPreview>;
}

interface SyncPreview {
  variants: number;
  changes: number;
  /** The first changes, in words. */
  first: string[];
  unmatchedVariants: string[];
  unmappedItems: string[];
}

const PREVIEW_LIMIT = 20;

function catalogueOf(RED: NodeAPI, node: Node, storefrontId: string): StorefrontCatalogue {
  const storefront = storefrontId
    ? (RED.nodes.getNode(storefrontId) as Partial<StorefrontConfigNode> | null)
    : null;
  if (typeof storefront?.catalogue !== 'function') {
    throw new DropshipError(
      'configuration',
      `${node.type} "${node.name || node.id}" has no storefront configured`,
      [{ path: 'storefront', message: 'select a dropship-storefront configuration' }],
    );
  }
  return storefront.catalogue();
}

function startStorefrontSync(RED: NodeAPI, node: StorefrontSyncNode, config: StorefrontSyncNodeDef): void {
  const status = nodeStatus(RED, node);
  /** What a run sends: a timed one has no input message, so everything goes out through the node. */
  const out = sendOfNode(node);
  let settings: StorefrontSyncSettings;
  try {
    settings = parseStorefrontSyncConfig(config);
  } catch (err) {
    const error = asDropshipError(err, 'configuration');
    node.error(error.message);
    status.show('failed', 'invalid', { reason: error.message });
    node.preview = () => Promise.reject(error);
    return;
  }
  const importEveryMs = (Number(config.importMinutes) || 60) * 60_000;
  let importedAt = 0;

  async function dependencies(signal?: AbortSignal): Promise<StorefrontSyncDependencies> {
    return {
      catalogue: catalogueOf(RED, node, config.storefront),
      store: await storeOf(RED, node, config.store),
      rules: routingRulesOf(RED, config.router),
      settings,
      clock: systemClock,
      signal,
    };
  }

  /** The shop's variants are read again after `importMinutes`, and at the first run after a deploy. */
  async function importWhenDue(deps: StorefrontSyncDependencies): Promise<void> {
    const now = deps.clock.now().getTime();
    if (now - importedAt < importEveryMs) return;
    await importCatalogue(deps);
    importedAt = now;
  }

  function reportRun(report: SyncReport, msg: NodeMessage | undefined): void {
    const counts = { pushed: report.pushed, unchanged: report.unchanged };
    const [firstFailure] = report.failed;
    if (firstFailure)
      status.show('retrying', 'summaryRefused', {
        ...counts,
        failed: report.failed.length,
        sku: firstFailure.sku ?? firstFailure.variantId,
        reason: firstFailure.error,
      });
    else status.show('accepted', 'summary', counts);
    const exceptions = report.failed.map((failure) =>
      exceptionMessage(
        {
          ...(msg ?? {}),
          topic: 'storefront sync',
          payload: { variantId: failure.variantId, sku: failure.sku },
        },
        new DropshipError('storefront_refused', `${failure.sku ?? failure.variantId}: ${failure.error}`, [
          { path: failure.sku ?? failure.variantId, message: failure.error },
        ]),
      ),
    );
    // A timed run that changed nothing is not news; a run asked for by a message always answers.
    const result =
      msg || report.pushed > 0 || report.failed.length > 0
        ? { ...(msg ?? {}), topic: msg?.topic ?? 'storefront sync', payload: report }
        : null;
    if (result || exceptions.length > 0) out([result, exceptions.length > 0 ? exceptions : null]);
  }

  const sweep = startSweep<NodeMessage>(RED, node, {
    name: 'storefront sync',
    everyMs: (Number(config.intervalSeconds) || 300) * 1000,
    firstAfterMs: 1000,
    run: async (signal, msg) => {
      const deps = await dependencies(signal);
      status.show('sending', 'syncing');
      await importWhenDue(deps);
      reportRun(await runSync(deps), msg);
    },
  });

  // A feed message (from dropship-inventory-in) runs a sync now, after the one in flight.
  onInput(node, async (msg) => {
    await sweep.now(msg);
  });

  node.preview = async (limit) => {
    const deps = await dependencies();
    if ((await deps.store.listStorefrontVariants(deps.catalogue.channel)).length === 0) {
      await importCatalogue(deps);
    }
    const plan = await planSync(deps);
    return {
      variants: plan.desired.length,
      changes: plan.changes.length,
      first: plan.changes.slice(0, limit).map((change) => change.description),
      unmatchedVariants: plan.mapping.unmatchedVariants.slice(0, limit).map((v) => v.sku ?? v.variantId),
      unmappedItems: plan.mapping.unmappedItems
        .slice(0, limit)
        .map((item) => `${item.supplierId} ${item.sku}`),
    };
  };
  status.show('waiting');
}

/** The editor's dry run: what the deployed node would change now, in words; needs the node's read permission. */
function mountPreview(RED: NodeAPI): void {
  if (!mountOnce(RED.httpAdmin, 'dropship-storefront-sync')) return;
  RED.httpAdmin.get(
    '/dropship/storefront-sync/preview',
    RED.auth.needsPermission('dropship-storefront-sync.read'),
    operatorAdminRequest(RED),
    (req: Request, res: Response) => {
      const id = typeof req.query.node === 'string' ? req.query.node : '';
      if (!id) {
        res.status(400).json({
          error: { code: 'invalid_input', message: 'query parameter node: required (the sync node id)' },
        });
        return;
      }
      const node = RED.nodes.getNode(id) as Partial<StorefrontSyncNode> | null;
      if (typeof node?.preview !== 'function') {
        res.status(404).json({
          error: {
            code: 'not_found',
            message: 'no deployed storefront sync node has this id: deploy it first',
          },
        });
        return;
      }
      node.preview(PREVIEW_LIMIT).then(
        (preview) => res.set('Cache-Control', 'no-store').json(preview),
        (err: unknown) => {
          const error = asDropshipError(err);
          res.status(error.code === 'configuration' || error.code === 'invalid_input' ? 400 : 502).json({
            error: { code: error.code, message: error.message },
          });
        },
      );
    },
  );
}

export = function registerStorefrontSyncNode(RED: NodeAPI): void {
  function DropshipStorefrontSyncNode(this: StorefrontSyncNode, config: StorefrontSyncNodeDef): void {
    RED.nodes.createNode(this, config);
    startStorefrontSync(RED, this, config);
  }
  RED.nodes.registerType('dropship-storefront-sync', DropshipStorefrontSyncNode as never);
  mountPreview(RED);
};
