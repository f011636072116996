import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DropshipError, errorText, invalidInput } from '../../core/errors';
import { parseStockCsv } from '../../core/inventory/stock-feed';
import { stockLookup } from '../../core/inventory/stock-lookup';
import { routeOrder } from '../../core/routing/route-order';
import { orderForRouting } from '../../core/routing/route-stored-order';
import { parseRoutingRules } from '../../core/routing/routing-rules';
import type { CliCommand, CliIo } from '../dropship';

const USAGE = `usage: dropship route --rules <rules.json> --order <order.json> [--inventory <stock.csv>]... [--now <ISO time>]
                      [--supplier <id>]

Routes one order with the routing engine and prints the decision (assignments, unrouted lines, ranked
candidates and the explanation) as JSON. The stock CSV needs sku and quantity columns, and a supplier column
unless --supplier names the supplier; an as_of column gives each row its feed time (default --now).
Exit codes: 0 decision printed, 2 invalid input (the message names the file and field).
`;

async function readJson(file: string, option: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new DropshipError('invalid_input', `${option} ${file}: ${errorText(err)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new DropshipError('invalid_input', `${option} ${file}: not JSON (${errorText(err)})`);
  }
}

function withSource<T>(option: string, file: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof DropshipError) {
      throw new DropshipError(err.code, `${option} ${file}: ${err.message}`, err.details, { cause: err });
    }
    throw err;
  }
}

async function route(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      rules: { type: 'string' },
      order: { type: 'string' },
      inventory: { type: 'string', multiple: true },
      now: { type: 'string' },
      supplier: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const missing = (['rules', 'order'] as const).filter((name) => !values[name]);
  if (missing.length > 0) {
    throw invalidInput(
      'command line',
      missing.map((name) => ({ path: `--${name}`, message: 'is required' })),
    );
  }
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) {
    throw invalidInput('command line', [
      { path: '--now', message: `"${values.now}" is not an ISO 8601 time` },
    ]);
  }
  const rulesFile = values.rules!;
  const orderFile = values.order!;
  const rulesValue = await readJson(rulesFile, '--rules');
  const rules = withSource('--rules', rulesFile, () => parseRoutingRules(rulesValue));
  const orderValue = await readJson(orderFile, '--order');
  const order = withSource('--order', orderFile, () => orderForRouting(orderValue, now));

  const stock = [];
  for (const file of values.inventory ?? []) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new DropshipError('invalid_input', `--inventory ${file}: ${errorText(err)}`);
    }
    const feed = parseStockCsv(text, { supplierId: values.supplier });
    if (feed.problems.length > 0) {
      throw invalidInput(
        `--inventory ${file}`,
        feed.problems.map((problem) => ({ path: `line ${problem.line}`, message: problem.reason })),
      );
    }
    for (const row of feed.rows) stock.push({ ...row, feedAt: row.asOf ?? now.toISOString() });
  }
  const decision = routeOrder(order, rules, { now, stock: stockLookup(stock) });
  io.out(`${JSON.stringify(decision, null, 2)}\n`);
  return 0;
}

export const routeCommand: CliCommand = {
  summary: 'route an order with routing rules and a stock CSV; prints the explained decision as JSON',
  async run(args, io) {
    try {
      return await route(args, io);
    } catch (err) {
      const argumentError =
        err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS');
      if (!(err instanceof DropshipError) && !argumentError) throw err;
      const message = errorText(err);
      io.err(`dropship route: ${message}\n`);
      if (err instanceof DropshipError) {
        for (const detail of err.details) io.err(`  ${detail.path || '(document)'}: ${detail.message}\n`);
      }
      // The usage helps with a wrong command line, not with a wrong file.
      if (argumentError || message.startsWith('Invalid command line')) io.err(`\n${USAGE}`);
      return 2;
    }
  },
};
