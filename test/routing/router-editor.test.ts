import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { DropshipError } from '../../core/errors';
import { parseRoutingRules } from '../../core/routing/routing-rules';

/**
 * The router dialog's live checks of per-country shipping rates and SKU buffers: the editor script runs as the
 * editor loads it (shared helpers first), and its rules validator is asked about documents the tables produce.
 * The runtime parser that the dialog's validate endpoint uses must agree on what is valid.
 */

const ROOT = path.join(__dirname, '..', '..');
const FOLDER = path.join(ROOT, 'nodes', 'router');

const CONFIGURED_SUPPLIERS = ['acme', 'zeta', 'sandbox'];

type RulesValidator = (this: object, value: unknown, opt: object) => true | string;

function routerRulesValidator(): RulesValidator {
  const html = readFileSync(path.join(FOLDER, 'router.html'), 'utf8');
  const shared = [
    ...html.matchAll(
      /<script src="resources\/@node-red-contrib-dropship\/node-red-contrib-dropship\/([\w.-]+)"><\/script>/g,
    ),
  ]
    .map((m) => readFileSync(path.join(ROOT, 'resources', m[1]!), 'utf8'))
    .join('\n');
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)![1]!;
  const catalogue = JSON.parse(
    readFileSync(path.join(FOLDER, 'locales', 'en-US', 'router.json'), 'utf8'),
  ) as Record<string, unknown>;
  /** RED._ as the editor resolves "module/type:key" with __name__ substitution, from the en-US catalogue. */
  const translate = (key: string, options: Record<string, unknown> = {}): string => {
    const value = key
      .split(':')[1]!
      .split('.')
      .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], catalogue);
    assert.equal(typeof value, 'string', `missing message ${key}`);
    return (value as string).replace(/__(\w+)__/g, (_, name: string) => String(options[name]));
  };
  let validator: RulesValidator | undefined;
  const RED = {
    _: translate,
    nodes: {
      registerType: (_type: string, definition: { defaults: { rules: { validate: RulesValidator } } }) => {
        validator = definition.defaults.rules.validate;
      },
      node: () => null,
      // The dropship-supplier config nodes of the editor: the suppliers rules may name.
      eachConfig: (visit: (node: object) => void) =>
        CONFIGURED_SUPPLIERS.forEach((supplierId) => visit({ type: 'dropship-supplier', supplierId })),
    },
  };
  // No dialog is open: every selection is empty, as when the editor validates a node on the workspace.
  const noDialog = () => ({ length: 0, val: () => undefined });
  vm.runInNewContext(shared + script, { RED, $: noDialog, Intl });
  assert.ok(validator, 'router.html registers no rules validator');
  return validator;
}

