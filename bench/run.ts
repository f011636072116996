/**
 * `npm run bench`: runs every benchmark of bench/*.bench.ts (each exports a `run<Name>Bench` returning figures),
 * one after the other, each in a child process of its own, and writes bench/results.md: the machine, then per benchmark each figure beside its
 * baseline measured in the same run, the ratio, the target and pass or fail. A benchmark that throws is reported
 * as such and the others still run. Exit code 1 when a target is missed or a benchmark failed.
 * `npm run bench -- routing x12` runs only the benchmarks whose file names contain one of the words.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatBenchFigures, type BenchFigure } from './figures';

type BenchFunction = () => Promise<BenchFigure[]>;

interface BenchOutcome {
  file: string;
  name: string;
  seconds: number;
  figures: BenchFigure[];
  error?: string;
}

/** The `run<Name>Bench` functions a bench file exports. */
function benchFunctions(module: Record<string, unknown>): [string, BenchFunction][] {
  return Object.entries(module).filter(
    (entry): entry is [string, BenchFunction] =>
      /^run\w+Bench$/.test(entry[0]) && typeof entry[1] === 'function',
  );
}

/** Marks the line a child process reports its benchmark's outcome on (see runApart). */
const OUTCOME_MARK = '@@bench-outcome ';

/** Runs `name` of bench file `file` in this process and prints its figures, or its error, on one marked line. */
async function runOne(file: string, name: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- bench files are found at run time
  const module = require(path.join(__dirname, file)) as Record<string, unknown>;
  const run = benchFunctions(module).find(([found]) => found === name)?.[1];
  let outcome: { figures: BenchFigure[] } | { error: string };
  try {
    if (!run) throw new Error(`${file} exports no ${name}`);
    outcome = { figures: await run() };
  } catch (err) {
    outcome = { error: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
  }
  process.stdout.write(`${OUTCOME_MARK}${JSON.stringify(outcome)}\n`);
}

/**
 * Runs one benchmark in a child process of its own (the same Node.js and loader), so none inherits another's heap,
 * JIT state or open handles: the X12 reader's memory growth, measured in one process after the metrics bench had
 * handled a million orders, was that bench's heap left for the garbage collector (165 MB against 31 MB alone).
 */
function runApart(file: string, name: string): Promise<BenchFigure[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, __filename, '--one', file, name], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = output.split('\n').find((l) => l.startsWith(OUTCOME_MARK));
      if (!line) return reject(new Error(`the benchmark process exited with ${code} before reporting`));
      const outcome = JSON.parse(line.slice(OUTCOME_MARK.length)) as
        { figures: BenchFigure[] } | { error: string };
      if ('error' in outcome) reject(new Error(outcome.error));
      else resolve(outcome.figures);
    });
  });
}

function machine(): string[] {
  const cpus = os.cpus();
  return [
    `- Date: ${new Date().toISOString()}`,
    `- CPU: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown'}`,
    `- Memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- Load average at start (1, 5, 15 min): ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
    `- Node.js ${process.version} on ${os.type()} ${os.release()} (${os.arch()})`,
  ];
}

function number(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100
    ? Math.round(value).toLocaleString('en-US')
    : value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function table(figures: BenchFigure[]): string[] {
  const rows = [
    '| Figure | Value | Baseline (same run) | Ratio | Target | Result |',
    '| --- | ---: | --- | ---: | --- | --- |',
  ];
  for (const f of figures) {
    const baseline = f.baseline ? `${cell(f.baseline.name)}: ${number(f.baseline.value)} ${f.unit}` : '—';
    const ratio = f.ratio === undefined ? '—' : f.ratio.toFixed(3);
    const result = f.target === undefined ? '—' : f.pass ? 'pass' : '**FAIL**';
    rows.push(
      `| ${cell(f.name)} | ${number(f.value)} ${f.unit} | ${baseline} | ${ratio} | ${cell(f.target ?? '—')} | ${result} |`,
    );
  }
  return rows;
}

function report(outcomes: BenchOutcome[], startLines: string[]): string {
  const lines = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (bench/run.ts); do not edit by hand. Every figure stands beside a baseline measured',
    'in the same run on the same machine, so the ratio means something where the absolute figure depends on the',
    'machine and on what else it was doing.',
    '',
    '## Machine',
    '',
    ...startLines,
    '',
  ];
  for (const outcome of outcomes) {
    lines.push(`## ${outcome.name} (${outcome.file}, ${outcome.seconds.toFixed(0)} s)`, '');
    if (outcome.error) lines.push(`**The benchmark failed:** ${cell(outcome.error)}`, '');
    if (outcome.figures.length > 0) lines.push(...table(outcome.figures), '');
  }
  const figures = outcomes.flatMap((o) => o.figures);
  const targets = figures.filter((f) => f.target !== undefined);
  const failed = targets.filter((f) => !f.pass);
  lines.push(
    '## Summary',
    '',
    `${targets.length - failed.length} of ${targets.length} targets met` +
      (outcomes.some((o) => o.error)
        ? `; ${outcomes.filter((o) => o.error).length} benchmark(s) failed to run`
        : '') +
      '.',
    ...failed.map((f) => `- missed: ${f.name} (${number(f.value)} ${f.unit}, target ${f.target})`),
    '',
  );
  return lines.join('\n');
}

async function main(filters: string[]): Promise<number> {
  const startLines = machine();
  const files = readdirSync(__dirname)
    .filter((file) => file.endsWith('.bench.ts'))
    .filter((file) => filters.length === 0 || filters.some((word) => file.includes(word)))
    .sort();
  const outcomes: BenchOutcome[] = [];
  for (const file of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- bench files are found at run time
    const module = require(path.join(__dirname, file)) as Record<string, unknown>;
    for (const [name] of benchFunctions(module)) {
      // The disk is left quiet for the next part: the metrics bench writes a database of a million orders, and
      // the kernel writing it back behind the next part's fsyncs (notify, intake under FULL) slowed them.
      execFileSync('sync');
      process.stderr.write(`[bench] ${name} (${file})\n`);
      const started = process.hrtime.bigint();
      const outcome: BenchOutcome = { file, name, seconds: 0, figures: [] };
      try {
        outcome.figures = await runApart(file, name);
      } catch (err) {
        outcome.error = err instanceof Error ? err.message.split('\n')[0]! : String(err);
      }
      outcome.seconds = Number(process.hrtime.bigint() - started) / 1e9;
      outcomes.push(outcome);
      process.stdout.write(
        `\n${name}\n${outcome.error ? `FAILED: ${outcome.error}\n` : ''}${formatBenchFigures(outcome.figures)}\n`,
      );
    }
  }
  const results = path.join(__dirname, 'results.md');
  writeFileSync(results, report(outcomes, startLines));
  process.stdout.write(`\nwrote ${path.relative(process.cwd(), results)}\n`);
  const missed = outcomes.some((o) => o.error || o.figures.some((f) => f.target !== undefined && !f.pass));
  return missed ? 1 : 0;
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === '--one') {
  // A benchmark may leave handles open (pools, timers): the child ends once it has reported.
  void runOne(rest[0]!, rest[1]!).finally(() => process.exit(0));
} else {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
