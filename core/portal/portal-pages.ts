import type { Address } from '../model/order';
import type { PurchaseOrder } from '../model/purchase-order';
import type { PortalCancelRequest, PortalStockRow } from '../store/portal-store';
import { escapeHtml as e } from '../tracking-page/tracking-page';
import type { PortalTranslate } from './messages';
import { SHIPPABLE_STATES, ANSWERABLE_STATES } from './portal-actions';

/** A PO as its supplier sees it: what shipping needs of the order, nothing more (no e-mail, no prices). */
export interface PortalPurchaseOrderView {
  number: string;
  state: PurchaseOrder['state'];
  orderNumber: string;
  placedAt: string;
  /** The date the order promised to ship by (the router's service level), where it has one. */
  dueBy?: string;
  shipTo: Pick<
    Address,
    'name' | 'company' | 'line1' | 'line2' | 'city' | 'region' | 'postalCode' | 'country' | 'phone'
  >;
  lines: { orderLineId: string; sku: string; supplierSku?: string; title?: string; quantity: number }[];
  cancelRequest?: PortalCancelRequest;
}

/** The words and settings every page draws on. */
export interface PortalPageContext {
  t: PortalTranslate;
  language: string;
  /** Where the portal is served, e.g. /dropship/portal (with Node-RED's httpNodeRoot). */
  base: string;
  supplierId?: string;
  /** Set when an operator acts for the supplier: shown on every page. */
  operator?: string;
  /** The sign-out form's token (every signed-in page has the form). */
  signOutToken?: string;
}

/** What the supplier may do in its portal (the supplier's settings). */
export interface PortalPermissions {
  backorder: boolean;
  reject: boolean;
  stock: boolean;
  confirmCancel: boolean;
}

export interface Notice {
  kind: 'info' | 'error';
  text: string;
}

const STYLE = `*{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,sans-serif;color:#1b1f24;background:#f6f7f9}
header{background:#1f4e79;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}
header strong{flex:1 1 auto}header a,header button{color:#fff}header form{margin:0}
nav{display:flex;gap:1rem;flex-wrap:wrap}main{max-width:960px;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.2rem 0 1rem}h2{font-size:1.1rem;margin:1.4rem 0 .6rem}
.card{background:#fff;border:1px solid #d8dde3;border-radius:8px;padding:1rem;margin:0 0 1rem}
.notice{padding:.7rem 1rem;border-radius:6px;margin:0 0 1rem;background:#e7f1fb}.notice.error{background:#fdecea;color:#8a1c12}
.operator{background:#fff4ce;padding:.4rem 1rem;text-align:center}
label{display:block;font-weight:600;margin:.6rem 0 .2rem}input,select,textarea{font:inherit;width:100%;max-width:100%;padding:.5rem;border:1px solid #aab3bd;border-radius:6px}
button,.button{font:inherit;display:inline-block;padding:.55rem 1rem;border-radius:6px;border:1px solid #1f4e79;background:#1f4e79;color:#fff;cursor:pointer;text-decoration:none;margin:.6rem .4rem 0 0}
button.secondary,.button.secondary{background:#fff;color:#1f4e79}header button{background:none;border:1px solid #fff;padding:.3rem .7rem;margin:0}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:.45rem .4rem;border-bottom:1px solid #e3e7eb;vertical-align:top}
.po-list{list-style:none;padding:0;margin:0}.po-list li{margin:0 0 .8rem}.po-list a{font-weight:600}
.meta{color:#525c66;font-size:.92rem}.state{display:inline-block;padding:.05rem .5rem;border-radius:10px;background:#e3e7eb;font-size:.85rem}
.line{border-top:1px solid #e3e7eb;padding:.6rem 0}.line-fields{display:grid;gap:.4rem;grid-template-columns:1fr}
fieldset{border:1px solid #d8dde3;border-radius:8px;margin:0 0 .8rem;padding:.6rem .8rem}legend{font-weight:600}
.search{display:flex;gap:.5rem;align-items:end}.search .grow{flex:1}.search button{margin:0}
address{font-style:normal}.qty{width:5.5rem}
@media (min-width:700px){.line-fields{grid-template-columns:1fr 1fr 1fr}.columns{display:grid;grid-template-columns:1fr 1fr;gap:1rem}}
@media print{header,nav,.no-print,button{display:none}body{background:#fff}.card{border:0}}`;

