import type Ajv from 'ajv';

/**
 * The three string formats the schemas use, registered on ajv: `date-time` (RFC 3339 with its time zone, as
 * ajv-formats' full mode checks it), `email` (the address form ajv-formats accepts) and `uri` (an absolute URI
 * that the WHATWG URL parser, the one Node sends requests with, can read). Three checks did not justify a package.
 */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isDateTime(text: string): boolean {
  const parts = DATE_TIME.exec(text);
  if (!parts) return false;
  const [year, month, day, hour, minute, second, offsetHour = 0, offsetMinute = 0] = parts
    .slice(1)
    .map((p) => (p === undefined ? undefined : Number(p))) as number[];
  return (
    month! >= 1 &&
    month! <= 12 &&
    day! >= 1 &&
    day! <= daysIn(year!, month!) &&
    hour! <= 23 &&
    minute! <= 59 &&
    // 60: a leap second.
    second! <= 60 &&
    offsetHour <= 23 &&
    offsetMinute <= 59
  );
}

const EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

export function isEmail(text: string): boolean {
  return EMAIL.test(text);
}

/** A scheme, then nothing RFC 3986 forbids unescaped (spaces, quotes, angle brackets...), then a parsable URL. */
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
// eslint-disable-next-line no-control-regex
const NOT_IN_URI = /[\s\u0000-\u001f\u007f"<>\\^`{|}]/;

export function isUri(text: string): boolean {
  return SCHEME.test(text) && !NOT_IN_URI.test(text) && URL.canParse(text);
}

/** What each format asks for, in the words of an error message ("must be ..."). */
export const FORMAT_WORDS: Readonly<Record<string, string>> = {
  'date-time': 'a date and time with its time zone, such as 2026-11-20T14:30:00Z',
  email: 'an e-mail address such as ada@example.com',
  uri: 'an absolute URL such as https://example.com/',
};

export function addStringFormats(ajv: Ajv): void {
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
  ajv.addFormat('email', { type: 'string', validate: isEmail });
  ajv.addFormat('uri', { type: 'string', validate: isUri });
}
