import type { Request, Response } from 'express';
import { systemClock } from '../../core/clock';
import { asDropshipError, DropshipError } from '../../core/errors';
import { emailChannel } from '../../core/notify/email-outbox';
import {
  checkTemplate,
  DEFAULT_EMAIL_TEMPLATES,
  type EmailTemplate,
} from '../../core/notify/email-templates';
import { MILESTONE_KINDS, type MilestoneKind } from '../../core/notify/milestones';
import {
  deliverNotifications,
  queueAndDeliver,
  readOrderFacts,
  type DeliveryReport,
  type NotificationChannel,
  type OutboxWorker,
} from '../../core/notify/outbox';
import { smsChannel } from '../../core/notify/sms-channel';
import { DEFAULT_SMS_TEMPLATES } from '../../core/notify/sms-templates';
import { storefrontChannel, type StorefrontFulfiller } from '../../core/notify/storefront-channel';
import { previewEmailTemplate, previewSmsTemplate } from '../../core/notify/template-preview';
import { DEFAULT_LINK_DAYS, trackingPageUrl } from '../../core/notify/tracking-page-view';
import { validateWithInlineSchema } from '../../core/validation/schema-validator';
import { shopifyContextOf, wooCommerceContextOf } from '../adapter/storefront-api';
import type { ConnectorLog } from '../../core/ports/connector';
import {
  sendTwilioSms,
  twilioSmsSettingsSchema,
  type TwilioSmsSettings,
} from '../../connectors/messaging/twilio-sms';
import {
  createShopifyFulfilment,
  updateShopifyTracking,
} from '../../connectors/storefronts/shopify-fulfilment';
import { addWooCommerceTracking } from '../../connectors/storefronts/woocommerce-fulfilment';
import type { MailerConfigNode, StorefrontConfigNode } from '../adapter/config-nodes';
import { exceptionMessage, onInput, requiredMessageString } from '../adapter/input-handler';
import { mountOnce } from '../adapter/mount-once';
import { actorOf, type Node, type NodeAPI, type NodeDef, type NodeMessage } from '../adapter/node-red';
import { showActivity } from '../adapter/status';
import { storeOf } from '../adapter/store-access';
import { startSweep } from '../adapter/sweep';
import { operatorAdminRequest } from '../adapter/operator-routes';
import { mountTrackingPage } from './tracking-page-routes';

type ChannelName = 'email' | 'sms' | 'storefront';

interface NotifyNodeDef extends NodeDef {
  store: string;
  channels: ChannelName[] | string;
  mailer: string;
  storeName: string;
  milestones: MilestoneKind[] | string;
  templates: Partial<Record<MilestoneKind, EmailTemplate>> | string;
  smsMilestones: MilestoneKind[] | string;
  smsTemplates: Partial<Record<MilestoneKind, string>> | string;
  smsFrom: string;
  smsApiUrl: string;
  storefront: string;
  notifyCustomer: boolean;
  sweepSeconds: number | string;
  trackingPage: boolean;
  trackingPagePath: string;
  /** Days a tracking link keeps working after its order is delivered or cancelled. */
  linkDays: number | string;
  publicUrl: string;
  primaryColour: string;
  backgroundColour: string;
  logoUrl: string;
  supportEmail: string;
}

interface NotifyCredentials {
  accountSid?: string;
  authToken?: string;
  linkSecret?: string;
  previousLinkSecret?: string;
}

const DEFAULT_TRACKING_PAGE_PATH = '/dropship/track';

function jsonProperty<T>(raw: T | string | undefined, fallback: T): T {
  if (typeof raw === 'string') return raw ? (JSON.parse(raw) as T) : fallback;
  return raw ?? fallback;
}

function listProperty(raw: string[] | string | undefined, fallback: string[]): string[] {
  if (raw === undefined) return fallback;
  return (typeof raw === 'string' ? raw.split(',') : raw).map((m) => m.trim()).filter(Boolean);
}