/**
 * The little JavaScript the pages have, all optional: a line's date or reason field shows only for its answer,
 * "Add a parcel" copies the last parcel, a chosen CSV file is read into the paste box, Print prints.
 */
const SCRIPT = `document.querySelectorAll('[data-line]').forEach(function(s){function u(){var l=s.closest('.line');l.querySelector('.when-backordered').hidden=s.value!=='backordered';l.querySelector('.when-rejected').hidden=s.value!=='rejected'}s.addEventListener('change',u);u()});
var add=document.querySelector('[data-add-parcel]');if(add){add.hidden=false;add.addEventListener('click',function(){var all=document.querySelectorAll('fieldset[data-parcel]');var last=all[all.length-1];var n=all.length+1;var copy=last.cloneNode(true);copy.querySelector('legend').textContent=copy.querySelector('legend').textContent.replace(/\\d+$/,String(n));copy.querySelectorAll('input,select').forEach(function(i){i.name=i.name.replace(/^parcel-\\d+-/,'parcel-'+n+'-');i.id=i.name;i.value=i.tagName==='SELECT'?'':(i.type==='number'?'0':'')});copy.querySelectorAll('label').forEach(function(l){l.htmlFor=l.htmlFor.replace(/^parcel-\\d+-/,'parcel-'+n+'-')});last.after(copy)})}
var file=document.querySelector('[data-csv-file]');if(file){file.addEventListener('change',function(){var f=file.files[0];if(!f)return;f.text().then(function(t){document.querySelector('[name=csv]').value=t})})}
var p=document.querySelector('[data-print]');if(p){p.hidden=false;p.addEventListener('click',function(){window.print()})}`;

function layout(ctx: PortalPageContext, title: string, body: string, notice?: Notice): string {
  const { t, base } = ctx;
  const signedIn = ctx.supplierId !== undefined;
  const nav = signedIn
    ? `<nav aria-label="${e(t('portal.title'))}"><a href="${base}/orders">${e(t('nav.orders'))}</a><a href="${base}/stock">${e(t('nav.stock'))}</a><a href="${base}/scorecard">${e(t('nav.scorecard'))}</a></nav>
<form method="post" action="${base}/sign-out"><input type="hidden" name="_csrf" value="${e(ctx.signOutToken ?? '')}"><button type="submit">${e(t('signOut'))}</button></form>`
    : '';
  return `<!doctype html>
<html lang="${e(ctx.language)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(title)} · ${e(t('portal.title'))}</title><style>${STYLE}</style></head>
<body><header><strong>${e(t('portal.title'))}${ctx.supplierId ? ` · ${e(ctx.supplierId)}` : ''}</strong>${nav}</header>
${ctx.operator ? `<p class="operator" role="status">${e(t('actingFor', { actor: ctx.operator }))}</p>` : ''}
<main><h1>${e(title)}</h1>${notice ? `<p class="notice${notice.kind === 'error' ? ' error' : ''}" role="${notice.kind === 'error' ? 'alert' : 'status'}">${e(notice.text)}</p>` : ''}
${body}</main><script>${SCRIPT}</script></body></html>`;
}

const csrf = (token: string): string => `<input type="hidden" name="_csrf" value="${e(token)}">`;

export function signInPage(
  ctx: PortalPageContext,
  form: { step: 'email' | 'code'; token: string; email?: string },
  notice?: Notice,
): string {
  const { t, base } = ctx;
  const body =
    form.step === 'email'
      ? `<form class="card" method="post" action="${base}/code">${csrf(form.token)}<p>${e(t('signIn.intro'))}</p>
<label for="email">${e(t('signIn.email'))}</label><input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${e(form.email ?? '')}">
<button type="submit">${e(t('signIn.send'))}</button></form>`
      : `<form class="card" method="post" action="${base}/verify">${csrf(form.token)}<input type="hidden" name="email" value="${e(form.email ?? '')}">
<label for="code">${e(t('signIn.code'))}</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<button type="submit">${e(t('signIn.verify'))}</button></form>`;
  return layout(ctx, t('signIn.title'), body, notice);
}

