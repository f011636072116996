import { writeFileSync } from 'node:fs';
import path from 'node:path';

export interface PipelineFlowOptions {
  store:
    | { engine: 'sqlite'; filename: string }
    | { engine: 'postgres'; connectionString: string; schema: string; poolSize?: number };
  supplierUrl: string;
  /** acme withdraws cancelled POs at `<supplierUrl>/{poNumber}/cancel`. */
  supplierCancels?: true;
  /** acme also takes changed POs at `<supplierUrl>/{poNumber}` (PATCH): storefront edits reach it. */
  supplierChanges?: true;
  /** The router's hold window before dispatch, in minutes (0 when absent). */
  holdMinutes?: number;
  /** The milestones the customer is e-mailed (confirmed when absent). */
  milestones?: string[];
  /** A second REST supplier, globex, ranked after acme: a backorder at acme fails over to it. */
  fallbackSupplierUrl?: string;
  /** Port of the SMTP server the customers' e-mails go to. */
  smtpPort: number;
  supplierTimeoutMs?: number;
  leaseSeconds?: number;
  sweepSeconds?: number;
  maxAttempts?: number;
  baseDelaySeconds?: number;
  maxDelaySeconds?: number;
  breakerThreshold?: number;
  breakerCooldownSeconds?: number;
}

/**
 * The production pipeline as an operator would wire it (like flows/demo.json, without the sandbox tab): Shopify
 * webhooks in (secret from DROPSHIP_SHOPIFY_SECRET), routing to one REST supplier (and a fallback when given),
 * dispatch, and a confirmation e-mail per order. Each instance names itself to the supplier in X-Instance
 * (DROPSHIP_INSTANCE).
 */
export function writePipelineFlow(dir: string, options: PipelineFlowOptions): string {
  const store =
    options.store.engine === 'sqlite'
      ? { engine: 'sqlite', filename: options.store.filename, synchronous: 'FULL' }
      : {
          engine: 'postgres',
          connectionString: options.store.connectionString,
          schema: options.store.schema,
          poolSize: options.store.poolSize ?? 10,
        };
  const flow = [
    { id: 'tab', type: 'tab', label: 'Pipeline' },
    { id: 'store', type: 'dropship-store', name: 'Orders', ...store },
    {
      id: 'shop',
      type: 'dropship-storefront',
      platform: 'shopify',
      shopDomain: 'reliability.myshopify.com',
      secretEnv: 'DROPSHIP_SHOPIFY_SECRET',
    },
    {
      id: 'supplier',
      type: 'dropship-supplier',
      supplierId: 'acme',
      connector: 'rest-json',
      settings: {
        url: options.supplierUrl,
        timeoutMs: options.supplierTimeoutMs ?? 10_000,
        headers: { 'X-Instance': '${DROPSHIP_INSTANCE}' },
        ...(options.supplierCancels ? { cancelUrl: `${options.supplierUrl}/{poNumber}/cancel` } : {}),
        ...(options.supplierChanges ? { changeUrl: `${options.supplierUrl}/{poNumber}` } : {}),
      },
    },
    ...(options.fallbackSupplierUrl
      ? [
          {
            id: 'fallback-supplier',
            type: 'dropship-supplier',
            supplierId: 'globex',
            connector: 'rest-json',
            settings: { url: options.fallbackSupplierUrl, timeoutMs: options.supplierTimeoutMs ?? 10_000 },
          },
        ]
      : []),
    {
      id: 'mailer',
      type: 'dropship-mailer',
      host: '127.0.0.1',
      port: options.smtpPort,
      secure: false,
      from: 'Shop <shop@example.test>',
    },
    {
      id: 'in',
      type: 'dropship-order-in',
      z: 'tab',
      store: 'store',
      platform: 'shopify',
      storefront: 'shop',
      listen: true,
      path: '/dropship/shopify/orders',
      wires: [['router'], []],
    },
    {
      id: 'router',
      type: 'dropship-router',
      z: 'tab',
      store: 'store',
      rules: {
        strategy: 'priority',
        rules: [
          { match: { sku: '*' }, suppliers: options.fallbackSupplierUrl ? ['acme', 'globex'] : ['acme'] },
        ],
      },
      sweepSeconds: options.sweepSeconds ?? 1,
      holdMinutes: options.holdMinutes ?? 0,
      wires: [['dispatch'], []],
    },
    {
      id: 'dispatch',
      type: 'dropship-dispatch',
      z: 'tab',
      store: 'store',
      leaseSeconds: options.leaseSeconds ?? 5,
      maxAttempts: options.maxAttempts ?? 20,
      baseDelaySeconds: options.baseDelaySeconds ?? 0.3,
      maxDelaySeconds: options.maxDelaySeconds ?? 2,
      sweepSeconds: options.sweepSeconds ?? 1,
      breakerThreshold: options.breakerThreshold ?? 1000,
      breakerCooldownSeconds: options.breakerCooldownSeconds ?? 1,
      wires: [['notify'], []],
    },
    {
      id: 'notify',
      type: 'dropship-notify',
      z: 'tab',
      store: 'store',
      mailer: 'mailer',
      storeName: 'Reliability Shop',
      milestones: options.milestones ?? ['confirmed'],
      sweepSeconds: options.sweepSeconds ?? 1,
      wires: [[], []],
    },
  ];
  const file = path.join(dir, `flow-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(flow, null, 2));
  return file;
}
