import { invalidInput, type FieldProblem } from '../errors';

/** What a velocity rule counts orders by. */
export const VELOCITY_SIGNALS = ['email', 'address', 'ip', 'card'] as const;
export type VelocitySignal = (typeof VELOCITY_SIGNALS)[number];

export const RISK_RULE_KINDS = [
  'address',
  'po_box',
  'address_verification',
  'velocity',
  'order_value',
  'country_mismatch',
  'storefront_risk',
] as const;
export type RiskRuleKind = (typeof RISK_RULE_KINDS)[number];

/** One row of the rule set: what to check and the label the operator reads when it holds an order. */
export type RiskRule = { label: string } & (
  | /** Required fields per country and the postcode format. */ { kind: 'address' }
  | /**
     * A PO box as the shipping address when the shipping method names one of `carriers` (courier services refuse
     * PO boxes); any method when the list is empty.
     */ { kind: 'po_box'; carriers: string[] }
  | /** The address authority (USPS for US addresses) does not know the address as deliverable. */ {
      kind: 'address_verification';
    }
  | /** More than `maxOrders` orders with the same e-mail, address, IP or card within `windowHours`. */ {
      kind: 'velocity';
      signal: VelocitySignal;
      maxOrders: number;
      windowHours: number;
    }
  | /** The order's total is above `above` (major units of the order's currency). */ {
      kind: 'order_value';
      above: number;
    }
  | /** Billing and shipping addresses in different countries. */ { kind: 'country_mismatch' }
  | /** The storefront's own assessment is at least `atLeast`, or it recommends cancelling or investigating. */ {
      kind: 'storefront_risk';
      atLeast: 'medium' | 'high';
    }
);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a rule set as the editor saves it (a list of rows), naming every field that is wrong with its row's
 * place (`/2/maxOrders`). An empty list screens nothing.
 */
export function parseRiskRules(value: unknown): RiskRule[] {
  const problems: FieldProblem[] = [];
  if (value === undefined || value === null || value === '') return [];
  if (!Array.isArray(value))
    throw invalidInput('risk rules', [{ path: '', message: 'must be a list of rules' }]);
  const rules = value.map((row: unknown, i): RiskRule | undefined => {
    const at = (field: string) => `/${i}/${field}`;
    if (!isRecord(row)) {
      problems.push({ path: `/${i}`, message: 'must be a rule' });
      return undefined;
    }
    const label = typeof row.label === 'string' && row.label.trim() ? row.label.trim() : undefined;
    if (!label) problems.push({ path: at('label'), message: 'is required: the operator reads it' });
    const whole = (field: string, min: number, max: number): number => {
      const n = Number(row[field]);
      if (!Number.isInteger(n) || n < min || n > max)
        problems.push({ path: at(field), message: `must be a whole number from ${min} to ${max}` });
      return n;
    };
    const base = { label: label ?? '' };
    switch (row.kind) {
      case 'address':
      case 'address_verification':
      case 'country_mismatch':
        return { ...base, kind: row.kind };
      case 'po_box': {
        const carriers = (typeof row.carriers === 'string' ? row.carriers.split(',') : [])
          .map((c) => c.trim())
          .filter(Boolean);
        if (row.carriers !== undefined && typeof row.carriers !== 'string')
          problems.push({ path: at('carriers'), message: 'must be carrier names separated by commas' });
        return { ...base, kind: 'po_box', carriers };
      }
      case 'velocity': {
        const signal = row.signal as VelocitySignal;
        if (!VELOCITY_SIGNALS.includes(signal))
          problems.push({ path: at('signal'), message: `must be one of ${VELOCITY_SIGNALS.join(', ')}` });
        return {
          ...base,
          kind: 'velocity',
          signal,
          maxOrders: whole('maxOrders', 1, 1000),
          windowHours: whole('windowHours', 1, 24 * 90),
        };
      }
      case 'order_value': {
        const above = Number(row.above);
        if (!Number.isFinite(above) || above <= 0)
          problems.push({ path: at('above'), message: 'must be an amount above 0' });
        return { ...base, kind: 'order_value', above };
      }
      case 'storefront_risk': {
        const atLeast = row.atLeast === 'medium' || row.atLeast === 'high' ? row.atLeast : undefined;
        if (!atLeast) problems.push({ path: at('atLeast'), message: 'must be medium or high' });
        return { ...base, kind: 'storefront_risk', atLeast: atLeast ?? 'high' };
      }
      default:
        problems.push({ path: at('kind'), message: `must be one of ${RISK_RULE_KINDS.join(', ')}` });
        return undefined;
    }
  });
  if (problems.length > 0) throw invalidInput('risk rules', problems);
  return rules as RiskRule[];
}