describe('router editor: shipping rates by country and SKU buffers', () => {
  const validate = routerRulesValidator();
  const verdict = (rules: object) => validate.call({}, rules, {});

  const working = {
    strategy: 'lowest_cost',
    suppliers: {
      acme: {
        shipping: [
          { countries: ['DE', 'AT'], base: 4.9, perUnit: 0.5 },
          { countries: ['US'], base: 7 },
          { base: 12 },
        ],
        stock: {
          buffer: { units: 2 },
          skuBuffers: [
            { sku: 'MUG-*', buffer: { units: 3 } },
            { sku: 'GLASS-01', buffer: { percent: 20 } },
          ],
        },
      },
    },
    stock: { skuBuffers: [{ sku: 'TEE-*', buffer: { percent: 10 } }] },
    rules: [{ suppliers: ['acme'] }],
  };

  it('accepts rates and buffers that the runtime parser accepts', () => {
    assert.equal(verdict(working), true);
    assert.deepEqual(parseRoutingRules(working).suppliers?.acme?.shipping?.length, 3);
  });

  const refused: {
    what: string;
    change: (rules: typeof working) => void;
    message: RegExp;
    server: RegExp;
  }[] = [
    {
      what: 'a rate without the amount per parcel',
      change: (rules) => delete (rules.suppliers.acme.shipping[1] as { base?: number }).base,
      message: /^Supplier acme, shipping rate 2: enter the amount per parcel/,
      server: /\/suppliers\/acme\/shipping\/1/,
    },
    {
      what: 'a negative amount per unit',
      change: (rules) => (rules.suppliers.acme.shipping[0]!.perUnit = -1),
      message: /^Supplier acme, shipping rate 1: the amount per unit must be 0 or more/,
      server: /\/suppliers\/acme\/shipping\/0\/perUnit/,
    },
    {
      what: 'a country that is not a two-letter code',
      change: (rules) => (rules.suppliers.acme.shipping[0]!.countries = ['DE', 'GER']),
      message: /"GER" is not a two-letter country code/,
      server: /\/suppliers\/acme\/shipping\/0\/countries\/1/,
    },
    {
      what: 'a SKU buffer without a SKU',
      change: (rules) => (rules.suppliers.acme.stock.skuBuffers[0]!.sku = ''),
      message: /^SKU buffer #1 of acme: enter the SKU or a pattern/,
      server: /\/suppliers\/acme\/stock\/skuBuffers\/0\/sku/,
    },
    {
      what: 'a buffer of more than 100 %',
      change: (rules) => (rules.suppliers.acme.stock.skuBuffers[1]!.buffer = { percent: 150 }),
      message: /^SKU buffer GLASS-01 of acme: a percentage is at most 100/,
      server: /\/suppliers\/acme\/stock\/skuBuffers\/1\/buffer/,
    },
    {
      what: 'a fraction of a unit in the defaults',
      change: (rules) => (rules.stock.skuBuffers[0]!.buffer = { units: 2.5 } as never),
      message: /^SKU buffer TEE-\* of Stock defaults: a buffer in units is a whole number/,
      server: /\/stock\/skuBuffers\/0\/buffer/,
    },
  ];
  for (const { what, change, message, server } of refused) {
    it(`refuses ${what}, in words, as the server does`, () => {
      const rules = structuredClone(working);
      change(rules);
      assert.match(String(verdict(rules)), message);
      assert.throws(
        () => parseRoutingRules(rules),
        (err: unknown) => err instanceof DropshipError && err.details.some((d) => server.test(d.path)),
      );
    });
  }
});

describe('router editor: supplier ids and rule order', () => {
  const validate = routerRulesValidator();
  const verdict = (rules: object) => validate.call({}, rules, {});
  const rule = (name: string, sku: string, suppliers: string[]) => ({ name, match: { sku }, suppliers });

  it('refuses a supplier id no dropship-supplier has, naming it and where, as the runtime does', () => {
    const typo = { rules: [rule('Everything', '*', ['sandbox-emial'])] };
    assert.match(
      String(verdict(typo)),
      /Unknown supplier "sandbox-emial" in rule Everything: no dropship-supplier has this id/,
    );
    assert.equal(verdict({ rules: [rule('Everything', '*', ['sandbox'])] }), true);
    // Group names stand for their members; members, fallbacks and catalogue entries are checked too.
    assert.equal(
      verdict({ groups: { europe: ['acme', 'zeta'] }, rules: [rule('EU', '*', ['europe'])] }),
      true,
    );
    for (const rules of [
      { groups: { europe: ['acme', 'zetta'] }, rules: [rule('EU', '*', ['europe'])] },
      { rules: [{ ...rule('All', '*', ['acme']), fallback: ['zetta'] }] },
      { rules: [rule('All', '*', ['acme'])], fallback: ['zetta'] },
      { catalogue: [{ supplier: 'zetta', match: { sku: 'MUG-1' } }], rules: [rule('All', '*', ['acme'])] },
    ])
      assert.match(String(verdict(rules)), /Unknown supplier "zetta"/, JSON.stringify(rules));
  });

  it('refuses a rule below a catch-all, which could never apply', () => {
    assert.match(
      String(verdict({ rules: [rule('Everything', '*', ['acme']), rule('Mugs', 'MUG-*', ['zeta'])] })),
      /Rule Mugs comes after Everything, which fits every line, so it never applies/,
    );
    assert.equal(
      verdict({ rules: [rule('Mugs', 'MUG-*', ['zeta']), rule('Everything', '*', ['acme'])] }),
      true,
    );
  });
});
