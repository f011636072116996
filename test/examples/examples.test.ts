import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import ts from 'typescript';
import { eventually, REPO, startNodeRed, type RunningNodeRed } from '../support/node-red-process';

/**
 * The flows in examples/ (Node-RED's Import > Examples menu): each deploys in a real Node-RED process without an
 * error, opens with a comment that explains it, keeps secrets out of the flow, and together they use every node
 * type of the package.
 */

const EXAMPLES = path.join(REPO, 'examples');
const MODULE = '@node-red-contrib-dropship/node-red-contrib-dropship';

interface FlowNode {
  id: string;
  type: string;
  z?: string;
  name?: string;
  info?: string;
  x?: number;
  y?: number;
  credentials?: Record<string, unknown>;
  [property: string]: unknown;
}

function exampleFiles(): string[] {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

function readExample(file: string): FlowNode[] {
  return JSON.parse(readFileSync(path.join(EXAMPLES, file), 'utf8')) as FlowNode[];
}

function packageNodes(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
    'node-red': { nodes: Record<string, string> };
  };
  return pkg['node-red'].nodes;
}

function packageNodeTypes(): string[] {
  return Object.keys(packageNodes());
}

/** The properties a node's runtime reads from its flow JSON: the members of its `extends NodeDef` interface. */
function runtimeProperties(type: string): string[] {
  const folder = path.basename(path.dirname(packageNodes()[type]!));
  const file = path.join(REPO, 'nodes', folder, `${folder}.ts`);
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const properties: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isInterfaceDeclaration(node) &&
      node.heritageClauses?.some((h) => h.types.some((t) => t.expression.getText() === 'NodeDef'))
    )
      for (const member of node.members) if (member.name) properties.push(member.name.getText());
    ts.forEachChild(node, visit);
  };
  visit(source);
  return properties;
}

/** Node-RED core node types an example may use besides ours (what a fresh install has, nothing from npm). */
const CORE_TYPES = new Set([
  'tab',
  'comment',
  'inject',
  'debug',
  'catch',
  'status',
  'complete',
  'link in',
  'link out',
  'function',
  'change',
  'switch',
  'template',
  'delay',
  'trigger',
  'http in',
  'http response',
  'http request',
  'json',
  'csv',
  'split',
  'join',
]);

const DASHBOARD_PACKAGE = '@flowfuse/node-red-dashboard';

/** Values that look like a secret: long random tokens, private keys, passwords in URLs. */
/**
 * The secrets the examples read from environment variables, set as an operator following their opening comments
 * would: an inbound route without its secret refuses every request and logs why when it starts.
 */
const EXAMPLE_SECRETS = {
  SHOPIFY_WEBHOOK_SECRET: 'example-shopify-secret',
  WOOCOMMERCE_WEBHOOK_SECRET: 'example-woocommerce-secret',
  SUPPLIER_TRACKING_SECRET: 'example-tracking-secret',
  RETURNS_SENDER_SECRET: 'example-returns-secret',
};

const SECRET_PATTERNS = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\b(shpat|shpss|ck|cs)_[A-Za-z0-9]{16,}/,
  /:\/\/[^/\s:@]+:[^/\s@]+@/,
];

/** Every string in a value, with its JSON path, for the secret scan. */
function stringsIn(value: unknown, at: string): [string, string][] {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsIn(v, `${at}[${i}]`));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => stringsIn(v, `${at}.${k}`));
  return [];
}

/** An example's "Sample order" inject nodes. */
function sampleOrders(file: string): FlowNode[] {
  return readExample(file).filter(
    (n) => n.type === 'inject' && typeof n.payload === 'string' && n.payload.includes('"externalId"'),
  );
}

function externalIdOf(inject: FlowNode): string {
  return (JSON.parse(inject.payload as string) as { externalId: string }).externalId;
}

