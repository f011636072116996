import { safeRelativePath, withTransport } from '../../connectors/transports';
import { x12StockReaderFor } from '../../connectors/edi/x12/read-stock-846';
import { systemClock } from '../../core/clock';
import { asDropshipError, DropshipError } from '../../core/errors';
import { withCatalogueSkus } from '../../core/inventory/catalogue-skus';
import { ingestStockFeed, type IngestResult } from '../../core/inventory/ingest-stock-feed';
import { parseStockFeed, type ParsedStockFeed } from '../../core/inventory/stock-feed';
import { ingestStockFiles, type StockFileOutcome } from '../../core/inventory/stock-files';
import type { StockDocumentReader } from '../../core/ports/stock-document-reader';
import { sellableUnderRules } from '../../core/routing/compiled-rules';
import { exceptionMessage, onInput } from '../adapter/input-handler';
import { migrateConfigNode } from '../adapter/config-migrations';
import { resolveFileConnection, type FileConnectionReference } from '../adapter/file-connection';
import { legacySecretsOf } from '../adapter/file-connection-legacy';
import { settleSecondsOf } from '../adapter/inbound-folder';
import { connectorLogOf, type Node, type NodeAPI, type NodeDef, type NodeMessage } from '../adapter/node-red';
import { showActivity } from '../adapter/status';
import { storeOf } from '../adapter/store-access';
import { startSweep } from '../adapter/sweep';
import { x12PartnerOf } from '../adapter/x12-partner';
import { routingRulesOf } from '../router/router-access';

interface InventoryInNodeDef extends NodeDef {
  store: string;
  supplier: string;
  router: string;
  thresholds: string;
  /** Where scheduled feeds come from; empty in flows saved before folders existed: `url` decides then. */
  source: '' | 'messages' | 'url' | 'files';
  url: string;
  intervalMinutes: number | string;
  /** The `dropship-file-connection` (SFTP or folder) of the `files` source. */
  connection: string;
  inboundFolder: string;
  archiveFolder: string;
  errorFolder: string;
  /** Seconds a file must be unchanged before it is read; empty in flows saved before it existed: 10. */
  settleSeconds: number | string;
}

interface InventoryInCredentials {
  token?: string;
  password?: string;
  privateKey?: string;
  passphrase?: string;
}

type FeedSource = 'messages' | 'url' | 'files';
type MigratedInventoryIn = InventoryInNodeDef & FileConnectionReference;

function sourceOf(config: InventoryInNodeDef): FeedSource {
  return config.source || (config.url ? 'url' : 'messages');
}

/**
 * The connection, folders and settle time of a folder source, checked before the first poll: traversal is refused
 * here.
 */
