import type { Address } from '../model/order';

/**
 * Postcode formats per country (ISO 3166-1 alpha-2), as each postal service writes them; letters in any case and
 * the usual optional space or hyphen. Countries not listed are not checked.
 */
export const POSTCODE_FORMATS: Readonly<Record<string, { pattern: RegExp; example: string }>> = {
  US: { pattern: /^\d{5}(-?\d{4})?$/, example: '97201 or 97201-1234' },
  CA: { pattern: /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$/i, example: 'K1A 0B1' },
  GB: { pattern: /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/i, example: 'SW1A 1AA' },
  IE: { pattern: /^[AC-FHKNPRTV-Y]\d{2}(\d|W) ?[AC-FHKNPRTV-Y\d]{4}$/i, example: 'D02 X285' },
  DE: { pattern: /^\d{5}$/, example: '10115' },
  FR: { pattern: /^\d{5}$/, example: '75008' },
  IT: { pattern: /^\d{5}$/, example: '00184' },
  ES: { pattern: /^\d{5}$/, example: '28013' },
  NL: { pattern: /^\d{4} ?[A-Z]{2}$/i, example: '1012 JS' },
  BE: { pattern: /^\d{4}$/, example: '1000' },
  AT: { pattern: /^\d{4}$/, example: '1010' },
  CH: { pattern: /^\d{4}$/, example: '8001' },
  DK: { pattern: /^\d{4}$/, example: '1050' },
  SE: { pattern: /^\d{3} ?\d{2}$/, example: '111 52' },
  NO: { pattern: /^\d{4}$/, example: '0150' },
  FI: { pattern: /^\d{5}$/, example: '00100' },
  PL: { pattern: /^\d{2}-\d{3}$/, example: '00-001' },
  PT: { pattern: /^\d{4}-\d{3}$/, example: '1000-001' },
  AU: { pattern: /^\d{4}$/, example: '2000' },
  NZ: { pattern: /^\d{4}$/, example: '6011' },
  JP: { pattern: /^\d{3}-?\d{4}$/, example: '100-0001' },
  BR: { pattern: /^\d{5}-?\d{3}$/, example: '01310-100' },
  MX: { pattern: /^\d{5}$/, example: '06600' },
  IN: { pattern: /^\d{6}$/, example: '110001' },
};

/** Fields each country's addresses need besides line 1, city and country (what its post sorts by). */
export const REQUIRED_ADDRESS_FIELDS: Readonly<Record<string, readonly ('region' | 'postalCode')[]>> = {
  US: ['region', 'postalCode'],
  CA: ['region', 'postalCode'],
  AU: ['region', 'postalCode'],
  BR: ['region', 'postalCode'],
  MX: ['region', 'postalCode'],
  IN: ['region', 'postalCode'],
  JP: ['region', 'postalCode'],
  GB: ['postalCode'],
  DE: ['postalCode'],
  FR: ['postalCode'],
  IT: ['postalCode'],
  ES: ['postalCode'],
  NL: ['postalCode'],
  BE: ['postalCode'],
  AT: ['postalCode'],
  CH: ['postalCode'],
  DK: ['postalCode'],
  SE: ['postalCode'],
  NO: ['postalCode'],
  FI: ['postalCode'],
  PL: ['postalCode'],
  PT: ['postalCode'],
  NZ: ['postalCode'],
};

const FIELD_WORDS = { region: 'state or province', postalCode: 'postcode' } as const;

/** What is wrong with an address for its country: missing fields, a postcode in the wrong format. */
export function addressProblems(address: Address): string[] {
  const problems: string[] = [];
  const country = address.country.toUpperCase();
  if (!address.line1.trim()) problems.push('the street line is empty');
  if (!address.city.trim()) problems.push('the city is empty');
  for (const field of REQUIRED_ADDRESS_FIELDS[country] ?? []) {
    if (!address[field]?.trim())
      problems.push(`the ${FIELD_WORDS[field]} is missing (required in ${country})`);
  }
  const format = POSTCODE_FORMATS[country];
  const postcode = address.postalCode?.trim();
  if (format && postcode && !format.pattern.test(postcode))
    problems.push(`the postcode "${postcode}" is not a ${country} postcode (like ${format.example})`);
  return problems;
}

/**
 * Post office boxes and their local names (PO Box, P.O. Box, Post Office Box, Postfach, Apartado, Boîte postale,
 * BP 123, Postbus, Box 12 at the start of a line), which courier services (UPS, FedEx, DHL Express) do not deliver to.
 */
const PO_BOX =
  /\b(p\.?\s*o\.?\s*box|post\s*office\s*box|pob\s+\d|postfach|apartado(\s+de\s+correos)?|bo[iî]te\s+postale|b\.?p\.?\s+\d|postbus|^box\s+\d)/i;

export function isPoBox(address: Address): boolean {
  return [address.line1, address.line2 ?? ''].some((line) => PO_BOX.test(line.trim()));
}
