import type { ParsedMail } from 'mailparser';
import { invalidInput, type FieldProblem } from '../../core/errors';
import { requireOptionalPackage } from '../../core/optional-package';
import type { ShipmentEvent } from '../../core/model/shipment';
import {
  carrierFromDeclaration,
  detectCarrier,
  normaliseTrackingNumber,
  trackingNumberFormats,
  type CarrierCode,
  type CarrierMatch,
} from '../../core/tracking/carrier-detection';

/** How to find the order a supplier's e-mail is about, beyond our own PO numbers (always recognised). */
export interface MailMatchSettings {
  /** Regular expressions (case-insensitive) whose first capture group is a store order number. */
  orderNumberPatterns?: string[];
  /** Regular expressions whose first capture group is one of our PO numbers written the supplier's way. */
  poNumberPatterns?: string[];
  /**
   * A supplier's own references, one per line: its supplier id, the sender address or @domain its mail comes
   * from, and a regular expression whose first capture group is its reference for our PO (its order number, as
   * its 855 or API reply gave it): `acme @acme-supply.example your order #(\d+)`.
   */
  supplierReferences?: string[];
}

/** A supplier's reference for one of our POs, read from mail that supplier sent. */
export interface SupplierReference {
  supplierId: string;
  reference: string;
}

/** A tracking number found in a mail, with the carrier detection's verdict on it. */
export interface MailParcel extends CarrierMatch {
  trackingNumber: string;
}

/** What a supplier's e-mail says, before anyone looks up the order. */
export interface SupplierMailReading {
  messageId?: string;
  subject: string;
  /** The sender's address (a supplier's, not a customer's). */
  from?: string;
  /** The Date header as an instant, when it has one. */
  sentAt?: string;
  poNumbers: string[];
  orderNumbers: string[];
  /** References in the sender's own numbering, by the patterns of the supplier the mail is from. */
  supplierReferences: SupplierReference[];
  parcels: MailParcel[];
  /** Why the mail cannot be matched from its content alone: no reference, no tracking number. */
  problems: string[];
}

/** The text of a mail, in the places suppliers put things. */
export interface MailTexts {
  subject: string;
  text: string;
  html?: string;
}

/** PO numbers as purchaseOrderNumber() makes them: "PO", 10 Crockford base32 characters, "-", the attempt. */
const PO_NUMBER = /\bPO[0-9A-HJKMNP-TV-Z]{10}-\d{1,3}\b/gi;

const DEFAULT_ORDER_NUMBER_PATTERNS = [
  String.raw`\border\s*(?:number|no\.?|#)?\s*[:#]?\s*#?\s*([A-Z0-9][A-Z0-9-]*\d[A-Z0-9-]*)`,
];

