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

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  const load = name ? COMMANDS[name] : undefined;
  if (!load) {
    const list = await Promise.all(
      Object.entries(COMMANDS).map(async ([n, l]) => `  ${n.padEnd(8)} ${(await l()).summary}`),
    );
    io.err(`usage: dropship <command> [options]\n\ncommands:\n${list.join('\n')}\n`);
    return name && name !== 'help' && name !== '--help' ? 2 : 0;
  }
  return (await load()).run(args, io);
}

if (require.main === module) {
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
