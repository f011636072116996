import Mustache from 'mustache';
import type { MilestoneKind, RefundMilestoneKind, ReturnMilestoneKind } from './milestones';
import { errorText } from '../errors';

export interface EmailTemplate {
  subject: string;
  text: string;
  html: string;
}

/** Defaults an operator edits in the notify node; Mustache placeholders, HTML escaped in the html part. */
export const DEFAULT_EMAIL_TEMPLATES: Record<MilestoneKind, EmailTemplate> = {
  confirmed: {
    subject: 'Your order {{order.number}} is confirmed',
    text: 'Hello {{customer.firstName}},\n\nThank you for your order {{order.number}}. We have passed it on for fulfilment and will e-mail you when it ships.\n\n{{#lines}}- {{quantity}} x {{title}}\n{{/lines}}\n\n{{storeName}}',
    html: '<p>Hello {{customer.firstName}},</p><p>Thank you for your order <strong>{{order.number}}</strong>. We have passed it on for fulfilment and will e-mail you when it ships.</p><ul>{{#lines}}<li>{{quantity}} &times; {{title}}</li>{{/lines}}</ul><p>{{storeName}}</p>',
  },
  shipped: {
    subject: 'Your order {{order.number}} has shipped',
    text: 'Hello {{customer.firstName}},\n\nA parcel of your order {{order.number}} is on its way with {{shipment.carrierName}}.\nTracking number: {{shipment.trackingNumber}}{{#trackingPageUrl}}\nFollow it: {{trackingPageUrl}}{{/trackingPageUrl}}{{^trackingPageUrl}}{{#shipment.trackingUrl}}\nFollow it: {{shipment.trackingUrl}}{{/shipment.trackingUrl}}{{/trackingPageUrl}}\n\n{{storeName}}',
    html: '<p>Hello {{customer.firstName}},</p><p>A parcel of your order <strong>{{order.number}}</strong> is on its way with {{shipment.carrierName}}.</p><p>Tracking number: <strong>{{shipment.trackingNumber}}</strong>{{#trackingPageUrl}}<br><a href="{{trackingPageUrl}}">Follow your parcel</a>{{/trackingPageUrl}}{{^trackingPageUrl}}{{#shipment.trackingUrl}}<br><a href="{{shipment.trackingUrl}}">Follow your parcel</a>{{/shipment.trackingUrl}}{{/trackingPageUrl}}</p><p>{{storeName}}</p>',
  },
  out_for_delivery: {
    subject: 'Your order {{order.number}} arrives today',
    text: 'Hello {{customer.firstName}},\n\nYour parcel {{shipment.trackingNumber}} is out for delivery today.\n\n{{storeName}}',
    html: '<p>Hello {{customer.firstName}},</p><p>Your parcel <strong>{{shipment.trackingNumber}}</strong> is out for delivery today.</p><p>{{storeName}}</p>',
  },
  delivered: {
    subject: 'Your order {{order.number}} was delivered',
    text: 'Hello {{customer.firstName}},\n\nYour order {{order.number}} has been delivered. We hope you enjoy it.\n\n{{storeName}}',
    html: '<p>Hello {{customer.firstName}},</p><p>Your order <strong>{{order.number}}</strong> has been delivered. We hope you enjoy it.</p><p>{{storeName}}</p>',
  },
  backordered: {
    subject: 'An update on your order {{order.number}}',
    text: 'Hello {{customer.firstName}},\n\nPart of your order {{order.number}} is on back order. We will ship it as soon as it is in stock and let you know.\n\n{{storeName}}',
    html: '<p>Hello {{customer.firstName}},</p><p>Part of your order <strong>{{order.number}}</strong> is on back order. We will ship it as soon as it is in stock and let you know.</p><p>{{storeName}}</p>',
  },
  delayed: {
    subject: 'Your order {{order.number}} is running late',
    text: 'Hello {{customer.firstName}},\n\nYour parcel {{shipment.trackingNumber}} with {{shipment.carrierName}} is taking longer than planned. It is now expected on {{shipment.estimatedDelivery}}.{{#trackingPageUrl}}\nFollow it: {{trackingPageUrl}}{{/trackingPageUrl}}\n\nSorry for the wait.\n{{storeName}}',
    html: '<p>Hello {{customer.firstName}},</p><p>Your parcel <strong>{{shipment.trackingNumber}}</strong> with {{shipment.carrierName}} is taking longer than planned. It is now expected on <strong>{{shipment.estimatedDelivery}}</strong>.</p>{{#trackingPageUrl}}<p><a href="{{trackingPageUrl}}">Follow your order</a></p>{{/trackingPageUrl}}<p>Sorry for the wait.<br>{{storeName}}</p>',
  },
  split_shipment: {
    subject: 'Your order {{order.number}} comes in more than one parcel',
    text: 'Hello {{customer.firstName}},\n\nYour order {{order.number}} will reach you in more than one parcel{{#split.bySupplier}}, because its items ship from different warehouses{{/split.bySupplier}}. Each parcel has its own tracking, and we will tell you about each one. There is nothing extra to pay.\n\n{{storeName}}',
    html: '<p>Hello {{customer.firstName}},</p><p>Your order <strong>{{order.number}}</strong> will reach you in more than one parcel{{#split.bySupplier}}, because its items ship from different warehouses{{/split.bySupplier}}. Each parcel has its own tracking, and we will tell you about each one. There is nothing extra to pay.</p><p>{{storeName}}</p>',
  },
  cancelled: {
    subject: 'Your order {{order.number}} was cancelled',
    text: 'Hello {{customer.firstName}},\n\nYour order {{order.number}} was cancelled. Any payment will be refunded.\n\n{{storeName}}',
    html: '<p>Hello {{customer.firstName}},</p><p>Your order <strong>{{order.number}}</strong> was cancelled. Any payment will be refunded.</p><p>{{storeName}}</p>',
  },
};

