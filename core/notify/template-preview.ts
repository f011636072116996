import { invalidInput, type FieldProblem } from '../errors';
import type { Order } from '../model/order';
import type { Shipment } from '../model/shipment';
import { checkTemplate, renderEmail, type EmailTemplate } from './email-templates';
import { messageView } from './message-view';
import { renderSms } from './sms-templates';

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
  estimatedDelivery: '2026-11-24T12:00:00.000Z',
  events: [],
};

/** The sample as a template sees it: a parcel running late, an order split between two suppliers. */
function sampleView(storeName: string): Record<string, unknown> {
  return messageView(SAMPLE_ORDER, SAMPLE_SHIPMENT, storeName || 'Our store', {
    split: { parcels: 2, suppliers: 2 },
  });
}

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
  return renderEmail(template as EmailTemplate, sampleView(storeName));
}

/** GSM 03.38 basic characters: texts made only of these fit 160 per SMS, others 70 (UCS-2). */
const GSM_7 = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà]*$/;

export interface SmsPreview {
  text: string;
  characters: number;
  /** How many messages the carrier bills: 160 (GSM-7) or 70 (UCS-2) characters alone, 153 or 67 per part. */
  segments: number;
}

/** Renders an SMS template draft against the sample order, with its length in characters and SMS segments. */
export function previewSmsTemplate(template: unknown, storeName: string): SmsPreview {
  if (typeof template !== 'string' || template.trim() === '')
    throw invalidInput('template', [{ path: 'sms', message: 'is required' }]);
  const problem = checkTemplate(template);
  if (problem) throw invalidInput('template', [{ path: 'sms', message: problem }]);
  const text = renderSms(template, sampleView(storeName));
  const characters = [...text].length;
  const [single, part] = GSM_7.test(text) ? [160, 153] : [70, 67];
  return { text, characters, segments: characters <= single ? 1 : Math.ceil(characters / part) };
}