export function messagePage(ctx: PortalPageContext, title: string, notice: Notice): string {
  const link = ctx.supplierId
    ? `<a class="button secondary" href="${ctx.base}/orders">${e(ctx.t('nav.orders'))}</a>`
    : `<a class="button secondary" href="${ctx.base}/">${e(ctx.t('signIn.title'))}</a>`;
  return layout(ctx, title, link, notice);
}

const stateWord = (t: PortalTranslate, state: string): string => {
  const key = `state.${state}` as Parameters<PortalTranslate>[0];
  const word = t(key);
  return word === key ? state : word;
};

const day = (iso: string | undefined): string => (iso ? iso.slice(0, 10) : '');

export function ordersPage(
  ctx: PortalPageContext,
  orders: PortalPurchaseOrderView[],
  query: string,
  notice?: Notice,
): string {
  const { t, base } = ctx;
  const items = orders
    .map(
      (
        po,
      ) => `<li class="card" data-po="${e(po.number)}"><a href="${base}/orders/${encodeURIComponent(po.number)}">${e(po.number)}</a>
<span class="state">${e(stateWord(t, po.state))}</span>${po.cancelRequest && !po.cancelRequest.confirmedAt ? ` <span class="state">${e(t('po.confirmCancel'))}</span>` : ''}
<div class="meta">${e(t('po.order', { orderNumber: po.orderNumber }))} · ${e(t('orders.placed'))} ${e(day(po.placedAt))}${po.dueBy ? ` · ${e(t('orders.dueBy'))} ${e(day(po.dueBy))}` : ''}</div>
<div class="meta">${e([po.shipTo.name, po.shipTo.city, po.shipTo.country].filter(Boolean).join(', '))}</div>
<div>${po.lines.map((l) => `${l.quantity} × ${e(l.supplierSku ?? l.sku)}${l.title ? ` ${e(l.title)}` : ''}`).join('<br>')}</div></li>`,
    )
    .join('\n');
  const body = `<form class="search" method="get" action="${base}/orders" role="search"><div class="grow"><label for="q">${e(t('orders.search'))}</label>
<input id="q" name="q" type="search" maxlength="100" value="${e(query)}"></div><button type="submit">${e(t('orders.searchButton'))}</button></form>
${orders.length === 0 ? `<p>${e(t('orders.none'))}</p>` : `<ul class="po-list">${items}</ul>`}`;
  return layout(ctx, t('orders.title'), body, notice);
}

function addressBlock(to: PortalPurchaseOrderView['shipTo']): string {
  return `<address>${[
    to.name,
    to.company,
    to.line1,
    to.line2,
    [to.city, to.region, to.postalCode].filter(Boolean).join(' '),
    to.country,
    to.phone,
  ]
    .filter(Boolean)
    .map((part) => e(part!))
    .join('<br>')}</address>`;
}

function linesTable(t: PortalTranslate, po: PortalPurchaseOrderView): string {
  return `<table><thead><tr><th>${e(t('po.sku'))}</th><th>${e(t('po.item'))}</th><th>${e(t('po.quantity'))}</th></tr></thead><tbody>
${po.lines.map((l) => `<tr><td>${e(l.supplierSku ?? l.sku)}${l.supplierSku ? `<div class="meta">${e(l.sku)}</div>` : ''}</td><td>${e(l.title ?? '')}</td><td>${l.quantity}</td></tr>`).join('\n')}
</tbody></table>`;
}

export interface PurchaseOrderForms {
  answer?: string;
  ship?: string;
  cancel?: string;
}

/** The carriers a supplier may name when the number does not tell (core/tracking/carrier-detection.ts). */
const CARRIER_CHOICES: [string, string][] = [
  ['ups', 'UPS'],
  ['fedex', 'FedEx'],
  ['usps', 'USPS'],
  ['dhl', 'DHL Express'],
];