/** Return notices (core/returns); `rma` is the return as the payload carries it: number, lines, amounts, address. */
export const RETURN_EMAIL_TEMPLATES: Record<ReturnMilestoneKind, EmailTemplate> = {
  return_requested: {
    subject: 'We received your return request {{rma.number}}',
    text: 'Hello {{customer.firstName}},\n\nWe received your request to return these items from order {{order.number}}:\n{{#rma.lines}}- {{quantity}} x {{sku}}\n{{/rma.lines}}\nYour return number is {{rma.number}}. We will let you know shortly whether it is approved.\n\n{{storeName}}',
    html: '<p>Hello {{customer.firstName}},</p><p>We received your request to return these items from order <strong>{{order.number}}</strong>:</p><ul>{{#rma.lines}}<li>{{quantity}} &times; {{sku}}</li>{{/rma.lines}}</ul><p>Your return number is <strong>{{rma.number}}</strong>. We will let you know shortly whether it is approved.</p><p>{{storeName}}</p>',
  },
  return_approved: {
    subject: 'Your return {{rma.number}} is approved',
    text: 'Hello {{customer.firstName}},\n\nYour return {{rma.number}} is approved. Please send the items to:\n\n{{#rma.returnAddress}}{{company}}{{name}}\n{{line1}}\n{{#line2}}{{line2}}\n{{/line2}}{{postalCode}} {{city}} {{region}}\n{{country}}{{/rma.returnAddress}}\n\nWrite {{rma.number}} on the parcel. Once it arrives we refund {{rma.refundAmount}} {{rma.currency}} (restocking fee {{rma.restockingFee}} {{rma.currency}}).\n\n{{storeName}}',
    html: '<p>Hello {{customer.firstName}},</p><p>Your return <strong>{{rma.number}}</strong> is approved. Please send the items to:</p><p>{{#rma.returnAddress}}{{company}}{{name}}<br>{{line1}}<br>{{#line2}}{{line2}}<br>{{/line2}}{{postalCode}} {{city}} {{region}}<br>{{country}}{{/rma.returnAddress}}</p><p>Write <strong>{{rma.number}}</strong> on the parcel. Once it arrives we refund {{rma.refundAmount}} {{rma.currency}} (restocking fee {{rma.restockingFee}} {{rma.currency}}).</p><p>{{storeName}}</p>',
  },
  return_rejected: {
    subject: 'About your return request {{rma.number}}',
    text: 'Hello {{customer.firstName}},\n\nWe cannot accept the return {{rma.number}}: {{rma.note}}\n\nReply to this e-mail if you have questions.\n{{storeName}}',
    html: '<p>Hello {{customer.firstName}},</p><p>We cannot accept the return <strong>{{rma.number}}</strong>: {{rma.note}}</p><p>Reply to this e-mail if you have questions.<br>{{storeName}}</p>',
  },
  return_label_sent: {
    subject: 'Your return label for {{rma.number}}',
    text: 'Hello {{customer.firstName}},\n\nHere is the label for your return {{rma.number}}{{#rma.label.carrier}} with {{rma.label.carrier}}{{/rma.label.carrier}}.{{#rma.label.url}}\nPrint it: {{rma.label.url}}{{/rma.label.url}}{{#rma.label.trackingNumber}}\nTracking number: {{rma.label.trackingNumber}}{{/rma.label.trackingNumber}}\n\n{{storeName}}',
    html: '<p>Hello {{customer.firstName}},</p><p>Here is the label for your return <strong>{{rma.number}}</strong>{{#rma.label.carrier}} with {{rma.label.carrier}}{{/rma.label.carrier}}.</p>{{#rma.label.url}}<p><a href="{{rma.label.url}}">Print your label</a></p>{{/rma.label.url}}{{#rma.label.trackingNumber}}<p>Tracking number: <strong>{{rma.label.trackingNumber}}</strong></p>{{/rma.label.trackingNumber}}<p>{{storeName}}</p>',
  },
  return_received: {
    subject: 'Your return {{rma.number}} has arrived',
    text: 'Hello {{customer.firstName}},\n\nYour return {{rma.number}} has arrived. We are refunding {{rma.refundAmount}} {{rma.currency}}.\n\n{{storeName}}',
    html: '<p>Hello {{customer.firstName}},</p><p>Your return <strong>{{rma.number}}</strong> has arrived. We are refunding {{rma.refundAmount}} {{rma.currency}}.</p><p>{{storeName}}</p>',
  },
  return_refunded: {
    subject: 'Your refund for {{rma.number}}',
    text: 'Hello {{customer.firstName}},\n\nWe refunded {{rma.refunded}} {{rma.currency}} for your return {{rma.number}}. Depending on your bank it shows within a few days.\n\n{{storeName}}',
    html: '<p>Hello {{customer.firstName}},</p><p>We refunded <strong>{{rma.refunded}} {{rma.currency}}</strong> for your return {{rma.number}}. Depending on your bank it shows within a few days.</p><p>{{storeName}}</p>',
  },
};

