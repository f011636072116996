import { createHash, randomBytes, randomInt } from 'node:crypto';
import { DropshipError, asDropshipError } from '../../core/errors';
import type { Order } from '../../core/model/order';
import type { PurchaseOrder } from '../../core/model/purchase-order';
import { supplierScorecards } from '../../core/metrics/scorecards';
import { parseStockCsv } from '../../core/inventory/stock-feed';
import {
  DEFAULT_PORTAL_LOCALE,
  PORTAL_LOCALES,
  portalTranslator,
  type PortalMessageKey,
  type PortalTranslate,
} from '../../core/portal/messages';
import {
  confirmPortalCancel,
  PORTAL_VISIBLE_STATES,
  recordPortalAnswer,
  recordPortalShipment,
  supplierPurchaseOrder,
  type LineAnswer,
  type ParcelInput,
  type PortalActor,
} from '../../core/portal/portal-actions';
import { portalLinkSupplier, secretHash, verifyPortalLinkToken } from '../../core/portal/portal-link';
import {
  messagePage,
  ordersPage,
  packingSlipPage,
  purchaseOrderPage,
  scorecardPage,
  signInPage,
  stockPage,
  type Notice,
  type PortalPageContext,
  type PortalPurchaseOrderView,
} from '../../core/portal/portal-pages';
import type { OrderStore } from '../../core/store/order-store';
import type { PortalStore } from '../../core/store/portal-store';
import { DEFAULT_PORTAL_ACTIONS, type PortalSettings } from '../../connectors/suppliers/portal/portal';
import { mountEndpoint, type EndpointReply, type RawRequest } from '../adapter/http-endpoint';
import type { Node, NodeAPI } from '../adapter/node-red';
import { deployedSupplier, deployedSupplierIds } from '../adapter/supplier-registry';

export interface PortalRouteOptions {
  /** Where the portal is served on Node-RED's HTTP server: /dropship/portal. */
  path: string;
  store: () => Promise<OrderStore>;
  sendMail: (message: {
    to: string;
    subject: string;
    text: string;
    html: string;
    messageId: string;
  }) => Promise<void>;
  sessionHours: number;
  codeMinutes: number;
  /** Whether the portal is reached over https (the cookies are then Secure). */
  secure: boolean;
}

/** What a PO action did, named in the address the supplier is sent to afterwards, and its words. */
type PoDone = 'answered' | 'shipped' | 'cancelled';
const PO_DONE: Record<PoDone, PortalMessageKey> = {
  answered: 'po.answered',
  shipped: 'ship.sent',
  cancelled: 'po.cancelConfirmed',
};

const SESSION_COOKIE = 'dropship_portal';
const SIGN_IN_COOKIE = 'dropship_portal_signin';
const FORM_TOKEN_MS = 2 * 3_600_000;
const MAX_CODE_ATTEMPTS = 5;
const FORM_BYTES = 16 * 1024;
const STOCK_BYTES = 1024 * 1024;
const MAX_PARCELS = 20;

/** A portal supplier as deployed: its settings and link key. */
interface PortalSupplier {
  supplierId: string;
  settings: PortalSettings;
  key?: string;
}

function portalSuppliers(): PortalSupplier[] {
  return deployedSupplierIds()
    .map((id) => deployedSupplier(id))
    .filter((node) => node?.connectorKind === 'portal' && node.settings)
    .map((node) => ({
      supplierId: node!.supplierId,
      settings: node!.settings as unknown as PortalSettings,
      key: node!.credentials?.portalLinkKey,
    }));
}

const portalSupplier = (supplierId: string): PortalSupplier | undefined =>
  portalSuppliers().find((s) => s.supplierId === supplierId);

/** Counts attempts per key over a window, so codes and links cannot be tried one after another. */
class AttemptLimiter {
  private readonly attempts = new Map<string, number[]>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}
  allow(key: string, now: number): boolean {
    const recent = (this.attempts.get(key) ?? []).filter((at) => now - at < this.windowMs);
    const allowed = recent.length < this.limit;
    if (allowed) recent.push(now);
    this.attempts.set(key, recent);
    if (this.attempts.size > 10_000)
      for (const [k, times] of this.attempts)
        if (times.every((at) => now - at >= this.windowMs)) this.attempts.delete(k);
    return allowed;
  }
}

