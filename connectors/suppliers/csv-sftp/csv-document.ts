import { DropshipError } from '../../../core/errors';
import type { PurchaseOrderLine } from '../../../core/model/purchase-order';
import type { DispatchRequest } from '../../../core/ports/supplier-connector';

type Cell = string | number | undefined;
type FieldValue = (request: DispatchRequest, line: PurchaseOrderLine, index: number) => Cell;

/** The PO fields a supplier's CSV layout can name, one row per PO line. */
export const CSV_FIELDS = {
  poNumber: ({ purchaseOrder }) => purchaseOrder.number,
  orderReference: ({ order }) => order.orderNumber ?? order.externalId,
  orderedAt: ({ order }) => order.placedAt,
  lineNumber: (_request, _line, index) => index + 1,
  orderLineId: (_request, line) => line.orderLineId,
  sku: (_request, line) => line.sku,
  supplierSku: (_request, line) => line.supplierSku ?? line.sku,
  title: (_request, line) => line.title,
  quantity: (_request, line) => line.quantity,
  unitCost: (_request, line) => line.unitCost,
  currency: ({ purchaseOrder }) => purchaseOrder.currency,
  shippingMethod: ({ purchaseOrder, order }) => purchaseOrder.shippingMethod ?? order.shipping.method,
  shipBy: ({ order }) => order.shipping.promisedShipBy,
  shipToName: ({ purchaseOrder }) => purchaseOrder.shipTo.name,
  shipToCompany: ({ purchaseOrder }) => purchaseOrder.shipTo.company,
  shipToLine1: ({ purchaseOrder }) => purchaseOrder.shipTo.line1,
  shipToLine2: ({ purchaseOrder }) => purchaseOrder.shipTo.line2,
  shipToCity: ({ purchaseOrder }) => purchaseOrder.shipTo.city,
  shipToRegion: ({ purchaseOrder }) => purchaseOrder.shipTo.region,
  shipToPostalCode: ({ purchaseOrder }) => purchaseOrder.shipTo.postalCode,
  shipToCountry: ({ purchaseOrder }) => purchaseOrder.shipTo.country,
  shipToPhone: ({ purchaseOrder }) => purchaseOrder.shipTo.phone,
} satisfies Record<string, FieldValue>;

export type CsvField = keyof typeof CSV_FIELDS;

/** One column of a supplier's layout: its header and either a PO field or a constant. */
export interface CsvColumn {
  header: string;
  field?: CsvField;
  value?: string;
}

export interface CsvLayout {
  columns: CsvColumn[];
  delimiter?: ',' | ';' | '\t' | '|';
  /** RFC 4180 says CRLF; some portals want LF. */
  lineEnding?: 'crlf' | 'lf';
  includeHeader?: boolean;
}

export const DEFAULT_CSV_COLUMNS: CsvColumn[] = [
  { header: 'PO Number', field: 'poNumber' },
  { header: 'Order Reference', field: 'orderReference' },
  { header: 'Line', field: 'lineNumber' },
  { header: 'Supplier SKU', field: 'supplierSku' },
  { header: 'Our SKU', field: 'sku' },
  { header: 'Description', field: 'title' },
  { header: 'Quantity', field: 'quantity' },
  { header: 'Unit Cost', field: 'unitCost' },
  { header: 'Currency', field: 'currency' },
  { header: 'Ship Method', field: 'shippingMethod' },
  { header: 'Ship To Name', field: 'shipToName' },
  { header: 'Ship To Company', field: 'shipToCompany' },
  { header: 'Address 1', field: 'shipToLine1' },
  { header: 'Address 2', field: 'shipToLine2' },
  { header: 'City', field: 'shipToCity' },
  { header: 'State', field: 'shipToRegion' },
  { header: 'Postal Code', field: 'shipToPostalCode' },
  { header: 'Country', field: 'shipToCountry' },
  { header: 'Phone', field: 'shipToPhone' },
];

export const csvLayoutSchemaProperties = {
  columns: {
    type: 'array',
    minItems: 1,
    title: 'Columns',
    items: {
      type: 'object',
      required: ['header'],
      properties: {
        header: { type: 'string', minLength: 1, maxLength: 100 },
        field: { enum: Object.keys(CSV_FIELDS) },
        value: { type: 'string', maxLength: 200 },
      },
      // Exactly one source per column: a PO field or a constant.
      oneOf: [
        { properties: { field: true }, required: ['field'] },
        { properties: { value: true }, required: ['value'] },
      ],
      additionalProperties: false,
    },
  },
  delimiter: { enum: [',', ';', '\t', '|'], default: ',', title: 'Delimiter' },
  lineEnding: { enum: ['crlf', 'lf'], default: 'crlf', title: 'Line ending' },
  includeHeader: { type: 'boolean', default: true, title: 'Header row' },
} as const;

/** First characters that make Excel, LibreOffice or Sheets evaluate a cell as a formula (OWASP CSV injection). */
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);

/**
 * One CSV cell: text a spreadsheet would execute gets a leading apostrophe (shown as text, not evaluated), and
 * a cell holding the delimiter, a quote or a line break is quoted with quotes doubled (RFC 4180). Numbers we
 * produce ourselves are data, never formulas, and stay as they are.
 */
export function csvCell(value: Cell, delimiter: string): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = FORMULA_TRIGGERS.has(value.charAt(0)) ? `'${value}` : value;
  return text.includes(delimiter) || /["\r\n]/.test(text) || text !== text.trim()
    ? `"${text.replace(/"/g, '""')}"`
    : text;
}

/** The PO as CSV in the supplier's layout: one row per line, the PO-level fields repeated on each row. */
export function purchaseOrderCsv(request: DispatchRequest, layout: CsvLayout): string {
  const delimiter = layout.delimiter ?? ',';
  const newline = layout.lineEnding === 'lf' ? '\n' : '\r\n';
  for (const column of layout.columns) {
    if (column.field !== undefined && !(column.field in CSV_FIELDS)) {
      throw new DropshipError(
        'configuration',
        `CSV column "${column.header}" names unknown field "${column.field}"`,
      );
    }
  }
  const rows: string[] = [];
  if (layout.includeHeader !== false)
    rows.push(layout.columns.map((c) => csvCell(c.header, delimiter)).join(delimiter));
  request.purchaseOrder.lines.forEach((line, index) => {
    rows.push(
      layout.columns
        .map((c) => csvCell(c.field ? CSV_FIELDS[c.field](request, line, index) : c.value, delimiter))
        .join(delimiter),
    );
  });
  return rows.join(newline) + newline;
}
