import assert from 'node:assert/strict';
import { DropshipError } from '../../core/errors';
import { validateWithInlineSchema } from '../../core/validation/schema-validator';
import { carrierConnectors } from '../../connectors/carriers/registry';
import { supplierMailboxSettingsSchema } from '../../connectors/mail/supplier-mailbox';
import { twilioSmsSettingsSchema } from '../../connectors/messaging/twilio-sms';
import { shopifyFulfilmentSettingsSchema } from '../../connectors/storefronts/shopify-fulfilment';
import { wooCommerceFulfilmentSettingsSchema } from '../../connectors/storefronts/woocommerce-fulfilment';

/** The editor validates these settings with the package's strict ajv; each schema must compile there and mean it. */
const SCHEMAS: { name: string; schema: object; valid: unknown; invalid: unknown; field: string }[] = [
  ...carrierConnectors().map((c) => ({
    name: `${c.kind} carrier`,
    schema: c.settingsSchema,
    valid: { baseUrl: 'https://wwwcie.ups.com' },
    invalid: { baseUrl: 'ftp://example.test' },
    field: '/baseUrl',
  })),
  {
    name: 'supplier mailbox',
    schema: supplierMailboxSettingsSchema,
    valid: {
      host: 'imap.example.test',
      port: 993,
      processedFolder: 'Processed',
      matching: { orderNumberPatterns: ['#(\\d+)'] },
    },
    invalid: { host: 'imap.example.test', port: 0 },
    field: '/port',
  },
  {
    name: 'Twilio SMS',
    schema: twilioSmsSettingsSchema,
    valid: { from: '+15005550006' },
    invalid: { statusCallbackUrl: 'https://shop.example.test/sms-status' },
    field: '/from',
  },
  {
    name: 'Shopify fulfilment',
    schema: shopifyFulfilmentSettingsSchema,
    valid: { shopDomain: 'acme-goods.myshopify.com', apiVersion: '2025-07', notifyCustomer: true },
    invalid: { shopDomain: 'acme-goods.example.com' },
    field: '/shopDomain',
  },
  {
    name: 'WooCommerce fulfilment',
    schema: wooCommerceFulfilmentSettingsSchema,
    valid: { storeUrl: 'https://shop.example.test', providerNames: { dhl: 'DHL Express' } },
    invalid: { storeUrl: 'https://shop.example.test', providerNames: { royalmail: 'Royal Mail' } },
    field: '/providerNames/royalmail',
  },
];

describe('settings schemas of tracking and notification channels', () => {
  for (const entry of SCHEMAS) {
    it(`${entry.name}: accepts good settings and names the bad field`, () => {
      assert.deepEqual(
        validateWithInlineSchema(entry.schema, entry.valid, `${entry.name} settings`),
        entry.valid,
      );
      assert.throws(
        () => validateWithInlineSchema(entry.schema, entry.invalid, `${entry.name} settings`),
        (err: unknown) => err instanceof DropshipError && err.details.some((d) => d.path === entry.field),
      );
    });
  }
});
