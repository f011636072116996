import type { TrackingStatus } from '../model/shipment';
import { carrierFromDeclaration, carrierName } from '../tracking/carrier-detection';

/** The store's look, from the tracking page's configuration. */
export interface Branding {
  storeName: string;
  /** #RRGGBB; header, progress and links. */
  primaryColour?: string;
  /** #RRGGBB; page background. */
  backgroundColour?: string;
  /** https URL of the logo image. */
  logoUrl?: string;
  supportEmail?: string;
  /** BCP 47 locale for dates, e.g. "en-US". */
  locale?: string;
  /** IANA time zone for dates, e.g. "America/Los_Angeles". */
  timeZone?: string;
}

export interface TrackingPageItem {
  title: string;
  quantity: number;
}

export interface TrackingPageParcel {
  trackingNumber: string;
  /** Carrier code or name; shown by its common name (UPS, FedEx...). */
  carrier?: string;
  trackingUrl?: string;
  status: TrackingStatus;
  /** When the latest news about the parcel happened. */
  updatedAt?: string;
  estimatedDelivery?: string;
  items?: TrackingPageItem[];
  /** The parcel's history, any order; shown newest first in plain language. */
  events?: { status: TrackingStatus; occurredAt: string; location?: string }[];
}

/** What the customer may see about an order: no address, no e-mail, nothing a link-holder should not read. */
export interface TrackingPageView {
  orderNumber: string;
  placedAt?: string;
  cancelled?: boolean;
  parcels: TrackingPageParcel[];
  /** Items not in any parcel yet (the supplier has not shipped them). */
  awaiting?: TrackingPageItem[];
}

/** Plain words for each status: what happened, and what happens next, without carrier codes. */
const STATUS_WORDS: Record<TrackingStatus, { headline: string; detail: string }> = {
  info_received: {
    headline: 'Preparing to ship',
    detail: 'Your parcel is packed and waiting for the carrier to collect it.',
  },
  in_transit: { headline: 'On its way', detail: 'Your parcel is travelling to you.' },
  out_for_delivery: {
    headline: 'Out for delivery',
    detail: 'Your parcel is with the driver and should arrive today.',
  },
  failed_attempt: {
    headline: 'Delivery attempted',
    detail:
      'The driver could not deliver your parcel. They will try again or leave a note on how to collect it.',
  },
  available_for_pickup: {
    headline: 'Ready to collect',
    detail: 'Your parcel is waiting for you at a pickup point.',
  },
  delivered: { headline: 'Delivered', detail: 'Your parcel has been delivered.' },
  exception: {
    headline: 'Delayed',
    detail:
      'Something is holding your parcel up. The carrier is working on it, and we are keeping an eye on it.',
  },
  returned_to_sender: {
    headline: 'Coming back to us',
    detail: 'Your parcel is being returned to us. We will be in touch about what happens next.',
  },
  expired: {
    headline: 'No recent news',
    detail: 'The carrier has stopped updating this parcel. Please contact us.',
  },
};

const STEPS = ['Ordered', 'Shipped', 'On its way', 'Out for delivery', 'Delivered'] as const;

/** How far along the steps a status is; problems sit where the parcel was (on its way). */
const STEP_OF: Record<TrackingStatus, number> = {
  info_received: 1,
  in_transit: 2,
  exception: 2,
  returned_to_sender: 2,
  expired: 2,
  out_for_delivery: 3,
  failed_attempt: 3,
  available_for_pickup: 3,
  delivered: 4,
};

const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;
const DEFAULT_PRIMARY = '#1f4e79';
const DEFAULT_BACKGROUND = '#f6f7f9';

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Only web links may become href/src: a "javascript:" URL in a carrier link or a logo setting is dropped. */
function safeUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

function colour(value: string | undefined, fallback: string): string {
  return value && HEX_COLOUR.test(value) ? value : fallback;
}