function folderSettingsOf(
  RED: NodeAPI,
  config: MigratedInventoryIn,
  stored: InventoryInCredentials | undefined,
) {
  return {
    connection: resolveFileConnection(
      RED,
      config,
      legacySecretsOf('dropship-inventory-in', stored),
      'stock folder settings',
    ),
    inboundFolder: safeRelativePath(config.inboundFolder, 'inbound folder'),
    archiveFolder: safeRelativePath(config.archiveFolder, 'archive folder'),
    errorFolder: safeRelativePath(config.errorFolder, 'error folder'),
    settleSeconds: settleSecondsOf(config.settleSeconds, 'stock folder settings'),
  };
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

/** A bad row as the second output carries it: the file it came from, when it came from a file. */
interface ReportedProblem {
  file?: string;
  /** Absent when a whole file was refused (too large). */
  line?: number;
  reason: string;
}

function problemsMessage(msg: NodeMessage, problems: ReportedProblem[], error: DropshipError): NodeMessage {
  return exceptionMessage({ ...msg, payload: problems }, error);
}

function badRowsError(problems: ReportedProblem[]): DropshipError {
  const where = (p: ReportedProblem) =>
    [p.file, p.line === undefined ? undefined : `line ${p.line}`].filter(Boolean).join(' ');
  return new DropshipError(
    'invalid_input',
    `${problems.length} row${problems.length === 1 ? '' : 's'} of the stock feed could not be read`,
    problems.map((problem) => ({ path: where(problem), message: problem.reason })),
  );
}

/** The runtime of one stock-feed node: feeds from messages, and from a REST address or a folder on a schedule. */
function startInventoryIn(
  RED: NodeAPI,
  node: Node & { credentials?: InventoryInCredentials },
  config: MigratedInventoryIn,
): void {
  const thresholds = thresholdsOf(config.thresholds);
  const source = sourceOf(config);

  async function store(feed: ParsedStockFeed, feedAt: Date): Promise<IngestResult> {
    // Buffers come from the router's rules when a router is chosen: sellable units mean the same in both nodes.
    const rules = routingRulesOf(RED, config.router);
    // The router looks stock up by the order line's SKU: rows in the supplier's part numbers take the shop's.
    const inShopSkus = rules?.catalogue ? withCatalogueSkus(feed, rules.catalogue) : feed;
    const opened = await storeOf(RED, node, config.store);
    const result = await ingestStockFeed(opened, inShopSkus, {
      feedAt,
      thresholds,
      sellable: rules ? sellableUnderRules(rules) : undefined,
    });
    // The identifiers a feed gives (an X12 846 line's UPC, EAN, vendor part) let storefront sync match by barcode.
    const identified = inShopSkus.rows.flatMap((row) =>
      row.identifiers?.length
        ? [{ supplierId: row.supplierId, sku: row.sku, identifiers: row.identifiers }]
        : [],
    );
    if (identified.length > 0) await opened.recordSupplierItems(identified, feedAt);
    for (const ignored of result.ignored) {
      node.warn(
        `stock feed of ${ignored.supplierId} at ${ignored.feedAt} ignored: a newer feed (${ignored.lastFeedAt}) was applied`,
      );
    }
    return result;
  }

  function report(result: IngestResult, msg: NodeMessage, file?: string): void {
    const changed =
      result.crossings.length > 0
        ? {
            ...msg,
            payload: result.crossings,
            stock: { format: result.format, applied: result.applied, ignored: result.ignored, file },
          }
        : null;
    const problems = result.problems.map((problem) => (file ? { file, ...problem } : problem));
    const bad = problems.length > 0 ? problemsMessage(msg, problems, badRowsError(problems)) : null;
    showActivity(
      node,
      result.applied === 0 && result.problems.length > 0 ? 'failed' : 'accepted',
      summary(result),
    );
    if (changed || bad) node.send([changed, bad]);
  }

  /**
   * The X12 846 reader for a supplier's feeds: read with its EDI conventions, every functional group answered with
   * a 997 through the supplier's own channel (the partner is owed one whatever node reads its files).
   */
  function x12ReaderFor(supplierId: string | undefined, msg: NodeMessage): StockDocumentReader {
    const partner = x12PartnerOf(
      () => storeOf(RED, node, config.store),
      supplierId,
      connectorLogOf(RED, node),
    );
    return x12StockReaderFor({
      conventions: partner?.conventions,
      acknowledge: async (receipts) => {
        if (!partner) {
          node.warn(
            `no 997 sent for ${receipts.length} X12 functional group(s): ${supplierId ? `supplier "${supplierId}" is not a deployed EDI X12 supplier` : 'no supplier chosen'}`,
          );
          return;
        }
        try {
          await partner.acknowledge(receipts);
        } catch (err) {
          const error = asDropshipError(err);
          node.warn(`997 not sent: ${error.message}`);
          node.send([null, exceptionMessage(msg, error)]);
        }
      },
    });
  }

  async function ingestPayload(payload: unknown, supplierId: string | undefined, msg: NodeMessage) {
    const feedAt = new Date();
    const feed = await parseStockFeed(payload, {
      supplierId: supplierId || undefined,
      receivedAt: feedAt.toISOString(),
      x12Reader: x12ReaderFor(supplierId || undefined, msg),
    });
    report(await store(feed, feedAt), msg);
  }

  function reportFile(outcome: StockFileOutcome, topic: string): void {
    if (outcome.status === 'ingested') {
      report(outcome.result, { topic }, outcome.file);
      return;
    }
    // Nothing of the file was stored; it waits in the error folder for a person.
    const problems: ReportedProblem[] =
      outcome.problems.length > 0
        ? outcome.problems.map((problem) => ({ file: outcome.file, ...problem }))
        : [{ file: outcome.file, reason: outcome.error.message }];
    const error = new DropshipError(
      'invalid_input',
      `stock file ${outcome.file} could not be read and was moved to ${outcome.errorFolder}: ${outcome.error.message}`,
      outcome.error.details,
    );
    node.warn(error.message);
    showActivity(node, 'failed', `${outcome.file} unreadable`);
    node.send([null, problemsMessage({ topic }, problems, error)]);
  }

  onInput(node, async (msg) => {
    const supplierId = typeof msg.supplierId === 'string' ? msg.supplierId : config.supplier;
    await ingestPayload(msg.payload, supplierId, msg);
  });

  // Closing (redeploy) stops a folder poll between two files (`signal`); the file being read is finished first.
  let readSource: (signal: AbortSignal) => Promise<void>;
  let where: string;
  if (source === 'url') {
    where = config.url;
    readSource = async () => {
      const headers: Record<string, string> = {
        accept: 'text/csv, application/json, application/edi-x12, */*',
      };
      if (node.credentials?.token) headers.authorization = `Bearer ${node.credentials.token}`;
      const response = await fetch(config.url, { headers, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`HTTP ${response.status} from the stock feed address`);
      await ingestPayload(Buffer.from(await response.arrayBuffer()), config.supplier, { topic: config.url });
    };
  } else if (source === 'files') {
    let settings: ReturnType<typeof folderSettingsOf>;
    try {
      settings = folderSettingsOf(RED, config, node.credentials);
    } catch (err) {
      showActivity(node, 'failed', 'settings');
      node.error(asDropshipError(err).message);
      return;
    }
    const { connection, ...folders } = settings;
    where = `${connection.label}/${folders.inboundFolder}`;
    const log = {
      debug: (message: string) => node.debug(message),
      info: (message: string) => node.log(message),
      warn: (message: string) => node.debug(message), // unreadable files are reported by reportFile
    };
    readSource = (signal) =>
      withTransport(connection.transport, connection.credentials, async (opened) => {
        const outcomes = ingestStockFiles(opened, {
          ...folders,
          parse: {
            supplierId: config.supplier || undefined,
            x12Reader: x12ReaderFor(config.supplier || undefined, { topic: where }),
          },
          ingest: store,
          clock: systemClock,
          log,
          signal,
        });
        // Each file is archived (or moved aside) when the next one is asked for: report it after that, so a
        // message never announces a move that is still to come. Always report the last one, even on failure.
        let previous: StockFileOutcome | undefined;
        try {
          for await (const outcome of outcomes) {
            if (previous) reportFile(previous, where);
            previous = outcome;
          }
        } finally {
          if (previous) reportFile(previous, where);
        }
      });
  } else {
    showActivity(node, 'waiting');
    return;
  }

  // A scheduled source is read at start and then every interval; a failed read waits for the next one.
  startSweep(node, {
    name: 'stock feed read',
    everyMs: (Number(config.intervalMinutes) || 60) * 60_000,
    firstAfterMs: 500,
    run: async (signal) => {
      showActivity(node, 'sending', 'reading feed');
      await readSource(signal);
    },
  });
}

export = function registerInventoryInNode(RED: NodeAPI): void {
  function DropshipInventoryInNode(this: Node, config: InventoryInNodeDef): void {
    // The saved config itself goes to createNode: it carries the node's flow (not copied with the properties).
    RED.nodes.createNode(this, config);
    const migrated: MigratedInventoryIn = migrateConfigNode('dropship-inventory-in', config);
    startInventoryIn(RED, this, migrated);
  }
  RED.nodes.registerType('dropship-inventory-in', DropshipInventoryInNode as never, {
    credentials: {
      token: { type: 'password' },
    },
  });
};
