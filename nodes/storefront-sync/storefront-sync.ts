import { readFileSync } from 'node:fs';
import path from 'node:path';
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
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../adapter/node-red';
import { operatorAdminRequest } from '../adapter/operator-routes';
import { showActivity } from '../adapter/status';
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

/** The node's words (status texts) from its en-US catalogue, for runtimes that have not loaded it (tests). */
const ENGLISH = (
  JSON.parse(readFileSync(path.join(__dirname, 'locales', 'en-US', 'storefront-sync.json'), 'utf8')) as {
    'dropship-storefront-sync': { status: Record<string, string> };
  }
)['dropship-storefront-sync'].status;

/** A status text in the editor's language: Node-RED's catalogue for this node set, else the English one. */
function statusWords(RED: NodeAPI, key: string, values: Record<string, string | number>): string {
  const id = `dropship-storefront-sync.status.${key}`;
  // Node-RED prefixes the node set's catalogue; a runtime without it answers the key itself.
  const translated: unknown = RED._(id, values);
  if (typeof translated === 'string' && translated !== id && !translated.endsWith(`:${id}`))
    return translated;
  return (ENGLISH[key] ?? key).replace(/__(\w+)__/g, (_, name: string) => String(values[name] ?? ''));
}

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
  let settings: StorefrontSyncSettings;
  try {
    settings = parseStorefrontSyncConfig(config);
  } catch (err) {
    const error = asDropshipError(err, 'configuration');
    node.error(error.message);
    showActivity(
      node,
      'failed',
      statusWords(RED, 'invalid', { reason: error.details[0]?.path ?? error.message }),
    );
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
    const counts = { pushed: report.pushed, unchanged: report.unchanged, failed: report.failed.length };
    showActivity(
      node,
      report.failed.length > 0 ? 'retrying' : 'accepted',
      statusWords(RED, 'summary', counts),
    );
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
    if (result || exceptions.length > 0) node.send([result, exceptions.length > 0 ? exceptions : null]);
  }

  const sweep = startSweep<NodeMessage>(node, {
    name: 'storefront sync',
    everyMs: (Number(config.intervalSeconds) || 300) * 1000,
    firstAfterMs: 1000,
    run: async (signal, msg) => {
      const deps = await dependencies(signal);
      showActivity(node, 'sending', statusWords(RED, 'syncing', {}));
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
  showActivity(node, 'waiting');
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
      const node = id ? (RED.nodes.getNode(id) as Partial<StorefrontSyncNode> | null) : null;
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