/** A label in front of a tracking number: "Tracking number:", "Tracking #", "AWB", "Waybill". */
const LABELLED_NUMBER =
  /\b(?:tracking|track|waybill|air\s*waybill|awb|consignment)(?:\s*(?:number|no\.?|#|id|code|ref))?\s*[:#]?\s*((?:[A-Z0-9]+[ -]?){1,10})/gi;

/** Names and SCACs suppliers use when they say which carrier took the parcel. */
const CARRIER_MENTION =
  /\b(UPS|UPSN|United Parcel Service|FedEx|Federal Express|FDEG|FDEN|FXFE|FXNL|USPS|U\.S\. Postal Service|United States Postal Service|DHL|DHLC)\b/gi;

/** Query parameters carriers' tracking pages take the number in. */
const CARRIER_HOSTS: [RegExp, CarrierCode][] = [
  [/(^|\.)ups\.com$/i, 'ups'],
  [/(^|\.)fedex\.com$/i, 'fedex'],
  [/(^|\.)usps\.com$/i, 'usps'],
  [/(^|\.)dhl\.(com|de)$/i, 'dhl'],
];

/** Numbers found with no label around them must carry a check digit and be long enough not to be a phone number. */
const UNLABELLED_MIN_LENGTH = 12;

export interface CompiledMailMatching {
  orderNumber: RegExp[];
  poNumber: RegExp[];
  supplierReferences: { supplierId: string; from: string; pattern: RegExp }[];
}

/** Compiles the configured patterns once; a broken pattern is named by its place in the settings. */
export function compileMailMatching(
  settings: MailMatchSettings = {},
  path = '/matching',
): CompiledMailMatching {
  const problems: FieldProblem[] = [];
  const compile = (patterns: string[], field: string, at?: string): RegExp[] =>
    patterns.flatMap((pattern, i) => {
      const where = at ?? `${path}/${field}/${i}`;
      try {
        const regex = new RegExp(pattern, 'gi');
        // "pattern|" matches the empty string, and its match array has one entry per capture group plus one.
        if (new RegExp(`${pattern}|`).exec('')!.length < 2) {
          problems.push({ path: where, message: 'needs a capture group around the number' });
          return [];
        }
        return [regex];
      } catch (err) {
        problems.push({
          path: where,
          message: `is not a valid regular expression: ${(err as Error).message}`,
        });
        return [];
      }
    });
  const supplierReferences = (settings.supplierReferences ?? []).flatMap((line, i) => {
    const [, supplierId, from, pattern] = /^\s*(\S+)\s+(\S+)\s+(.+?)\s*$/.exec(line) ?? [];
    if (!supplierId || !from || !pattern || !from.includes('@')) {
      problems.push({
        path: `${path}/supplierReferences/${i}`,
        message: 'needs a supplier id, a sender address or @domain, and a pattern, separated by spaces',
      });
      return [];
    }
    const [regex] = compile([pattern], 'supplierReferences', `${path}/supplierReferences/${i}`);
    return regex ? [{ supplierId, from: from.toLowerCase(), pattern: regex }] : [];
  });
  const compiled = {
    orderNumber: compile(
      settings.orderNumberPatterns ?? DEFAULT_ORDER_NUMBER_PATTERNS,
      'orderNumberPatterns',
    ),
    poNumber: compile(settings.poNumberPatterns ?? [], 'poNumberPatterns'),
    supplierReferences,
  };
  if (problems.length > 0) throw invalidInput('mail matching settings', problems);
  return compiled;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X'))
      return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** Visible text of an HTML body: table cells and blocks kept apart so numbers do not run together. */
export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<(script|style|head)\b[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<br\s*\/?>|<\/(p|div|tr|li|h[1-6]|table|blockquote)>/gi, '\n')
      .replace(/<[^>]+>/g, ' '),
  )
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n');
}

function linksOf(html: string): string[] {
  return [...html.matchAll(/\bhref\s*=\s*["']([^"']+)["']/gi)].map((m) => decodeEntities(m[1]!));
}

function uniqueCarrier(text: string): CarrierCode | undefined {
  const found = new Set(
    [...text.matchAll(CARRIER_MENTION)]
      .map((m) => carrierFromDeclaration(m[1]))
      .filter((c) => c !== undefined),
  );
  return found.size === 1 ? [...found][0] : undefined;
}

/** Tracking numbers in links to a carrier's tracking page: the host names the carrier. */
function numbersFromLinks(links: string[]): MailParcel[] {
  const parcels: MailParcel[] = [];
  for (const link of links) {
    let url: URL;
    try {
      url = new URL(link);
    } catch {
      continue;
    }
    const carrier = CARRIER_HOSTS.find(([host]) => host.test(url.hostname))?.[1];
    if (!carrier) continue;
    for (const value of url.searchParams.values()) {
      for (const candidate of value.split(',')) {
        const match = /\d/.test(candidate) ? detectCarrier(candidate, carrier) : undefined;
        if (match) parcels.push({ trackingNumber: normaliseTrackingNumber(candidate), ...match });
      }
    }
  }
  return parcels;
}

/**
 * Numbers after a label. The words after "Tracking number:" may hold the number in groups ("1Z 5R8 939...") and
 * be followed by other words, so every run of groups is tried, longest first; a number whose format proves a
 * carrier wins, and a bare token is taken on the mail's word for the carrier only when nothing proves one.
 */
function labelledNumbers(text: string, declared: CarrierCode | undefined): MailParcel[] {
  const parcels: MailParcel[] = [];
  for (const label of text.matchAll(LABELLED_NUMBER)) {
    const groups = label[1]!.split(/[ -]+/).filter(Boolean);
    let found: MailParcel | undefined;
    for (let start = 0; start < groups.length && !found; start++) {
      for (let end = groups.length; end > start && !found; end--) {
        const candidate = groups.slice(start, end).join('');
        const match = detectCarrier(candidate, declared);
        if (match && match.confidence !== 'declared')
          found = { trackingNumber: candidate.toUpperCase(), ...match };
      }
    }
    const token = groups.find((g) => /\d/.test(g) && g.length >= 8);
    if (!found && token && declared) {
      const match = detectCarrier(token, declared);
      if (match) found = { trackingNumber: token.toUpperCase(), ...match };
    }
    if (found) parcels.push(found);
  }
  return parcels;
}

/** Numbers anywhere in the text that prove their carrier by a check digit. */
function unlabelledNumbers(text: string, declared: CarrierCode | undefined): MailParcel[] {
  const { findTracking, ups, fedex, usps, s10, dhl } = trackingNumberFormats();
  return findTracking(text, [ups, fedex, usps, s10, dhl])
    .map((found) => found.trackingNumber)
    .filter((n) => n.length >= UNLABELLED_MIN_LENGTH)
    .flatMap((n) => {
      const match = detectCarrier(n, declared);
      return match && match.confidence !== 'pattern' ? [{ trackingNumber: n.toUpperCase(), ...match }] : [];
    });
}

function captures(text: string, patterns: RegExp[]): string[] {
  return patterns.flatMap((pattern) =>
    [...text.matchAll(pattern)].map((m) => m[1]).filter((v) => v !== undefined),
  );
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Reads references and tracking numbers out of a mail's subject, text and HTML. Pure: no MIME, no I/O. */
export function readMailTexts(
  texts: MailTexts,
  matching: CompiledMailMatching,
  from?: string,
): Pick<SupplierMailReading, 'poNumbers' | 'orderNumbers' | 'supplierReferences' | 'parcels' | 'problems'> {
  const visible = [texts.subject, texts.text, texts.html ? htmlToText(texts.html) : ''].join('\n');
  const declared = uniqueCarrier(visible);

  const poNumbers = unique([
    ...[...visible.matchAll(PO_NUMBER)].map((m) => m[0].toUpperCase()),
    ...captures(visible, matching.poNumber).map((v) => v.toUpperCase()),
  ]);
  const orderNumbers = unique(captures(visible, matching.orderNumber)).filter(
    (value) => !poNumbers.includes(value.toUpperCase()),
  );

  const parcels: MailParcel[] = [];
  for (const parcel of [
    ...numbersFromLinks(texts.html ? linksOf(texts.html) : []),
    ...labelledNumbers(visible, declared),
    ...unlabelledNumbers(visible, declared),
  ]) {
    if (!parcels.some((p) => p.trackingNumber === parcel.trackingNumber)) parcels.push(parcel);
  }

  // A supplier's own patterns apply only to mail from its address or domain: its "order #1042" is its number.
  const sender = from?.toLowerCase() ?? '';
  const supplierReferences: SupplierReference[] = [];
  for (const { supplierId, from: address, pattern } of matching.supplierReferences) {
    if (!(address.startsWith('@') ? sender.endsWith(address) : sender === address)) continue;
    for (const reference of captures(visible, [pattern])) {
      if (!supplierReferences.some((r) => r.supplierId === supplierId && r.reference === reference))
        supplierReferences.push({ supplierId, reference });
    }
  }

  const problems: string[] = [];
  if (poNumbers.length === 0 && orderNumbers.length === 0 && supplierReferences.length === 0)
    problems.push('no PO number or order number found');
  if (parcels.length === 0) problems.push('no tracking number found');
  return { poNumbers, orderNumbers, supplierReferences, parcels, problems };
}

/** mailparser is loaded by the first mail read, not by every Node-RED whose suppliers never write mail. */
async function parseMail(source: Buffer | string): Promise<ParsedMail> {
  const { simpleParser } = requireOptionalPackage('mailparser', 'Reading supplier e-mail');
  return simpleParser(source);
}

function firstAddress(mail: ParsedMail): string | undefined {
  return mail.from?.value[0]?.address;
}

/** Texts of a mail and of mails forwarded inside it as message/rfc822 attachments. */
async function collectTexts(mail: ParsedMail, depth: number): Promise<MailTexts[]> {
  const own: MailTexts = { subject: mail.subject ?? '', text: mail.text ?? '', html: mail.html || undefined };
  if (depth >= 3) return [own];
  const forwarded = await Promise.all(
    mail.attachments
      .filter((a) => a.contentType === 'message/rfc822')
      .map(async (a) => collectTexts(await parseMail(a.content), depth + 1)),
  );
  return [own, ...forwarded.flat()];
}

/** Parses a raw RFC 5322 message (plain, HTML-only, multipart, forwarded) and reads what it says. */
export async function readSupplierMail(
  source: Buffer | string,
  matching: CompiledMailMatching,
): Promise<SupplierMailReading> {
  const mail = await parseMail(source);
  const parts = await collectTexts(mail, 0);
  const merged: MailTexts = {
    subject: parts.map((p) => p.subject).join('\n'),
    text: parts.map((p) => p.text).join('\n'),
    html: parts
      .map((p) => p.html)
      .filter(Boolean)
      .join('\n'),
  };
  return {
    messageId: mail.messageId,
    subject: mail.subject ?? '',
    from: firstAddress(mail),
    sentAt: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : undefined,
    ...readMailTexts(merged, matching, firstAddress(mail)),
  };
}

/**
 * The shipment events a matched supplier mail stands for: one per parcel, "info received", because a supplier's
 * "shipped" is not a carrier scan (carrier polling reports the movement). Timed by the mail's Date header, so a
 * mail read twice yields the same events and the store's deduplication absorbs the second reading; a Date header
 * earlier than `notBefore` (when the PO was sent: a wrong clock, an old mail forwarded) is raised to it, and the
 * event's words say so.
 */
export function shipmentEventsFromMail(
  reading: SupplierMailReading,
  target: { orderId?: string; poNumber?: string },
  receivedAt: Date,
  notBefore?: Date,
): ShipmentEvent[] {
  let occurredAt = reading.sentAt ?? receivedAt.toISOString();
  let rawStatus = `e-mail: ${reading.subject}`;
  if (notBefore && Date.parse(occurredAt) < notBefore.getTime()) {
    rawStatus = `e-mail (Date header ${occurredAt} is before the PO was sent; timed at the send): ${reading.subject}`;
    occurredAt = notBefore.toISOString();
  }
  return reading.parcels.map((parcel) => ({
    ...target,
    carrier: parcel.carrier,
    trackingNumber: parcel.trackingNumber,
    trackingUrl: parcel.trackingUrl,
    status: 'info_received',
    rawStatus: rawStatus.slice(0, 200),
    occurredAt,
    source: 'email',
  }));
}
