import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../bin/dropship';
import type { RoutingDecision } from '../../core/routing/route-order';
import { sampleOrderDraft } from '../support/orders';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('dropship route (CLI)', () => {
  let dir: string;
  const file = (name: string, content: unknown) => {
    const target = path.join(dir, name);
    writeFileSync(target, typeof content === 'string' ? content : JSON.stringify(content));
    return target;
  };
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-route-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const rules = {
    strategy: 'lowest_cost',
    suppliers: { acme: { stock: { buffer: { units: 2 } } }, zeta: {} },
    catalogue: [
      { supplier: 'acme', match: { sku: '*' }, unitCost: 5 },
      { supplier: 'zeta', match: { sku: '*' }, unitCost: 6 },
    ],
  };

  it('prints the decision with its explanation, using the stock CSV', async () => {
    const stock = file(
      'stock.csv',
      'supplier,sku,quantity\r\nacme,MUG-01,3\r\nzeta,MUG-01,10\r\nzeta,TEE-01,4\r\nacme,TEE-01,9\r\n',
    );
    const { code, out, err } = await run([
      'route',
      '--rules',
      file('rules.json', rules),
      '--order',
      file('order.json', sampleOrderDraft()),
      '--inventory',
      stock,
      '--now',
      '2026-11-18T09:00:00Z',
    ]);
    assert.equal(err, '');
    assert.equal(code, 0);
    const decision = JSON.parse(out) as RoutingDecision;
    assert.deepEqual(
      decision.assignments.map((a) => [a.supplierId, a.lines.map((l) => l.sku), a.landedCost]),
      [['zeta', ['MUG-01', 'TEE-01'], 18]],
    );
    assert.deepEqual(decision.explanation, [
      'zeta: MUG-01: 10 left; TEE-01: 4 left; cost 18.00; ships 2026-11-19; score 0.89',
      'acme: only 1 left after buffer 2 for MUG-01, needs 2; TEE-01: 7 left after buffer 2; cost 5.00; ships 2026-11-19; score 0.93',
      'Lines 1, 2 to zeta: lowest landed cost 18.00',
    ]);
  });

  it('routes without a stock file and accepts a stored order', async () => {
    const stored = {
      ...sampleOrderDraft(),
      id: 'ord_x',
      state: 'received',
      version: 3,
      createdAt: '2026-11-18T08:00:00Z',
      updatedAt: '2026-11-18T08:00:00Z',
    };
    const { code, out } = await run([
      'route',
      '--rules',
      file('r.json', rules),
      '--order',
      file('o.json', stored),
    ]);
    assert.equal(code, 0);
    assert.equal((JSON.parse(out) as RoutingDecision).assignments[0]?.supplierId, 'acme');
  });

  it('exits 2 naming the file and field of invalid rules', async () => {
    const { code, out, err } = await run([
      'route',
      '--rules',
      file('bad.json', { strategy: 'cheapest' }),
      '--order',
      file('o.json', sampleOrderDraft()),
    ]);
    assert.equal(code, 2);
    assert.equal(out, '');
    assert.match(err, /bad\.json: Invalid routing rules: \/strategy must be one of priority/);
  });

  it('exits 2 naming the order field and the bad stock lines', async () => {
    const order = sampleOrderDraft({ shipTo: { line1: 'x', city: 'y', country: 'usa' } });
    const bad = await run(['route', '--rules', file('r.json', rules), '--order', file('o.json', order)]);
    assert.equal(bad.code, 2);
    assert.match(
      bad.err,
      /o\.json: Invalid order: \/shipTo\/country must be a two-letter ISO 3166-1 country code/,
    );

    const stock = file('s.csv', 'sku,quantity\nMUG-01,many\n');
    const lines = await run([
      'route',
      '--rules',
      file('r.json', rules),
      '--order',
      file('o2.json', sampleOrderDraft()),
      '--inventory',
      stock,
      '--supplier',
      'acme',
    ]);
    assert.equal(lines.code, 2);
    assert.match(lines.err, /line 2: quantity for MUG-01 is "many", not a whole number/);
  });

  it('exits 2 with the usage when an option is missing, unknown or unreadable', async () => {
    const missing = await run(['route', '--order', 'x.json']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--rules: is required/);
    assert.match(missing.err, /usage: dropship route/);
    const unknown = await run(['route', '--rulez', 'x']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /Unknown option '--rulez'/);
    const absent = await run(['route', '--rules', path.join(dir, 'none.json'), '--order', 'x']);
    assert.equal(absent.code, 2);
    assert.match(absent.err, /--rules .*none\.json: ENOENT/);
    const notJson = await run(['route', '--rules', file('r.txt', 'strategy: priority'), '--order', 'x']);
    assert.match(notJson.err, /r\.txt: not JSON/);
  });
});
