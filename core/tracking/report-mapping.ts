import { invalidInput, type FieldProblem } from '../errors';

/** Fields of a shipment report that a supplier's JSON can be mapped to, each with a JSON path. */
export const REPORT_FIELDS = [
  'poNumber',
  'orderId',
  'trackingNumber',
  'carrier',
  'status',
  'occurredAt',
  'trackingUrl',
  'estimatedDelivery',
  'location',
  'lines',
] as const;
export type ReportField = (typeof REPORT_FIELDS)[number];

/**
 * Where a supplier's webhook puts things: `reports` is the path of the list of reports (the body itself when
 * empty; one object is one report), and each field's path inside one report (our own field name when empty).
 */
export interface ReportMapping {
  reports?: string;
  fields?: Partial<Record<ReportField, string>>;
}

type Step = string | number;

/**
 * Parses a JSON path as suppliers' documentation writes it: `$.shipment.tracking[0].number`, `data["po-no"]`
 * or `shipment.carrier` (the leading `$.` is optional). Names are plain identifiers or quoted in brackets.
 */
export function parseJsonPath(path: string): Step[] {
  const steps: Step[] = [];
  let rest = path.trim().replace(/^\$\.?/, '');
  while (rest.length > 0) {
    const match =
      /^\.?([A-Za-z_$][\w$-]*)/.exec(rest) ??
      /^\[(\d+)\]/.exec(rest) ??
      /^\[\s*"((?:[^"\\]|\\.)*)"\s*\]/.exec(rest) ??
      /^\[\s*'((?:[^'\\]|\\.)*)'\s*\]/.exec(rest);
    if (!match) throw new Error(`cannot read "${rest}" in the path "${path}"`);
    steps.push(/^\[\d+\]$/.test(match[0]) ? Number(match[1]) : match[1]!.replace(/\\(.)/g, '$1'));
    rest = rest.slice(match[0].length);
  }
  return steps;
}

function follow(value: unknown, steps: Step[]): unknown {
  let at = value;
  for (const step of steps) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string | number, unknown>)[step];
  }
  return at;
}

/** A mapping checked once: every path parsed, or the problems named by field. */
export interface CompiledReportMapping {
  reports: Step[];
  fields: Partial<Record<ReportField, Step[]>>;
}

export function compileReportMapping(mapping: ReportMapping = {}): CompiledReportMapping {
  const problems: FieldProblem[] = [];
  const compile = (path: string | undefined, where: string): Step[] | undefined => {
    if (!path || path.trim() === '') return undefined;
    try {
      return parseJsonPath(path);
    } catch (err) {
      problems.push({ path: where, message: (err as Error).message });
      return undefined;
    }
  };
  const fields: Partial<Record<ReportField, Step[]>> = {};
  for (const field of REPORT_FIELDS) {
    const steps = compile(mapping.fields?.[field], `/mapping/fields/${field}`);
    if (steps) fields[field] = steps;
  }
  const reports = compile(mapping.reports, '/mapping/reports') ?? [];
  if (problems.length > 0) throw invalidInput('report mapping', problems);
  return { reports, fields };
}

/** Numbers and booleans become text: suppliers send PO numbers and tracking numbers as JSON numbers too. */
function asText(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

/** The reports of a webhook body, each read through the mapping into our field names. */
export function mapShipmentReports(body: unknown, mapping: CompiledReportMapping): unknown[] {
  const found = follow(body, mapping.reports);
  if (found === undefined && mapping.reports.length > 0)
    throw invalidInput('shipment report', [
      { path: `/${mapping.reports.join('/')}`, message: 'is missing: the body holds no reports there' },
    ]);
  const list: unknown[] = Array.isArray(found) ? (found as unknown[]) : [found];
  return list.map((item) => {
    if (item === null || typeof item !== 'object') return item;
    const report: Record<string, unknown> = {};
    for (const field of REPORT_FIELDS) {
      const steps = mapping.fields[field] ?? [field];
      const value = follow(item, steps);
      if (value !== undefined) report[field] = field === 'lines' ? value : asText(value);
    }
    return report;
  });
}
