import { TRACKING_STATUSES, type TrackingStatus } from '../model/shipment';
import { carrierFromDeclaration, type CarrierCode } from './carrier-detection';

/**
 * Carrier status codes, as each carrier's tracking API returns them. Codes are short and collide between carriers
 * ("DL", "D", "IT"), so they are read only when the carrier is known.
 */
const CARRIER_CODES: Record<CarrierCode, Record<string, TrackingStatus>> = {
  // UPS Track API: activity[].status.type / currentStatus.type.
  ups: {
    M: 'info_received', // manifest: billing information received, label created
    MV: 'exception', // billing information voided: the label was cancelled
    P: 'in_transit', // pickup scan
    I: 'in_transit',
    O: 'out_for_delivery',
    D: 'delivered',
    X: 'exception',
    RS: 'returned_to_sender',
    // Freight only: delivered to / from a container freight station, warehousing; the parcel is still moving.
    DO: 'in_transit',
    DD: 'in_transit',
    W: 'in_transit',
  },
  // FedEx Track API: latestStatusDetail.code / scanEvents[].derivedStatusCode.
  fedex: {
    OC: 'info_received', // order created: label printed, not tendered
    PU: 'in_transit',
    PX: 'in_transit',
    IT: 'in_transit',
    IX: 'in_transit',
    AR: 'in_transit',
    AF: 'in_transit',
    AA: 'in_transit',
    AC: 'in_transit',
    AX: 'in_transit',
    DP: 'in_transit',
    EA: 'in_transit',
    ED: 'in_transit',
    EO: 'in_transit',
    EP: 'in_transit',
    FD: 'in_transit',
    LO: 'in_transit',
    OF: 'in_transit',
    PF: 'in_transit',
    PL: 'in_transit',
    PM: 'in_transit',
    SF: 'in_transit',
    SP: 'in_transit',
    TR: 'in_transit',
    CC: 'in_transit',
    CP: 'in_transit',
    CD: 'in_transit', // clearance delay: late, not lost; the new estimate tells the customer
    DD: 'in_transit', // delivery delay
    DY: 'in_transit',
    CH: 'in_transit',
    OD: 'out_for_delivery',
    DL: 'delivered',
    DE: 'exception',
    SE: 'exception',
    CA: 'exception', // shipment cancelled
    HL: 'available_for_pickup', // hold at location
    HP: 'available_for_pickup', // ready for recipient pickup
    RS: 'returned_to_sender',
    RP: 'returned_to_sender',
  },
  // USPS Tracking v3: trackingEvents[].eventCode.
  usps: {
    MA: 'info_received', // pre-shipment: electronic manifest received
    '03': 'in_transit', // accepted
    '10': 'in_transit', // processed
    '07': 'in_transit', // arrival at unit
    OF: 'out_for_delivery',
    '01': 'delivered',
    '02': 'failed_attempt', // notice left
    '04': 'exception', // refused
    '05': 'exception', // undeliverable as addressed
    '09': 'returned_to_sender',
  },
  // DHL Shipment Tracking - Unified: shipments[].status.statusCode.
  dhl: {
    'PRE-TRANSIT': 'info_received',
    TRANSIT: 'in_transit',
    DELIVERED: 'delivered',
    FAILURE: 'exception',
  },
};

/**
 * Words of carriers' descriptions, USPS status categories and suppliers' own statuses, tried in this order: the
 * specific before the general ("Delivered to UPS Access Point" is a pickup, "Delivery attempted" is not delivered).
 */
