import assert from 'node:assert/strict';
import helper from 'node-red-node-test-helper';
import type { NodeAPI, NodeDef } from 'node-red';
import { tmpdir } from 'node:os';
import path from 'node:path';
import routerNode from '../../nodes/router/router';
import storeNode from '../../nodes/store/store';
import { startSweep, type Sweep } from '../../nodes/adapter/sweep';
import type { Node } from '../../nodes/adapter/node-red';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const coreCatchNode = require('@node-red/nodes/core/common/25-catch.js') as (RED: NodeAPI) => void;
/**
 * Node-RED's Catch node. Under Node-RED 5 the runtime keeps it registered from an earlier file of the same mocha
 * worker, and a second registration throws: that one is the Catch node the flow gets.
 */
const catchNode = (RED: NodeAPI): void => {
  try {
    coreCatchNode(RED);
  } catch (err) {
    if (!(err instanceof Error && /catch already registered/.test(err.message))) throw err;
  }
};

helper.init(require.resolve('node-red'));

interface StatusCall {
  args: [{ fill?: string; text?: string }];
  thisValue: unknown;
}

interface SpiedNode {
  on(event: string, listener: (value: never) => void): void;
  status: { getCalls(): StatusCall[] };
}

/** Resolves with the first status `node` shows that passes `test`, including one shown before the call. */
function statusOf(
  id: string,
  test: (status: StatusCall['args'][0]) => boolean,
): Promise<StatusCall['args'][0]> {
  const node = helper.getNode(id) as unknown as SpiedNode;
  const shown = (call: StatusCall) => call.thisValue === node && test(call.args[0]);
  return new Promise((resolve) => {
    const earlier = node.status.getCalls().find(shown);
    if (earlier) resolve(earlier.args[0]);
    node.on('call:status', (call: never) => {
      if (shown(call)) resolve((call as StatusCall).args[0]);
    });
  });
}

const nextMessage = (id: string) =>
  new Promise<Record<string, unknown>>((resolve) =>
    (helper.getNode(id) as unknown as SpiedNode).on('input', resolve),
  );

/** A run the test finishes by hand, to see what happens while it is in flight. */
interface HeldRun {
  input: string | undefined;
  finish(error?: Error): void;
}

/**
 * A node whose only work is the sweep, so each rule of the helper can be watched on a real Node-RED node: the
 * runs it is asked for wait in `runs` until the test finishes them.
 */
const runs: HeldRun[] = [];

let probe: Sweep<string> | undefined;
function probeNode(RED: NodeAPI): void {
  function SweepProbe(this: Node, config: NodeDef & { everyMs: number }): void {
    RED.nodes.createNode(this, config);
    probe = startSweep<string>(RED, this, {
      name: 'probe sweep',
      everyMs: Number(config.everyMs),
      firstAfterMs: 0,
      run: (_signal, input) =>
        new Promise<void>((resolve, reject) => {
          runs.push({ input, finish: (error) => (error ? reject(error) : resolve()) });
        }),
    });
  }
  RED.nodes.registerType('sweep-probe', SweepProbe as never);
}

/** Flow nodes need a tab and a position: without them Node-RED takes a node for a config node. */
const PROBE_FLOW = [
  { id: 'f1', type: 'tab' },
  { id: 'probe', z: 'f1', x: 100, y: 100, type: 'sweep-probe', everyMs: 20 },
] as never;

const settledSoon = <T>(promise: Promise<T>): Promise<boolean> =>
  Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 100)),
  ]);

