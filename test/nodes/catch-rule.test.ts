import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import type { NodeAPI } from 'node-red';
import dispatchNode from '../../nodes/dispatch/dispatch';
import inventoryInNode from '../../nodes/inventory-in/inventory-in';
import metricsNode from '../../nodes/metrics/metrics';
import notifyNode from '../../nodes/notify/notify';
import orderInNode from '../../nodes/order-in/order-in';
import refundsNode from '../../nodes/refunds/refunds';
import returnsNode from '../../nodes/returns/returns';
import routerNode from '../../nodes/router/router';
import storeNode from '../../nodes/store/store';
import trackingInNode from '../../nodes/tracking-in/tracking-in';
import watchdogNode from '../../nodes/watchdog/watchdog';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const coreCatchNode = require('@node-red/nodes/core/common/25-catch.js') as (RED: NodeAPI) => void;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const coreCompleteNode = require('@node-red/nodes/core/common/24-complete.js') as (RED: NodeAPI) => void;
/** Node-RED's own node; under Node-RED 5 an earlier file of the same worker may have registered it already. */
const once =
  (register: (RED: NodeAPI) => void) =>
  (RED: NodeAPI): void => {
    try {
      register(RED);
    } catch (err) {
      if (!(err instanceof Error && /already registered/.test(err.message))) throw err;
    }
  };
const catchNode = once(coreCatchNode);
const completeNode = once(coreCompleteNode);

helper.init(require.resolve('node-red'));

/**
 * The rule of docs/operator-guide.md ("Errors: exceptions output or Catch"), node by node on a real Node-RED: a
 * message the node cannot use because of what it carries leaves the exceptions output and the message is done
 * without an error (no Catch); the node's own failure (here its store cannot open) reaches a Catch node and
 * nothing leaves the exceptions output.
 */
interface Case {
  type: string;
  /** The node's settings besides its store and wires. */
  settings: Record<string, unknown>;
  outputs: number;
  /** The exceptions output, absent for a node that has none (every failure goes to Catch). */
  exceptions?: number;
  /** A message the node cannot use, and the code it is refused with. */
  badMessage?: { msg: Record<string, unknown>; code: string };
  /** A message the node would take, for the store failure. */
  goodMessage: Record<string, unknown>;
}

const CASES: Case[] = [
  {
    type: 'dropship-order-in',
    settings: { platform: 'generic', senderAuth: 'none', listen: false },
    outputs: 2,
    exceptions: 1,
    badMessage: { msg: { payload: { externalId: 'X' } }, code: 'invalid_input' },
    goodMessage: { payload: { externalId: 'X' } },
  },
  {
    type: 'dropship-router',
    settings: { rules: { strategy: 'lowest_cost' }, sweepSeconds: 3600 },
    outputs: 2,
    exceptions: 1,
    badMessage: { msg: { payload: 'no id' }, code: 'invalid_input' },
    goodMessage: { orderId: 'ord-1' },
  },
  {
    type: 'dropship-dispatch',
    settings: { sweepSeconds: 3600 },
    outputs: 2,
    exceptions: 1,
    badMessage: { msg: { payload: 'no PO number' }, code: 'invalid_input' },
    goodMessage: { poNumber: 'PO0000000000-1' },
  },
  {
    type: 'dropship-inventory-in',
    settings: { supplier: 'acme', router: '', thresholds: '', url: '', intervalMinutes: 60 },
    outputs: 2,
    exceptions: 1,
    badMessage: { msg: { payload: 42 }, code: 'invalid_input' },
    goodMessage: { payload: 'sku,quantity\nTEE-01,5\n' },
  },
  {
    type: 'dropship-notify',
    settings: { channels: 'email', mailer: '', sweepSeconds: 3600 },
    outputs: 2,
    exceptions: 1,
    badMessage: { msg: { payload: 'no order id' }, code: 'invalid_input' },
    goodMessage: { orderId: 'ord-1' },
  },
  {
    type: 'dropship-tracking-in',
    settings: { listen: false, source: 'none', mapping: '' },
    outputs: 3,
    exceptions: 1,
    badMessage: { msg: { payload: 'neither JSON nor a ship notice' }, code: 'invalid_input' },
    goodMessage: {
      payload: { trackingNumber: '1Z999AA10123456784', poNumber: 'PO0000000000-1', status: 'in_transit' },
    },
  },
  {
    type: 'dropship-returns',
    settings: { listen: false, policies: '' },
    outputs: 2,
    exceptions: 1,
    badMessage: { msg: { payload: { order: '#404', lines: [], reason: 'too small' } }, code: 'not_found' },
    goodMessage: { payload: { order: '#1001', lines: [], reason: 'too small' } },
  },
  {
    type: 'dropship-watchdog',
    settings: { sweepSeconds: 3600 },
    outputs: 3,
    exceptions: 2,
    badMessage: { msg: { topic: 'reboot' }, code: 'invalid_input' },
    goodMessage: { topic: 'order', orderId: 'ord-1' },
  },
  {
    type: 'dropship-refunds',
    settings: { storefront: '', policy: 'propose', automaticUpTo: '', sweepSeconds: 3600 },
    outputs: 2,
    exceptions: 1,
    badMessage: { msg: { topic: 'reboot' }, code: 'invalid_input' },
    goodMessage: { topic: 'refunds', orderId: 'ord-1' },
  },
  {
    type: 'dropship-metrics',
    settings: { listen: false, intervalSeconds: 0 },
    outputs: 2,
    goodMessage: { payload: {} },
  },
];

