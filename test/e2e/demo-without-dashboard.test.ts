import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, startNodeRed, type RunningNodeRed } from '../support/node-red-process';

interface FlowNode {
  id: string;
  type: string;
  wires?: string[][];
}

// settings.js is CommonJS without types: the one function it uses, typed here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { flowFileForInstalledDashboard } = require('../../demo/optional-dashboard') as {
  flowFileForInstalledDashboard(
    this: void,
    flowFile: string,
    userDir: string,
    resolve?: (request: string) => string,
  ): string;
};

const DEMO = path.join(REPO, 'flows', 'demo.json');
const notInstalled = (request: string): string => {
  throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });
};

describe('npm start without @flowfuse/node-red-dashboard (a devDependency)', function () {
  this.timeout(120_000);
  let userDir: string;
  let nodeRed: RunningNodeRed | undefined;

  before(() => {
    userDir = mkdtempSync(path.join(tmpdir(), 'dropship-no-dashboard-'));
  });
  after(async () => {
    await nodeRed?.stop();
    rmSync(userDir, { recursive: true, force: true });
  });

  it('keeps the demo flow file when the dashboard is installed', () => {
    assert.equal(flowFileForInstalledDashboard(DEMO, userDir), DEMO);
  });

  it('loads a copy without the ui-* nodes and wires to them, and that copy starts', async () => {
    const copy = flowFileForInstalledDashboard(DEMO, userDir, notInstalled);
    assert.notEqual(copy, DEMO);
    const demo = JSON.parse(readFileSync(DEMO, 'utf8')) as FlowNode[];
    const kept = JSON.parse(readFileSync(copy, 'utf8')) as FlowNode[];
    assert.ok(
      demo.some((n) => n.type.startsWith('ui-')),
      'the demo has no dashboard nodes to leave out',
    );
    assert.deepEqual(
      kept.filter((n) => n.type.startsWith('ui-')),
      [],
    );
    const ids = new Set(kept.map((n) => n.id));
    for (const node of kept)
      for (const port of node.wires ?? [])
        for (const target of port) assert.ok(ids.has(target), `${node.id} is wired to missing ${target}`);
    for (const type of ['dropship-watchdog', 'dropship-metrics', 'dropship-router'])
      assert.ok(
        kept.some((n) => n.type === type),
        `${type} was left out`,
      );

    nodeRed = await startNodeRed(copy, { DROPSHIP_DEMO_EDI: 'off' });
    const metrics = await fetch(nodeRed.url('/dropship/api/metrics'));
    assert.equal(metrics.status, 200);
    assert.ok(!nodeRed.output().includes('Waiting for missing types'), nodeRed.output());
  });
});
