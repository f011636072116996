import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { DropshipError, type FieldProblem } from '../../core/errors';
import { receiveStorefrontOrder } from '../../core/intake/receive-order';
import { SqliteOrderStore } from '../../core/store/sqlite/sqlite-store';
import { addStringFormats } from '../../core/validation/formats';
import { validateOrder } from '../../core/validation/validate-order';
import { genericJsonIntake } from '../../connectors/storefronts/generic-json';
import { REPO } from '../support/node-red-process';

const SCHEMAS = path.join(REPO, 'schemas');

/** The schema the README publishes for `POST /dropship/orders`: what a sender reads to build an order. */
function publishedIntakeSchema(): string {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const row = readme.split('\n').find((line) => line.startsWith('| `POST /dropship/orders`'));
  assert.ok(row, 'the README lists POST /dropship/orders');
  const link = /\]\((schemas\/[\w.-]+\.schema\.json)\)/.exec(row);
  assert.ok(link, 'the README links the schema of POST /dropship/orders');
  return path.basename(link[1]!);
}

/** The published schemas read by a validator of their own, as a sender would check an order before posting it. */
function senderValidator(schemaFile: string): (order: unknown) => boolean {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addStringFormats(ajv);
  for (const file of readdirSync(SCHEMAS).filter((f) => f.endsWith('.schema.json')))
    ajv.addSchema(JSON.parse(readFileSync(path.join(SCHEMAS, file), 'utf8')) as object);
  const validate = ajv.getSchema(`https://node-red-contrib-dropship.github.io/schemas/${schemaFile}`);
  assert.ok(validate, `${schemaFile} is not a registered schema`);
  return (order) => validate(order) as boolean;
}

const good = {
  externalId: 'ERP-5531',
  currency: 'EUR',
  shipTo: { line1: '1 Rue de la Paix', city: 'Paris', country: 'FR' },
  lines: [{ sku: 'LAMP-01', quantity: 2, unitPrice: 19.99 }],
};

/** Orders the intake must refuse, each wrong in one way. */
const BAD_ORDERS: Record<string, Record<string, unknown>> = {
  'no externalId': { ...good, externalId: undefined },
  'an empty externalId': { ...good, externalId: '' },
  'no currency': { ...good, currency: undefined },
  'a lower-case currency': { ...good, currency: 'eur' },
  'no shipTo': { ...good, shipTo: undefined },
  'a country name': { ...good, shipTo: { ...good.shipTo, country: 'France' } },
  'no lines': { ...good, lines: [] },
  'a line that is not an object': { ...good, lines: ['LAMP-01'] },
  'a quantity of 0': { ...good, lines: [{ sku: 'LAMP-01', quantity: 0, unitPrice: 1 }] },
  'a fractional quantity': { ...good, lines: [{ sku: 'LAMP-01', quantity: 1.5, unitPrice: 1 }] },
  'a quantity as text': { ...good, lines: [{ sku: 'LAMP-01', quantity: '2', unitPrice: 1 }] },
  'requiresShipping as text': {
    ...good,
    lines: [{ sku: 'LAMP-01', quantity: 1, unitPrice: 1, requiresShipping: 'yes' }],
  },
  'an empty lineId': { ...good, lines: [{ lineId: '', sku: 'LAMP-01', quantity: 1, unitPrice: 1 }] },
  'placedAt as a number': { ...good, placedAt: 1_795_000_000_000 },
  'placedAt as null': { ...good, placedAt: null },
  'placedAt in words': { ...good, placedAt: 'yesterday' },
  'an invalid e-mail': { ...good, customer: { email: 'not an address' } },
  'customer as null': { ...good, customer: null },
  'a channel with capitals': { ...good, channel: 'My Shop' },
  'shipping as a string': { ...good, shipping: 'express' },
  'partial totals': { ...good, totals: { total: 39.98 } },
  'an unknown field': { ...good, giftWrap: true },
  'an unknown line field': { ...good, lines: [{ sku: 'LAMP-01', quantity: 1, unitPrice: 1, colour: 'red' }] },
};

