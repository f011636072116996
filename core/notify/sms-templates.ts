import Mustache from 'mustache';
import type { MilestoneKind } from './milestones';

/**
 * Defaults an operator edits in the notify node: one short text per milestone (Mustache, nothing escaped).
 * Kept near one SMS segment (160 GSM-7 characters) with a typical order number and link.
 */
export const DEFAULT_SMS_TEMPLATES: Record<MilestoneKind, string> = {
  confirmed:
    '{{storeName}}: thank you! Your order {{order.number}} is confirmed. We will text you when it ships.',
  shipped:
    '{{storeName}}: your order {{order.number}} has shipped with {{shipment.carrierName}}.{{#trackingPageUrl}} Track it: {{trackingPageUrl}}{{/trackingPageUrl}}{{^trackingPageUrl}}{{#shipment.trackingUrl}} Track it: {{shipment.trackingUrl}}{{/shipment.trackingUrl}}{{/trackingPageUrl}}',
  out_for_delivery: '{{storeName}}: your parcel {{shipment.trackingNumber}} is out for delivery today.',
  delivered: '{{storeName}}: your order {{order.number}} was delivered. Enjoy!',
  backordered:
    '{{storeName}}: part of your order {{order.number}} is on back order. We will ship it as soon as it is in stock.',
  cancelled: '{{storeName}}: your order {{order.number}} was cancelled. Any payment will be refunded.',
  delayed:
    '{{storeName}}: sorry, your parcel {{shipment.trackingNumber}} is running late. It is now expected on {{shipment.estimatedDelivery}}.',
  split_shipment:
    '{{storeName}}: your order {{order.number}} comes in more than one parcel. We will text you about each one.',
};

/** Renders an SMS: plain text, line breaks and runs of spaces folded, since a handset shows one paragraph. */
export function renderSms(template: string, view: Record<string, unknown>): string {
  return Mustache.render(template, view, {}, { escape: (value: unknown) => String(value) })
    .replace(/\s+/g, ' ')
    .trim();
}
