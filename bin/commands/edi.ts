import { constants, createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DropshipError, errorText, type FieldProblem } from '../../core/errors';
import { mapX12Transaction } from '../../connectors/edi/x12/documents';
import { readX12Events } from '../../connectors/edi/x12/reader';
import type { CliCommand, CliIo } from '../dropship';

const USAGE = `usage: dropship edi parse <file> [--supplier <id>] [--ndjson]
       dropship edi validate <file>

parse     prints every transaction set of an X12 file mapped to the canonical model (acknowledgements,
          shipment events, invoices, stock levels, 997s, 850s) as a JSON array, or one JSON document per
          line with --ndjson. The file is checked first: nothing is printed for an invalid file.
validate  checks the envelopes (ISA/GS/ST nesting, SE01 counts, control numbers, delimiters) and the content
          of each transaction set, and lists every problem with its segment position.
The file is streamed, never read whole. Exit codes: 0 valid, 1 problems found, 2 usage or unreadable file.
`;

interface FileReport {
  problems: FieldProblem[];
  interchanges: number;
  groups: number;
  transactions: number;
}

/** Envelope problems and mapping problems of a whole file, in file order, without keeping the documents. */
async function checkFile(file: string, supplierId: string): Promise<FileReport> {
  const report: FileReport = { problems: [], interchanges: 0, groups: 0, transactions: 0 };
  const receivedAt = new Date().toISOString();
  for await (const event of readX12Events(createReadStream(file))) {
    if (event.kind === 'problem') report.problems.push(event.problem);
    else if (event.kind === 'interchange') report.interchanges++;
    else if (event.kind === 'group') report.groups++;
    else {
      report.transactions++;
      try {
        mapX12Transaction(event.transaction, { supplierId, receivedAt });
      } catch (err) {
        if (!(err instanceof DropshipError)) throw err;
        report.problems.push(...err.details);
      }
    }
  }
  return report;
}

function printProblems(file: string, problems: FieldProblem[], io: CliIo): void {
  io.err(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
  for (const problem of problems) io.err(`  ${problem.path}: ${problem.message}\n`);
}

async function parse(file: string, supplierId: string, ndjson: boolean, io: CliIo): Promise<number> {
  const report = await checkFile(file, supplierId);
  if (report.problems.length > 0) {
    printProblems(file, report.problems, io);
    return 1;
  }
  const receivedAt = new Date().toISOString();
  let first = true;
  if (!ndjson) io.out('[');
  for await (const event of readX12Events(createReadStream(file))) {
    if (event.kind !== 'transaction') continue;
    const json = JSON.stringify(
      mapX12Transaction(event.transaction, { supplierId, receivedAt }),
      null,
      ndjson ? undefined : 2,
    );
    if (ndjson) io.out(`${json}\n`);
    else io.out(`${first ? '\n' : ',\n'}${json}`);
    first = false;
  }
  if (!ndjson) io.out(first ? ']\n' : '\n]\n');
  return 0;
}

async function validate(file: string, io: CliIo): Promise<number> {
  const report = await checkFile(file, 'cli');
  if (report.problems.length > 0) {
    printProblems(file, report.problems, io);
    return 1;
  }
  io.out(
    `${file}: valid (${report.interchanges} interchange(s), ${report.groups} functional group(s), ${report.transactions} transaction set(s))\n`,
  );
  return 0;
}

async function edi(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        supplier: { type: 'string' },
        ndjson: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.err(`${errorText(err)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [action, file, ...extra] = positionals;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if ((action !== 'parse' && action !== 'validate') || !file || extra.length > 0) {
    io.err(USAGE);
    return 2;
  }
  try {
    await access(file, constants.R_OK);
    // A folder passes access() but fails only once streamed, which would escape as a crash.
    if (!(await stat(file)).isFile()) throw new Error('not a file');
  } catch (err) {
    io.err(`${file}: ${errorText(err)}\n`);
    return 2;
  }
  return action === 'parse'
    ? parse(file, values.supplier ?? 'cli', values.ndjson ?? false, io)
    : validate(file, io);
}

export const ediCommand: CliCommand = {
  summary: 'parse or validate an X12 EDI file (850, 855, 856, 810, 846, 997)',
  run: edi,
};