/**
 * Headers of every portal answer: never cached (POs and addresses), no referrer (a sign-in link is a key), and a
 * content security policy allowing only the page's own inline style and script, by their hashes.
 */
function pageHeaders(html: string): Record<string, string> {
  const hashOf = (tag: string): string => {
    const content = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html)?.[1];
    return content === undefined
      ? "'none'"
      : `'sha256-${createHash('sha256').update(content).digest('base64')}'`;
  };
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': `default-src 'none'; style-src ${hashOf('style')}; script-src ${hashOf('script')}; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  };
}

const html = (status: number, body: string, extra: Record<string, string> = {}): EndpointReply => ({
  status,
  body,
  headers: { ...pageHeaders(body), ...extra },
});

const redirect = (location: string, extra: Record<string, string> = {}): EndpointReply => ({
  status: 303,
  body: '',
  headers: { Location: location, 'Cache-Control': 'no-store', ...extra },
});

function cookies(req: RawRequest): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) jar.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return jar;
}

/** The language of the sign-in pages: the browser's first with a locale, else en-US. */
function browserLanguage(req: RawRequest): string {
  const wanted = String(req.headers['accept-language'] ?? '')
    .split(',')
    .map((part) => part.split(';')[0]!.trim());
  return wanted.find((tag) => tag in PORTAL_LOCALES) ?? DEFAULT_PORTAL_LOCALE;
}

/** A query parameter given once as text; anything else (repeated, nested) is none. */
const queryText = (req: RawRequest, name: string): string => {
  const value = req.query[name];
  return typeof value === 'string' ? value : '';
};

const field = (fields: URLSearchParams, name: string, max = 200): string =>
  (fields.get(name) ?? '').trim().slice(0, max);

/** The view of a PO its supplier gets: the ship-to fields a parcel needs, the lines, the dates. */
function purchaseOrderView(po: PurchaseOrder, order: Order | undefined): PortalPurchaseOrderView {
  const to = po.shipTo;
  return {
    number: po.number,
    state: po.state,
    orderNumber: order?.orderNumber ?? order?.externalId ?? '',
    placedAt: po.createdAt,
    dueBy: order?.shipping.promisedShipBy,
    shipTo: {
      name: to.name,
      company: to.company,
      line1: to.line1,
      line2: to.line2,
      city: to.city,
      region: to.region,
      postalCode: to.postalCode,
      country: to.country,
      phone: to.phone,
    },
    lines: po.lines.map((l) => ({
      orderLineId: l.orderLineId,
      sku: l.sku,
      supplierSku: l.supplierSku,
      title: l.title,
      quantity: l.quantity,
    })),
  };
}

/**
 * The supplier portal on Node-RED's HTTP server for the life of `node`. Every page but sign-in needs a session
 * (a cookie whose hash the store keeps); every form carries a one-time token bound to the browser's cookie, used
 * up when the form is taken; a supplier reaches only its own POs, and another's PO number is answered like one
 * that does not exist.
 */