describe('the sweep every store-following node runs (nodes/adapter/sweep.ts)', function () {
  beforeEach(async () => {
    runs.length = 0;
    await new Promise<void>((resolve) => helper.startServer(resolve));
  });
  afterEach(async () => {
    for (const run of runs) run.finish();
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(resolve));
  });

  /** A router with a Catch node for every error of the flow, and its store as given. */
  function routerFlow(store: Record<string, unknown> | undefined) {
    return [
      { id: 'f1', type: 'tab' },
      ...(store ? [{ id: 'store', type: 'dropship-store', ...store }] : []),
      {
        id: 'router',
        z: 'f1',
        x: 100,
        y: 100,
        type: 'dropship-router',
        name: 'main',
        store: store ? 'store' : '',
        rules: { strategy: 'lowest_cost' },
        sweepSeconds: 3600,
        wires: [[], []],
      },
      {
        id: 'catch',
        z: 'f1',
        x: 100,
        y: 200,
        type: 'catch',
        scope: null,
        uncaught: false,
        wires: [['caught']],
      },
      { id: 'caught', z: 'f1', x: 300, y: 200, type: 'helper' },
    ] as never;
  }

  it("reports a failed routing sweep to Catch nodes and on the router's status", async () => {
    // A store that cannot open (its folder does not exist): every sweep fails, as with the database gone.
    const missing = path.join(tmpdir(), `dropship-missing-${process.pid}`, 'orders.sqlite');
    await helper.load(
      [storeNode, routerNode, catchNode],
      routerFlow({ engine: 'sqlite', filename: missing }),
    );
    const caught = await nextMessage('caught');
    assert.equal(caught.topic, 'routing sweep');
    const error = caught.error as { message: string; source: unknown };
    assert.match(error.message, /^routing sweep failed: .*directory does not exist/);
    assert.deepEqual(error.source, { id: 'router', type: 'dropship-router', name: 'main', count: 1 });
    assert.deepEqual(await statusOf('router', (status) => status.fill === 'yellow'), {
      fill: 'yellow',
      shape: 'ring',
      text: 'retrying: routing sweep failed, tried again on the next run: Cannot open database because the directory does not exist',
    });
  });

  it('shows a sweep that cannot run for want of configuration on the status and warns, without an error', async () => {
    await helper.load([routerNode, catchNode], routerFlow(undefined));
    const router = helper.getNode('router') as unknown as {
      warn: { getCalls(): { args: unknown[]; thisValue: unknown }[] };
      error: { getCalls(): { args: unknown[]; thisValue: unknown }[] };
    };
    assert.deepEqual(await statusOf('router', (status) => status.fill === 'red'), {
      fill: 'red',
      shape: 'dot',
      text: 'failed: routing sweep cannot run: dropship-router "main" has no store configured',
    });
    const of = (calls: { args: unknown[]; thisValue: unknown }[]) =>
      calls.filter((call) => call.thisValue === router).map((call) => call.args[0]);
    assert.deepEqual(of(router.warn.getCalls()), [
      'routing sweep cannot run: dropship-router "main" has no store configured',
    ]);
    assert.deepEqual(of(router.error.getCalls()), []);
  });

  it('runs at once and then on the timer, never two at once, and a run asked for waits for the one in flight', async () => {
    await helper.load([probeNode], PROBE_FLOW);
    while (runs.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // Many ticks pass while the first run is held: none starts a second.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(runs.length, 1);
    const asked = probe!.now('from a message');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(runs.length, 1, 'the run asked for waits for the one in flight');
    runs[0]!.finish();
    while (runs.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(runs[1]!.input, 'from a message');
    runs[1]!.finish(new Error('supplier down'));
    await assert.rejects(asked, /supplier down/);
  });

  it('reports a failed timed run once, and shows waiting again after the next run succeeds', async () => {
    await helper.load([probeNode], PROBE_FLOW);
    while (runs.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const node = helper.getNode('probe') as unknown as {
      error: { getCalls(): { args: unknown[]; thisValue: unknown }[] };
    };
    runs[0]!.finish(new Error('store closed'));
    await statusOf(
      'probe',
      (status) => status.text === 'retrying: probe sweep failed, tried again on the next run: store closed',
    );
    assert.deepEqual(
      node.error
        .getCalls()
        .filter((call) => call.thisValue === node)
        .map((call) => call.args[0]),
      ['probe sweep failed: store closed'],
    );
    while (runs.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    runs[1]!.finish();
    assert.deepEqual(await statusOf('probe', (status) => status.text === 'waiting'), {
      fill: 'grey',
      shape: 'ring',
      text: 'waiting',
    });
  });

  it('waits, on close, for the run in flight and starts none after', async () => {
    await helper.load([probeNode], PROBE_FLOW);
    while (runs.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const closed = helper.unload();
    assert.equal(await settledSoon(closed), false, 'the close waits for the run in flight');
    runs[0]!.finish();
    assert.equal(await settledSoon(closed), true);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(runs.length, 1, 'no run after the close');
  });
});
