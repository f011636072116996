import { createHash } from 'node:crypto';
import { errorText } from '../errors';
import type { Address, Order } from '../model/order';
import type { AddressValidator, StorefrontRiskSource } from '../ports/address-validator';
import type { OrdersStore } from '../store/orders-store';
import type { RiskSignal, RiskSignalStore } from '../store/risk-signal-store';
import { addressProblems, isPoBox } from './address-checks';
import type { RiskRule, VelocitySignal } from './risk-rules';

/** A rule set and the outside checks it may ask (each optional: a rule needing an absent one is reported). */
export interface RiskScreening {
  rules: RiskRule[];
  addressValidator?: AddressValidator;
  storefrontRisk?: StorefrontRiskSource;
}

/** A rule the order hit: the row's label and what it found, in words (no customer data). */
export interface RiskHit {
  rule: string;
  kind: RiskRule['kind'];
  reason: string;
}

const RISK_LEVELS = ['none', 'pending', 'low', 'medium', 'high'] as const;
const HOUR = 3_600_000;

const normalise = (text: string): string => text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();

function addressKey(address: Address): string {
  return normalise(
    [address.line1, address.line2 ?? '', address.postalCode ?? '', address.city, address.country].join('|'),
  );
}

/** The order's value for a velocity signal, normalised; undefined when the order does not carry it. */
function signalValue(order: Order, signal: VelocitySignal): string | undefined {
  switch (signal) {
    case 'email':
      return order.customer.email ? normalise(order.customer.email) : undefined;
    case 'address':
      return addressKey(order.shipTo);
    case 'ip':
      return order.riskSignals?.browserIp?.trim() || undefined;
    case 'card':
      return order.riskSignals?.cardFingerprint?.trim() || undefined;
  }
}

/** Kept as a digest only: the store holds no second copy of the customer's e-mail or address. */
function digestOf(signal: VelocitySignal, value: string): RiskSignal {
  return { kind: signal, digest: createHash('sha256').update(`${signal}\u0000${value}`).digest('base64url') };
}

/**
 * Checks an order against the rule set and returns every rule it hits (none: it may go to a supplier). Velocity
 * rules record the order's signals in the store, so the same order screened again is not counted twice. A check
 * whose outside party fails (the address authority, the storefront) is a hit that says so: the order waits for a
 * person rather than going out unchecked.
 */
export async function screenOrder(
  store: RiskSignalStore,
  order: Order,
  screening: RiskScreening,
  now: Date,
  signal?: AbortSignal,
): Promise<RiskHit[]> {
  const hits: RiskHit[] = [];
  const hit = (rule: RiskRule, reason: string) => hits.push({ rule: rule.label, kind: rule.kind, reason });
  for (const rule of screening.rules) {
    switch (rule.kind) {
      case 'address':
        for (const problem of addressProblems(order.shipTo)) hit(rule, `shipping address: ${problem}`);
        break;
      case 'po_box': {
        const method = normalise(order.shipping.method ?? '');
        const carrier = rule.carriers.find((c) => method.includes(normalise(c)));
        if (isPoBox(order.shipTo) && (rule.carriers.length === 0 || carrier))
          hit(rule, `ships to a PO box${carrier ? `, which ${carrier} does not deliver to` : ''}`);
        break;
      }
      case 'address_verification': {
        const validator = screening.addressValidator;
        if (!validator) {
          hit(rule, 'no address validator is configured');
          break;
        }
        if (!validator.countries.includes(order.shipTo.country.toUpperCase())) break;
        try {
          const verdict = await validator.verify(order.shipTo, signal);
          if (!verdict.deliverable)
            hit(
              rule,
              `${validator.name} does not confirm the address${verdict.reason ? `: ${verdict.reason}` : ''}`,
            );
        } catch (err) {
          hit(rule, `${validator.name} could not check the address: ${errorText(err)}`);
        }
        break;
      }
      case 'velocity': {
        const value = signalValue(order, rule.signal);
        if (value === undefined) break;
        const since = new Date(now.getTime() - rule.windowHours * HOUR);
        const counts = await store.recordRiskSignals(order.id, [digestOf(rule.signal, value)], now, since);
        const orders = (counts[rule.signal] ?? 0) + 1;
        if (orders > rule.maxOrders)
          hit(
            rule,
            `${orders} orders with the same ${rule.signal} within ${rule.windowHours} h (at most ${rule.maxOrders})`,
          );
        break;
      }
      case 'order_value':
        if (order.totals.total > rule.above)
          hit(rule, `the order total ${order.totals.total} ${order.currency} is above ${rule.above}`);
        break;
      case 'country_mismatch':
        if (order.billTo && order.billTo.country.toUpperCase() !== order.shipTo.country.toUpperCase())
          hit(rule, `billed in ${order.billTo.country}, shipped to ${order.shipTo.country}`);
        break;
      case 'storefront_risk': {
        const source = screening.storefrontRisk;
        if (!source || source.channel !== order.channel) break;
        try {
          const assessment = await source.assess(order.externalId, signal);
          const recommendation = assessment.recommendation?.toUpperCase();
          if (
            RISK_LEVELS.indexOf(assessment.level) >= RISK_LEVELS.indexOf(rule.atLeast) ||
            recommendation === 'CANCEL' ||
            recommendation === 'INVESTIGATE'
          )
            hit(
              rule,
              `${order.channel} rates the order ${assessment.level} risk${recommendation ? ` and recommends ${recommendation.toLowerCase()}` : ''}`,
            );
        } catch (err) {
          hit(rule, `${order.channel} could not tell its risk assessment: ${errorText(err)}`);
        }
        break;
      }
    }
  }
  return hits;
}

export type ScreeningOutcome =
  | { kind: 'passed' }
  /** Held before (risk.held) and moved on by an operator: not screened again. */
  | { kind: 'released' }
  | { kind: 'held'; hits: RiskHit[]; reason: string }
  /** The order was not waiting for routing (another worker routed or held it first). */
  | { kind: 'skipped' };

/**
 * Screens a stored order before routing: a hit moves it from received to needs_attention with a `risk.held` event
 * naming every rule hit, before any PO exists. An order an operator released (back to received after a risk hold)
 * goes on to routing unscreened.
 */
export async function screenStoredOrder(
  store: RiskSignalStore & Pick<OrdersStore, 'listEvents' | 'transitionOrder'>,
  order: Order,
  screening: RiskScreening,
  actor: string,
  now: Date,
  signal?: AbortSignal,
): Promise<ScreeningOutcome> {
  if (order.state !== 'received') return { kind: 'skipped' };
  if (screening.rules.length === 0) return { kind: 'passed' };
  const events = await store.listEvents(order.id);
  if (events.some((event) => event.type === 'risk.held')) return { kind: 'released' };
  const hits = await screenOrder(store, order, screening, now, signal);
  if (hits.length === 0) return { kind: 'passed' };
  const reason = `risk screening: ${hits.map((h) => `${h.rule} (${h.reason})`).join('; ')}`;
  const held = await store.transitionOrder(order.id, ['received'], 'needs_attention', {
    type: 'risk.held',
    actor,
    reason,
    data: { hits },
  });
  return held ? { kind: 'held', hits, reason } : { kind: 'skipped' };
}
