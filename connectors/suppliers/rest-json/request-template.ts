import { DropshipError, type FieldProblem } from '../../../core/errors';
import type { DispatchRequest } from '../../../core/ports/supplier-connector';

/**
 * What each field a request template can name holds: `always` a value; `optional`, absent on some orders (then
 * a placeholder that is the whole string gives JSON null, so the key stays; inside a longer string, nothing);
 * `list`, what `$each` walks; `catalogue`, set only where the supplier catalogue maps the line, so a template
 * naming it is refused when the supplier is deployed (`line.sku` already means the supplier's SKU where the
 * catalogue has one, else the shop's). `line.*` fields exist inside `$each` only. The editor checks templates
 * against this list, served in the settings schema as the `x-template-fields` annotation.
 */
export const TEMPLATE_FIELDS = {
  'po.number': 'always',
  'po.attempt': 'always',
  'po.currency': 'always',
  'po.shippingMethod': 'optional',
  'order.reference': 'always',
  'order.number': 'optional',
  'order.externalId': 'always',
  'order.placedAt': 'always',
  'order.shipBy': 'optional',
  'order.deliverBy': 'optional',
  'shipTo.name': 'always',
  'shipTo.company': 'optional',
  'shipTo.line1': 'always',
  'shipTo.line2': 'optional',
  'shipTo.city': 'always',
  'shipTo.region': 'optional',
  'shipTo.postalCode': 'optional',
  'shipTo.country': 'always',
  'shipTo.phone': 'optional',
  lines: 'list',
  'line.lineNumber': 'always',
  'line.orderLineId': 'always',
  'line.sku': 'always',
  'line.buyerSku': 'always',
  'line.supplierSku': 'catalogue',
  'line.title': 'optional',
  'line.quantity': 'always',
  'line.unitCost': 'optional',
  'supplier.id': 'always',
} as const satisfies Record<string, 'always' | 'optional' | 'list' | 'catalogue'>;

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
 * (numbers stay numbers; an absent optional value gives null, so no key disappears unseen); placeholders inside
 * longer strings are interpolated (an absent value as nothing).
 * `{ "$each": "lines", "$item": { ... } }` renders `$item` once per element with the element as `line`.
 */
export function renderTemplate(template: unknown, scope: Record<string, unknown>, where = ''): unknown {
  if (typeof template === 'string') {
    const whole = WHOLE.exec(template);
    if (whole) return lookup(scope, whole[1]!, where) ?? null;
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

/** What a template may name and what each holds (TEMPLATE_FIELDS for a PO's body). */
export type TemplateFields = Record<string, 'always' | 'optional' | 'list' | 'catalogue'>;

/** `name` when it is one of `fields`, 'group' for a group of them ("shipTo"), for the fields in scope. */
function knownName(name: string, inLine: boolean, fields: TemplateFields): string | undefined {
  if (name.startsWith('line.') || name === 'line') {
    if (!inLine) return undefined;
  }
  if (name in fields) return name;
  return Object.keys(fields).some((field) => field.startsWith(`${name}.`)) ? 'group' : undefined;
}

/**
 * Every problem of a request template, checked when the supplier is deployed so a mistake never reaches a send:
 * a placeholder naming no field (a misspelling), `line.*` outside `$each`, `$each` over something not a list, and
 * a field only a supplier catalogue fills (`line.supplierSku`). Paths start at /requestTemplate.
 */
export function templateProblems(
  template: unknown,
  where = '',
  inLine = false,
  fields: TemplateFields = TEMPLATE_FIELDS,
  setting = 'requestTemplate',
): FieldProblem[] {
  const at = `/${setting}${where}`;
  if (typeof template === 'string') {
    const problems: FieldProblem[] = [];
    for (const [, name] of template.matchAll(EMBEDDED)) {
      const known = knownName(name!, inLine, fields);
      if (!known) {
        const hint = name!.startsWith('line.') && !inLine ? ' outside "$each"' : '';
        problems.push({ path: at, message: `{{${name}}} is not a known field${hint}` });
      } else if (known !== 'group' && fields[known] === 'catalogue') {
        problems.push({
          path: at,
          message: `{{${name}}} is empty for lines the supplier catalogue does not map: use {{line.sku}} (the supplier's SKU where the catalogue has one, else the shop's)`,
        });
      }
    }
    return problems;
  }
  if (Array.isArray(template))
    return template.flatMap((item, i) => templateProblems(item, `${where}/${i}`, inLine, fields, setting));
  if (template === null || typeof template !== 'object') return [];
  const object = template as Record<string, unknown>;
  if ('$each' in object) {
    const list = String(object.$each);
    const problems: FieldProblem[] =
      knownName(list, inLine, fields) && fields[list] === 'list'
        ? []
        : [{ path: `${at}/$each`, message: `"${list}" is not a list: $each takes "lines"` }];
    return [...problems, ...templateProblems(object.$item, `${where}/$item`, true, fields, setting)];
  }
  return Object.entries(object).flatMap(([key, value]) =>
    templateProblems(value, `${where}/${key}`, inLine, fields, setting),
  );
}