describe('examples (Import > Examples)', () => {
  const files = exampleFiles();

  it('has the example flows the package promises', () => {
    for (const expected of [
      'Full drop-ship pipeline.json',
      'EDI supplier over SFTP.json',
      'E-mail-only supplier.json',
      'Multi-supplier routing with stock and fallback.json',
      'Shopify store end to end.json',
      'WooCommerce store end to end.json',
      'Returns.json',
      'Order changes and a hold window.json',
      'Supplier portal.json',
    ])
      assert.ok(files.includes(expected), `examples/${expected} is missing`);
  });

  it('keeps each example apart: its own store file and its own sample order ids', () => {
    const storeFiles = files.flatMap((f) =>
      readExample(f)
        .filter((n) => n.type === 'dropship-store' && n.engine === 'sqlite')
        .map((n) => `${String(n.filename)} (${f})`),
    );
    const names = storeFiles.map((s) => s.split(' ')[0]);
    assert.deepEqual(
      storeFiles.filter((_, i) => names.indexOf(names[i]) !== i),
      [],
      'a store file two examples share',
    );
    const sampleIds = files.flatMap((f) => sampleOrders(f).map((n) => externalIdOf(n)));
    assert.ok(sampleIds.length >= 4);
    assert.equal(new Set(sampleIds).size, sampleIds.length, `sample ids repeat: ${sampleIds.join(', ')}`);
  });

  it('names no port or host of this machine: URLs are paths of the Node-RED they run in', () => {
    for (const file of files)
      for (const [at, text] of readExample(file).flatMap((n) => stringsIn(n, n.id)))
        assert.doesNotMatch(text, /127\.0\.0\.1|localhost|:1880\b/, `${file} ${at}`);
  });

  it('uses every node type of the package somewhere', () => {
    const used = new Set(files.flatMap((f) => readExample(f).map((n) => n.type)));
    const unused = packageNodeTypes().filter((type) => !used.has(type));
    assert.deepEqual(unused, [], `no example uses ${unused.join(', ')}`);
  });

  for (const file of files) {
    describe(file, () => {
      let nodes: FlowNode[];
      before(() => {
        nodes = readExample(file);
      });

      it('is one tab that opens with a comment explaining it', () => {
        const tabs = nodes.filter((n) => n.type === 'tab');
        assert.equal(tabs.length, 1, 'one tab per example, so an import does not scatter it');
        const onTab = nodes.filter((n) => n.z === tabs[0]!.id);
        const topLeft = [...onTab].sort((a, b) => (a.y ?? 0) - (b.y ?? 0) || (a.x ?? 0) - (b.x ?? 0))[0];
        assert.equal(topLeft?.type, 'comment', 'the first node (top left) is not a comment');
        assert.ok((topLeft.info ?? '').length > 200, 'the opening comment explains too little');
      });

      it('uses only core nodes and the package nodes (and the dashboard where it says so), with unique ids and wires that lead somewhere', () => {
        const ours = new Set(packageNodeTypes());
        // The operator dashboard example builds on @flowfuse/node-red-dashboard and says so in its opening comment.
        const opening = nodes.find((n) => n.type === 'comment')?.info ?? '';
        const dashboard = opening.includes(DASHBOARD_PACKAGE);
        const ids = new Set(nodes.map((n) => n.id));
        assert.equal(ids.size, nodes.length, 'duplicate node ids');
        for (const node of nodes) {
          assert.ok(
            CORE_TYPES.has(node.type) || ours.has(node.type) || (dashboard && node.type.startsWith('ui-')),
            `${node.id} is of type ${node.type}`,
          );
          for (const port of (node.wires as string[][] | undefined) ?? [])
            for (const target of port) assert.ok(ids.has(target), `${node.id} is wired to missing ${target}`);
          for (const property of ['store', 'storefront', 'mailer'] as const) {
            const ref = node[property];
            if (typeof ref === 'string' && ref && ours.has(node.type))
              assert.ok(ids.has(ref), `${node.id}.${property} names missing config node ${ref}`);
          }
        }
      });

      it('sets every property each package node reads, so the example says what it relies on', () => {
        const ours = new Set(packageNodeTypes());
        for (const node of nodes.filter((n) => ours.has(n.type))) {
          const missing = runtimeProperties(node.type).filter((property) => !(property in node));
          assert.deepEqual(
            missing,
            [],
            `${node.type} ${node.name ?? node.id} leaves out ${missing.join(', ')}`,
          );
        }
      });

      it('holds no secrets: no credentials, no keys or passwords in any value', () => {
        for (const node of nodes) {
          assert.equal(node.credentials, undefined, `${node.id} carries credentials`);
          for (const [at, text] of stringsIn(node, node.id))
            for (const pattern of SECRET_PATTERNS)
              assert.doesNotMatch(text, pattern, `${at} looks like a secret`);
        }
      });
    });
  }

  describe('in a running Node-RED', function () {
    this.timeout(120_000);
    /**
     * Each example in its own Node-RED process, four starting at a time: their start-ups and waits overlap, and no
     * start competes with more than three others for the two cores (startNodeRed allows 40 s).
     */
    const STARTING_AT_ONCE = 4;
    let running: Map<string, Promise<{ nodeRed: RunningNodeRed; startedAt: number }>>;
    before(() => {
      const starts: Promise<unknown>[] = [];
      running = new Map(
        files.map((file, i) => {
          const turn = i >= STARTING_AT_ONCE ? starts[i - STARTING_AT_ONCE]! : Promise.resolve();
          const started = turn.then(() =>
            startNodeRed(path.join(EXAMPLES, file), { DROPSHIP_DEMO_SMTP_PORT: 'off', ...EXAMPLE_SECRETS }).then(
              (nodeRed) => ({
              nodeRed,
              startedAt: Date.now(),
            })),
          );
          starts.push(started.catch(() => undefined));
          started.catch(() => undefined); // reported by the example's own test
          return [file, started];
        }),
      );
    });
    after(async () => {
      await Promise.all(
        [...running.values()].map((started) =>
          started.then(
            ({ nodeRed }) => nodeRed.stop(),
            () => undefined,
          ),
        ),
      );
    });

    for (const file of files) {
      it(`deploys ${file} without errors`, async () => {
        const { nodeRed, startedAt } = await running.get(file)!;
        // Give the nodes' start-up work (store migration, sweeps, config checks) 4 s from the start of the flows
        // to report.
        await new Promise((r) => setTimeout(r, Math.max(0, startedAt + 4000 - Date.now())));
        const output = nodeRed.output();
        assert.doesNotMatch(output, /\[error\]/, output);
        assert.doesNotMatch(output, /Waiting for missing types/, output);
        const deployed = (await (
          await fetch(nodeRed.url('/flows'), { headers: { 'Node-RED-API-Version': 'v2' } })
        ).json()) as { flows: FlowNode[] };
        assert.deepEqual(
          deployed.flows.map((n) => n.id).sort(),
          readExample(file)
            .map((n) => n.id)
            .sort(),
        );
      });
    }

    it('runs the sample order of every example that has one, imported together into one Node-RED on a port of its own', async function () {
      this.timeout(120_000);
      const withSamples = files.filter((f) => sampleOrders(f).length > 0);
      assert.ok(withSamples.length >= 2, `examples with a sample order: ${withSamples.join(', ')}`);
      const dir = mkdtempSync(path.join(tmpdir(), 'dropship-examples-'));
      const together = path.join(dir, 'together.json');
      writeFileSync(together, JSON.stringify(withSamples.flatMap((f) => readExample(f))));
      const nodeRed = await startNodeRed(together, { DROPSHIP_DEMO_SMTP_PORT: 'off', ...EXAMPLE_SECRETS });
      try {
        assert.notEqual(nodeRed.port, 1880);
        for (const file of withSamples)
          for (const inject of sampleOrders(file)) {
            const pressed = await fetch(nodeRed.url(`/inject/${inject.id}`), { method: 'POST' });
            assert.equal(pressed.status, 200, `${file}: ${inject.name}`);
          }
        /** The orders and POs of an example's own store file. */
        const storeOf = (file: string) => {
          const store = readExample(file).find((n) => n.type === 'dropship-store')!;
          const db = new Database(path.join(nodeRed.userDir, String(store.filename)), { readonly: true });
          try {
            return {
              orders: db.prepare('SELECT id, external_id AS externalId, state FROM orders').all() as {
                id: string;
                externalId: string;
                state: string;
              }[],
              purchaseOrders: db.prepare('SELECT supplier_id AS supplierId, state FROM purchase_orders').all() as {
                supplierId: string;
                state: string;
              }[],
            };
          } finally {
            db.close();
          }
        };
        for (const file of withSamples) {
          const suppliers = readExample(file)
            .filter((n) => n.type === 'dropship-supplier')
            .map((n) => n.supplierId);
          const stored = await eventually(
            async () => {
              const found = storeOf(file);
              return found.purchaseOrders.length > 0 ? found : undefined;
            },
            30_000,
            `${file}: its sample order routed to its supplier`,
          );
          assert.deepEqual(
            stored.orders.map((o) => o.externalId),
            sampleOrders(file).map(externalIdOf),
            `${file} stored other orders than its own`,
          );
          for (const po of stored.purchaseOrders) assert.ok(suppliers.includes(po.supplierId), po.supplierId);
        }
        // The full pipeline's played supplier is reached on this Node-RED's port and reports back to it.
        const pipeline = 'Full drop-ship pipeline.json';
        const delivered = await eventually(
          async () => {
            const found = storeOf(pipeline);
            return found.orders[0]?.state === 'delivered' ? found : undefined;
          },
          60_000,
          'the full pipeline sample to be delivered',
        );
        assert.deepEqual(
          delivered.purchaseOrders.map((p) => p.state),
          ['delivered'],
        );
      } finally {
        await nodeRed.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('lists every example in the editor Import > Examples menu and serves each one', async () => {
      const { nodeRed } = await running.get(files[0]!)!;
      const modules = (await (await fetch(nodeRed.url('/library/examples/flows/'))).json()) as string[];
      assert.ok(modules.includes(MODULE), `the examples menu lists ${modules.join(', ')}, not ${MODULE}`);
      const entries = (await (await fetch(nodeRed.url(`/library/examples/flows/${MODULE}`))).json()) as {
        fn: string;
      }[];
      const names = entries.map((e) => e.fn);
      assert.deepEqual(
        [...names].sort(),
        files.map((f) => f.replace(/\.json$/, '')),
      );
      for (const name of names) {
        const flow = (await (
          await fetch(nodeRed.url(`/library/examples/flows/${MODULE}/${encodeURIComponent(name)}`))
        ).json()) as FlowNode[];
        assert.deepEqual(flow, readExample(`${name}.json`));
      }
    });
  });
});