/** What no JSON Schema can say: the published schema states these in its description, the intake checks them. */
const RULES_IN_WORDS: Record<string, { order: Record<string, unknown>; described: RegExp }> = {
  'totals that do not add up': {
    order: { ...good, totals: { subtotal: 39.98, shipping: 0, tax: 0, discount: 0, total: 50 } },
    described: /add up/,
  },
  'a repeated line id': {
    order: {
      ...good,
      lines: [
        { lineId: 'A', sku: 'LAMP-01', quantity: 1, unitPrice: 1 },
        { lineId: 'A', sku: 'BULB-E27', quantity: 1, unitPrice: 1 },
      ],
    },
    described: /line ids? .*unique|unique line ids?/i,
  },
  'a control character': { order: { ...good, externalId: 'ERP\u0000-1' }, described: /control character/ },
};

const GOOD_ORDERS: Record<string, unknown> = {
  'the minimal order': good,
  'a complete order': {
    ...good,
    channel: 'erp',
    orderNumber: '1001',
    placedAt: '2026-11-19T08:00:00Z',
    customer: { name: 'Ada', email: 'ada@example.org', phone: '+33123456789' },
    billTo: { line1: '1 Rue de la Paix', city: 'Paris', country: 'FR' },
    lines: [{ lineId: 'L-9', sku: 'CARD-GIFT', quantity: 1, unitPrice: 50, requiresShipping: false }],
    shipping: { method: 'standard', promisedShipBy: '2026-11-20T17:00:00+01:00' },
    totals: { subtotal: 50, shipping: 0, tax: 0, discount: 10, total: 40 },
    tags: ['vip'],
    note: 'leave at the door',
  },
};

describe('POST /dropship/orders and its published schema', () => {
  let store: SqliteOrderStore;
  let published: string;
  let schemaSays: (order: unknown) => boolean;
  let sequence = 0;
  before(() => {
    published = publishedIntakeSchema();
    schemaSays = senderValidator(published);
  });
  beforeEach(async () => {
    store = new SqliteOrderStore({ filename: ':memory:' });
    await store.migrate();
  });
  afterEach(() => store.close());

  /** Through the intake as the order-in node runs it: the problems, or [] when the order was stored. */
  async function intakeProblems(order: unknown): Promise<FieldProblem[]> {
    const sent = JSON.parse(JSON.stringify(order)) as Record<string, unknown>;
    try {
      await receiveStorefrontOrder(store, genericJsonIntake, sent, {}, `order-in:test-${sequence++}`);
      return [];
    } catch (err) {
      assert.ok(err instanceof DropshipError && err.code === 'invalid_input', String(err));
      return err.details;
    }
  }

  for (const [name, order] of Object.entries(BAD_ORDERS)) {
    it(`both refuse ${name}`, async () => {
      const problems = await intakeProblems(order);
      assert.notDeepEqual(problems, [], 'the intake stored it');
      assert.equal(schemaSays(JSON.parse(JSON.stringify(order))), false, `${published} accepts it`);
    });
  }

  for (const [name, { order, described }] of Object.entries(RULES_IN_WORDS)) {
    it(`the intake refuses ${name}, and the schema says so in words`, async () => {
      assert.notDeepEqual(await intakeProblems(order), []);
      const schema = JSON.parse(readFileSync(path.join(SCHEMAS, published), 'utf8')) as {
        description: string;
      };
      assert.match(schema.description, described);
    });
  }

  for (const [name, order] of Object.entries(GOOD_ORDERS)) {
    it(`both accept ${name}`, async () => {
      assert.equal(schemaSays(order), true);
      assert.deepEqual(await intakeProblems(order), []);
    });
  }

  it('documents the value the intake fills in for each field a sender may leave out', () => {
    const schema = JSON.parse(readFileSync(path.join(SCHEMAS, published), 'utf8')) as {
      required: string[];
      properties: Record<string, { default?: unknown; description?: string }>;
    };
    const canonical = JSON.parse(readFileSync(path.join(SCHEMAS, 'order.schema.json'), 'utf8')) as {
      required: string[];
      properties: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(schema.properties).sort(), Object.keys(canonical.properties).sort());
    for (const field of canonical.required.filter((f) => !schema.required.includes(f))) {
      const property = schema.properties[field]!;
      assert.ok(
        property.default !== undefined || /when left out|defaults? to/i.test(property.description ?? ''),
        `${field} may be left out but its default is not documented`,
      );
    }
  });
});

