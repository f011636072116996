#!/usr/bin/env node
/**
 * `npx dropship <command> ...`: the package's command line for integrators and operators.
 * Each command lives in bin/commands/<name>.ts and is loaded only when asked for.
 */
import { errorText } from '../core/errors';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface CliCommand {
  summary: string;
  /** Resolves to the process exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<CliCommand>> = {};

export function registerCommand(name: string, load: () => Promise<CliCommand>): void {
  COMMANDS[name] = load;
}

// require, not import(): a dynamic import() goes to Node's ESM loader, which cannot load the .ts sources in tests.
registerCommand(
  'route',
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  async () => (require('./commands/route') as typeof import('./commands/route')).routeCommand,
);
registerCommand(
  'edi',
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  async () => (require('./commands/edi') as typeof import('./commands/edi')).ediCommand,
);

const HELP_FLAGS = new Set(['help', '--help', '-h']);

async function usage(): Promise<string> {
  const list = await Promise.all(
    Object.entries(COMMANDS).map(async ([n, l]) => `  ${n.padEnd(8)} ${(await l()).summary}`),
  );
  return `usage: dropship <command> [options]\n\ncommands:\n${list.join('\n')}\n\n"dropship help <command>" or "dropship <command> --help" shows a command's options.\n`;
}

/**
 * Help asked for goes to stdout with exit code 0; a missing or unknown command is a usage error: stderr, exit 2.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name !== undefined && HELP_FLAGS.has(name)) {
    const topic = args[0] !== undefined ? COMMANDS[args[0]] : undefined;
    if (topic) return (await topic()).run(['--help'], io);
    io.out(await usage());
    return 0;
  }
  const load = name !== undefined ? COMMANDS[name] : undefined;
  if (!load) {
    io.err(`${name !== undefined ? `dropship: unknown command '${name}'\n\n` : ''}${await usage()}`);
    return 2;
  }
  return (await load()).run(args, io);
}

if (require.main === module) {
  // A reader that stops early (`| head`) closes the pipe: the rest of the output has nowhere to go, which is not
  // a failure of the command.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
  const io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      io.err(`dropship: ${errorText(err)}\n`);
      process.exitCode = 1;
    },
  );
}