export function purchaseOrderPage(
  ctx: PortalPageContext,
  po: PortalPurchaseOrderView,
  allowed: PortalPermissions,
  forms: PurchaseOrderForms,
  notice?: Notice,
): string {
  const { t, base } = ctx;
  const action = (what: string): string => `${base}/orders/${encodeURIComponent(po.number)}/${what}`;
  const parts: string[] = [];
  parts.push(`<div class="card columns"><div><h2>${e(t('po.shipTo'))}</h2>${addressBlock(po.shipTo)}</div>
<div><p class="meta">${e(t('po.order', { orderNumber: po.orderNumber }))}<br>${e(t('orders.placed'))} ${e(day(po.placedAt))}${po.dueBy ? `<br><strong>${e(t('orders.dueBy'))} ${e(day(po.dueBy))}</strong>` : ''}</p>
<p><span class="state">${e(stateWord(t, po.state))}</span></p>
<a class="button secondary" href="${action('packing-slip')}">${e(t('po.packingSlip'))}</a></div></div>`);
  if (po.cancelRequest) {
    const open = !po.cancelRequest.confirmedAt;
    parts.push(`<div class="card" data-cancel-request><p class="notice error">${e(t('po.cancelRequested', { reason: po.cancelRequest.reason }))}</p>
${open && forms.cancel && allowed.confirmCancel ? `<form method="post" action="${action('cancel')}">${csrf(forms.cancel)}<button type="submit">${e(t('po.confirmCancel'))}</button></form>` : open ? '' : `<p>${e(t('po.cancelConfirmed'))}</p>`}</div>`);
  }
  parts.push(`<div class="card"><h2>${e(t('po.lines'))}</h2>${linesTable(t, po)}</div>`);
  if (forms.answer && ANSWERABLE_STATES.includes(po.state)) {
    const options = (i: number): string =>
      [
        ['accepted', t('po.lineAccept')],
        ...(allowed.backorder ? [['backordered', t('po.lineBackorder')]] : []),
        ...(allowed.reject ? [['rejected', t('po.lineReject')]] : []),
      ]
        .map(([value, label]) => `<option value="${value}">${e(label!)}</option>`)
        .join('')
        .replace(/^/, `<select id="line-${i}" name="line-${i}" data-line>`) + '</select>';
    parts.push(`<form class="card" method="post" action="${action('answer')}" data-form="answer">${csrf(forms.answer)}
<button type="submit" name="decision" value="all">${e(t('po.acceptAll'))}</button>
<h2>${e(t('po.answerLines'))}</h2>
${po.lines
  .map(
    (
      l,
      i,
    ) => `<div class="line" data-line-sku="${e(l.sku)}"><strong>${l.quantity} × ${e(l.supplierSku ?? l.sku)}</strong> ${e(l.title ?? '')}
<div class="line-fields"><div><label for="line-${i}">${e(t('po.sku'))} ${e(l.supplierSku ?? l.sku)}</label>${options(i)}</div>
<div class="when-backordered"><label for="date-${i}">${e(t('po.backorderDate'))}</label><input id="date-${i}" name="date-${i}" type="date"></div>
<div class="when-rejected"><label for="reason-${i}">${e(t('po.rejectReason'))}</label><input id="reason-${i}" name="reason-${i}" maxlength="200"></div></div></div>`,
  )
  .join('\n')}
<button type="submit" name="decision" value="lines">${e(t('po.sendAnswer'))}</button></form>`);
  }
  if (forms.ship && SHIPPABLE_STATES.includes(po.state)) {
    const parcel = (
      n: number,
    ): string => `<fieldset data-parcel><legend>${e(t('ship.parcel', { n }))}</legend>
<label for="parcel-${n}-tracking">${e(t('ship.tracking'))}</label><input id="parcel-${n}-tracking" name="parcel-${n}-tracking" maxlength="40" autocomplete="off" spellcheck="false">
<label for="parcel-${n}-carrier">${e(t('ship.carrier'))}</label><select id="parcel-${n}-carrier" name="parcel-${n}-carrier"><option value="">${e(t('ship.carrierAuto'))}</option>${CARRIER_CHOICES.map(([code, name]) => `<option value="${code}">${name}</option>`).join('')}</select>
<table><tbody>${po.lines.map((l) => `<tr><td><label for="parcel-${n}-qty-${e(l.orderLineId)}">${e(l.supplierSku ?? l.sku)}</label></td><td><input class="qty" id="parcel-${n}-qty-${e(l.orderLineId)}" name="parcel-${n}-qty-${e(l.orderLineId)}" type="number" min="0" max="${l.quantity}" value="0" inputmode="numeric"></td></tr>`).join('')}</tbody></table></fieldset>`;
    parts.push(`<form class="card" method="post" action="${action('ship')}" data-form="ship">${csrf(forms.ship)}<h2>${e(t('ship.title'))}</h2>
${parcel(1)}${parcel(2)}<button type="button" class="secondary" data-add-parcel hidden>${e(t('ship.addParcel'))}</button>
<button type="submit">${e(t('ship.send'))}</button></form>`);
  }
  return layout(ctx, t('po.title', { poNumber: po.number }), parts.join('\n'), notice);
}

