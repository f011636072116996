import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../support/node-red-process';

/**
 * Node-RED loads every node file of the package at start, whatever the flows use. Libraries only some flows need
 * are loaded on first use, so a Node-RED that never uses them does not hold them (docs/scaling.md, memory).
 */
const LOADED_ON_FIRST_USE = [
  'ssh2-sftp-client',
  'ssh2',
  'imapflow',
  'nodemailer',
  'mailparser',
  'pg',
  'ts-tracking-number',
  'ramda',
];

describe('libraries loaded on first use', () => {
  it('are not loaded by loading every node of the package', () => {
    const nodes = (
      JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
        'node-red': { nodes: Record<string, string> };
      }
    )['node-red'].nodes;
    // The sources of the dist/ files Node-RED loads, in a fresh process, as Node-RED would load them.
    const sources = Object.values(nodes).map((file) =>
      path.join(REPO, file.replace(/^dist\//, '').replace(/\.js$/, '.ts')),
    );
    const script =
      `for (const file of ${JSON.stringify(sources)}) require(file);\n` +
      'process.stdout.write(JSON.stringify(Object.keys(require.cache)));';
    const loaded = JSON.parse(
      execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: REPO, encoding: 'utf8' }),
    ) as string[];
    const packages = new Set(
      loaded
        .filter((file) => file.includes('/node_modules/'))
        .map((file) => {
          const [scopeOrName, name] = file.split('/node_modules/').pop()!.split('/');
          return scopeOrName!.startsWith('@') ? `${scopeOrName}/${name}` : scopeOrName!;
        }),
    );
    assert.ok(packages.has('better-sqlite3'), 'the probe saw the store load');
    assert.deepEqual(
      LOADED_ON_FIRST_USE.filter((name) => packages.has(name)),
      [],
    );
    // Country codes only: not the country names in every language.
    assert.deepEqual(
      loaded.filter((file) => file.includes('/i18n-iso-countries/langs/')),
      [],
    );
  });
});