/** Every pattern and format of a schema, with the path of an order field it applies to. */
function constrainedFields(): { path: string; keyword: 'pattern' | 'format'; rule: string }[] {
  const schema = JSON.parse(readFileSync(path.join(SCHEMAS, 'order.schema.json'), 'utf8')) as {
    properties: Record<string, Record<string, unknown>>;
    $defs: Record<string, { properties?: Record<string, Record<string, unknown>> }>;
  };
  const found: { path: string; keyword: 'pattern' | 'format'; rule: string }[] = [];
  const visit = (at: string, property: Record<string, unknown>) => {
    for (const keyword of ['pattern', 'format'] as const)
      if (typeof property[keyword] === 'string') found.push({ path: at, keyword, rule: property[keyword] });
    const ref = typeof property.$ref === 'string' ? /^#\/\$defs\/(\w+)$/.exec(property.$ref) : null;
    const nested = ref
      ? schema.$defs[ref[1]!]?.properties
      : (property.properties as typeof schema.properties);
    for (const [name, child] of Object.entries(nested ?? {})) visit(`${at}/${name}`, child);
  };
  for (const [name, property] of Object.entries(schema.properties)) visit(`/${name}`, property);
  return found;
}

describe('order problems in words', () => {
  const complete = (): Record<string, unknown> => ({
    channel: 'generic',
    externalId: 'W-1',
    placedAt: '2026-11-19T08:00:00Z',
    currency: 'USD',
    customer: { email: 'ada@example.org' },
    shipTo: { line1: '1 Main St', city: 'Portland', country: 'US' },
    billTo: { line1: '1 Main St', city: 'Portland', country: 'US' },
    lines: [{ lineId: '1', sku: 'MUG', quantity: 1, unitPrice: 1, requiresShipping: true }],
    shipping: {},
    totals: { subtotal: 1, shipping: 0, tax: 0, discount: 0, total: 1 },
  });

  const fields = constrainedFields();
  it('finds the patterns and formats of the order schema', () => {
    const paths = fields.map((f) => f.path);
    for (const expected of ['/currency', '/channel', '/placedAt', '/shipTo/country', '/customer/email'])
      assert.ok(paths.includes(expected), `${expected} not in ${paths.join(', ')}`);
  });

  for (const { path: fieldPath, keyword, rule } of fields) {
    it(`says what ${fieldPath} must be (${keyword} ${rule}) without the expression`, () => {
      const order = complete();
      const parts = fieldPath.split('/').slice(1);
      let parent = order;
      for (const part of parts.slice(0, -1)) {
        parent[part] ??= {};
        parent = parent[part] as Record<string, unknown>;
      }
      parent[parts.at(-1)!] = 'Not valid!';
      let problems: FieldProblem[] = [];
      try {
        validateOrder(order);
      } catch (err) {
        assert.ok(err instanceof DropshipError);
        problems = err.details;
      }
      const problem = problems.find((p) => p.path === fieldPath);
      assert.ok(problem, `no problem at ${fieldPath}: ${JSON.stringify(problems)}`);
      assert.match(problem.message, /^must be (a|an) [a-z]/);
      assert.ok(!problem.message.includes(rule), problem.message);
      assert.doesNotMatch(problem.message, /pattern|format "|\^|\$/);
    });
  }

  it('has words for every pattern of every published schema', () => {
    const missing: string[] = [];
    const visit = (at: string, node: unknown) => {
      if (node === null || typeof node !== 'object') return;
      const schema = node as Record<string, unknown>;
      if (typeof schema.pattern === 'string' && typeof schema.mustBe !== 'string') missing.push(at);
      for (const [key, child] of Object.entries(schema)) visit(`${at}/${key}`, child);
    };
    for (const file of readdirSync(SCHEMAS).filter((f) => f.endsWith('.schema.json')))
      visit(file, JSON.parse(readFileSync(path.join(SCHEMAS, file), 'utf8')));
    assert.deepEqual(missing, []);
  });

  it('answers a lower-case currency with the currency rule in words', () => {
    try {
      validateOrder({ ...complete(), currency: 'usd' });
      assert.fail('accepted');
    } catch (err) {
      assert.ok(err instanceof DropshipError);
      assert.equal(err.message, 'Invalid order: /currency must be a three-letter ISO 4217 code such as USD');
    }
  });
});
