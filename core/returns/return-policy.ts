import { invalidInput, type FieldProblem } from '../errors';
import type { Address } from '../model/order';

/** A supplier's return rules: how long customers have, what it keeps, where the goods go. */
export interface ReturnPolicy {
  /** Days after delivery (or shipping, while no delivery is known) that a return may be requested. */
  windowDays: number;
  /** Share of the returned lines' price kept from the customer's refund, in percent. */
  restockingFeePercent: number;
  returnAddress: Address;
  /** Approve requests that pass the policy at once, without an operator. */
  autoApprove: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Return policies per supplier id, checked field by field (paths like "/acme/returnAddress/country"). */
export function parseReturnPolicies(value: unknown): Record<string, ReturnPolicy> {
  if (!isRecord(value))
    throw invalidInput('return policies', [{ path: '', message: 'must be an object of supplier ids' }]);
  const problems: FieldProblem[] = [];
  const policies: Record<string, ReturnPolicy> = {};
  for (const [supplierId, raw] of Object.entries(value)) {
    const path = `/${supplierId}`;
    if (!isRecord(raw)) {
      problems.push({ path, message: 'must be an object' });
      continue;
    }
    const windowDays = raw.windowDays ?? 30;
    if (typeof windowDays !== 'number' || !Number.isInteger(windowDays) || windowDays < 0 || windowDays > 365)
      problems.push({ path: `${path}/windowDays`, message: 'must be a whole number of days from 0 to 365' });
    const fee = raw.restockingFeePercent ?? 0;
    if (typeof fee !== 'number' || !(fee >= 0 && fee <= 100))
      problems.push({ path: `${path}/restockingFeePercent`, message: 'must be a percentage from 0 to 100' });
    const address = raw.returnAddress;
    if (!isRecord(address)) problems.push({ path: `${path}/returnAddress`, message: 'is required' });
    else
      for (const field of ['line1', 'city', 'country'] as const)
        if (typeof address[field] !== 'string' || !address[field])
          problems.push({ path: `${path}/returnAddress/${field}`, message: 'is required' });
    if (raw.autoApprove !== undefined && typeof raw.autoApprove !== 'boolean')
      problems.push({ path: `${path}/autoApprove`, message: 'must be true or false' });
    policies[supplierId] = {
      windowDays: windowDays as number,
      restockingFeePercent: fee as number,
      returnAddress: address as Address,
      autoApprove: raw.autoApprove === true,
    };
  }
  if (problems.length > 0) throw invalidInput('return policies', problems);
  return policies;
}
