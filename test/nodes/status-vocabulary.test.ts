import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { EMAIL_CHANNEL } from '../../core/notify/email-outbox';
import { SMS_CHANNEL } from '../../core/notify/sms-channel';
import { STOREFRONT_CHANNEL } from '../../core/notify/storefront-channel';
import { nodeStatus, statusText } from '../../nodes/adapter/status';
import type { Node } from '../../nodes/adapter/node-red';

/**
 * The status vocabulary: every phrase a node's code shows exists in its message catalogue (the node's own
 * `status` section, or the shared `dropship.status` of the store node's), and the README's table lists the
 * words the catalogue has, with the look the nodes give them.
 */

const ROOT = path.join(__dirname, '..', '..');
const NODES = path.join(ROOT, 'nodes');
const CHANNELS = [EMAIL_CHANNEL, SMS_CHANNEL, STOREFRONT_CHANNEL];
const WORDS = ['waiting', 'sending', 'accepted', 'retrying', 'failed'];

type Catalogue = Record<string, unknown>;

function catalogue(folder: string): Catalogue {
  return JSON.parse(
    readFileSync(path.join(NODES, folder, 'locales', 'en-US', `${folder}.json`), 'utf8'),
  ) as Catalogue;
}

function lookUp(root: Catalogue, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((value, part) => (value as Catalogue | undefined)?.[part], root);
}

const SHARED = lookUp(catalogue('store'), 'dropship.status') as Catalogue;