export function mountPortal(RED: NodeAPI, node: Node, options: PortalRouteOptions): void {
  const nodeRoot = ((RED.settings as { httpNodeRoot?: string | false }).httpNodeRoot || '/').replace(
    /\/$/,
    '',
  );
  const base = `${nodeRoot}${options.path}`;
  const signInLimiter = new AttemptLimiter(10, 10 * 60_000);
  const mailLimiter = new AttemptLimiter(3, 10 * 60_000);
  const cookie = (name: string, value: string, maxAgeSeconds: number): string =>
    `${name}=${value}; Path=${base}; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${options.secure ? '; Secure' : ''}`;

  interface Visit {
    store: OrderStore;
    ctx: PortalPageContext;
    t: PortalTranslate;
    now: Date;
  }
  interface SignedIn extends Visit {
    who: PortalActor;
    supplier: PortalSupplier;
    binding: string;
  }

  const formToken = async (store: PortalStore, binding: string, now: Date): Promise<string> => {
    const token = randomBytes(24).toString('base64url');
    await store.issueFormToken(
      secretHash(token),
      secretHash(binding),
      new Date(now.getTime() + FORM_TOKEN_MS),
      now,
    );
    return token;
  };

  /** Uses the form's token up; false when it is missing, another browser's, expired or used (a replay). */
  const formTaken = async (visit: Visit, fields: URLSearchParams, binding: string): Promise<boolean> => {
    const token = fields.get('_csrf') ?? '';
    return token !== '' && visit.store.useFormToken(secretHash(token), secretHash(binding), visit.now);
  };

  const anonymous = async (req: RawRequest): Promise<Visit> => {
    const language = browserLanguage(req);
    const t = portalTranslator(language);
    return { store: await options.store(), t, now: new Date(), ctx: { t, language, base } };
  };

  /** The signed-in supplier, or undefined: no cookie, an unknown or expired session, a supplier no longer deployed. */
  const signedIn = async (req: RawRequest): Promise<SignedIn | undefined> => {
    const sessionId = cookies(req).get(SESSION_COOKIE);
    if (!sessionId || sessionId.length > 100) return undefined;
    const store = await options.store();
    const now = new Date();
    const session = await store.session(secretHash(sessionId), now);
    const supplier = session && portalSupplier(session.supplierId);
    if (!session || !supplier) return undefined;
    const language = supplier.settings.language ?? DEFAULT_PORTAL_LOCALE;
    const t = portalTranslator(language);
    const operator = session.actor.startsWith('operator:')
      ? session.actor.split(' for ')[0]!.slice(9)
      : undefined;
    return {
      store,
      now,
      t,
      who: { supplierId: supplier.supplierId, actor: session.actor },
      supplier,
      binding: sessionId,
      ctx: {
        t,
        language,
        base,
        supplierId: supplier.supplierId,
        operator,
        signOutToken: await formToken(store, sessionId, now),
      },
    };
  };

  /** Answers with the page, or the error's page: its words for what the supplier can fix, none of its insides. */
  const answering =
    (handle: (req: RawRequest) => Promise<EndpointReply>) =>
    async (req: RawRequest): Promise<EndpointReply> => {
      try {
        return await handle(req);
      } catch (err) {
        const visit = await anonymous(req).catch(() => undefined);
        const t = visit?.t ?? portalTranslator(DEFAULT_PORTAL_LOCALE);
        const ctx = visit?.ctx ?? { t, language: DEFAULT_PORTAL_LOCALE, base };
        const error = asDropshipError(err);
        if (error.code === 'not_found')
          return html(
            404,
            messagePage(ctx, t('error.notFound'), { kind: 'error', text: t('orders.notFound') }),
          );
        node.error(`supplier portal: ${error.message}`);
        return html(500, messagePage(ctx, t('error.internal'), { kind: 'error', text: t('error.internal') }));
      }
    };

  /** A page that needs a session: without one, the sign-in page. */
  const page = (handle: (req: RawRequest, visit: SignedIn) => Promise<EndpointReply>) =>
    answering(async (req) => {
      const visit = await signedIn(req);
      return visit ? handle(req, visit) : redirect(`${base}/`);
    });

  /** A form that needs a session and its one-time token: a replay or another site's post is refused. */
  const form = (
    handle: (req: RawRequest, visit: SignedIn, fields: URLSearchParams) => Promise<EndpointReply>,
  ) =>
    answering(async (req) => {
      const visit = await signedIn(req);
      if (!visit) return redirect(`${base}/`);
      const fields = new URLSearchParams(req.rawBody.toString('utf8'));
      if (!(await formTaken(visit, fields, visit.binding)))
        return html(
          403,
          messagePage(visit.ctx, visit.t('form.replayed'), { kind: 'error', text: visit.t('form.replayed') }),
        );
      return handle(req, visit, fields);
    });

  const signInForm = async (
    req: RawRequest,
    step: 'email' | 'code',
    status: number,
    notice?: Notice,
    email?: string,
  ): Promise<EndpointReply> => {
    const visit = await anonymous(req);
    let binding = cookies(req).get(SIGN_IN_COOKIE);
    const extra: Record<string, string> = {};
    if (!binding || binding.length > 100) {
      binding = randomBytes(24).toString('base64url');
      extra['Set-Cookie'] = cookie(SIGN_IN_COOKIE, binding, 3600);
    }
    const token = await formToken(visit.store, binding, visit.now);
    return html(status, signInPage(visit.ctx, { step, token, email }, notice), extra);
  };

  const startSession = async (
    store: OrderStore,
    supplierId: string,
    actor: string,
    hours: number,
    next: string,
  ) => {
    const sessionId = randomBytes(32).toString('base64url');
    const now = new Date();
    await store.createSession({
      idHash: secretHash(sessionId),
      supplierId,
      actor,
      createdAt: now,
      expiresAt: new Date(now.getTime() + hours * 3_600_000),
    });
    if (actor.startsWith('supplier:'))
      await store.recordAction({ supplierId, kind: 'sign_in', payload: {}, actor }, now);
    return redirect(next, { 'Set-Cookie': cookie(SESSION_COOKIE, sessionId, Math.round(hours * 3600)) });
  };

  // ---- sign-in ---------------------------------------------------------------------------------------------
  // Also answers /dropship/portal without the slash (Express routes are not strict about it).
  mountEndpoint(
    RED,
    node,
    'get',
    `${options.path}/`,
    answering(async (req) =>
      (await signedIn(req)) ? redirect(`${base}/orders`) : signInForm(req, 'email', 200),
    ),
  );

  mountEndpoint(
    RED,
    node,
    'post',
    `${options.path}/code`,
    answering(async (req) => {
      const visit = await anonymous(req);
      const fields = new URLSearchParams(req.rawBody.toString('utf8'));
      const email = field(fields, 'email', 254).toLowerCase();
      if (!(await formTaken(visit, fields, cookies(req).get(SIGN_IN_COOKIE) ?? '')))
        return signInForm(req, 'email', 403, { kind: 'error', text: visit.t('form.replayed') }, email);
      if (
        !signInLimiter.allow(`ip:${req.ip}`, visit.now.getTime()) ||
        !mailLimiter.allow(`mail:${email}`, visit.now.getTime())
      )
        return signInForm(req, 'email', 429, { kind: 'error', text: visit.t('signIn.tooMany') }, email);
      // The same answer whether or not the address is a supplier's, so addresses cannot be tried out.
      for (const supplier of portalSuppliers().filter((s) => s.settings.to.toLowerCase() === email)) {
        const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
        await visit.store.saveCode(
          supplier.supplierId,
          secretHash(`${supplier.supplierId}:${code}`),
          new Date(visit.now.getTime() + options.codeMinutes * 60_000),
        );
        const t = portalTranslator(supplier.settings.language);
        await options.sendMail({
          to: supplier.settings.to,
          subject: t('mail.codeSubject'),
          text: t('mail.codeBody', { code, minutes: options.codeMinutes }),
          html: `<p>${t('mail.codeBody', { code: `<strong>${code}</strong>`, minutes: options.codeMinutes })}</p>`,
          messageId: `<portal-code.${randomBytes(9).toString('base64url')}@dropship.invalid>`,
        });
      }
      return signInForm(
        req,
        'code',
        200,
        { kind: 'info', text: visit.t('signIn.codeSent', { minutes: options.codeMinutes }) },
        email,
      );
    }),
    { bodyLimit: FORM_BYTES },
  );

  mountEndpoint(
    RED,
    node,
    'post',
    `${options.path}/verify`,
    answering(async (req) => {
      const visit = await anonymous(req);
      const fields = new URLSearchParams(req.rawBody.toString('utf8'));
      const email = field(fields, 'email', 254).toLowerCase();
      const code = field(fields, 'code', 12).replace(/\s+/g, '');
      if (!(await formTaken(visit, fields, cookies(req).get(SIGN_IN_COOKIE) ?? '')))
        return signInForm(req, 'email', 403, { kind: 'error', text: visit.t('form.replayed') }, email);
      if (!signInLimiter.allow(`ip:${req.ip}`, visit.now.getTime()))
        return signInForm(req, 'code', 429, { kind: 'error', text: visit.t('signIn.tooMany') }, email);
      for (const supplier of portalSuppliers().filter((s) => s.settings.to.toLowerCase() === email)) {
        const hash = secretHash(`${supplier.supplierId}:${code}`);
        if (await visit.store.useCode(supplier.supplierId, hash, visit.now, MAX_CODE_ATTEMPTS))
          return startSession(
            visit.store,
            supplier.supplierId,
            `supplier:${supplier.supplierId}`,
            options.sessionHours,
            `${base}/orders`,
          );
      }
      return signInForm(req, 'code', 401, { kind: 'error', text: visit.t('signIn.badCode') }, email);
    }),
    { bodyLimit: FORM_BYTES },
  );

  mountEndpoint(
    RED,
    node,
    'get',
    `${options.path}/link/:token`,
    answering(async (req) => {
      const visit = await anonymous(req);
      const refused = (text: string, status: number) =>
        signInForm(req, 'email', status, { kind: 'error', text });
      if (!signInLimiter.allow(`ip:${req.ip}`, visit.now.getTime()))
        return refused(visit.t('signIn.tooMany'), 429);
      const token = req.params.token ?? '';
      const supplier = portalSupplier(portalLinkSupplier(token) ?? '');
      if (!supplier?.key) return refused(visit.t('signIn.badLink'), 404);
      const link = verifyPortalLinkToken(token, supplier.key, visit.now);
      if (link === 'expired') return refused(visit.t('signIn.expiredLink'), 410);
      if (!link || !(await visit.store.linkUsable(link.id, supplier.supplierId, visit.now)))
        return refused(visit.t('signIn.badLink'), 404);
      const next = queryText(req, 'next');
      const target = /^\/orders\/[A-Za-z0-9._-]{1,40}$/.test(next) ? `${base}${next}` : `${base}/orders`;
      return startSession(
        visit.store,
        supplier.supplierId,
        `supplier:${supplier.supplierId}`,
        options.sessionHours,
        target,
      );
    }),
  );

  // An operator's session for a supplier: handed over once by the link the editor's "Act for supplier" made.
  mountEndpoint(
    RED,
    node,
    'get',
    `${options.path}/handoff/:token`,
    answering(async (req) => {
      const visit = await anonymous(req);
      const [sessionId = '', handoff = ''] = (req.params.token ?? '').split('.');
      const taken = await visit.store.useFormToken(
        secretHash(handoff),
        secretHash(`handoff:${sessionId}`),
        visit.now,
      );
      if (!taken || !(await visit.store.session(secretHash(sessionId), visit.now)))
        return signInForm(req, 'email', 404, { kind: 'error', text: visit.t('signIn.badLink') });
      return redirect(`${base}/orders`, { 'Set-Cookie': cookie(SESSION_COOKIE, sessionId, 3600) });
    }),
  );

  mountEndpoint(
    RED,
    node,
    'post',
    `${options.path}/sign-out`,
    form(async (req, visit) => {
      await visit.store.endSession(secretHash(visit.binding));
      const t = visit.t;
      return html(
        200,
        messagePage({ ...visit.ctx, supplierId: undefined, operator: undefined }, t('signOut'), {
          kind: 'info',
          text: t('signIn.signedOut'),
        }),
        {
          'Set-Cookie': cookie(SESSION_COOKIE, '', 0),
        },
      );
    }),
    { bodyLimit: FORM_BYTES },
  );

  // ---- purchase orders -------------------------------------------------------------------------------------
  const viewOf = async (visit: SignedIn, po: PurchaseOrder): Promise<PortalPurchaseOrderView> => {
    const [order, requests] = await Promise.all([
      visit.store.getOrder(po.orderId),
      visit.store.cancelRequests(visit.who.supplierId),
    ]);
    return { ...purchaseOrderView(po, order), cancelRequest: requests.find((r) => r.poNumber === po.number) };
  };

  mountEndpoint(
    RED,
    node,
    'get',
    `${options.path}/orders`,
    page(async (req, visit) => {
      const query = queryText(req, 'q').trim().slice(0, 100);
      const pos = await visit.store.listPortalPurchaseOrders(
        visit.who.supplierId,
        PORTAL_VISIBLE_STATES,
        200,
      );
      const requests = await visit.store.cancelRequests(visit.who.supplierId);
      const views = await Promise.all(
        pos.map(async (po) => ({
          ...purchaseOrderView(po, await visit.store.getOrder(po.orderId)),
          cancelRequest: requests.find((r) => r.poNumber === po.number),
        })),
      );
      const term = query.toLowerCase();
      const found = term
        ? views.filter((v) =>
            [
              v.number,
              v.orderNumber,
              ...v.lines.flatMap((l) => [l.sku, l.supplierSku ?? '', l.title ?? '']),
            ].some((text) => text.toLowerCase().includes(term)),
          )
        : views;
      return html(200, ordersPage(visit.ctx, found, query));
    }),
  );

  const poPage = async (
    visit: SignedIn,
    po: PurchaseOrder,
    status = 200,
    notice?: Notice,
  ): Promise<EndpointReply> => {
    const allowed = { ...DEFAULT_PORTAL_ACTIONS, ...visit.supplier.settings.actions };
    const forms = {
      answer: await formToken(visit.store, visit.binding, visit.now),
      ship: await formToken(visit.store, visit.binding, visit.now),
      cancel: await formToken(visit.store, visit.binding, visit.now),
    };
    return html(status, purchaseOrderPage(visit.ctx, await viewOf(visit, po), allowed, forms, notice));
  };

  mountEndpoint(
    RED,
    node,
    'get',
    `${options.path}/orders/:po`,
    page(async (req, visit) => {
      const po = await supplierPurchaseOrder(visit.store, visit.who, req.params.po ?? '');
      const done = PO_DONE[queryText(req, 'done') as PoDone] as PortalMessageKey | undefined;
      return poPage(visit, po, 200, done ? { kind: 'info', text: visit.t(done) } : undefined);
    }),
  );

  mountEndpoint(
    RED,
    node,
    'get',
    `${options.path}/orders/:po/packing-slip`,
    page(async (req, visit) => {
      const po = await supplierPurchaseOrder(visit.store, visit.who, req.params.po ?? '');
      return html(200, packingSlipPage(visit.ctx, await viewOf(visit, po)));
    }),
  );

  /** Runs a PO action; a refusal it can explain (a field, a state) comes back on the PO's page. */
  const poAction = (act: (visit: SignedIn, po: PurchaseOrder, fields: URLSearchParams) => Promise<PoDone>) =>
    form(async (req, visit, fields) => {
      const po = await supplierPurchaseOrder(visit.store, visit.who, req.params.po ?? '');
      try {
        // Post/redirect/get: reloading the page the supplier lands on does not post the form again.
        const done = await act(visit, po, fields);
        return redirect(`${base}/orders/${encodeURIComponent(po.number)}?done=${done}`);
      } catch (err) {
        const error = asDropshipError(err);
        if (error.code !== 'invalid_input' && error.code !== 'conflict') throw err;
        const problem =
          error.details.length > 0
            ? error.details.map((d) => `${d.path}: ${d.message}`).join('; ')
            : error.message;
        return poPage(visit, po, error.code === 'conflict' ? 409 : 400, {
          kind: 'error',
          text: visit.t('error.invalid', { problem }),
        });
      }
    });

  const notAllowed = (visit: SignedIn): never => {
    throw new DropshipError('invalid_input', visit.t('po.notAllowed'));
  };

  mountEndpoint(
    RED,
    node,
    'post',
    `${options.path}/orders/:po/answer`,
    poAction(async (visit, po, fields) => {
      const allowed = { ...DEFAULT_PORTAL_ACTIONS, ...visit.supplier.settings.actions };
      const answers: LineAnswer[] = po.lines.map((_line, i) => {
        if (fields.get('decision') === 'all') return { status: 'accepted' };
        const status = field(fields, `line-${i}`, 20);
        if (status === 'backordered') {
          if (!allowed.backorder) notAllowed(visit);
          const date = field(fields, `date-${i}`, 10);
          if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date)))
            throw new DropshipError('invalid_input', 'backorder date', [
              { path: `lines/${i + 1}/date`, message: 'give the date the line ships (YYYY-MM-DD)' },
            ]);
          return { status, expectedShipDate: date };
        }
        if (status === 'rejected') {
          if (!allowed.reject) notAllowed(visit);
          const reason = field(fields, `reason-${i}`, 200);
          if (!reason)
            throw new DropshipError('invalid_input', 'reason', [
              { path: `lines/${i + 1}/reason`, message: 'say why the line is rejected' },
            ]);
          return { status, reason };
        }
        return { status: 'accepted' };
      });
      await recordPortalAnswer(visit.store, visit.who, po, answers, visit.now);
      return 'answered';
    }),
    { bodyLimit: FORM_BYTES },
  );

  mountEndpoint(
    RED,
    node,
    'post',
    `${options.path}/orders/:po/ship`,
    poAction(async (visit, po, fields) => {
      const parcels: ParcelInput[] = [];
      for (let n = 1; n <= MAX_PARCELS; n++) {
        if (!fields.has(`parcel-${n}-tracking`)) continue;
        parcels.push({
          trackingNumber: field(fields, `parcel-${n}-tracking`, 40).replace(/\s+/g, ''),
          carrier: field(fields, `parcel-${n}-carrier`, 10),
          // By the order line's id, which a line keeps when the PO's lines change (part failed over).
          quantities: po.lines.map((line, i) => {
            const value = Number(field(fields, `parcel-${n}-qty-${line.orderLineId}`, 7) || '0');
            if (!Number.isInteger(value) || value < 0)
              throw new DropshipError('invalid_input', 'quantity', [
                { path: `parcels/${n}/lines/${i + 1}`, message: 'must be a whole number, 0 or more' },
              ]);
            return value;
          }),
        });
      }
      await recordPortalShipment(visit.store, visit.who, po, parcels, visit.now);
      return 'shipped';
    }),
    { bodyLimit: FORM_BYTES },
  );

  mountEndpoint(
    RED,
    node,
    'post',
    `${options.path}/orders/:po/cancel`,
    poAction(async (visit, po) => {
      if (!{ ...DEFAULT_PORTAL_ACTIONS, ...visit.supplier.settings.actions }.confirmCancel) notAllowed(visit);
      await confirmPortalCancel(visit.store, visit.who, po, visit.now);
      return 'cancelled';
    }),
    { bodyLimit: FORM_BYTES },
  );

  // ---- stock and scorecard ---------------------------------------------------------------------------------
  const stockReply = async (visit: SignedIn, status = 200, notice?: Notice): Promise<EndpointReply> => {
    if (!{ ...DEFAULT_PORTAL_ACTIONS, ...visit.supplier.settings.actions }.stock)
      return html(
        403,
        messagePage(visit.ctx, visit.t('stock.title'), { kind: 'error', text: visit.t('po.notAllowed') }),
      );
    const rows = await visit.store.listPortalStock(visit.who.supplierId);
    const forms = {
      upload: await formToken(visit.store, visit.binding, visit.now),
      table: await formToken(visit.store, visit.binding, visit.now),
    };
    return html(status, stockPage(visit.ctx, rows, forms, notice));
  };

  /** Applies stock levels as a feed of the supplier's (the store keeps the newest feed), recorded as its action. */
  const applyStock = async (
    visit: SignedIn,
    levels: { sku: string; quantity: number }[],
    problems: string[],
  ) => {
    if (levels.length > 0) {
      await visit.store.applyStockFeed(visit.who.supplierId, visit.now, levels);
      await visit.store.recordAction(
        {
          supplierId: visit.who.supplierId,
          kind: 'stock',
          payload: { skus: levels.length },
          actor: visit.who.actor,
        },
        visit.now,
      );
    }
    if (problems.length === 0) return redirect(`${base}/stock?saved=${levels.length}`);
    const saved = visit.t('stock.saved', { count: levels.length });
    return stockReply(visit, 400, {
      kind: 'error',
      text: `${saved} ${visit.t('stock.problems', { problems: problems.slice(0, 10).join('; ') })}`,
    });
  };

  mountEndpoint(
    RED,
    node,
    'get',
    `${options.path}/stock`,
    page(async (req, visit) => {
      const saved = /^\d{1,6}$/.test(queryText(req, 'saved')) ? Number(queryText(req, 'saved')) : undefined;
      return stockReply(
        visit,
        200,
        saved === undefined ? undefined : { kind: 'info', text: visit.t('stock.saved', { count: saved }) },
      );
    }),
  );

  mountEndpoint(
    RED,
    node,
    'post',
    `${options.path}/stock/upload`,
    form(async (_req, visit, fields) => {
      const feed = parseStockCsv(fields.get('csv') ?? '', { supplierId: visit.who.supplierId });
      const problems = feed.problems.map((p) => `line ${p.line}: ${p.reason}`);
      const own = feed.rows.filter((row) => {
        if (row.supplierId === visit.who.supplierId) return true;
        problems.push(`line ${row.line}: names another supplier`);
        return false;
      });
      return applyStock(
        visit,
        own.map(({ sku, quantity }) => ({ sku, quantity })),
        problems,
      );
    }),
    { bodyLimit: STOCK_BYTES },
  );

  mountEndpoint(
    RED,
    node,
    'post',
    `${options.path}/stock/table`,
    form(async (_req, visit, fields) => {
      const known = new Map(
        (await visit.store.listPortalStock(visit.who.supplierId)).map((row) => [row.sku, row]),
      );
      const levels: { sku: string; quantity: number }[] = [];
      const problems: string[] = [];
      for (let i = 0; fields.has(`sku-${i}`) && i < 10_000; i++) {
        const sku = field(fields, `sku-${i}`, 100);
        const quantity = Number(field(fields, `qty-${i}`, 9));
        const row = known.get(sku);
        if (!row) problems.push(`${sku}: not one of your SKUs`);
        else if (!Number.isInteger(quantity) || quantity < 0)
          problems.push(`${sku}: the quantity must be a whole number, 0 or more`);
        else if (quantity !== row.quantity) levels.push({ sku, quantity });
      }
      return applyStock(visit, levels, problems);
    }),
    { bodyLimit: STOCK_BYTES },
  );

  mountEndpoint(
    RED,
    node,
    'get',
    `${options.path}/scorecard`,
    page(async (_req, visit) => {
      const days = 30;
      const card = (await supplierScorecards(visit.store, visit.now, { days })).find(
        (c) => c.key.supplier === visit.who.supplierId,
      );
      return html(
        200,
        scorecardPage(
          visit.ctx,
          card && {
            days,
            purchaseOrders: card.purchaseOrders,
            acceptanceRate: card.acceptanceRate,
            onTimeShipRate: card.onTimeShipRate,
            cancellationRate: card.cancellationRate,
            trackingLatencyHours: card.trackingUploadLatencyHours.median,
          },
          days,
        ),
      );
    }),
  );
}

/**
 * An operator's session for a supplier (recorded as `operator:<user> for supplier:<id>`), an hour long, and the
 * one-time path that hands it to the operator's browser.
 */
export async function operatorHandoff(
  store: OrderStore,
  supplierId: string,
  operator: string,
  now: Date,
): Promise<string> {
  if (!portalSupplier(supplierId))
    throw new DropshipError('not_found', `supplier "${supplierId}" is no deployed portal supplier`, [
      { path: 'supplierId', message: 'no dropship-supplier of kind portal has this id' },
    ]);
  const sessionId = randomBytes(32).toString('base64url');
  const handoff = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + 3_600_000);
  const actor = `operator:${operator.replace(/[^\w.@-]/g, '_').slice(0, 60)} for supplier:${supplierId}`;
  await store.createSession({
    idHash: secretHash(sessionId),
    supplierId,
    actor,
    createdAt: now,
    expiresAt,
  });
  await store.issueFormToken(
    secretHash(handoff),
    secretHash(`handoff:${sessionId}`),
    new Date(now.getTime() + 5 * 60_000),
    now,
  );
  return `/handoff/${sessionId}.${handoff}`;
}
