import { DropshipError } from '../../core/errors';
import { ingestStockFeed, type IngestResult } from '../../core/inventory/ingest-stock-feed';
import { parseStockFeed } from '../../core/inventory/stock-feed';
import { sellableUnderRules } from '../../core/routing/compiled-rules';
import { exceptionMessage, onInput } from '../adapter/input-handler';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../adapter/node-red';
import { showActivity } from '../adapter/status';
import { storeOf } from '../adapter/store-access';
import { routingRulesOf } from '../router/router-access';

interface InventoryInNodeDef extends NodeDef {
  store: string;
  supplier: string;
  router: string;
  thresholds: string;
  url: string;
  intervalMinutes: number | string;
}

interface InventoryInCredentials {
  token?: string;
}

const FETCH_TIMEOUT_MS = 30_000;

/** "5, 10" -> [5, 10]; the editor refuses anything else, a hand-edited flow loses what is not a number. */
function thresholdsOf(text: string | undefined): number[] {
  return String(text ?? '')
    .split(',')
    .map((part) => Number(part.trim()))
    .filter((value) => Number.isFinite(value) && value > 0);
}

function summary(result: IngestResult): string {
  const changes = result.crossings.length;
  const bad = result.problems.length;
  return `${result.applied} rows${changes ? `, ${changes} changed` : ''}${bad ? `, ${bad} bad` : ''}`;
}

/** The runtime of one stock-feed node: feeds from messages, and from a REST address on a schedule. */
function startInventoryIn(
  RED: NodeAPI,
  node: Node & { credentials?: InventoryInCredentials },
  config: InventoryInNodeDef,
): void {
  const thresholds = thresholdsOf(config.thresholds);

  async function ingest(payload: unknown, supplierId: string | undefined, msg: NodeMessage): Promise<void> {
    const store = await storeOf(RED, node, config.store);
    const feedAt = new Date();
    const feed = await parseStockFeed(payload, {
      supplierId: supplierId || undefined,
      receivedAt: feedAt.toISOString(),
    });
    // Buffers come from the router's rules when a router is chosen: sellable units mean the same in both nodes.
    const rules = routingRulesOf(RED, config.router);
    const result = await ingestStockFeed(store, feed, {
      feedAt,
      thresholds,
      sellable: rules ? sellableUnderRules(rules) : undefined,
    });
    for (const ignored of result.ignored) {
      node.warn(
        `stock feed of ${ignored.supplierId} at ${ignored.feedAt} ignored: a newer feed (${ignored.lastFeedAt}) was applied`,
      );
    }
    const changed =
      result.crossings.length > 0
        ? {
            ...msg,
            payload: result.crossings,
            stock: { format: result.format, applied: result.applied, ignored: result.ignored },
          }
        : null;
    const bad =
      result.problems.length > 0
        ? exceptionMessage(
            { ...msg, payload: result.problems },
            new DropshipError(
              'invalid_input',
              `${result.problems.length} row${result.problems.length === 1 ? '' : 's'} of the stock feed could not be read`,
              result.problems.map((problem) => ({ path: `line ${problem.line}`, message: problem.reason })),
            ),
          )
        : null;
    showActivity(
      node,
      result.applied === 0 && result.problems.length > 0 ? 'failed' : 'accepted',
      summary(result),
    );
    if (changed || bad) node.send([changed, bad]);
  }

  onInput(node, async (msg) => {
    const supplierId = typeof msg.supplierId === 'string' ? msg.supplierId : config.supplier;
    await ingest(msg.payload, supplierId, msg);
  });

  if (!config.url) {
    showActivity(node, 'waiting');
    return;
  }
  // A REST endpoint is read at start and then every interval; a failed read waits for the next one.
  let reading = false;
  const read = (): void => {
    if (reading) return;
    reading = true;
    showActivity(node, 'sending', 'reading feed');
    const headers: Record<string, string> = {
      accept: 'text/csv, application/json, application/edi-x12, */*',
    };
    if (node.credentials?.token) headers.authorization = `Bearer ${node.credentials.token}`;
    fetch(config.url, { headers, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) })
      .then(async (response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status} from the stock feed address`);
        await ingest(Buffer.from(await response.arrayBuffer()), config.supplier, { topic: config.url });
      })
      .catch((err: unknown) => {
        showActivity(node, 'retrying', 'feed not read');
        node.warn(`stock feed ${config.url}: ${err instanceof Error ? err.message : String(err)}`);
      })
      .finally(() => {
        reading = false;
      });
  };
  const minutes = Number(config.intervalMinutes) || 60;
  const timer = setInterval(read, minutes * 60_000);
  const startup = setTimeout(read, 500);
  node.on('close', () => {
    clearInterval(timer);
    clearTimeout(startup);
  });
}

export = function registerInventoryInNode(RED: NodeAPI): void {
  function DropshipInventoryInNode(this: Node, config: InventoryInNodeDef): void {
    RED.nodes.createNode(this, config);
    startInventoryIn(RED, this, config);
  }
  RED.nodes.registerType('dropship-inventory-in', DropshipInventoryInNode as never, {
    credentials: { token: { type: 'password' } },
  });
};