/** The status phrase keys one source file shows, read from its syntax: every form of key must be understood. */
function phraseKeys(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const keys: string[] = [];
  const literals = (expression: ts.Expression): string[] | undefined => {
    if (ts.isStringLiteral(expression)) return [expression.text];
    if (ts.isConditionalExpression(expression)) {
      const sides = [literals(expression.whenTrue), literals(expression.whenFalse)];
      return sides.every(Boolean) ? (sides.flat() as string[]) : undefined;
    }
    return undefined;
  };
  /** Values of `const NAME = { ... }` in the file (a phrase chosen by a lookup table). */
  const tableValues = (name: string): string[] => {
    const found: string[] = [];
    const visit = (node: ts.Node): void => {
      if (
        ts.isVariableDeclaration(node) &&
        ts.isIdentifier(node.name) &&
        node.name.text === name &&
        node.initializer
      ) {
        let init: ts.Expression = node.initializer;
        if (ts.isAsExpression(init)) init = init.expression;
        if (ts.isObjectLiteralExpression(init))
          for (const property of init.properties)
            if (ts.isPropertyAssignment(property)) found.push(...(literals(property.initializer) ?? []));
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
  };
  /** Every `key: '...'` of the file (a phrase kept in a variable until it is shown). */
  const keyProperties = (): string[] => {
    const found: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && node.name.text === 'key')
        found.push(...(literals(node.initializer) ?? []));
      ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
  };
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'show' &&
      /status$/i.test(node.expression.expression.getText(source))
    ) {
      const [activity, phrase] = node.arguments;
      assert.ok(activity && literals(activity), `${file}: ${node.getText(source)} names its word literally`);
      for (const word of literals(activity)!) assert.ok(WORDS.includes(word), `${file}: word ${word}`);
      if (phrase) {
        const plain = literals(phrase);
        if (plain) keys.push(...plain);
        else if (ts.isTemplateExpression(phrase) && phrase.templateSpans.length === 1)
          keys.push(...CHANNELS.map((channel) => `${phrase.head.text}${channel}`));
        else if (ts.isElementAccessExpression(phrase) && ts.isIdentifier(phrase.expression))
          keys.push(...tableValues(phrase.expression.text));
        else if (ts.isPropertyAccessExpression(phrase) && phrase.name.text === 'key')
          keys.push(...keyProperties());
        else assert.fail(`${file}: a status phrase this test cannot read: ${phrase.getText(source)}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return keys;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(path.join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [path.join(dir, entry.name)]
        : [],
  );
}

describe('status vocabulary', () => {
  const byFolder = new Map<string, string[]>();
  for (const file of sourceFiles(NODES)) {
    const folder = path.relative(NODES, file).split(path.sep)[0]!;
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), ...phraseKeys(file)]);
  }

  it('finds the phrases of every node that shows a status', () => {
    for (const folder of [
      'order-in',
      'router',
      'dispatch',
      'tracking-in',
      'notify',
      'inventory-in',
      'returns',
      'watchdog',
      'metrics',
      'refunds',
      'storefront-sync',
    ])
      assert.ok((byFolder.get(folder) ?? []).length > 0, `${folder} shows phrases`);
  });

  it('has every phrase the code shows in the catalogue it is read from', () => {
    const missing: string[] = [];
    for (const [folder, keys] of byFolder) {
      for (const key of keys) {
        const text = key.startsWith('shared.')
          ? SHARED[key.slice('shared.'.length)]
          : folder === 'adapter'
            ? undefined
            : lookUp(catalogue(folder), `dropship-${folder}.status.${key}`);
        if (typeof text !== 'string') missing.push(`${folder}: ${key}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('uses no raw codes and no bare counts in any phrase', () => {
    const phrases: string[] = [];
    const collect = (value: unknown): void => {
      if (typeof value === 'string') phrases.push(value);
      else if (value && typeof value === 'object') Object.values(value).forEach(collect);
    };
    for (const folder of byFolder.keys())
      if (folder !== 'adapter') collect(lookUp(catalogue(folder), `dropship-${folder}.status`));
    collect(SHARED);
    for (const phrase of phrases) {
      assert.doesNotMatch(phrase, /\b(bad_signature|invalid_input|not_found|needs_attention)\b/, phrase);
      assert.doesNotMatch(phrase, /^__\w+__ (sent|groups?|received)$/, phrase);
    }
  });

  it("lists in the README's table the words of the catalogue, each with the look the nodes give it", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| (\w+) +\| (\w+) (ring|dot) +\|/gm)].map(
      ([, word, fill, shape]) => ({
        word,
        fill,
        shape,
      }),
    );
    assert.deepEqual(
      rows.map((r) => r.word),
      WORDS.map((word) => SHARED[word]),
    );
    for (const row of rows) {
      const shown: { fill?: string; shape?: string; text?: string }[] = [];
      const node = { type: 'dropship-router', status: (s: (typeof shown)[number]) => shown.push(s) };
      nodeStatus({ _: (key: string) => key }, node as unknown as Node).show(row.word as 'waiting');
      assert.deepEqual(shown, [{ fill: row.fill, shape: row.shape, text: row.word }]);
    }
  });

  it('shows the word, then the phrase with its parameters, and keeps customer contacts out', () => {
    const shown: { text?: string }[] = [];
    const node = { type: 'dropship-notify', status: (s: (typeof shown)[number]) => shown.push(s) };
    nodeStatus({ _: (key: string) => key }, node as unknown as Node).show('retrying', 'notSent.email', {
      milestone: 'Shipped',
      reason: '550 5.1.1 <jane.doe@example.com>: mailbox unknown; call +1 555 010 9999',
    });
    assert.deepEqual(shown, [
      {
        fill: 'yellow',
        shape: 'ring',
        text: 'retrying: Shipped e-mail not sent: 550 5.1.1 <…>: mailbox unknown; call …',
      },
    ]);
  });

  it("takes the text from Node-RED's catalogue when the runtime has one", () => {
    const asked: string[] = [];
    const RED = {
      _: (key: string, params?: Record<string, unknown>) => {
        asked.push(key);
        return key.endsWith('.received') ? `commande ${String(params?.order)} reçue` : key;
      },
    };
    assert.equal(
      statusText(RED as never, 'dropship-order-in', { key: 'received', params: { order: '#1001' } }),
      'commande #1001 reçue',
    );
    assert.deepEqual(asked, [
      '@node-red-contrib-dropship/node-red-contrib-dropship/dropship-order-in:dropship-order-in.status.received',
    ]);
  });
});
