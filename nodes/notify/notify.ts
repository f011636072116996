import {
  deliverEmailNotifications,
  queueEmailMilestones,
  type DeliveryReport,
  type EmailOutboxOptions,
} from '../../core/notify/email-outbox';
import type { Request, Response } from 'express';
import {
  checkTemplate,
  DEFAULT_EMAIL_TEMPLATES,
  type EmailTemplate,
} from '../../core/notify/email-templates';
import { previewEmailTemplate } from '../../core/notify/template-preview';
import { MILESTONE_KINDS, type MilestoneKind } from '../../core/notify/milestones';
import { asDropshipError, DropshipError } from '../../core/errors';
import type { MailerConfigNode } from '../adapter/config-nodes';
import { exceptionMessage, onInput, requiredMessageString } from '../adapter/input-handler';
import { actorOf, type Node, type NodeAPI, type NodeDef, type NodeMessage } from '../adapter/node-red';
import { showActivity } from '../adapter/status';
import { storeOf } from '../adapter/store-access';

interface NotifyNodeDef extends NodeDef {
  store: string;
  mailer: string;
  storeName: string;
  milestones: MilestoneKind[] | string;
  templates: Partial<Record<MilestoneKind, EmailTemplate>> | string;
  sweepSeconds: number | string;
}

function parseTemplates(raw: NotifyNodeDef['templates']): Partial<Record<MilestoneKind, EmailTemplate>> {
  const templates = (typeof raw === 'string' ? (raw ? JSON.parse(raw) : {}) : (raw ?? {})) as Partial<
    Record<MilestoneKind, EmailTemplate>
  >;
  for (const [kind, template] of Object.entries(templates)) {
    for (const part of ['subject', 'text', 'html'] as const) {
      const problem = template && checkTemplate(template[part] ?? '');
      if (problem)
        throw new DropshipError('configuration', `template ${kind}.${part}: ${problem}`, [
          { path: `templates/${kind}/${part}`, message: problem },
        ]);
    }
  }
  return templates;
}

let editorRoutesOn: unknown;

/** The editor's template dialog: the built-in wording, and a preview rendered with a sample order. */
function mountTemplateRoutes(RED: NodeAPI): void {
  if (editorRoutesOn === RED.httpAdmin) return;
  editorRoutesOn = RED.httpAdmin;
  const canRead = RED.auth.needsPermission('dropship-notify.read');
  RED.httpAdmin.get('/dropship/notify/templates', canRead, (_req: Request, res: Response) => {
    res.json({ defaults: DEFAULT_EMAIL_TEMPLATES });
  });
  RED.httpAdmin.post('/dropship/notify/preview', canRead, (req: Request, res: Response) => {
    const body = (req.body ?? {}) as { template?: Partial<EmailTemplate>; storeName?: string };
    try {
      res.json(previewEmailTemplate(body.template ?? {}, String(body.storeName ?? '')));
    } catch (err) {
      res.status(400).json({ error: asDropshipError(err).toJSON() });
    }
  });
}

export = function registerNotifyNode(RED: NodeAPI): void {
  mountTemplateRoutes(RED);
  function DropshipNotifyNode(this: Node, config: NotifyNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const mailer = RED.nodes.getNode(config.mailer) as MailerConfigNode | null;
    const enabled = (
      typeof config.milestones === 'string'
        ? config.milestones.split(',')
        : (config.milestones ?? ['confirmed', 'shipped', 'delivered'])
    )
      .map((m) => m.trim())
      .filter((m): m is MilestoneKind => (MILESTONE_KINDS as readonly string[]).includes(m));
    let templates: Partial<Record<MilestoneKind, EmailTemplate>> = {};
    try {
      templates = parseTemplates(config.templates);
    } catch (err) {
      node.error(err instanceof Error ? err.message : String(err));
    }

    async function outbox(): Promise<EmailOutboxOptions> {
      if (!mailer)
        throw new DropshipError('configuration', 'no mailer is configured', [
          { path: 'mailer', message: 'select a dropship-mailer' },
        ]);
      return {
        store: await storeOf(RED, node, config.store),
        sender: { send: (email) => mailer.sendMail(email) },
        milestones: enabled,
        templates,
        storeName: config.storeName || 'Our store',
        owner: actorOf(node),
        leaseMs: 60_000,
        now: () => new Date(),
      };
    }

    function report(delivery: DeliveryReport, msg: NodeMessage): void {
      for (const sent of delivery.sent) {
        node.send([
          {
            ...msg,
            orderId: sent.orderId,
            payload: { channel: sent.channel, milestone: sent.milestone, state: 'sent' },
          },
          null,
        ]);
      }
      for (const { notification, error, willRetry } of delivery.failed) {
        node.send([
          null,
          exceptionMessage(
            {
              ...msg,
              orderId: notification.orderId,
              payload: { milestone: notification.milestone, willRetry },
            },
            new DropshipError('delivery_failed', error),
          ),
        ]);
      }
      if (delivery.failed.length > 0)
        showActivity(
          node,
          delivery.failed.some((f) => f.willRetry) ? 'retrying' : 'failed',
          `${delivery.failed.length} not sent`,
        );
      else if (delivery.sent.length > 0) showActivity(node, 'accepted', `${delivery.sent.length} sent`);
    }

    onInput(node, async (msg) => {
      const orderId = requiredMessageString(msg, 'orderId', 'payload.orderId');
      const options = await outbox();
      await queueEmailMilestones(options, orderId);
      showActivity(node, 'sending');
      report(await deliverEmailNotifications(options, orderId), msg);
    });

    // Retries and anything queued before a restart go out on the sweep.
    let sweeping = false;
    const timer = setInterval(
      () => {
        if (sweeping || !mailer) return;
        sweeping = true;
        outbox()
          .then((options) => deliverEmailNotifications(options))
          .then((delivery) => report(delivery, {}))
          .catch((err: unknown) =>
            node.warn(`notification sweep failed: ${err instanceof Error ? err.message : String(err)}`),
          )
          .finally(() => {
            sweeping = false;
          });
      },
      (Number(config.sweepSeconds) || 30) * 1000,
    );
    node.on('close', () => clearInterval(timer));
    showActivity(node, 'waiting');
  }
  RED.nodes.registerType('dropship-notify', DropshipNotifyNode as never);
};