export function packingSlipPage(ctx: PortalPageContext, po: PortalPurchaseOrderView): string {
  const { t } = ctx;
  const body = `<div class="card"><p>${e(t('po.order', { orderNumber: po.orderNumber }))} · ${e(t('orders.po'))} ${e(po.number)} · ${e(day(po.placedAt))}</p>
<h2>${e(t('po.shipTo'))}</h2>${addressBlock(po.shipTo)}<h2>${e(t('po.lines'))}</h2>${linesTable(t, po)}</div>
<button type="button" data-print hidden>${e(t('slip.print'))}</button>`;
  return layout(ctx, `${t('slip.title')} ${po.number}`, body);
}

export function stockPage(
  ctx: PortalPageContext,
  rows: PortalStockRow[],
  forms: { upload: string; table: string },
  notice?: Notice,
): string {
  const { t, base } = ctx;
  const table =
    rows.length === 0
      ? `<p>${e(t('stock.none'))}</p>`
      : `<form method="post" action="${base}/stock/table" data-form="stock-table">${csrf(forms.table)}<table><thead><tr><th>${e(t('po.sku'))}</th><th>${e(t('po.quantity'))}</th></tr></thead><tbody>
${rows.map((row, i) => `<tr><td><label for="qty-${i}">${e(row.sku)}</label><input type="hidden" name="sku-${i}" value="${e(row.sku)}"><div class="meta">${e(day(row.feedAt))}</div></td><td><input class="qty" id="qty-${i}" name="qty-${i}" type="number" min="0" max="10000000" value="${row.quantity}" inputmode="numeric"></td></tr>`).join('\n')}
</tbody></table><button type="submit">${e(t('stock.save'))}</button></form>`;
  const body = `<form class="card" method="post" action="${base}/stock/upload" data-form="stock-upload">${csrf(forms.upload)}
<label for="csv-file">${e(t('stock.upload'))}</label><input id="csv-file" type="file" accept=".csv,text/csv" data-csv-file>
<label for="csv">${e(t('stock.paste'))}</label><textarea id="csv" name="csv" rows="5" spellcheck="false" placeholder="sku,quantity"></textarea>
<button type="submit">${e(t('stock.uploadButton'))}</button></form>
<div class="card"><h2>${e(t('stock.table'))}</h2>${table}</div>`;
  return layout(ctx, t('stock.title'), body, notice);
}

export interface ScorecardView {
  days: number;
  purchaseOrders: number;
  acceptanceRate?: number;
  onTimeShipRate?: number;
  cancellationRate?: number;
  trackingLatencyHours?: number;
}

export function scorecardPage(ctx: PortalPageContext, card: ScorecardView | undefined, days: number): string {
  const { t } = ctx;
  const percent = (value: number | undefined): string =>
    value === undefined ? '–' : `${Math.round(value * 100)} %`;
  const body = !card
    ? `<p class="card">${e(t('scorecard.none'))}</p>`
    : `<table class="card" data-scorecard><tbody>
<tr><th>${e(t('scorecard.purchaseOrders'))}</th><td>${card.purchaseOrders}</td></tr>
<tr><th>${e(t('scorecard.acceptance'))}</th><td>${percent(card.acceptanceRate)}</td></tr>
<tr><th>${e(t('scorecard.onTime'))}</th><td>${percent(card.onTimeShipRate)}</td></tr>
<tr><th>${e(t('scorecard.cancellation'))}</th><td>${percent(card.cancellationRate)}</td></tr>
<tr><th>${e(t('scorecard.trackingLatency'))}</th><td>${card.trackingLatencyHours === undefined ? '–' : card.trackingLatencyHours.toFixed(1)}</td></tr>
</tbody></table>`;
  return layout(ctx, t('scorecard.title', { days }), body);
}
