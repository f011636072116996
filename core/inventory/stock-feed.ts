import type { ItemIdentifier } from '../model/item-identifier';
import { requireOptionalPackage } from '../optional-package';
import type { StockDocumentReader } from '../ports/stock-document-reader';
import { errorText } from '../errors';

/** One readable row of a supplier stock feed. */
export interface StockFeedRow {
  supplierId: string;
  sku: string;
  /** Whole units, never negative (a negative figure from the supplier's system means none to sell). */
  quantity: number;
  /** The row's own time (ISO 8601) when the feed gives one; else the feed's time applies. */
  asOf?: string;
  /** CSV line, JSON item number (1-based) or X12 segment position the row came from. */
  line: number;
  /** Every identifier the supplier gave the item (X12: UPC, vendor part, … with their qualifiers). */
  identifiers?: ItemIdentifier[];
}

/** A row that could not be read; the other rows are kept. */
export interface StockFeedProblem {
  line: number;
  reason: string;
}

export type StockFeedFormat = 'csv' | 'json' | 'x12-846';

export interface ParsedStockFeed {
  format: StockFeedFormat;
  rows: StockFeedRow[];
  problems: StockFeedProblem[];
}

export interface StockFeedOptions {
  /** The supplier for rows that do not name one (a feed from one supplier's endpoint usually does not). */
  supplierId?: string;
  /** Time of an X12 846 without its own BIA date (ISO 8601); default now. */
  receivedAt?: string;
  /** CSV header names when they are none of the usual ones. */
  columns?: Partial<Record<CsvColumn, string>>;
  /** Reads X12 846 feeds (connectors/edi/x12 implements it); without one an X12 feed is reported unreadable. */
  x12Reader?: StockDocumentReader;
}

type CsvColumn = 'sku' | 'quantity' | 'supplier' | 'asOf';

/** Header spellings seen in supplier feeds, compared without case, spaces, dashes or underscores. */
const COLUMN_ALIASES: Record<CsvColumn, string[]> = {
  sku: ['sku', 'itemsku', 'item', 'itemnumber', 'productsku', 'partnumber'],
  quantity: [
    'quantity',
    'qty',
    'available',
    'availableqty',
    'qtyavailable',
    'quantityavailable',
    'stock',
    'onhand',
    'inventory',
  ],
  supplier: ['supplier', 'supplierid', 'vendorid'],
  asOf: ['asof', 'feedat', 'updatedat', 'timestamp'],
};

const normaliseHeader = (name: string): string => name.toLowerCase().replace(/[\s_-]+/g, '');

const WHOLE_NUMBER = /^[-+]?\d+(\.0*)?$/;

/** Reads the fields of one row; returns the row or the reason it cannot be used. */
function stockRow(
  fields: { sku: unknown; quantity: unknown; supplier: unknown; asOf: unknown },
  line: number,
  options: StockFeedOptions,
): StockFeedRow | string {
  const sku = typeof fields.sku === 'string' ? fields.sku.trim() : '';
  if (!sku) return 'sku is empty';
  let quantity: number;
  if (typeof fields.quantity === 'number' && Number.isInteger(fields.quantity)) quantity = fields.quantity;
  else if (typeof fields.quantity === 'string' && WHOLE_NUMBER.test(fields.quantity.trim())) {
    quantity = Math.trunc(Number(fields.quantity));
  } else {
    const shown =
      fields.quantity === undefined || fields.quantity === '' ? 'missing' : JSON.stringify(fields.quantity);
    return `quantity for ${sku} is ${shown}, not a whole number`;
  }
  const named = typeof fields.supplier === 'string' ? fields.supplier.trim() : '';
  const supplierId = named || options.supplierId;
  if (!supplierId) return `no supplier for ${sku}: the feed names none and none was configured`;
  const row: StockFeedRow = { supplierId, sku, quantity: Math.max(0, quantity), line };
  if (fields.asOf !== undefined && fields.asOf !== '') {
    const time = typeof fields.asOf === 'string' ? Date.parse(fields.asOf) : NaN;
    if (Number.isNaN(time)) return `time for ${sku} is ${JSON.stringify(fields.asOf)}, not a date`;
    row.asOf = new Date(time).toISOString();
  }
  return row;
}

