import type { FieldProblem } from '../../../core/errors';
import type { PurchaseOrderLine } from '../../../core/model/purchase-order';
import type { CancelRequest, ChangeRequest } from '../../../core/ports/supplier-connector';
import { TEMPLATE_FIELDS, templateProblems, templateScope, type TemplateFields } from './request-template';

/**
 * What a change or partial-cancel template can name: everything a PO's body can, the change (its id, which the
 * supplier deduplicates on, and the reason in words) and, per line, the quantity before and the units cancelled.
 * `lines` are the lines after the change (a change) or the lines cancelled (a partial cancellation).
 */
export const CHANGE_TEMPLATE_FIELDS = {
  ...TEMPLATE_FIELDS,
  'change.id': 'always',
  'change.reason': 'always',
  'line.previousQuantity': 'always',
  'line.cancelledQuantity': 'always',
} as const satisfies TemplateFields;

const URL_WITH_PLACEHOLDERS = '^https?://([^{}\\s]|\\{(poNumber|supplierReference)\\})+$';

/** The settings of a REST supplier's change and partial-cancel requests (merged into its settings schema). */
export const changeSettingsProperties = {
  cancelTemplate: {
    type: ['object', 'array'],
    title: 'Cancel body template (JSON)',
    description:
      'The body of a cancel request (POST) in the shape the supplier wants, with the same fields as the request template plus {{change.id}}, {{change.reason}} and, per line of "lines" (the lines cancelled), {{line.cancelledQuantity}} and {{line.previousQuantity}}. For a whole PO "lines" is every line. Empty: {poNumber, supplierReference, reason} and, for a partial cancellation, lines [{sku, quantity}] with the units cancelled.',
    'x-template-fields': CHANGE_TEMPLATE_FIELDS,
  },
  changeUrl: {
    type: 'string',
    pattern: URL_WITH_PLACEHOLDERS,
    title: 'Change URL',
    description:
      'Where a changed purchase order is sent (a quantity lowered or raised, a line dropped), e.g. https://api.example.com/orders/{poNumber}. {poNumber} and {supplierReference} are filled in, URL-encoded. Empty: lowered quantities go to the cancel URL as a partial cancellation, and a raised one is left to the operator.',
  },
  changeMethod: {
    enum: ['POST', 'PUT', 'PATCH'],
    default: 'PATCH',
    title: 'Change method',
    description:
      'How the change is sent; it carries the authentication and an Idempotency-Key naming the PO and the change.',
  },
  changeTemplate: {
    type: ['object', 'array'],
    title: 'Change body template (JSON)',
    description:
      'The body of a change request with the same fields as the cancel template; "lines" are the lines as they now stand, each with {{line.previousQuantity}}. Empty: {poNumber, supplierReference, changeId, reason, lines: [{sku, quantity, previousQuantity}]}.',
    'x-template-fields': CHANGE_TEMPLATE_FIELDS,
  },
} as const;

export interface ChangeSettings {
  cancelTemplate?: unknown;
  changeUrl?: string;
  changeMethod?: 'POST' | 'PUT' | 'PATCH';
  changeTemplate?: unknown;
}

/** Problems of the change and cancel templates, checked when the supplier is deployed. */
export function changeTemplateProblems(settings: ChangeSettings): FieldProblem[] {
  return [
    ...(settings.cancelTemplate === undefined
      ? []
      : templateProblems(settings.cancelTemplate, '', false, CHANGE_TEMPLATE_FIELDS, 'cancelTemplate')),
    ...(settings.changeTemplate === undefined
      ? []
      : templateProblems(settings.changeTemplate, '', false, CHANGE_TEMPLATE_FIELDS, 'changeTemplate')),
  ];
}

/** The template scope of a change: `lines` as they now stand, each with its quantity before. */
export function changeScope(request: ChangeRequest, supplierId: string): Record<string, unknown> {
  const scope = templateScope(request, supplierId);
  const previous = (line: PurchaseOrderLine): number =>
    request.previousLines.find((p) => p.orderLineId === line.orderLineId)?.quantity ?? 0;
  return {
    ...scope,
    change: { id: request.changeId, reason: request.reason },
    lines: request.purchaseOrder.lines.map((line, i) => ({
      ...(scope.lines as Record<string, unknown>[])[i],
      previousQuantity: previous(line),
      cancelledQuantity: Math.max(0, previous(line) - line.quantity),
    })),
  };
}

/** The template scope of a cancellation: `lines` are the lines cancelled, with the units cancelled. */
export function cancelScope(request: CancelRequest, supplierId: string): Record<string, unknown> {
  const po = request.purchaseOrder;
  const cancelled = request.lines ?? po.lines;
  const scope = templateScope({ ...request, purchaseOrder: { ...po, lines: cancelled } }, supplierId);
  const held = (line: PurchaseOrderLine): number =>
    (po.lines.find((p) => p.orderLineId === line.orderLineId)?.quantity ?? 0) +
    (request.lines ? line.quantity : 0);
  return {
    ...scope,
    change: { id: request.changeId ?? `cancel-${po.number}`, reason: request.reason },
    lines: cancelled.map((line, i) => ({
      ...(scope.lines as Record<string, unknown>[])[i],
      previousQuantity: request.lines ? held(line) : line.quantity,
      cancelledQuantity: line.quantity,
    })),
  };
}

/** The built-in change body: the PO's lines as they now stand, with their quantities before. */
export function changeDocument(request: ChangeRequest): Record<string, unknown> {
  const po = request.purchaseOrder;
  return {
    poNumber: po.number,
    supplierReference: po.supplierReference,
    changeId: request.changeId,
    reason: request.reason,
    lines: po.lines.map((line) => ({
      sku: line.supplierSku ?? line.sku,
      quantity: line.quantity,
      previousQuantity: request.previousLines.find((p) => p.orderLineId === line.orderLineId)?.quantity ?? 0,
    })),
  };
}
