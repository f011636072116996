import { invalidInput, type FieldProblem } from '../errors';
import { WATCHDOG_ACTIONS, WATCHDOG_CONDITIONS, type WatchdogAction, type WatchdogCondition } from './timers';

export interface LadderStep {
  action: WatchdogAction;
  /** Hours after the condition began (the missed deadline) that the step fires. */
  afterHours: number;
}

export interface ConditionPolicy {
  enabled: boolean;
  /**
   * When the condition begins. po_unacknowledged: hours after sending (the default acknowledgement SLA);
   * not_shipped_by_promise and late_delivery: grace hours after the promised time; label_without_scan and
   * no_tracking_movement: hours without a carrier scan or movement; stock_feed_stale: hours since the last feed;
   * functional_ack_overdue: hours after an X12 group (an 850) was sent without the partner's 997, where the
   * partner's own setting does not say.
   * supplier_error_rate and address_rejected begin when found.
   */
  thresholdHours: number;
  steps: LadderStep[];
}

export interface ErrorRateLimit {
  /** Days before the checked days that set the supplier's normal error rate. */
  baselineDays: number;
  /** Days in a row the rate must exceed its limit before the condition begins. */
  consecutiveDays: number;
  /** Width of the control limit in standard deviations (p-chart: p + k * sqrt(p(1-p)/n)). */
  sigmas: number;
  /** A fixed limit (0..1) instead of the computed one. */
  limit?: number;
}

export interface WatchdogPolicy {
  conditions: Record<WatchdogCondition, ConditionPolicy>;
  /** Acknowledgement SLA in hours per supplier id; others use conditions.po_unacknowledged.thresholdHours. */
  supplierSlaHours: Record<string, number>;
  /** Suppliers whose stock feeds are watched (all that ever sent one when empty). */
  feedSuppliers: string[];
  /** The new delivery estimate told to a customer when the carrier gives none: this many days from now. */
  customerEstimateDays: number;
  errorRate: ErrorRateLimit;
}

const steps = (...list: [WatchdogAction, number][]): LadderStep[] =>
  list.map(([action, afterHours]) => ({ action, afterHours }));

export const DEFAULT_WATCHDOG_POLICY: WatchdogPolicy = {
  conditions: {
    po_unacknowledged: {
      enabled: true,
      thresholdHours: 24,
      steps: steps(['remind_supplier', 0], ['reroute', 12], ['alert_operator', 24]),
    },
    not_shipped_by_promise: {
      enabled: true,
      thresholdHours: 0,
      steps: steps(['remind_supplier', 0], ['alert_operator', 24], ['notify_customer', 24]),
    },
    label_without_scan: {
      enabled: true,
      thresholdHours: 48,
      steps: steps(['remind_supplier', 0], ['alert_operator', 24]),
    },
    no_tracking_movement: {
      enabled: true,
      thresholdHours: 72,
      steps: steps(['alert_operator', 0], ['notify_customer', 24]),
    },
    late_delivery: {
      enabled: true,
      thresholdHours: 0,
      steps: steps(['alert_operator', 0], ['notify_customer', 0]),
    },
    stock_feed_stale: {
      enabled: true,
      thresholdHours: 24,
      steps: steps(['remind_supplier', 0], ['alert_operator', 12]),
    },
    supplier_error_rate: { enabled: true, thresholdHours: 0, steps: steps(['alert_operator', 0]) },
    address_rejected: {
      enabled: true,
      thresholdHours: 0,
      steps: steps(['alert_operator', 0], ['notify_customer', 0]),
    },
    functional_ack_overdue: { enabled: true, thresholdHours: 4, steps: steps(['alert_operator', 0]) },
  },
  supplierSlaHours: {},
  feedSuppliers: [],
  customerEstimateDays: 3,
  errorRate: { baselineDays: 28, consecutiveDays: 3, sigmas: 3 },
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function nonNegative(
  value: unknown,
  path: string,
  problems: FieldProblem[],
  max = 24 * 365,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    problems.push({ path, message: `must be a number from 0 to ${max}` });
    return undefined;
  }
  return value;
}

/**
 * The operator's policy over the defaults: every condition, step and number is checked, and each problem is
 * named by its path, e.g. "/conditions/po_unacknowledged/steps/1/action".
 */
