import assert from 'node:assert/strict';
import { routeOrder, type RoutingContext } from '../../core/routing/route-order';
import { parseRoutingRules } from '../../core/routing/routing-rules';
import { routableOrder, stockTable, WEDNESDAY_9_UTC } from './routing-fixtures';

const now = WEDNESDAY_9_UTC;
const fresh = now.getTime() - 10 * 60_000;
const context = (extra: Partial<RoutingContext> = {}): RoutingContext => ({ now, ...extra });
const assigned = (decision: ReturnType<typeof routeOrder>) =>
  decision.assignments.map((a) => [a.supplierId, a.lines.map((l) => l.orderLineId)]);

describe('routeOrder', () => {
  describe('the smallest rule set', () => {
    const rules = parseRoutingRules({
      strategy: 'priority',
      rules: [{ match: { sku: '*' }, suppliers: ['sandbox'] }],
    });

    it('sends every shippable line to the one supplier and leaves digital lines alone', () => {
      const order = routableOrder([
        { sku: 'MUG-01', quantity: 2 },
        { sku: 'GIFT-CARD', requiresShipping: false },
        {},
      ]);
      const decision = routeOrder(order, rules, context());
      assert.deepEqual(assigned(decision), [['sandbox', ['1', '3']]]);
      assert.deepEqual(decision.unrouted, []);
      assert.deepEqual(decision.assignments[0]!.lines[0], { orderLineId: '1', sku: 'MUG-01', quantity: 2 });
      assert.match(decision.explanation.at(-1)!, /^Lines 1, 3 to sandbox: first in the priority list$/);
    });

    it('routes nothing and says so when no line needs shipping', () => {
      const decision = routeOrder(routableOrder([{ requiresShipping: false }]), rules, context());
      assert.deepEqual(decision, {
        assignments: [],
        unrouted: [],
        candidates: [],
        explanation: ['No line needs shipping: nothing to route.'],
      });
    });
  });

  describe('catalogue mapping', () => {
    const rules = parseRoutingRules({
      strategy: 'lowest_cost',
      suppliers: { exact: {}, prefix: {}, category: {}, brand: {}, vendor: {} },
      catalogue: [
        { supplier: 'exact', match: { sku: 'MUG-RED' }, supplierSku: 'EX-778', unitCost: 9, dropshipFee: 1 },
        { supplier: 'prefix', match: { sku: 'MUG-*' }, unitCost: 8 },
        { supplier: 'prefix', match: { sku: 'MUG-RED' }, unitCost: 7.5, supplierSku: 'PF-1' },
        { supplier: 'category', match: { category: 'Kitchen' }, unitCost: 6 },
        { supplier: 'brand', match: { brand: 'acme' }, unitCost: 5 },
        { supplier: 'vendor', match: { vendor: 'Globex', sku: '*-XL' }, unitCost: 4 },
      ],
    });

    it('finds carriers by exact SKU, prefix, category, brand and vendor', () => {
      const order = routableOrder([{ sku: 'MUG-RED', category: 'kitchen', brand: 'ACME' }]);
      const decision = routeOrder(order, rules, context());
      // Without a rule the line goes to the declared suppliers that carry it; vendor's entry does not fit.
      assert.deepEqual(
        decision.candidates.map((c) => [c.supplierId, c.landedCost]),
        [
          ['brand', 5],
          ['category', 6],
          ['prefix', 7.5],
          ['exact', 10],
        ],
      );
    });

    it('lists a supplier a rule names but that does not carry the product, with the reason', () => {
      const named = parseRoutingRules({ ...rules, rules: [{ suppliers: ['vendor', 'exact'] }] });
      const decision = routeOrder(routableOrder([{ sku: 'MUG-RED' }]), named, context());
      const vendor = decision.candidates.find((c) => c.supplierId === 'vendor')!;
      assert.deepEqual(vendor.reasons, ['does not carry MUG-RED']);
      assert.equal(vendor.eligible, false);
      assert.deepEqual(assigned(decision), [['exact', ['1']]]);
    });

    it('holds a line that no declared supplier carries', () => {
      const decision = routeOrder(routableOrder([{ sku: 'SOCK-1' }]), rules, context());
      assert.deepEqual(decision.unrouted, [
        { orderLineId: '1', sku: 'SOCK-1', reason: 'no supplier carries SOCK-1' },
      ]);
    });

    it('uses the most specific entry of a supplier and puts its part number and cost on the PO line', () => {
      const only = parseRoutingRules({ ...rules, rules: [{ suppliers: ['prefix'] }] });
      const decision = routeOrder(routableOrder([{ sku: 'MUG-RED' }, { sku: 'MUG-BLUE' }]), only, context());
      assert.deepEqual(decision.assignments[0]!.lines, [
        { orderLineId: '1', sku: 'MUG-RED', quantity: 1, supplierSku: 'PF-1', unitCost: 7.5 },
        { orderLineId: '2', sku: 'MUG-BLUE', quantity: 1, unitCost: 8 },
      ]);
    });

    it('matches vendor and a suffix pattern together', () => {
      const decision = routeOrder(routableOrder([{ sku: 'TEE-XL', vendor: 'globex' }]), rules, context());
      assert.deepEqual(assigned(decision), [['vendor', ['1']]]);
    });
  });

  describe('regions', () => {
    const rules = parseRoutingRules({
      groups: { eu: ['berlin', 'lyon'], na: ['reno'] },
      suppliers: {
        berlin: { shipsTo: { excludeCountries: ['FR'] } },
        lyon: {},
        reno: {},
        oregon: {},
        portland: {},
      },
      rules: [
        {
          name: 'Portland metro',
          match: { countries: ['US'], postalPrefixes: ['972'] },
          suppliers: ['portland'],
        },
        { name: 'West coast', match: { countries: ['US'], regions: ['OR', 'WA'] }, suppliers: ['oregon'] },
        { name: 'Europe', match: { countries: ['DE', 'FR', 'AT'] }, suppliers: ['eu'] },
        { name: 'Everywhere else', suppliers: ['na'] },
      ],
    });
    const shipTo = (country: string, region?: string, postalCode?: string) =>
      routableOrder([{}], { shipTo: { line1: '1 Main St', city: 'X', country, region, postalCode } });

    it('routes by country, state and postal prefix to supplier groups', () => {
      assert.deepEqual(assigned(routeOrder(shipTo('US', 'OR', '97201'), rules, context())), [
        ['portland', ['1']],
      ]);
      assert.deepEqual(assigned(routeOrder(shipTo('US', 'WA', '98101'), rules, context())), [
        ['oregon', ['1']],
      ]);
      assert.deepEqual(assigned(routeOrder(shipTo('US', 'NY', '10001'), rules, context())), [
        ['reno', ['1']],
      ]);
      assert.deepEqual(assigned(routeOrder(shipTo('DE'), rules, context())), [['berlin', ['1']]]);
    });

    it('skips a supplier that does not ship to the country', () => {
      const decision = routeOrder(shipTo('FR'), rules, context());
      assert.deepEqual(assigned(decision), [['lyon', ['1']]]);
      assert.deepEqual(decision.candidates.find((c) => c.supplierId === 'berlin')!.reasons, [
        'does not ship to FR',
      ]);
    });
  });

  describe('stock and buffers', () => {
    const rules = parseRoutingRules({
      strategy: 'priority',
      stock: { buffer: { units: 5 } },
      suppliers: {
        A: { stock: { buffer: { percent: 10 }, skuBuffers: [{ sku: 'HOT-*', buffer: { units: 20 } }] } },
        B: {},
        C: { stock: { whenNoFeed: 'out_of_stock' } },
      },
      rules: [{ suppliers: ['A', 'B', 'C'] }],
    });

    it('subtracts committed units and the buffer (units, percentage rounded up, per SKU)', () => {
      const stock = stockTable({
        A: {
          'SKU-1': { quantity: 21, committed: 3, feedAt: fresh },
          'HOT-1': { quantity: 25, feedAt: fresh },
        },
        B: { 'SKU-1': { quantity: 17, feedAt: fresh }, 'HOT-1': { quantity: 9, feedAt: fresh } },
      });
      const decision = routeOrder(
        routableOrder([
          { sku: 'SKU-1', quantity: 3 },
          { sku: 'HOT-1', quantity: 5 },
        ]),
        rules,
        context({ stock }),
      );
      const reasons = Object.fromEntries(decision.candidates.map((c) => [c.supplierId, c.reasons]));
      // A: 21 - 3 committed - ceil(2.1) = 15; HOT-1: 25 - 20 = 5.
      assert.deepEqual(reasons.A!.slice(0, 2), [
        'SKU-1: 15 left after 3 on open POs and buffer 3',
        'HOT-1: 5 left after buffer 20',
      ]);
      assert.deepEqual(reasons.B!.slice(0, 2), [
        'SKU-1: 12 left after buffer 5',
        'only 4 left after buffer 5 for HOT-1, needs 5',
      ]);
      assert.deepEqual(reasons.C, ['no stock record for SKU-1', 'no stock record for HOT-1']);
      assert.deepEqual(assigned(decision), [['A', ['1', '2']]]);
    });

    it('holds a line when no supplier has stock left after its buffer', () => {
      const stock = stockTable({
        A: { 'SKU-1': { quantity: 1, feedAt: fresh } },
        B: { 'SKU-1': { quantity: 5, feedAt: fresh } },
      });
      const decision = routeOrder(routableOrder([{ sku: 'SKU-1' }]), rules, context({ stock }));
      assert.deepEqual(assigned(decision), []);
      assert.equal(
        decision.unrouted[0]!.reason,
        'no supplier can take SKU-1: A out of stock for SKU-1 (0 left after buffer 1); ' +
          'B out of stock for SKU-1 (0 left after buffer 5); C no stock record for SKU-1',
      );
    });

    it('counts two lines of the same SKU against the same stock', () => {
      const stock = stockTable({
        A: { 'SKU-1': { quantity: 11, feedAt: fresh } },
        B: { 'SKU-1': { quantity: 30, feedAt: fresh } },
      });
      // A sells 11 - ceil(1.1) = 9: enough for 4, not for 4 + 6.
      const decision = routeOrder(
        routableOrder([
          { sku: 'SKU-1', quantity: 4 },
          { sku: 'SKU-1', quantity: 6 },
        ]),
        rules,
        context({ stock }),
      );
      assert.deepEqual(assigned(decision), [['B', ['1', '2']]]);
      assert.equal(
        decision.candidates.find((c) => c.supplierId === 'A')!.reasons[1],
        'only 9 left after buffer 2 for SKU-1, needs 10',
      );
    });
  });

  describe('stale feeds', () => {
    const rules = parseRoutingRules({
      strategy: 'best_score',
      weights: { stock: 1, cost: 0, handling: 0, performance: 0 },
      stock: { feedEveryMinutes: 60, disqualifyAfterMinutes: 1440 },
      rules: [{ suppliers: ['old', 'new'] }],
    });
    const hoursAgo = (h: number) => now.getTime() - h * 3_600_000;

    it('lowers the confidence of a feed older than its cadence', () => {
      const stock = stockTable({
        old: { 'SKU-1': { quantity: 50, feedAt: hoursAgo(4) } },
        new: { 'SKU-1': { quantity: 50, feedAt: hoursAgo(0.5) } },
      });
      const decision = routeOrder(routableOrder([{}]), rules, context({ stock }));
      assert.deepEqual(assigned(decision), [['new', ['1']]]);
      const old = decision.candidates.find((c) => c.supplierId === 'old')!;
      assert.equal(old.score, 0.25);
      assert.equal(old.reasons[0], '50 left (feed 4h old)');
    });

    it('disqualifies a feed older than the limit', () => {
      const stock = stockTable({
        old: { 'SKU-1': { quantity: 50, feedAt: hoursAgo(30) } },
        new: { 'SKU-1': { quantity: 0, feedAt: hoursAgo(0.5) } },
      });
      const decision = routeOrder(routableOrder([{}]), rules, context({ stock }));
      assert.deepEqual(decision.candidates.find((c) => c.supplierId === 'old')!.reasons, [
        'stock feed for SKU-1 is 30h old (limit 24h)',
      ]);
      assert.equal(decision.unrouted.length, 1);
    });
  });

  describe('cost and margin', () => {
    const rules = (strategy: string) =>
      parseRoutingRules({
        strategy,
        suppliers: {
          cheapItems: { shipping: [{ base: 12 }] },
          cheapShipping: { shipping: [{ countries: ['US'], base: 3, perUnit: 0.5 }, { base: 20 }] },
          unknown: {},
        },
        catalogue: [
          { supplier: 'cheapItems', match: { sku: 'SKU-*' }, unitCost: 4 },
          { supplier: 'cheapShipping', match: { sku: 'SKU-*' }, unitCost: 6, dropshipFee: 1 },
        ],
      });
    const order = routableOrder([{ quantity: 2 }]);

    it('adds the drop-ship fee and the shipping estimate to the landed cost', () => {
      const decision = routeOrder(order, rules('lowest_cost'), context());
      // cheapItems: 2 x 4 + 12 = 20; cheapShipping: 2 x (6 + 1) + 3 + 2 x 0.5 = 18.
      assert.deepEqual(
        decision.candidates.map((c) => [c.supplierId, c.landedCost]),
        [
          ['cheapShipping', 18],
          ['cheapItems', 20],
          ['unknown', undefined],
        ],
      );
      assert.equal(decision.assignments[0]!.reason, 'lowest landed cost 18.00');
      assert.deepEqual(decision.assignments[0]!.alternatives, ['cheapItems', 'unknown']);
    });

    it('uses the other country rate abroad', () => {
      const abroad = routableOrder([{ quantity: 2 }], {
        shipTo: { line1: 'x', city: 'Wien', country: 'AT' },
      });
      assert.deepEqual(assigned(routeOrder(abroad, rules('lowest_cost'), context())), [
        ['cheapItems', ['1']],
      ]);
    });

    it('routes to the highest margin', () => {
      const decision = routeOrder(order, rules('highest_margin'), context());
      assert.equal(decision.assignments[0]!.supplierId, 'cheapShipping');
      assert.equal(decision.assignments[0]!.reason, 'highest margin 42.00');
    });
  });

  describe('service level', () => {
    const rules = parseRoutingRules({
      strategy: 'priority',
      suppliers: {
        berlin: { timeZone: 'Europe/Berlin', cutoff: '14:00', handlingDays: 0 },
        tokyo: { timeZone: 'Asia/Tokyo', cutoff: '17:00', handlingDays: 0 },
        slow: { handlingDays: 3, shipDays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
      },
      rules: [{ suppliers: ['tokyo', 'slow', 'berlin'] }],
    });
    const promised = (iso: string) => routableOrder([{}], { shipping: { promisedShipBy: iso } });

    it('applies each cut-off in the supplier time zone', () => {
      // 09:00 UTC is 10:00 in Berlin (before 14:00) and 18:00 in Tokyo (after 17:00); the promise is the 18th.
      const decision = routeOrder(promised('2026-11-18T12:00:00Z'), rules, context());
      const dispatch = Object.fromEntries(
        decision.candidates.map((c) => [c.supplierId, c.reasons.find((r) => r.startsWith('ships'))]),
      );
      assert.deepEqual(dispatch, {
        berlin: 'ships 2026-11-18',
        tokyo: 'ships 2026-11-19 (after the promised date)',
        slow: 'ships 2026-11-21 (after the promised date)',
      });
      assert.deepEqual(assigned(decision), [['berlin', ['1']]]);
    });

    it('uses a supplier that cannot make the promised date only when no other can', () => {
      const decision = routeOrder(promised('2026-11-17T12:00:00Z'), rules, context());
      assert.equal(decision.assignments[0]!.supplierId, 'tokyo');
      assert.equal(decision.assignments[0]!.late, true);
      assert.match(decision.assignments[0]!.reason, /cannot ship by the promised date/);
    });

    it('follows the cut-off across a daylight saving change', () => {
      // 2026-03-29 01:00 UTC Berlin moves to UTC+2: 12:30 UTC on Monday 30 March is 14:30 local, after the cut-off.
      const monday = new Date('2026-03-30T12:30:00Z');
      const decision = routeOrder(
        routableOrder([{}]),
        parseRoutingRules({ ...rules, rules: [{ suppliers: ['berlin'] }] }),
        { now: monday },
      );
      assert.equal(decision.assignments[0]!.estimatedDispatch, '2026-03-31');
    });

    it('skips days the warehouse does not ship', () => {
      const friday = new Date('2026-11-20T16:00:00Z');
      const decision = routeOrder(
        routableOrder([{}]),
        parseRoutingRules({ ...rules, rules: [{ suppliers: ['berlin'] }] }),
        { now: friday },
      );
      assert.equal(decision.assignments[0]!.estimatedDispatch, '2026-11-23');
    });
  });

  describe('score', () => {
    const rules = parseRoutingRules({
      strategy: 'best_score',
      weights: { stock: 0, cost: 1, handling: 0, performance: 3 },
      catalogue: [
        { supplier: 'reliable', match: { sku: '*' }, unitCost: 10 },
        { supplier: 'cheap', match: { sku: '*' }, unitCost: 5 },
      ],
      rules: [{ suppliers: ['cheap', 'reliable'] }],
    });

    it('treats missing performance figures as neutral, so cost decides', () => {
      const decision = routeOrder(routableOrder([{}]), rules, context());
      assert.deepEqual(
        decision.candidates.map((c) => [c.supplierId, c.score]),
        [
          ['cheap', 0.63],
          ['reliable', 0.5],
        ],
      );
    });

    it('weighs acceptance, cancellation, on-time shipping and tracking latency', () => {
      const performance = (id: string) =>
        id === 'reliable'
          ? { acceptance: 1, cancellation: 0, onTime: 0.96, trackingLatency: 0.04 }
          : { acceptance: 0.7, cancellation: 0.2, onTime: 0.5, trackingLatency: 0.6 };
      const decision = routeOrder(routableOrder([{}]), rules, context({ performance }));
      assert.equal(decision.assignments[0]!.supplierId, 'reliable');
      assert.equal(decision.assignments[0]!.score, 0.86);
      assert.equal(decision.assignments[0]!.reason, 'best score 0.86');
    });
  });

  describe('ties', () => {
    it('falls back to the position in the rule when the strategy measure and the score tie', () => {
      for (const suppliers of [
        ['zeta', 'alpha', 'mid'],
        ['mid', 'zeta', 'alpha'],
      ]) {
        const rules = parseRoutingRules({ strategy: 'lowest_cost', rules: [{ suppliers }] });
        assert.equal(
          routeOrder(routableOrder([{}]), rules, context()).assignments[0]!.supplierId,
          suppliers[0],
        );
      }
    });

    it('prefers the lower landed cost when scores tie', () => {
      const rules = parseRoutingRules({
        strategy: 'best_score',
        weights: { stock: 1, cost: 0, handling: 0, performance: 0 },
        catalogue: [
          { supplier: 'dear', match: { sku: '*' }, unitCost: 10 },
          { supplier: 'cheap', match: { sku: '*' }, unitCost: 8 },
        ],
        rules: [{ suppliers: ['dear', 'cheap'] }],
      });
      assert.equal(routeOrder(routableOrder([{}]), rules, context()).assignments[0]!.supplierId, 'cheap');
    });

    it('orders otherwise equal choices by supplier id', () => {
      const rules = parseRoutingRules({
        rules: [
          { match: { sku: 'SKU-1' }, suppliers: ['zeta'] },
          { match: { sku: 'SKU-2' }, suppliers: ['alpha'] },
        ],
      });
      assert.deepEqual(assigned(routeOrder(routableOrder([{}, {}]), rules, context())), [
        ['alpha', ['2']],
        ['zeta', ['1']],
      ]);
    });

    it('ranks fallback steps by their place in the chain', () => {
      const rules = parseRoutingRules({
        strategy: 'lowest_cost',
        rules: [{ suppliers: ['gone'] }],
        fallback: ['zz', 'aa'],
        suppliers: { gone: { active: false } },
      });
      const decision = routeOrder(routableOrder([{}]), rules, context());
      assert.equal(decision.assignments[0]!.supplierId, 'zz');
      assert.deepEqual(decision.assignments[0]!.alternatives, ['aa']);
    });
  });

  describe('fallback chain', () => {
    const rules = parseRoutingRules({
      strategy: 'lowest_cost',
      suppliers: { main1: {}, main2: {}, backup: {}, last: {} },
      catalogue: [
        { supplier: 'main1', match: { sku: '*' }, unitCost: 9 },
        { supplier: 'main2', match: { sku: '*' }, unitCost: 8 },
        { supplier: 'backup', match: { sku: '*' }, unitCost: 1 },
        { supplier: 'last', match: { sku: '*' }, unitCost: 0.5 },
      ],
      rules: [{ suppliers: ['main1', 'main2'], fallback: ['backup'] }],
      fallback: ['last'],
    });
    const stock = (outOf: string[]) => (supplierId: string) =>
      outOf.includes(supplierId) ? { quantity: 0, feedAt: fresh } : { quantity: 100, feedAt: fresh };

    it('keeps to the rule suppliers while one can take the line, however cheap the fallback', () => {
      const decision = routeOrder(routableOrder([{}]), rules, context({ stock: stock([]) }));
      assert.equal(decision.assignments[0]!.supplierId, 'main2');
      assert.deepEqual(decision.assignments[0]!.alternatives, ['main1', 'backup', 'last']);
    });

    it('walks the rule fallback, then the global fallback', () => {
      const first = routeOrder(routableOrder([{}]), rules, context({ stock: stock(['main1', 'main2']) }));
      assert.equal(first.assignments[0]!.supplierId, 'backup');
      assert.match(first.assignments[0]!.reason, /fallback/);
      const second = routeOrder(
        routableOrder([{}]),
        rules,
        context({ stock: stock(['main1', 'main2', 'backup']) }),
      );
      assert.equal(second.assignments[0]!.supplierId, 'last');
    });
  });

  describe('split policy', () => {
    const base = {
      strategy: 'lowest_cost',
      suppliers: { both: { shipping: [{ base: 10 }] }, mugs: {}, tees: {} },
      catalogue: [
        { supplier: 'both', match: { sku: '*' }, unitCost: 10 },
        { supplier: 'mugs', match: { sku: 'MUG' }, unitCost: 2 },
        { supplier: 'tees', match: { sku: 'TEE' }, unitCost: 2 },
      ],
    };
    const order = routableOrder([{ sku: 'MUG' }, { sku: 'TEE' }]);
    const outOfStock = (supplierId: string, sku: string) => ({
      quantity: supplierId === 'both' && sku === 'TEE' ? 0 : 9,
      feedAt: fresh,
    });

    it('prefers one supplier for the order even when a split is cheaper (when_needed)', () => {
      const decision = routeOrder(order, parseRoutingRules(base), context());
      assert.deepEqual(assigned(decision), [['both', ['1', '2']]]);
    });

    it('splits when no single supplier can fill the order (when_needed)', () => {
      const decision = routeOrder(order, parseRoutingRules(base), context({ stock: outOfStock }));
      assert.deepEqual(assigned(decision), [
        ['mugs', ['1']],
        ['tees', ['2']],
      ]);
      assert.match(decision.assignments[0]!.reason, /split: no single supplier can fill the whole order/);
    });

    it('holds the order rather than split (never)', () => {
      const decision = routeOrder(
        order,
        parseRoutingRules({ ...base, split: 'never' }),
        context({ stock: outOfStock }),
      );
      assert.deepEqual(decision.assignments, []);
      assert.deepEqual(
        decision.unrouted.map((u) => u.reason),
        Array(2).fill('no single supplier can fill the whole order and the split policy is never'),
      );
    });

    it('gives each line its own best supplier (always)', () => {
      const decision = routeOrder(order, parseRoutingRules({ ...base, split: 'always' }), context());
      assert.deepEqual(assigned(decision), [
        ['mugs', ['1']],
        ['tees', ['2']],
      ]);
    });

    it('keeps a supplier that covers more lines ahead in a greedy split', () => {
      const three = routableOrder([{ sku: 'MUG' }, { sku: 'TEE' }, { sku: 'CAP' }]);
      const rules = parseRoutingRules({
        ...base,
        catalogue: [...base.catalogue, { supplier: 'tees', match: { sku: 'CAP' }, unitCost: 1 }],
      });
      const stock = (supplierId: string, sku: string) => ({
        quantity: supplierId === 'both' && sku !== 'MUG' ? 0 : 9,
        feedAt: fresh,
      });
      assert.deepEqual(assigned(routeOrder(three, rules, context({ stock }))), [
        ['tees', ['2', '3']],
        ['mugs', ['1']],
      ]);
    });
  });

  describe('rule types combined', () => {
    it('weighs region, catalogue, stock age, buffers, cut-offs and the fallback chain in one decision', () => {
      const rules = parseRoutingRules({
        strategy: 'best_score',
        stock: { buffer: { units: 3 }, feedEveryMinutes: 60 },
        suppliers: {
          berlin: { timeZone: 'Europe/Berlin', cutoff: '09:30' },
          paris: { timeZone: 'Europe/Paris', cutoff: '16:00' },
          reno: { handlingDays: 0 },
        },
        groups: { eu: ['berlin', 'paris'] },
        catalogue: [
          { supplier: 'berlin', match: { category: 'Kitchen' }, unitCost: 5 },
          { supplier: 'paris', match: { sku: 'MUG-*' }, unitCost: 7 },
          { supplier: 'reno', match: { brand: 'Acme' }, unitCost: 4 },
        ],
        rules: [{ name: 'EU', match: { countries: ['DE', 'FR'] }, suppliers: ['eu'], fallback: ['reno'] }],
      });
      const order = routableOrder(
        [
          { sku: 'MUG-RED', category: 'Kitchen', brand: 'Acme', quantity: 2 },
          { sku: 'GIFT', requiresShipping: false },
        ],
        {
          shipTo: { line1: '1 Hauptstr.', city: 'Berlin', country: 'DE' },
          shipping: { promisedShipBy: '2026-11-19T18:00:00Z' },
        },
      );
      const stock = stockTable({
        berlin: { 'MUG-RED': { quantity: 50, feedAt: fresh } },
        paris: { 'MUG-RED': { quantity: 30, feedAt: now.getTime() - 3 * 3_600_000 } },
        reno: { 'MUG-RED': { quantity: 100, feedAt: fresh } },
      });
      const decision = routeOrder(order, rules, context({ stock }));
      // Berlin missed its 09:30 cut-off (10:00 local) and ships on the 20th, after the promise: it comes last.
      // Paris is on time and a rule supplier, so it beats the cheaper fallback despite its 3-hour-old feed.
      assert.deepEqual(
        decision.assignments.map((a) => [a.supplierId, a.alternatives, a.late]),
        [['paris', ['reno', 'berlin'], undefined]],
      );
      assert.deepEqual(decision.explanation, [
        // Stock 0.3 x 60/180 + cost 0.4 x 8/14 + handling 0.15 x 1/2 + performance 0.15 x 0.5 = 0.48.
        'paris: 27 left after buffer 3 (feed 3h old); cost 14.00; ships 2026-11-19; score 0.48',
        'reno: 97 left after buffer 3; cost 8.00; ships 2026-11-18; fallback; score 0.93',
        'berlin: 47 left after buffer 3; cost 10.00; ships 2026-11-20 (after the promised date); score 0.75',
        'Line 1 to paris: best score 0.48; alternatives reno, berlin',
      ]);
    });
  });

  describe('unroutable orders and the explanation', () => {
    it('names every supplier and its reason when a line cannot be routed, and routes the rest', () => {
      const rules = parseRoutingRules({
        suppliers: { A: {}, B: { shipsTo: { countries: ['CA'] } }, paused: { active: false } },
        catalogue: [{ supplier: 'A', match: { sku: 'SKU-1' } }],
        rules: [{ suppliers: ['A', 'B', 'paused'] }],
      });
      const decision = routeOrder(routableOrder([{ sku: 'SKU-1' }, { sku: 'SKU-2' }]), rules, context());
      assert.deepEqual(assigned(decision), [['A', ['1']]]);
      assert.deepEqual(decision.unrouted, [
        {
          orderLineId: '2',
          sku: 'SKU-2',
          reason:
            'no supplier can take SKU-2: A does not carry SKU-2; B does not ship to US; paused is paused',
        },
      ]);
      assert.equal(decision.explanation.at(-1), `Line 2 (SKU-2) not routed: ${decision.unrouted[0]!.reason}`);
    });

    it('says when no rule and no supplier declaration covers a line', () => {
      const rules = parseRoutingRules({ rules: [{ match: { sku: 'MUG-*' }, suppliers: ['mugs'] }] });
      const decision = routeOrder(routableOrder([{ sku: 'TEE' }]), rules, context());
      assert.equal(
        decision.unrouted[0]!.reason,
        'no rule sends TEE to a supplier and no supplier is declared',
      );
    });

    it('writes one sentence per candidate in rank order, then the decision', () => {
      const rules = parseRoutingRules({
        strategy: 'best_score',
        suppliers: { A: {}, B: { stock: { buffer: { units: 5 } }, shipping: [{ base: 2.2 }] } },
        catalogue: [
          { supplier: 'A', match: { sku: 'SKU-1' }, unitCost: 10 },
          { supplier: 'B', match: { sku: 'SKU-1' }, unitCost: 12 },
        ],
      });
      const stock = stockTable({
        A: { 'SKU-1': { quantity: 0, feedAt: fresh } },
        B: { 'SKU-1': { quantity: 17, feedAt: fresh } },
      });
      const decision = routeOrder(routableOrder([{}]), rules, context({ stock }));
      // Score: stock 0.3 x 1 + cost 0.4 x 1 + handling 0.15 x 1 + performance 0.15 x 0.5 (no figures yet).
      assert.equal(decision.assignments[0]!.score, 0.93);
      assert.deepEqual(decision.explanation, [
        'B: 12 left after buffer 5; cost 14.20; ships 2026-11-19; score 0.93',
        'A: out of stock for SKU-1 (0 left)',
        'Line 1 to B: best score 0.93',
      ]);
    });
  });
});