/**
 * The records of a CSV text and the line each ends on. Without a quote character every record is one physical
 * line, so csv-parse need not report positions (its per-record info costs as much as the parsing itself).
 */
function readCsvRecords(
  text: string | Buffer,
  problems: StockFeedProblem[],
): { records: string[][]; lines: number[] } {
  const { parse: parseCsv } = requireOptionalPackage('csv-parse/sync', 'Reading CSV stock feeds');
  const records: string[][] = [];
  const lines: number[] = [];
  const quoted = typeof text === 'string' ? text.includes('"') : text.includes(0x22);
  if (!quoted) {
    parseCsv(text, { bom: true, relax_column_count: true }).forEach((fields, i) => {
      if (fields.length === 1 && fields[0] === '') return; // an empty line
      records.push(fields);
      lines.push(i + 1);
    });
    return { records, lines };
  }
  const quotedRecords = parseCsv(text, {
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      if (err) {
        const reason =
          err.code === 'CSV_QUOTE_NOT_CLOSED'
            ? 'a quote opened here is never closed; the rest of the file cannot be read'
            : err.message;
        problems.push({ line: (lines.at(-1) ?? 0) + 1, reason });
      }
      return undefined;
    },
    on_record: (fields, context) => {
      lines.push(context.lines);
      return fields;
    },
  });
  return { records: quotedRecords, lines };
}

/**
 * A CSV stock feed with a header row (BOM, quoted fields with commas, CRLF or LF). Rows that cannot be read are
 * reported with their line number; an unclosed quote makes the rest of the file unreadable and says so.
 */