const PHRASE_RULES: readonly [RegExp, TrackingStatus][] = [
  [/\breturn(ed|ing)? to (the )?(sender|shipper|origin)\b|\brts\b/, 'returned_to_sender'],
  [
    /\b(available|ready) for (\w+ )?(pick ?up|collection)|\baccess point\b|\bheld (at|for) (location|pick ?up)|\bhold at location\b|\bawaiting collection\b|\bpick ?up point\b|\bparcel locker\b|\bpost office box\b/,
    'available_for_pickup',
  ],
  [
    /\battempt(ed)?\b|\bnotice left\b|\bnot delivered\b|\bcould not be delivered\b|\bmissed delivery\b|\b(recipient|receiver|customer|no one) (was )?not (available|home|in)\b/,
    'failed_attempt',
  ],
  [
    /\bout for delivery\b|\bon (the )?(\w+ )?(vehicle|truck|van) for delivery\b|\bwith (the )?(courier|driver) for delivery\b|\bwith (the )?delivery (courier|driver)\b/,
    'out_for_delivery',
  ],
  [/\bdelivered\b/, 'delivered'],
  [/\bexpired\b|\bno longer (tracked|available)\b/, 'expired'],
  [
    /\bexception\b|\balert\b|\bfail(ed|ure)?\b|\bdamaged?\b|\blost\b|\brefused\b|\bundeliverable\b|\baddress (issue|problem|incorrect|incomplete)\b|\bcancell?ed\b|\bvoided\b|\bseized\b|\bon hold\b/,
    'exception',
  ],
  [
    /\blabel (created|printed)\b|\bcreated a (shipping )?label\b|\binfo(rmation)? received\b|\bpre[ -]?(transit|shipment)\b|\bmanifest(ed)?\b|\bshipment (ready|information)\b|\bbilling information\b|\bawaiting (carrier )?pick ?up\b|\bshipped\b|\bdispatched\b|\bdespatched\b|\bfulfilled\b|\border processed\b/,
    'info_received',
  ],
  [
    /\btransit\b|\bpicked up\b|\bpick ?up scan\b|\baccepted\b|\bdepart(ed|ure)?\b|\barriv(ed|al)\b|\bprocess(ed|ing)\b|\bsort(ed|ing)?\b|\bon (the|its) way\b|\bcustoms\b|\bclearance\b|\bforwarded\b|\bfacility\b|\bhub\b|\b(origin|destination) scan\b|\bdelay(ed)?\b/,
    'in_transit',
  ],
];

function canonical(raw: string): TrackingStatus | undefined {
  const key = raw
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return (TRACKING_STATUSES as readonly string[]).includes(key) ? (key as TrackingStatus) : undefined;
}

/**
 * Maps a source's raw status (a carrier code when the carrier is given, a carrier's or supplier's words, or one of
 * our own status names) to the one vocabulary. Undefined when nothing in it is recognisable: the caller keeps the
 * raw text and reports it rather than guessing.
 */
export function normaliseTrackingStatus(raw: string, carrier?: string): TrackingStatus | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  const code = carrierFromDeclaration(carrier);
  const byCode = code ? CARRIER_CODES[code][text.toUpperCase()] : undefined;
  if (byCode) return byCode;
  const own = canonical(text);
  if (own) return own;
  const words = text.toLowerCase().replace(/[_]+/g, ' ');
  return PHRASE_RULES.find(([pattern]) => pattern.test(words))?.[1];
}

/** Statuses a carrier's words may sharpen: "X" (exception) whose text says "attempted" is a failed attempt. */
const SHARPENED_BY_WORDS: Partial<Record<TrackingStatus, readonly TrackingStatus[]>> = {
  in_transit: ['out_for_delivery', 'available_for_pickup', 'failed_attempt', 'returned_to_sender'],
  exception: ['failed_attempt', 'returned_to_sender', 'available_for_pickup'],
  delivered: ['available_for_pickup'],
};

/**
 * A carrier scan from its code and its description together: the code decides, unless the description names a
 * more specific status the code lumps in (UPS reports a missed delivery as "X" exception, a parcel left at an
 * access point as delivered or in transit).
 */
export function normaliseCarrierStatus(
  code: string | undefined,
  description: string | undefined,
  carrier: string,
): TrackingStatus | undefined {
  const byCode = code ? normaliseTrackingStatus(code, carrier) : undefined;
  const byWords = description ? normaliseTrackingStatus(description) : undefined;
  if (byCode && byWords && SHARPENED_BY_WORDS[byCode]?.includes(byWords)) return byWords;
  return byCode ?? byWords;
}
