import { invalidInput, type FieldProblem } from '../errors';
import type { Order } from '../model/order';
import type { Shipment } from '../model/shipment';
import { checkTemplate, renderEmail, type EmailTemplate } from './email-templates';
import { emailView } from './email-outbox';

/** A made-up order and parcel, so an operator sees every placeholder filled while editing a template. */
const SAMPLE_ORDER: Order = {
  id: 'ord_sample',
  channel: 'shopify',
  externalId: '1001',
  orderNumber: '#1001',
  state: 'shipped',
  version: 1,
  placedAt: '2026-11-20T10:00:00.000Z',
  createdAt: '2026-11-20T10:00:00.000Z',
  updatedAt: '2026-11-21T10:00:00.000Z',
  currency: 'USD',
  customer: { name: 'Ada Lovelace', email: 'ada@example.test' },
  shipTo: {
    name: 'Ada Lovelace',
    line1: '12 Analytical Way',
    city: 'Portland',
    region: 'OR',
    postalCode: '97201',
    country: 'US',
  },
  lines: [
    {
      lineId: '1',
      sku: 'MUG-BLACK',
      title: 'Black mug',
      quantity: 2,
      unitPrice: 12.5,
      requiresShipping: true,
    },
    { lineId: '2', sku: 'TEE-M', title: 'T-shirt (M)', quantity: 1, unitPrice: 20, requiresShipping: true },
  ],
  shipping: { method: 'Standard' },
  totals: { subtotal: 45, shipping: 5, tax: 0, discount: 0, total: 50 },
};

const SAMPLE_SHIPMENT: Shipment = {
  id: 1,
  orderId: 'ord_sample',
  carrier: 'ups',
  trackingNumber: '1Z999AA10123456784',
  trackingUrl: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
  status: 'in_transit',
  lastEventAt: '2026-11-21T09:00:00.000Z',
  events: [],
};

/** Renders a template draft against the sample order, or names the part that does not parse. */
export function previewEmailTemplate(template: Partial<EmailTemplate>, storeName: string): EmailTemplate {
  const problems: FieldProblem[] = [];
  for (const part of ['subject', 'text', 'html'] as const) {
    if (typeof template[part] !== 'string') problems.push({ path: part, message: 'is required' });
    else {
      const problem = checkTemplate(template[part]);
      if (problem) problems.push({ path: part, message: problem });
    }
  }
  if (problems.length > 0) throw invalidInput('template', problems);
  return renderEmail(
    template as EmailTemplate,
    emailView(SAMPLE_ORDER, SAMPLE_SHIPMENT, storeName || 'Our store'),
  );
}