function milestoneList(
  raw: MilestoneKind[] | string | undefined,
  fallback: MilestoneKind[],
): MilestoneKind[] {
  return listProperty(raw, fallback).filter((m): m is MilestoneKind =>
    (MILESTONE_KINDS as readonly string[]).includes(m),
  );
}

function checkedTemplates(raw: NotifyNodeDef['templates']): Partial<Record<MilestoneKind, EmailTemplate>> {
  const templates = jsonProperty(raw, {});
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

function checkedSmsTemplates(raw: NotifyNodeDef['smsTemplates']): Partial<Record<MilestoneKind, string>> {
  const templates = jsonProperty(raw, {});
  for (const [kind, template] of Object.entries(templates)) {
    const problem = checkTemplate(template ?? '');
    if (problem)
      throw new DropshipError('configuration', `SMS template ${kind}: ${problem}`, [
        { path: `smsTemplates/${kind}`, message: problem },
      ]);
  }
  return templates;
}

/** The editor's template dialog: the built-in wording, and previews rendered with a sample order. */
function mountTemplateRoutes(RED: NodeAPI): void {
  if (!mountOnce(RED.httpAdmin, 'dropship-notify')) return;
  const canRead = RED.auth.needsPermission('dropship-notify.read');
  RED.httpAdmin.get(
    '/dropship/notify/templates',
    canRead,
    operatorAdminRequest(RED),
    (_req: Request, res: Response) => {
      res.json({ defaults: DEFAULT_EMAIL_TEMPLATES, smsDefaults: DEFAULT_SMS_TEMPLATES });
    },
  );
  RED.httpAdmin.post(
    '/dropship/notify/preview',
    canRead,
    operatorAdminRequest(RED),
    (req: Request, res: Response) => {
      const body = (req.body ?? {}) as {
        template?: Partial<EmailTemplate>;
        sms?: unknown;
        storeName?: string;
      };
      try {
        const storeName = String(body.storeName ?? '');
        res.json({
          ...previewEmailTemplate(body.template ?? {}, storeName),
          ...(body.sms === undefined ? {} : { sms: previewSmsTemplate(body.sms, storeName) }),
        });
      } catch (err) {
        res.status(400).json({ error: asDropshipError(err).toJSON() });
      }
    },
  );
}

/** The storefront's fulfilment API for the storefront config node's platform, or why it cannot be used. */
function storefrontFulfiller(
  storefront: StorefrontConfigNode,
  notifyCustomer: boolean,
  log: ConnectorLog,
): StorefrontFulfiller {
  if (storefront.platform === 'shopify') {
    const ctx = shopifyContextOf(storefront, log, { notifyCustomer });
    return {
      platform: 'shopify',
      async fulfil(parcel) {
        await createShopifyFulfilment(parcel, ctx);
      },
      async updateTracking(parcel) {
        // Finds the fulfilment that carries this number (creating it if the shop lost it), then corrects it.
        const { fulfillmentIds } = await createShopifyFulfilment(parcel, ctx);
        for (const id of fulfillmentIds) await updateShopifyTracking(id, parcel, ctx);
      },
    };
  }
  if (storefront.platform === 'woocommerce') {
    const ctx = wooCommerceContextOf(storefront, log);
    return {
      platform: 'woocommerce',
      async fulfil(parcel, options) {
        await addWooCommerceTracking(parcel, options, ctx);
      },
    };
  }
  throw new DropshipError('configuration', 'a generic storefront has no fulfilment API to tell', [
    { path: 'storefront', message: 'choose a Shopify or WooCommerce storefront' },
  ]);
}

/** How long a notification stays claimed by the worker sending it; a crash mid-send delays that notice this long. */
const DEFAULT_LEASE_MS = 60_000;

/** The claim length: 60 s, or `dropshipNotifyLeaseSeconds` in Node-RED's settings. */
function leaseMsOf(RED: NodeAPI): number {
  const configured = Number(
    (RED.settings as { dropshipNotifyLeaseSeconds?: unknown }).dropshipNotifyLeaseSeconds,
  );
  return Number.isFinite(configured) && configured > 0 ? configured * 1000 : DEFAULT_LEASE_MS;
}

export = function registerNotifyNode(RED: NodeAPI): void {
  mountTemplateRoutes(RED);
  function DropshipNotifyNode(this: Node<NotifyCredentials>, config: NotifyNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const credentials: NotifyCredentials = node.credentials ?? {};
    const storeName = config.storeName || 'Our store';
    const log: ConnectorLog = {
      debug: (message) => node.debug(message),
      info: (message) => node.log(message),
      warn: (message) => node.warn(message),
    };
    const store = () => storeOf(RED, node, config.store);
    const leaseMs = leaseMsOf(RED);
    const worker = (): Promise<OutboxWorker> =>
      store().then((s) => ({ store: s, owner: actorOf(node), leaseMs, now: () => new Date() }));

    // ---- The customer's tracking page ----------------------------------------------------------------------
    const pagePath = config.trackingPagePath || DEFAULT_TRACKING_PAGE_PATH;
    const secrets = [credentials.linkSecret, credentials.previousLinkSecret].filter(
      (s): s is string => typeof s === 'string' && s.length > 0,
    );
    let pageLink: ((orderId: string) => string | undefined) | undefined;
    /** What keeps part of this node from working, shown red on the node (the waiting status would hide it). */
    let setupProblem: string | undefined;
    if (config.trackingPage) {
      const linkSecret = credentials.linkSecret ?? '';
      if (linkSecret.length < 16) {
        setupProblem = linkSecret
          ? 'tracking page off: link secret shorter than 16 characters'
          : 'tracking page off: no link secret';
        node.error(`${setupProblem} (set it in the node's Link secret field)`);
      } else {
        mountTrackingPage(RED, node, {
          path: pagePath,
          branding: {
            storeName,
            primaryColour: config.primaryColour || undefined,
            backgroundColour: config.backgroundColour || undefined,
            logoUrl: config.logoUrl || undefined,
            supportEmail: config.supportEmail || undefined,
          },
          secrets,
          store,
          linkDays: Number(config.linkDays) > 0 ? Number(config.linkDays) : DEFAULT_LINK_DAYS,
        });
        if (config.publicUrl)
          pageLink = (orderId) =>
            trackingPageUrl({ publicUrl: config.publicUrl, path: pagePath, secret: secrets[0]! }, orderId);
      }
    }

    // ---- Channels --------------------------------------------------------------------------------------------
    const wanted = listProperty(config.channels, ['email']);
    const channels: NotificationChannel[] = [];
    try {
      if (wanted.includes('email')) {
        const mailer = RED.nodes.getNode(config.mailer) as MailerConfigNode | null;
        if (!mailer)
          throw new DropshipError('configuration', 'no mailer is configured', [
            { path: 'mailer', message: 'select a dropship-mailer' },
          ]);
        channels.push(
          emailChannel({
            sender: { send: (email) => mailer.sendMail(email) },
            milestones: milestoneList(config.milestones, ['confirmed', 'shipped', 'delivered']),
            templates: checkedTemplates(config.templates),
            storeName,
            trackingPageUrl: pageLink,
          }),
        );
      }
      if (wanted.includes('sms')) {
        const from = config.smsFrom?.trim() ?? '';
        const settings = validateWithInlineSchema<TwilioSmsSettings>(
          twilioSmsSettingsSchema,
          {
            ...(/^MG[0-9a-fA-F]{32}$/.test(from) ? { messagingServiceSid: from } : { from }),
            ...(config.smsApiUrl ? { baseUrl: config.smsApiUrl } : {}),
          },
          'the SMS settings',
        );
        const ctx = { settings, credentials: { ...credentials }, clock: systemClock, log };
        channels.push(
          smsChannel({
            sender: {
              async send(message) {
                await sendTwilioSms(message, ctx);
              },
            },
            milestones: milestoneList(config.smsMilestones, ['shipped', 'out_for_delivery', 'delayed']),
            templates: checkedSmsTemplates(config.smsTemplates),
            storeName,
            trackingPageUrl: pageLink,
          }),
        );
      }
      if (wanted.includes('storefront')) {
        const storefront = RED.nodes.getNode(config.storefront) as StorefrontConfigNode | null;
        if (!storefront)
          throw new DropshipError('configuration', 'no storefront is configured', [
            { path: 'storefront', message: 'select the dropship-storefront to tell' },
          ]);
        channels.push(
          storefrontChannel(storefrontFulfiller(storefront, Boolean(config.notifyCustomer), log)),
        );
      }
    } catch (err) {
      // A channel that cannot work is reported once; the channels before it still do.
      node.error(asDropshipError(err).message);
      setupProblem ??= 'settings';
    }

    function report(channel: NotificationChannel, delivery: DeliveryReport, msg: NodeMessage): void {
      for (const sent of delivery.sent) {
        node.send([
          {
            ...msg,
            orderId: sent.orderId,
            payload: { channel: channel.name, milestone: sent.milestone, state: 'sent' },
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
              payload: { channel: channel.name, milestone: notification.milestone, willRetry },
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
      const orderId = requiredMessageString(RED, msg, 'orderId', 'payload.orderId');
      const outbox = await worker();
      const facts = await readOrderFacts(outbox.store, orderId);
      if (!facts) throw new DropshipError('not_found', `no order ${orderId}`);
      showActivity(node, 'sending');
      // Every channel's news is queued in one write and delivered at once, the channels side by side: a slow
      // storefront does not hold the customer's e-mail back. Earlier notices that wait for a retry go on the sweep.
      for (const [channel, delivery] of await queueAndDeliver(channels, outbox, facts))
        report(channel, delivery, msg);
    });

    /**
     * Milestones are derived from the store, so an order whose state changed while no message reached this node
     * (a crash between the change and the message, a redeploy) is caught up here: every order changed since the
     * last sweep (a day back after a start) has its milestones queued; the outbox's unique keys make a repeat free.
     */
    const CATCH_UP_BATCH = 500;
    let caughtUpTo = new Date(Date.now() - 24 * 3_600_000);
    async function catchUp(outbox: OutboxWorker): Promise<void> {
      const started = Date.now();
      const changed = await outbox.store.listOrders({ updatedSince: caughtUpTo, limit: CATCH_UP_BATCH });
      for (const order of changed) {
        const facts = await readOrderFacts(outbox.store, order.id);
        if (!facts) continue;
        for (const [channel, delivery] of await queueAndDeliver(channels, outbox, facts))
          report(channel, delivery, { orderId: order.id });
      }
      // A full batch continues from its last change; otherwise the next sweep looks back a minute for clock skew.
      const last = changed.at(-1);
      caughtUpTo =
        changed.length === CATCH_UP_BATCH && last ? new Date(last.updatedAt) : new Date(started - 60_000);
    }

    // Retries, anything queued before a restart and changes no message announced go out on the sweep.
    startSweep(node, {
      name: 'notification sweep',
      everyMs: (Number(config.sweepSeconds) || 30) * 1000,
      firstAfterMs: 2_000,
      run: async () => {
        if (channels.length === 0) return;
        const outbox = await worker();
        await catchUp(outbox);
        await Promise.all(
          channels.map(async (channel) => report(channel, await deliverNotifications(channel, outbox), {})),
        );
      },
    });
    if (setupProblem) showActivity(node, 'failed', setupProblem);
    else if (channels.length > 0) showActivity(node, 'waiting');
  }
  RED.nodes.registerType('dropship-notify', DropshipNotifyNode as never, {
    credentials: {
      accountSid: { type: 'text' },
      authToken: { type: 'password' },
      linkSecret: { type: 'password' },
      previousLinkSecret: { type: 'password' },
    },
  });
};
