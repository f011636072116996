import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Node, NodeAPI } from './node-red';

/**
 * One status vocabulary across the palette, so an operator reads every node the same way: every status starts
 * with one of five words, waiting (idle, ready), sending (work in flight), accepted (last item succeeded),
 * retrying (transient failure, will try again), failed (needs a person), followed by what it is about (an order
 * number, a PO and its supplier) and, when something waits or fails, the reason.
 *
 * The words and the phrases every node shares are one message catalogue section (`dropship.status` in the store
 * node's locales/en-US/store.json, as Node-RED's own nodes share `node-red:common.status`); a node's own phrases
 * are the `status` section of its locales/en-US/<node>.json. Texts are translated at run time through `RED._`.
 */
export type NodeActivity = 'waiting' | 'sending' | 'accepted' | 'retrying' | 'failed';

const LOOK: Record<
  NodeActivity,
  { fill: 'grey' | 'blue' | 'green' | 'yellow' | 'red'; shape: 'ring' | 'dot' }
> = {
  waiting: { fill: 'grey', shape: 'ring' },
  sending: { fill: 'blue', shape: 'dot' },
  accepted: { fill: 'green', shape: 'dot' },
  retrying: { fill: 'yellow', shape: 'ring' },
  failed: { fill: 'red', shape: 'dot' },
};

export type StatusParams = Record<string, string | number>;

/**
 * What a status says after its word: a phrase of the node's own `status` section ("orderReceived"), or of the
 * shared one ("shared.sweepFailed"), with its parameters.
 */
export interface StatusPhrase {
  key: string;
  params?: StatusParams;
}

const SHARED_PREFIX = 'shared.';

function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json of node-red-contrib-dropship not found');
    dir = parent;
  }
  return dir;
}

const ROOT = packageRoot();
/** Node-RED names each node set's catalogue `<module>/<node set>`; the node sets are named by their types. */
const MODULE = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string }).name;
const SHARED_NODE_TYPE = 'dropship-store';

/** The catalogue key of a phrase, with its namespace: `<module>/<type>:<type>.status.<key>`. */
export function statusMessageKey(nodeType: string, key: string): string {
  if (key.startsWith(SHARED_PREFIX))
    return `${MODULE}/${SHARED_NODE_TYPE}:dropship.status.${key.slice(SHARED_PREFIX.length)}`;
  return `${MODULE}/${nodeType}:${nodeType}.status.${key}`;
}

/** The node's folder under nodes/ (and dist/nodes/): its type without the `dropship-` prefix. */
function catalogueFile(nodeType: string): string {
  const folder = nodeType.replace(/^dropship-/, '');
  return path.join(__dirname, '..', folder, 'locales', 'en-US', `${folder}.json`);
}

const englishCatalogues = new Map<string, Record<string, unknown>>();

function englishText(messageKey: string): string | undefined {
  const [namespace, key] = messageKey.split(':') as [string, string];
  const nodeType = namespace.slice(MODULE.length + 1);
  let catalogue = englishCatalogues.get(nodeType);
  if (!catalogue) {
    catalogue = JSON.parse(readFileSync(catalogueFile(nodeType), 'utf8')) as Record<string, unknown>;
    englishCatalogues.set(nodeType, catalogue);
  }
  let value: unknown = catalogue;
  for (const part of key.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  return typeof value === 'string' ? value : undefined;
}

function interpolate(text: string, params: StatusParams = {}): string {
  return text.replace(/__(\w+)__/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/**
 * The text of a phrase through `RED._`. A runtime that loaded no catalogue for the node (Node-RED's test helper
 * stubs `RED._` to give the key back) gets the English of the node's en-US file, so a status never shows a key.
 */
export function statusText(RED: Pick<NodeAPI, '_'>, nodeType: string, phrase: StatusPhrase): string {
  const messageKey = statusMessageKey(nodeType, phrase.key);
  const translated = RED._(messageKey, phrase.params);
  // i18next answers a missing key with the key, with or without its namespace.
  if (translated && translated !== messageKey && !messageKey.endsWith(`:${translated}`)) return translated;
  const english = englishText(messageKey);
  if (english === undefined) throw new Error(`no status text ${messageKey}`);
  return interpolate(english, phrase.params);
}

export interface NodeStatus {
  /** Shows `activity`'s word, then the phrase if there is one; the text never contains customer data. */
  show(activity: NodeActivity, key?: string, params?: StatusParams): void;
}

/** E-mail addresses and international phone numbers a reason may quote (an SMTP server's refusal names its recipient). */
const CUSTOMER_CONTACT = /[^\s@<>"']+@[^\s@<>"']+\.[^\s@<>"']+|\+\d[\d ().-]{6,}\d/g;

function withoutContacts(params: StatusParams | undefined): StatusParams | undefined {
  if (!params) return undefined;
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [
      name,
      typeof value === 'string' ? value.replace(CUSTOMER_CONTACT, '…') : value,
    ]),
  );
}

export function nodeStatus(RED: Pick<NodeAPI, '_'>, node: Node): NodeStatus {
  return {
    show(activity, key, params) {
      const word = statusText(RED, node.type, { key: `${SHARED_PREFIX}${activity}` });
      const text = key
        ? `${word}: ${statusText(RED, node.type, { key, params: withoutContacts(params) })}`
        : word;
      node.status({ ...LOOK[activity], text });
    },
  };
}
