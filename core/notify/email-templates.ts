import Mustache from 'mustache';
import type { MilestoneKind } from './milestones';

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
    text: 'Hello {{customer.firstName}},\n\nA parcel of your order {{order.number}} is on its way with {{shipment.carrierName}}.\nTracking number: {{shipment.trackingNumber}}\nFollow it: {{#trackingPageUrl}}{{trackingPageUrl}}{{/trackingPageUrl}}{{^trackingPageUrl}}{{shipment.trackingUrl}}{{/trackingPageUrl}}\n\n{{storeName}}',
    html: '<p>Hello {{customer.firstName}},</p><p>A parcel of your order <strong>{{order.number}}</strong> is on its way with {{shipment.carrierName}}.</p><p>Tracking number: <strong>{{shipment.trackingNumber}}</strong><br><a href="{{#trackingPageUrl}}{{trackingPageUrl}}{{/trackingPageUrl}}{{^trackingPageUrl}}{{shipment.trackingUrl}}{{/trackingPageUrl}}">Follow your parcel</a></p><p>{{storeName}}</p>',
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
    return err instanceof Error ? err.message : String(err);
  }
}
