import assert from 'node:assert/strict';
import { DropshipError, type FieldProblem } from '../../core/errors';
import type { OrderDraft } from '../../core/model/order';
import {
  describeSchemaErrors,
  validateWithInlineSchema,
  validateWithSchema,
} from '../../core/validation/schema-validator';
import { validateOrder, validateShipmentEvent } from '../../core/validation/validate-order';
import { sampleOrderDraft } from '../support/orders';

/** The order as a plain JSON value, so tests can delete and replace fields freely. */
function orderJson(overrides: Partial<OrderDraft> = {}): Record<string, unknown> {
  return JSON.parse(JSON.stringify(sampleOrderDraft({ externalId: 'V-1', ...overrides }))) as Record<
    string,
    unknown
  >;
}

function problemsOf(run: () => unknown): FieldProblem[] {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof DropshipError, String(err));
    assert.equal(err.code, 'invalid_input');
    return err.details;
  }
  assert.fail('expected the value to be refused');
}

function without(value: Record<string, unknown>, pointer: string): Record<string, unknown> {
  const keys = pointer.split('/').slice(1);
  let parent: Record<string, unknown> = value;
  for (const key of keys.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  delete parent[keys[keys.length - 1]!];
  return value;
}

describe('validateOrder', () => {
  it('returns a valid order as it was given', () => {
    const order = orderJson();
    assert.equal(validateOrder(order), order);
  });

  const requiredFields = [
    '/channel',
    '/externalId',
    '/placedAt',
    '/currency',
    '/customer',
    '/shipTo',
    '/lines',
    '/shipping',
    '/totals',
    '/shipTo/line1',
    '/shipTo/city',
    '/shipTo/country',
    '/lines/1/lineId',
    '/lines/1/sku',
    '/lines/1/quantity',
    '/lines/1/unitPrice',
    '/lines/1/requiresShipping',
    '/totals/subtotal',
    '/totals/shipping',
    '/totals/tax',
    '/totals/discount',
    '/totals/total',
  ];
  for (const pointer of requiredFields) {
    it(`names ${pointer} when it is missing`, () => {
      const problems = problemsOf(() => validateOrder(without(orderJson(), pointer)));
      assert.deepEqual(problems, [{ path: pointer, message: 'is required' }]);
    });
  }

  it('lists every problem at once and summarises the first three in the message', () => {
    const order = orderJson();
    without(order, '/externalId');
    order.currency = 'usd';
    (order.shipTo as Record<string, unknown>).country = 'USA';
    (order.lines as Record<string, unknown>[])[0]!.quantity = 0;
    (order.customer as Record<string, unknown>).email = 'not an address';
    order.giftWrap = true;
    try {
      validateOrder(order);
      assert.fail('expected the order to be refused');
    } catch (err) {
      assert.ok(err instanceof DropshipError);
      assert.deepEqual(err.details.map((d) => d.path).sort(), [
        '/currency',
        '/customer/email',
        '/externalId',
        '/giftWrap',
        '/lines/0/quantity',
        '/shipTo/country',
      ]);
      assert.match(err.message, /^Invalid order: .+; .+; .+ \(\+3 more\)$/);
      assert.deepEqual(
        err.details.find((d) => d.path === '/giftWrap'),
        { path: '/giftWrap', message: 'is not a known field' },
      );
      assert.deepEqual(
        err.details.find((d) => d.path === '/lines/0/quantity'),
        {
          path: '/lines/0/quantity',
          message: 'must be >= 1',
        },
      );
      assert.deepEqual(
        err.details.find((d) => d.path === '/customer/email'),
        {
          path: '/customer/email',
          message: 'must be an e-mail address such as ada@example.com',
        },
      );
    }
  });

  it('refuses an order without lines', () => {
    assert.deepEqual(
      problemsOf(() => validateOrder(orderJson({ lines: [] }))),
      [{ path: '/lines', message: 'must NOT have fewer than 1 items' }],
    );
  });

  it('names a repeated line id at the line that repeats it', () => {
    const order = orderJson();
    (order.lines as Record<string, unknown>[])[1]!.lineId = '1';
    assert.deepEqual(
      problemsOf(() => validateOrder(order)),
      [{ path: '/lines/1/lineId', message: 'repeats "1"' }],
    );
  });

  it('says how the total should add up when it does not', () => {
    const order = orderJson({ totals: { subtotal: 45, shipping: 5, tax: 4, discount: 2, total: 60 } });
    assert.deepEqual(
      problemsOf(() => validateOrder(order)),
      [{ path: '/totals/total', message: 'is 60 but subtotal + shipping + tax - discount is 52.00' }],
    );
  });

  it('leaves the tax out of the sum when prices include it', () => {
    const inclusive = { subtotal: 45, shipping: 5, tax: 7.98, discount: 0, total: 50, taxesIncluded: true };
    assert.doesNotThrow(() => validateOrder(orderJson({ totals: inclusive })));
    const wrong = orderJson({ totals: { ...inclusive, total: 57.98 } });
    assert.deepEqual(
      problemsOf(() => validateOrder(wrong)),
      [{ path: '/totals/total', message: 'is 57.98 but subtotal + shipping - discount is 50.00' }],
    );
  });

  it('allows the storefronts their rounding: 5 cents, not 6', () => {
    assert.doesNotThrow(() =>
      validateOrder(orderJson({ totals: { subtotal: 45, shipping: 5, tax: 0, discount: 0, total: 50.05 } })),
    );
    assert.equal(
      problemsOf(() =>
        validateOrder(
          orderJson({ totals: { subtotal: 45, shipping: 5, tax: 0, discount: 0, total: 50.06 } }),
        ),
      )[0]?.path,
      '/totals/total',
    );
  });

  it('refuses negative money and impossible dates', () => {
    const order = orderJson({ placedAt: '2026-13-45T25:00:00Z' });
    (order.lines as Record<string, unknown>[])[0]!.unitPrice = -1;
    assert.deepEqual(
      problemsOf(() => validateOrder(order))
        .map((p) => `${p.path} ${p.message}`)
        .sort(),
      [
        '/lines/0/unitPrice must be >= 0',
        '/placedAt must be a date and time with its time zone, such as 2026-11-20T14:30:00Z',
      ],
    );
  });
});

describe('schema validation helpers', () => {
  it('explains an enum by listing the allowed values', () => {
    const problems = problemsOf(() =>
      validateShipmentEvent({
        trackingNumber: '1Z999AA10123456784',
        status: 'lost_in_space',
        occurredAt: '2026-11-21T08:00:00Z',
        source: 'test',
      }),
    );
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.path, '/status');
    assert.match(problems[0]!.message, /^must be one of info_received, in_transit, out_for_delivery, /);
  });

  it('validates against an inline schema and names the field', () => {
    const schema = {
      type: 'object',
      required: ['url'],
      properties: { url: { type: 'string', pattern: '^https?://' } },
      additionalProperties: false,
    };
    assert.deepEqual(validateWithInlineSchema(schema, { url: 'https://x.test' }, 'settings'), {
      url: 'https://x.test',
    });
    const problems = problemsOf(() =>
      validateWithInlineSchema(schema, { url: 'ftp://x.test', port: 1 }, 'settings'),
    );
    assert.deepEqual(
      problems.map((p) => p.path),
      ['/port', '/url'],
    );
  });

  it('reports the branches of anyOf, not anyOf itself', () => {
    const schema = { anyOf: [{ type: 'string' }, { type: 'number' }] };
    const problems = problemsOf(() => validateWithInlineSchema(schema, { not: 'scalar' }, 'value'));
    assert.deepEqual(problems, [
      { path: '', message: 'must be string' },
      { path: '', message: 'must be number' },
    ]);
    assert.deepEqual(describeSchemaErrors(null), []);
  });

  it('fails loudly for a schema file that does not exist', () => {
    assert.throws(
      () => validateWithSchema('no-such.schema.json', {}, 'thing'),
      /schema no-such.schema.json is not registered/,
    );
  });
});

describe('validateShipmentEvent', () => {
  const event = {
    poNumber: 'PO0123456789-1',
    trackingNumber: '1Z999AA10123456784',
    status: 'in_transit',
    occurredAt: '2026-11-21T10:00:00.000Z',
    source: 'webhook',
  };

  it('accepts an http(s) tracking link', () => {
    assert.equal(
      validateShipmentEvent({
        ...event,
        trackingUrl: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
      }).status,
      'in_transit',
    );
  });

  it('refuses a tracking link that is not http(s), since it ends up in customer e-mails', () => {
    assert.throws(
      () => validateShipmentEvent({ ...event, trackingUrl: 'javascript:alert(1)' }),
      (err: DropshipError) => err.details.some((d) => d.path === '/trackingUrl'),
    );
  });
});