export function parseStockCsv(text: string | Buffer, options: StockFeedOptions = {}): ParsedStockFeed {
  const feed: ParsedStockFeed = { format: 'csv', rows: [], problems: [] };
  const { records, lines } = readCsvRecords(text, feed.problems);
  const header = records[0];
  if (!header) {
    feed.problems.push({ line: 1, reason: 'the file is empty' });
    return feed;
  }
  const names = header.map(normaliseHeader);
  const columnOf = (column: CsvColumn): number => {
    const wanted = options.columns?.[column];
    return wanted
      ? names.indexOf(normaliseHeader(wanted))
      : names.findIndex((n) => COLUMN_ALIASES[column].includes(n));
  };
  const sku = columnOf('sku');
  const quantity = columnOf('quantity');
  const supplier = columnOf('supplier');
  const asOf = columnOf('asOf');
  if (sku < 0 || quantity < 0) {
    feed.problems.push({
      line: lines[0] ?? 1,
      reason: `the header needs a SKU and a quantity column; found ${header.map((f) => JSON.stringify(f)).join(', ')}`,
    });
    return feed;
  }
  for (let i = 1; i < records.length; i++) {
    const fields = records[i]!;
    const line = lines[i]!;
    const row = stockRow(
      { sku: fields[sku], quantity: fields[quantity], supplier: fields[supplier], asOf: fields[asOf] },
      line,
      options,
    );
    if (typeof row === 'string') feed.problems.push({ line, reason: row });
    else feed.rows.push(row);
  }
  return feed;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A JSON stock feed: an array of items, or `{ supplierId?, asOf?, items: [...] }`, each item
 * `{ sku, quantity, supplierId?, asOf? }` (the shape of a connector's StockLevel). Line = item number.
 */
export function parseStockJson(value: unknown, options: StockFeedOptions = {}): ParsedStockFeed {
  const feed: ParsedStockFeed = { format: 'json', rows: [], problems: [] };
  let items: unknown;
  let defaults: { supplier?: unknown; asOf?: unknown } = {};
  if (Array.isArray(value)) items = value;
  else if (isRecord(value) && Array.isArray(value.items)) {
    items = value.items;
    defaults = { supplier: value.supplierId ?? value.supplier, asOf: value.asOf };
  } else {
    feed.problems.push({
      line: 1,
      reason: 'a JSON stock feed is an array of items or an object with an items array',
    });
    return feed;
  }
  (items as unknown[]).forEach((item, i) => {
    if (!isRecord(item)) {
      feed.problems.push({ line: i + 1, reason: 'is not an object with sku and quantity' });
      return;
    }
    const row = stockRow(
      {
        sku: item.sku,
        quantity: item.quantity,
        supplier: item.supplierId ?? item.supplier ?? defaults.supplier,
        asOf: item.asOf ?? defaults.asOf,
      },
      i + 1,
      options,
    );
    if (typeof row === 'string') feed.problems.push({ line: i + 1, reason: row });
    else feed.rows.push(row);
  });
  return feed;
}

/**
 * An X12 846 Inventory Inquiry/Advice, read through the configured X12 reader. A transaction set that cannot be
 * read is reported at its segment position; the other sets in the file are kept.
 */
export async function parseStockX12(
  text: string | Buffer,
  options: StockFeedOptions = {},
): Promise<ParsedStockFeed> {
  if (!options.x12Reader) {
    return {
      format: 'x12-846',
      rows: [],
      problems: [{ line: 1, reason: 'this is an X12 846 and no X12 reader is configured for stock feeds' }],
    };
  }
  const { rows, problems } = await options.x12Reader.read(text, {
    supplierId: options.supplierId,
    receivedAt: options.receivedAt ?? new Date().toISOString(),
  });
  return { format: 'x12-846', rows, problems };
}

/** JSON text (a BOM is allowed) as a stock feed; text that is not JSON is one problem at line 1. */
function parseStockJsonText(text: string | Buffer, options: StockFeedOptions): ParsedStockFeed {
  let value: unknown;
  try {
    value = JSON.parse(text.toString().replace(/^\uFEFF/, ''));
  } catch (err) {
    return {
      format: 'json',
      rows: [],
      problems: [{ line: 1, reason: `not valid JSON: ${errorText(err)}` }],
    };
  }
  return parseStockJson(value, options);
}

/**
 * Any supported stock feed: X12 when the text starts with ISA, JSON when it starts with { or [ (or is already an
 * object), CSV otherwise.
 */
export async function parseStockFeed(
  payload: unknown,
  options: StockFeedOptions = {},
): Promise<ParsedStockFeed> {
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return parseStockJson(payload, options);
  const head = (typeof payload === 'string' ? payload.slice(0, 64) : payload.subarray(0, 64).toString('utf8'))
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (head.startsWith('ISA')) return parseStockX12(payload, options);
  if (head.startsWith('{') || head.startsWith('[')) return parseStockJsonText(payload, options);
  return parseStockCsv(payload, options);
}

/** File name endings that say which format a stock file is in (compared without case). */
const FORMAT_OF_EXTENSION: Record<string, StockFeedFormat> = {
  csv: 'csv',
  txt: 'csv',
  json: 'json',
  x12: 'x12-846',
  edi: 'x12-846',
  '846': 'x12-846',
};

/** The format a file name announces, or undefined when its ending says nothing (the content decides then). */
export function stockFileFormat(fileName: string): StockFeedFormat | undefined {
  const dot = fileName.lastIndexOf('.');
  return dot < 0 ? undefined : FORMAT_OF_EXTENSION[fileName.slice(dot + 1).toLowerCase()];
}

/**
 * A stock file read by the type its name announces (`.csv`/`.txt`, `.json`, `.x12`/`.edi`/`.846`): a file whose
 * content does not fit its type is reported, not guessed at. Other names are recognised by their content.
 */
export async function parseStockFile(
  fileName: string,
  content: Buffer,
  options: StockFeedOptions = {},
): Promise<ParsedStockFeed> {
  switch (stockFileFormat(fileName)) {
    case 'csv':
      return parseStockCsv(content, options);
    case 'json':
      return parseStockJsonText(content, options);
    case 'x12-846':
      return parseStockX12(content, options);
    default:
      return parseStockFeed(content, options);
  }
}
