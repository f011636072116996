import { DropshipError } from '../../../core/errors';
import type { DispatchRequest } from '../../../core/ports/supplier-connector';

/**
 * What a request template can name. Every key exists (possibly undefined), so a misspelt placeholder is an
 * error rather than a silently missing field. The consumer's e-mail is deliberately not offered.
 */
export function templateScope(
  { purchaseOrder: po, order }: DispatchRequest,
  supplierId: string,
): Record<string, unknown> {
  return {
    po: {
      number: po.number,
      attempt: po.attempt,
      currency: po.currency,
      shippingMethod: po.shippingMethod ?? order.shipping.method,
    },
    order: {
      reference: order.orderNumber ?? order.externalId,
      number: order.orderNumber,
      externalId: order.externalId,
      placedAt: order.placedAt,
      shipBy: order.shipping.promisedShipBy,
      deliverBy: order.shipping.promisedDeliveryBy,
    },
    shipTo: {
      name: po.shipTo.name,
      company: po.shipTo.company,
      line1: po.shipTo.line1,
      line2: po.shipTo.line2,
      city: po.shipTo.city,
      region: po.shipTo.region,
      postalCode: po.shipTo.postalCode,
      country: po.shipTo.country,
      phone: po.shipTo.phone,
    },
    lines: po.lines.map((line, i) => ({
      lineNumber: i + 1,
      orderLineId: line.orderLineId,
      sku: line.supplierSku ?? line.sku,
      buyerSku: line.sku,
      supplierSku: line.supplierSku,
      title: line.title,
      quantity: line.quantity,
      unitCost: line.unitCost,
    })),
    supplier: { id: supplierId },
  };
}

const WHOLE = /^\{\{\s*([A-Za-z_][\w.]*)\s*\}\}$/;
const EMBEDDED = /\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g;

function lookup(scope: Record<string, unknown>, dotted: string, where: string): unknown {
  let current: unknown = scope;
  for (const key of dotted.split('.')) {
    if (current === null || typeof current !== 'object' || !(key in current)) {
      throw new DropshipError(
        'configuration',
        `request template: {{${dotted}}} at ${where || '/'} names no known field`,
        [{ path: `/requestTemplate${where}`, message: `{{${dotted}}} is not a known field` }],
      );
    }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * Renders a JSON request template. `"{{po.number}}"` alone in a string gives the value with its JSON type
 * (numbers stay numbers; an undefined value drops the key); placeholders inside longer strings are interpolated.
 * `{ "$each": "lines", "$item": { ... } }` renders `$item` once per element with the element as `line`.
 */
export function renderTemplate(template: unknown, scope: Record<string, unknown>, where = ''): unknown {
  if (typeof template === 'string') {
    const whole = WHOLE.exec(template);
    if (whole) return lookup(scope, whole[1]!, where);
    return template.replace(EMBEDDED, (_m, dotted: string) => {
      const value = lookup(scope, dotted, where);
      if (value === undefined || value === null) return '';
      return typeof value === 'string' ? value : JSON.stringify(value);
    });
  }
  if (Array.isArray(template)) return template.map((item, i) => renderTemplate(item, scope, `${where}/${i}`));
  if (template !== null && typeof template === 'object') {
    const object = template as Record<string, unknown>;
    if ('$each' in object) {
      const list = lookup(scope, String(object.$each), `${where}/$each`);
      if (!Array.isArray(list)) {
        throw new DropshipError(
          'configuration',
          `request template: $each at ${where || '/'} must name a list`,
        );
      }
      return list.map((element: unknown, i) =>
        renderTemplate(object.$item, { ...scope, line: element }, `${where}/${i}`),
      );
    }
    const rendered: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(object))
      rendered[key] = renderTemplate(value, scope, `${where}/${key}`);
    return rendered;
  }
  return template;
}
