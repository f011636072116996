import assert from 'node:assert/strict';
import { DropshipError } from '../../core/errors';
import { validateWithInlineSchema, validateWithSchema } from '../../core/validation/schema-validator';

const SETTINGS = {
  type: 'object',
  required: ['port'],
  properties: { port: { type: 'integer', minimum: 1, maximum: 65535 }, secure: { type: 'boolean' } },
  additionalProperties: false,
} as const;

describe('settings validation', () => {
  it('takes numbers and booleans written as text, as editor fields and ${ENV} substitution give them', () => {
    const settings = validateWithInlineSchema<{ port: number; secure: boolean }>(
      SETTINGS,
      { port: '2525', secure: 'true' },
      'settings',
    );
    assert.deepEqual(settings, { port: 2525, secure: true });
  });

  it('still names the field when the text is not a number', () => {
    assert.throws(
      () => validateWithInlineSchema(SETTINGS, { port: 'smtp' }, 'mailer settings'),
      (err: DropshipError) =>
        err.details.some((d) => d.path === '/port' && d.message === 'must be integer') &&
        /mailer settings/.test(err.message),
    );
  });

  it('does not coerce documents: an order quantity sent as text is an error', () => {
    assert.throws(
      () =>
        validateWithSchema(
          'shipment-event.schema.json',
          {
            poNumber: 'PO1',
            trackingNumber: 'TRACK12345',
            status: 'in_transit',
            occurredAt: '2026-11-21T10:00:00Z',
            source: 'webhook',
            lines: [{ sku: 'A', quantity: '2' }],
          },
          'shipment event',
        ),
      (err: DropshipError) => err.details.some((d) => d.path === '/lines/0/quantity'),
    );
  });
});