const NODES = [
  storeNode,
  orderInNode,
  routerNode,
  dispatchNode,
  inventoryInNode,
  notifyNode,
  trackingInNode,
  returnsNode,
  watchdogNode,
  metricsNode,
  refundsNode,
  catchNode,
  completeNode,
];

interface Received {
  outputs: Record<string, unknown>[][];
  caught: Record<string, unknown>[];
  /** Messages the node finished without an error (Node-RED's Complete node). */
  completed: Record<string, unknown>[];
}

describe('errors: the exceptions output for the message, Catch for the node (every node)', function () {
  this.timeout(20_000);
  let dir: string;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-catch-rule-'));
    await new Promise<void>((resolve) => helper.startServer(resolve));
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  async function load(c: Case, storeFile: string): Promise<Received> {
    const outs = Array.from({ length: c.outputs }, (_, i) => `out${i}`);
    await helper.load(NODES, [
      { id: 'f1', type: 'tab' },
      { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: storeFile },
      {
        id: 'under-test',
        z: 'f1',
        x: 0,
        y: 0,
        type: c.type,
        store: 'store',
        ...c.settings,
        wires: outs.map((o) => [o]),
      },
      ...outs.map((id) => ({ id, z: 'f1', x: 0, y: 0, type: 'helper' })),
      { id: 'catch', z: 'f1', x: 0, y: 0, type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', z: 'f1', x: 0, y: 0, type: 'helper' },
      {
        id: 'complete',
        z: 'f1',
        x: 0,
        y: 0,
        type: 'complete',
        scope: ['under-test'],
        uncaught: false,
        wires: [['completed']],
      },
      { id: 'completed', z: 'f1', x: 0, y: 0, type: 'helper' },
    ] as never);
    const received: Received = { outputs: outs.map(() => []), caught: [], completed: [] };
    const on = (id: string, listener: (msg: Record<string, unknown>) => void) =>
      (helper.getNode(id) as unknown as { on(e: 'input', f: typeof listener): void }).on('input', listener);
    outs.forEach((id, i) => on(id, (msg) => received.outputs[i]!.push(msg)));
    on('caught', (msg) => received.caught.push(msg));
    on('completed', (msg) => received.completed.push(msg));
    return received;
  }

  /** Resolves with the first message `list` gets that carries `marker`. */
  async function arrival(list: Record<string, unknown>[], marker: string): Promise<Record<string, unknown>> {
    for (;;) {
      const found = list.find((msg) => msg.marker === marker);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  for (const c of CASES) {
    describe(c.type, () => {
      if (c.badMessage && c.exceptions !== undefined) {
        const { msg, code } = c.badMessage;
        const exceptions = c.exceptions;
        it(`sends a message it cannot use out of its exceptions output (${code}), not to Catch`, async () => {
          const received = await load(c, path.join(dir, 'orders.sqlite'));
          helper.getNode('under-test').receive({ ...msg, marker: 'bad' });
          const out = await arrival(received.outputs[exceptions]!, 'bad');
          assert.equal((out.error as { code: string }).code, code);
          // Finished without an error (the Complete node hears of it), so no Catch node can.
          await arrival(received.completed, 'bad');
          assert.deepEqual(
            received.caught.filter((m) => m.marker === 'bad'),
            [],
          );
        });
      }
      it('sends a failure of the node (its store cannot open) to Catch, and nothing out of the exceptions output', async () => {
        const missing = path.join(dir, 'no-such-folder', 'orders.sqlite');
        const received = await load(c, missing);
        helper.getNode('under-test').receive({ ...c.goodMessage, marker: 'broken' });
        const caught = await arrival(received.caught, 'broken');
        assert.equal((caught.error as { source: { id: string } }).source.id, 'under-test');
        assert.match((caught.error as { message: string }).message, /directory does not exist|Cannot open/);
        assert.deepEqual(
          received.completed.filter((m) => m.marker === 'broken'),
          [],
        );
        if (c.exceptions !== undefined)
          assert.deepEqual(
            received.outputs[c.exceptions]!.filter((m) => m.marker === 'broken'),
            [],
          );
      });
    });
  }
});
