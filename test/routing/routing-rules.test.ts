import assert from 'node:assert/strict';
import { DropshipError } from '../../core/errors';
import { parseRoutingRules } from '../../core/routing/routing-rules';

function problems(value: unknown): { path: string; message: string }[] {
  try {
    parseRoutingRules(value);
  } catch (err) {
    assert.ok(err instanceof DropshipError);
    assert.equal(err.code, 'invalid_input');
    return err.details;
  }
  assert.fail('the rules were accepted');
}

describe('parseRoutingRules', () => {
  it('accepts the one-line demo rules and an empty document', () => {
    const demo = { strategy: 'priority', rules: [{ match: { sku: '*' }, suppliers: ['sandbox'] }] };
    assert.deepEqual(parseRoutingRules(demo), demo);
    assert.deepEqual(parseRoutingRules({}), {});
  });

  it('names unknown fields, bad enums and missing suppliers', () => {
    assert.deepEqual(problems({ strategy: 'cheapest', rules: [{ match: { colour: 'red' } }] }), [
      { path: '/strategy', message: 'must be one of priority, lowest_cost, highest_margin, best_score' },
      { path: '/rules/0/suppliers', message: 'is required' },
      { path: '/rules/0/match/colour', message: 'is not a known field' },
    ]);
  });

  it('checks buffers, cut-off times and supplier ids', () => {
    const found = problems({
      suppliers: {
        'bad id!': {},
        A: { cutoff: '25:00', stock: { buffer: { percent: 120 } } },
      },
    });
    assert.ok(found.some((p) => p.path === '/suppliers' && /must be a supplier id/.test(p.message)));
    assert.ok(found.some((p) => p.path === '/suppliers/A/cutoff'));
    assert.ok(found.some((p) => p.path === '/suppliers/A/stock/buffer/percent'));
  });

  it('refuses country codes that ISO 3166-1 does not define and unknown time zones', () => {
    assert.deepEqual(
      problems({
        suppliers: { A: { timeZone: 'Europe/Atlantis', shipsTo: { countries: ['US', 'XK', 'UK'] } } },
        rules: [{ match: { countries: ['DE', 'EU'] }, suppliers: ['A'] }],
      }),
      [
        { path: '/suppliers/A/timeZone', message: '"Europe/Atlantis" is not an IANA time zone' },
        { path: '/suppliers/A/shipsTo/countries/2', message: '"UK" is not an ISO 3166-1 country code' },
        { path: '/rules/0/match/countries/1', message: '"EU" is not an ISO 3166-1 country code' },
      ],
    );
  });

  it('refuses what cannot mean anything: clashing names, a part number for many SKUs, repeated SKUs', () => {
    assert.deepEqual(
      problems({
        suppliers: { east: { stock: { feedEveryMinutes: 60, disqualifyAfterMinutes: 30 } } },
        groups: { east: ['a'], all: ['east', 'b'] },
        catalogue: [
          { supplier: 'a', match: { sku: 'MUG-*' }, supplierSku: 'X-1' },
          { supplier: 'a', match: { sku: 'MUG-1' }, unitCost: 3 },
          { supplier: 'a', match: { sku: 'MUG-1' }, unitCost: 4 },
          { supplier: 'all', match: { brand: 'Acme' } },
        ],
      }),
      [
        {
          path: '/suppliers/east/stock/disqualifyAfterMinutes',
          message: 'is 30, shorter than the expected feed interval of 60 minutes',
        },
        { path: '/groups/east', message: 'has the same name as a supplier; rules could not tell them apart' },
        { path: '/groups/all/0', message: 'names group "east"; groups hold suppliers only' },
        {
          path: '/catalogue/0/supplierSku',
          message: 'needs an exact SKU in match/sku (one part number cannot stand for many SKUs)',
        },
        { path: '/catalogue/2/match/sku', message: 'repeats "MUG-1" for a (entry 1)' },
        { path: '/catalogue/3/supplier', message: 'is a group; name one supplier' },
      ],
    );
  });

  it('allows only one shipping rate without countries', () => {
    assert.deepEqual(problems({ suppliers: { A: { shipping: [{ base: 5 }, { base: 6 }] } } }), [
      {
        path: '/suppliers/A/shipping/1',
        message: 'is a second rate without countries; only one rate can apply to every other country',
      },
    ]);
  });

  it('says which field in its message', () => {
    assert.throws(
      () => parseRoutingRules({ split: 'sometimes' }),
      /Invalid routing rules: \/split must be one of never, when_needed, always/,
    );
  });
});