/** Black or white text, whichever reads better on the store's colour (WCAG relative luminance). */
function textOn(background: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(background.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 ? '#111111' : '#ffffff';
}

/** Building an Intl.DateTimeFormat costs far more than using one; pages share them per locale and zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(branding: Branding, withTime: boolean): Intl.DateTimeFormat {
  const key = `${branding.locale ?? ''}|${branding.timeZone ?? ''}|${withTime}`;
  let cached = formatters.get(key);
  if (!cached) {
    cached = createFormatter(branding, withTime);
    formatters.set(key, cached);
  }
  return cached;
}

function createFormatter(branding: Branding, withTime: boolean): Intl.DateTimeFormat {
  const options: Intl.DateTimeFormatOptions = withTime
    ? { dateStyle: 'medium', timeStyle: 'short', timeZone: branding.timeZone ?? 'UTC' }
    : { weekday: 'long', month: 'long', day: 'numeric', timeZone: branding.timeZone ?? 'UTC' };
  try {
    return new Intl.DateTimeFormat(branding.locale ?? 'en-US', options);
  } catch {
    return new Intl.DateTimeFormat('en-US', { ...options, timeZone: 'UTC' });
  }
}

function formatDate(value: string | undefined, branding: Branding, withTime: boolean): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : formatter(branding, withTime).format(date);
}

function itemList(items: TrackingPageItem[] | undefined): string {
  if (!items || items.length === 0) return '';
  const rows = items
    .map((i) => `<li>${escapeHtml(String(i.quantity))} × ${escapeHtml(i.title)}</li>`)
    .join('');
  return `<ul class="items">${rows}</ul>`;
}

function progress(step: number): string {
  const items = STEPS.map((label, i) => {
    const state = i < step ? 'done' : i === step ? 'current' : 'todo';
    return `<li class="${state}"${i === step ? ' aria-current="step"' : ''}>${escapeHtml(label)}</li>`;
  }).join('');
  return `<ol class="progress" aria-label="Progress">${items}</ol>`;
}

function parcelSection(parcel: TrackingPageParcel, index: number, count: number, branding: Branding): string {
  const words = STATUS_WORDS[parcel.status];
  const code = carrierFromDeclaration(parcel.carrier);
  const carrier = code ? carrierName(code) : parcel.carrier;
  const link = safeUrl(parcel.trackingUrl);
  const eta =
    parcel.status === 'delivered' ? undefined : formatDate(parcel.estimatedDelivery, branding, false);
  const updated = formatDate(parcel.updatedAt, branding, true);
  const history = [...(parcel.events ?? [])]
    .sort((a, b) => b.occurredAt.localeCompare(a.occurredAt))
    .map((event) => {
      const when = formatDate(event.occurredAt, branding, true) ?? '';
      const where = event.location ? ` · ${escapeHtml(event.location)}` : '';
      return `<li><time datetime="${escapeHtml(event.occurredAt)}">${escapeHtml(when)}</time> ${escapeHtml(STATUS_WORDS[event.status].headline)}${where}</li>`;
    })
    .join('');
  const title = count > 1 ? `Parcel ${index + 1} of ${count}` : 'Your parcel';
  return [
    `<section class="parcel status-${parcel.status}">`,
    `<h2>${escapeHtml(title)}</h2>`,
    progress(STEP_OF[parcel.status]),
    `<p class="headline">${escapeHtml(words.headline)}</p>`,
    `<p>${escapeHtml(words.detail)}</p>`,
    eta ? `<p class="eta">Expected ${escapeHtml(eta)}</p>` : '',
    updated ? `<p class="updated">Last update: ${escapeHtml(updated)}</p>` : '',
    itemList(parcel.items),
    `<p class="carrier">${carrier ? `Sent with ${escapeHtml(carrier)}, ` : ''}tracking number <span class="number">${escapeHtml(parcel.trackingNumber)}</span>`,
    link
      ? ` · <a href="${escapeHtml(link)}" rel="noopener noreferrer" target="_blank">Follow it on the carrier's site</a>`
      : '',
    '</p>',
    history ? `<details><summary>History</summary><ol class="history">${history}</ol></details>` : '',
    '</section>',
  ].join('');
}

function page(branding: Branding, title: string, body: string): string {
  const primary = colour(branding.primaryColour, DEFAULT_PRIMARY);
  const background = colour(branding.backgroundColour, DEFAULT_BACKGROUND);
  const logo = safeUrl(branding.logoUrl);
  const store = escapeHtml(branding.storeName);
  const support = branding.supportEmail
    ? `<footer>Questions? <a href="mailto:${escapeHtml(encodeURIComponent(branding.supportEmail).replace(/%40/g, '@'))}">${escapeHtml(branding.supportEmail)}</a></footer>`
    : '';
  return `<!DOCTYPE html>
<html lang="${escapeHtml((branding.locale ?? 'en').split('-')[0] ?? 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)} · ${store}</title>
<style>
:root { --primary: ${primary}; --on-primary: ${textOn(primary)}; --background: ${background}; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--background); color: #1d1d1f; }
header { background: var(--primary); color: var(--on-primary); padding: 1rem 1.5rem; display: flex; align-items: center; gap: 1rem; }
header img { max-height: 40px; }
header .store { font-size: 1.25rem; font-weight: 600; }
main { max-width: 40rem; margin: 0 auto; padding: 1rem; }
section { background: #fff; border-radius: 8px; padding: 1rem 1.25rem; margin: 1rem 0; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
a { color: var(--primary); }
.headline { font-size: 1.3rem; font-weight: 600; margin: .5rem 0 .25rem; }
.progress { display: flex; list-style: none; padding: 0; margin: .5rem 0; gap: 4px; }
.progress li { flex: 1; font-size: .75rem; padding-top: 8px; border-top: 4px solid #d9dce1; color: #6b7280; }
.progress li.done, .progress li.current { border-color: var(--primary); color: #1d1d1f; }
.progress li.current { font-weight: 600; }
.status-exception .headline, .status-failed_attempt .headline, .status-returned_to_sender .headline { color: #9a3412; }
.number { font-family: ui-monospace, monospace; }
.history { padding-left: 1.2rem; font-size: .9rem; }
footer { text-align: center; font-size: .9rem; padding: 1rem; }
form label { display: block; margin: .75rem 0 .25rem; }
form input { width: 100%; padding: .5rem; box-sizing: border-box; }
form button { margin-top: 1rem; background: var(--primary); color: var(--on-primary); border: 0; padding: .6rem 1.2rem; border-radius: 4px; }
.error { color: #9a3412; }
</style>
</head>
<body>
<header>${logo ? `<img src="${escapeHtml(logo)}" alt="">` : ''}<span class="store">${store}</span></header>
<main>
${body}
</main>
${support}
</body>
</html>
`;
}

/**
 * The customer's tracking page for one order: every parcel's progress in plain words, the store's name and colours.
 * Everything that comes from data (names, numbers, links, configuration) is escaped; colours must be #RRGGBB and
 * links http(s), anything else falls back to defaults. Pure: the same view and branding give the same HTML.
 */
export function renderTrackingPage(view: TrackingPageView, branding: Branding): string {
  const placed = formatDate(view.placedAt, branding, false);
  const intro = [
    `<h1>Order ${escapeHtml(view.orderNumber)}</h1>`,
    placed ? `<p>Placed ${escapeHtml(placed)}</p>` : '',
  ].join('');
  let body: string;
  if (view.cancelled) {
    body = `${intro}<section><p class="headline">Cancelled</p><p>This order was cancelled. Please contact us if you have questions.</p></section>`;
  } else {
    const parcels = view.parcels.map((p, i) => parcelSection(p, i, view.parcels.length, branding)).join('');
    const waiting =
      view.awaiting && view.awaiting.length > 0
        ? `<section class="awaiting"><h2>${view.parcels.length > 0 ? 'Still to come' : 'Being prepared'}</h2>${progress(0)}<p>${
            view.parcels.length > 0
              ? 'These items ship separately. We will update this page when they are on their way.'
              : 'We have your order and are getting it ready. We will update this page when it ships.'
          }</p>${itemList(view.awaiting)}</section>`
        : '';
    const split =
      view.parcels.length > 1 || (view.parcels.length > 0 && waiting)
        ? '<p>Your order comes in more than one parcel, so each one is tracked on its own below.</p>'
        : '';
    body = `${intro}${split}${parcels}${waiting}`;
  }
  return page(branding, `Order ${view.orderNumber}`, body);
}

/** The form at /dropship/track: order number and e-mail. `error` is shown above it (e.g. no such order). */
export function renderTrackingLookupPage(
  branding: Branding,
  options: { action: string; orderNumber?: string; error?: string },
): string {
  const action = options.action.startsWith('/') ? options.action : '/dropship/track';
  const body = [
    '<h1>Track your order</h1>',
    options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : '',
    `<section><form method="post" action="${escapeHtml(action)}">`,
    '<label for="orderNumber">Order number</label>',
    `<input id="orderNumber" name="orderNumber" required autocomplete="off" value="${escapeHtml(options.orderNumber ?? '')}">`,
    '<label for="email">E-mail address used for the order</label>',
    '<input id="email" name="email" type="email" required autocomplete="email">',
    '<button type="submit">Track</button>',
    '</form></section>',
  ].join('');
  return page(branding, 'Track your order', body);
}
