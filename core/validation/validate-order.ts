import type { OrderDraft, OrderTotals } from '../model/order';
import type { ShipmentEvent } from '../model/shipment';
import { invalidInput, type FieldProblem } from '../errors';
import { controlCharacterProblems } from './control-characters';
import { validateWithSchema } from './schema-validator';

/** Totals that do not add up, named at `path`/total. */
function totalsProblems(totals: OrderTotals, path: string): FieldProblem[] {
  const { subtotal, shipping, tax, discount, fees = 0, total, taxesIncluded } = totals;
  const expected = subtotal + shipping + fees + (taxesIncluded ? 0 : tax) - discount;
  // Storefronts round each component; a cent per component is the tolerance they allow themselves.
  if (Math.abs(expected - total) <= 0.05) return [];
  const formula = `subtotal + shipping${fees ? ' + fees' : ''}${taxesIncluded ? '' : ' + tax'} - discount`;
  return [{ path: `${path}/total`, message: `is ${total} but ${formula} is ${expected.toFixed(2)}` }];
}

/** Schema checks plus the rules a schema cannot say: line ids unique, totals that add up. */
export function validateOrder(value: unknown): OrderDraft {
  const order = validateWithSchema<OrderDraft>('order.schema.json', value, 'order');
  const problems: FieldProblem[] = controlCharacterProblems(order);
  const seen = new Set<string>();
  order.lines.forEach((line, i) => {
    if (seen.has(line.lineId))
      problems.push({ path: `/lines/${i}/lineId`, message: `repeats "${line.lineId}"` });
    seen.add(line.lineId);
  });
  problems.push(...totalsProblems(order.totals, '/totals'));
  if (order.presentment) problems.push(...totalsProblems(order.presentment.totals, '/presentment/totals'));
  if (problems.length > 0) throw invalidInput('order', problems);
  return order;
}

export function validateShipmentEvent(value: unknown): ShipmentEvent {
  const event = validateWithSchema<ShipmentEvent>('shipment-event.schema.json', value, 'shipment event');
  const problems = controlCharacterProblems(event);
  if (problems.length > 0) throw invalidInput('shipment event', problems);
  return event;
}