/** The refund notice (core/refunds); `refund` is the refund as the payload carries it: total, shipping, lines. */
export const REFUND_EMAIL_TEMPLATES: Record<RefundMilestoneKind, EmailTemplate> = {
  refunded: {
    subject: 'We refunded {{refund.total}} {{refund.currency}} for your order {{order.number}}',
    text: 'Hello {{customer.firstName}},\n\nWe could not send you everything you ordered in {{order.number}}, so we refunded {{refund.total}} {{refund.currency}} to your original payment method:\n{{#refund.lines}}- {{quantity}} x {{sku}}: {{amount}}\n{{/refund.lines}}{{#refund.shipping}}Shipping: {{refund.shipping}}\n{{/refund.shipping}}\nDepending on your bank it shows within a few days. Sorry for the trouble.\n\n{{storeName}}',
    html: '<p>Hello {{customer.firstName}},</p><p>We could not send you everything you ordered in <strong>{{order.number}}</strong>, so we refunded <strong>{{refund.total}} {{refund.currency}}</strong> to your original payment method:</p><ul>{{#refund.lines}}<li>{{quantity}} &times; {{sku}}: {{amount}}</li>{{/refund.lines}}</ul>{{#refund.shipping}}<p>Shipping: {{refund.shipping}}</p>{{/refund.shipping}}<p>Depending on your bank it shows within a few days. Sorry for the trouble.</p><p>{{storeName}}</p>',
  },
};

/** Renders a template; the subject loses any line break so data can never add a header. */
export function renderEmail(template: EmailTemplate, view: Record<string, unknown>): EmailTemplate {
  const plain = (tpl: string): string =>
    Mustache.render(tpl, view, {}, { escape: (value: unknown) => String(value) });
  return {
    subject: plain(template.subject)
      .replace(/[\r\n]+/g, ' ')
      .trim(),
    text: plain(template.text),
    html: Mustache.render(template.html, view),
  };
}

/** Parses a template before it is saved, so an operator hears about an unclosed section in the editor. */
export function checkTemplate(template: string): string | undefined {
  try {
    Mustache.parse(template);
    return undefined;
  } catch (err) {
    return errorText(err);
  }
}
