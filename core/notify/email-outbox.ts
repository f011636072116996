import {
  DEFAULT_EMAIL_TEMPLATES,
  REFUND_EMAIL_TEMPLATES,
  RETURN_EMAIL_TEMPLATES,
  renderEmail,
  type EmailTemplate,
} from './email-templates';
import {
  customerMilestones,
  milestoneKindOf,
  notificationView,
  type CustomerMessageOptions,
} from './message-view';
import type { MilestoneKind, RefundMilestoneKind, ReturnMilestoneKind } from './milestones';
import { DeliveryRefused, type NotificationChannel } from './outbox';
import { errorText } from '../errors';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Deterministic per order and milestone: a resend after a crash is recognisable as the same message. */
  messageId: string;
}

export interface EmailSender {
  /** Resolves once the server accepted the message; a refusal carries the SMTP reply code in `responseCode`. */
  send(email: OutgoingEmail): Promise<void>;
}

/** RFC 5321 section 4.2.1: a 5yz reply is final, so the same message must not be sent again. */
function isPermanentRefusal(err: unknown): boolean {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export interface EmailChannelOptions extends CustomerMessageOptions {
  sender: EmailSender;
  templates?: Partial<Record<MilestoneKind, EmailTemplate>>;
}

export const EMAIL_CHANNEL = 'email';

/** The customer's e-mail: one message per milestone, in the operator's wording or the built-in one. */
export function emailChannel(options: EmailChannelOptions): NotificationChannel {
  return {
    name: EMAIL_CHANNEL,
    milestones: (facts) => customerMilestones(facts, options.milestones),
    async deliver(notification, facts) {
      const to = facts.order.customer.email;
      if (!to) throw new DeliveryRefused('the order has no customer e-mail address');
      const kind = milestoneKindOf(notification);
      const template =
        options.templates?.[kind] ??
        DEFAULT_EMAIL_TEMPLATES[kind] ??
        RETURN_EMAIL_TEMPLATES[kind as unknown as ReturnMilestoneKind] ??
        REFUND_EMAIL_TEMPLATES[kind as unknown as RefundMilestoneKind];
      if (!template) throw new DeliveryRefused(`no e-mail wording for notices of kind "${kind}"`);
      // Return and refund notices carry the return (number, lines, address, amounts) or the refund in their payload.
      const view = {
        ...notificationView(notification, facts, options),
        rma: notification.payload.rma,
        refund: notification.payload.refund,
      };
      const rendered = renderEmail(template, view);
      try {
        await options.sender.send({
          ...rendered,
          to,
          messageId: `<${facts.order.id}.${notification.milestone.replace(/[^A-Za-z0-9.-]/g, '.')}@dropship>`,
        });
      } catch (err) {
        if (isPermanentRefusal(err)) throw new DeliveryRefused(errorText(err), { cause: err });
        throw err;
      }
    },
  };
}