export function parseWatchdogPolicy(value: unknown): WatchdogPolicy {
  const problems: FieldProblem[] = [];
  if (value !== undefined && !isRecord(value))
    throw invalidInput('watchdog policy', [{ path: '', message: 'must be an object' }]);
  const input = value ?? {};
  const policy: WatchdogPolicy = structuredClone(DEFAULT_WATCHDOG_POLICY);
  const conditions = input.conditions;
  if (conditions !== undefined && !isRecord(conditions))
    problems.push({ path: '/conditions', message: 'must be an object' });
  for (const [name, raw] of Object.entries(isRecord(conditions) ? conditions : {})) {
    const path = `/conditions/${name}`;
    if (!(WATCHDOG_CONDITIONS as readonly string[]).includes(name)) {
      problems.push({ path, message: `is not a condition (${WATCHDOG_CONDITIONS.join(', ')})` });
      continue;
    }
    if (!isRecord(raw)) {
      problems.push({ path, message: 'must be an object' });
      continue;
    }
    const target = policy.conditions[name as WatchdogCondition];
    if (raw.enabled !== undefined) {
      if (typeof raw.enabled === 'boolean') target.enabled = raw.enabled;
      else problems.push({ path: `${path}/enabled`, message: 'must be true or false' });
    }
    target.thresholdHours =
      nonNegative(raw.thresholdHours, `${path}/thresholdHours`, problems) ?? target.thresholdHours;
    if (raw.steps !== undefined) {
      if (!Array.isArray(raw.steps)) problems.push({ path: `${path}/steps`, message: 'must be a list' });
      else {
        target.steps = raw.steps.flatMap((step: unknown, i): LadderStep[] => {
          const stepPath = `${path}/steps/${i}`;
          if (!isRecord(step)) {
            problems.push({ path: stepPath, message: 'must be an object' });
            return [];
          }
          if (!(WATCHDOG_ACTIONS as readonly unknown[]).includes(step.action)) {
            problems.push({
              path: `${stepPath}/action`,
              message: `must be one of ${WATCHDOG_ACTIONS.join(', ')}`,
            });
            return [];
          }
          const afterHours = nonNegative(step.afterHours ?? 0, `${stepPath}/afterHours`, problems);
          return afterHours === undefined ? [] : [{ action: step.action as WatchdogAction, afterHours }];
        });
      }
    }
  }
  if (input.supplierSlaHours !== undefined) {
    if (!isRecord(input.supplierSlaHours))
      problems.push({ path: '/supplierSlaHours', message: 'must be an object' });
    else
      for (const [supplier, hours] of Object.entries(input.supplierSlaHours)) {
        const checked = nonNegative(hours, `/supplierSlaHours/${supplier}`, problems);
        if (checked !== undefined) policy.supplierSlaHours[supplier] = checked;
      }
  }
  if (input.feedSuppliers !== undefined) {
    if (!Array.isArray(input.feedSuppliers) || input.feedSuppliers.some((s) => typeof s !== 'string' || !s))
      problems.push({ path: '/feedSuppliers', message: 'must be a list of supplier ids' });
    else policy.feedSuppliers = input.feedSuppliers as string[];
  }
  policy.customerEstimateDays =
    nonNegative(input.customerEstimateDays, '/customerEstimateDays', problems, 90) ??
    policy.customerEstimateDays;
  if (input.errorRate !== undefined) {
    if (!isRecord(input.errorRate)) problems.push({ path: '/errorRate', message: 'must be an object' });
    else {
      const e = input.errorRate;
      const days = (v: unknown, name: string, fallback: number): number => {
        const n = nonNegative(v, `/errorRate/${name}`, problems, 365);
        if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
          problems.push({
            path: `/errorRate/${name}`,
            message: 'must be a whole number of days, at least 1',
          });
          return fallback;
        }
        return n ?? fallback;
      };
      policy.errorRate = {
        baselineDays: days(e.baselineDays, 'baselineDays', policy.errorRate.baselineDays),
        consecutiveDays: days(e.consecutiveDays, 'consecutiveDays', policy.errorRate.consecutiveDays),
        sigmas: nonNegative(e.sigmas, '/errorRate/sigmas', problems, 10) ?? policy.errorRate.sigmas,
        limit: nonNegative(e.limit, '/errorRate/limit', problems, 1),
      };
    }
  }
  if (problems.length > 0) throw invalidInput('watchdog policy', problems);
  return policy;
}
