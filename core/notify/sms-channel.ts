import { renderSms, DEFAULT_SMS_TEMPLATES } from './sms-templates';
import {
  customerMilestones,
  milestoneKindOf,
  notificationView,
  type CustomerMessageOptions,
} from './message-view';
import type { MilestoneKind } from './milestones';
import { DeliveryRefused, type NotificationChannel } from './outbox';
import type { Order } from '../model/order';

export interface SmsSender {
  /** Resolves once the SMS gateway accepted the message; throws with `retryable: false` when it never will. */
  send(message: { to: string; body: string }): Promise<void>;
}

export interface SmsChannelOptions extends CustomerMessageOptions {
  sender: SmsSender;
  templates?: Partial<Record<MilestoneKind, string>>;
}

export const SMS_CHANNEL = 'sms';

/**
 * The customer's phone number in E.164 (+ and country code), from the order's customer or shipping address.
 * Storefronts print numbers with spaces, dashes and brackets; without the country code we cannot know it.
 */
export function customerMobile(order: Order): string | undefined {
  for (const raw of [order.customer.phone, order.shipTo.phone]) {
    const compact = raw?.replace(/[\s().-]/g, '');
    if (compact && /^\+[1-9]\d{6,14}$/.test(compact)) return compact;
  }
  return undefined;
}

/** The customer's SMS: one short text per milestone, in the operator's wording or the built-in one. */
export function smsChannel(options: SmsChannelOptions): NotificationChannel {
  return {
    name: SMS_CHANNEL,
    milestones: (facts) => customerMilestones(facts, options.milestones),
    async deliver(notification, facts) {
      const to = customerMobile(facts.order);
      if (!to)
        throw new DeliveryRefused(
          'the order has no phone number in international format (+ and country code)',
        );
      const kind = milestoneKindOf(notification);
      const body = renderSms(
        options.templates?.[kind] ?? DEFAULT_SMS_TEMPLATES[kind],
        notificationView(notification, facts, options),
      );
      await options.sender.send({ to, body });
    },
  };
}
