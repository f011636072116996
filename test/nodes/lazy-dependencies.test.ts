import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Module from 'node:module';
import { DropshipError } from '../../core/errors';
import { parseStockCsv } from '../../core/inventory/stock-feed';
import { requireOptionalPackage } from '../../core/optional-package';
import { openStore } from '../../core/store/open-store';
import { REPO } from '../support/node-red-process';

const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  'node-red': { nodes: Record<string, string> };
  optionalDependencies: Record<string, string>;
};

/**
 * Node-RED loads every node file of the package at start, whatever the flows use. The optional dependencies (one
 * feature's library each) are loaded on first use: a Node-RED that never uses them does not hold them
 * (docs/scaling.md, memory), and one where they did not install still loads every node. ssh2 and ramda come with
 * ssh2-sftp-client and ts-tracking-number.
 */
const LOADED_ON_FIRST_USE = [...Object.keys(manifest.optionalDependencies), 'ssh2', 'ramda'];

describe('libraries loaded on first use', () => {
  it('are not loaded by loading every node of the package', () => {
    const nodes = manifest['node-red'].nodes;
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
    assert.ok(packages.has('ajv'), 'the probe saw the nodes load their dependencies');
    assert.ok(LOADED_ON_FIRST_USE.includes('better-sqlite3'));
    assert.deepEqual(
      LOADED_ON_FIRST_USE.filter((name) => packages.has(name)),
      [],
    );
  });
});

describe('an optional dependency that did not install', () => {
  const moduleInternals = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
  };
  const resolve = moduleInternals._resolveFilename;
  /** Modules taken out of require's cache for a test, put back after it. */
  const hidden = new Map<string, NodeJS.Module | undefined>();
  /**
   * Makes `names` unresolvable, as on a machine where npm skipped them (a failed native build, --omit=optional).
   * Node answers a require it has answered before from its caches without resolving again, and another test file
   * in the same mocha worker may have loaded them: they leave the cache for the test.
   */
  const withoutPackages = (names: string[]): void => {
    for (const name of names) {
      const file = require.resolve(name);
      hidden.set(file, require.cache[file]);
      delete require.cache[file];
    }
    moduleInternals._resolveFilename = function (request: string, ...rest: unknown[]) {
      if (names.includes(request)) {
        throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });
      }
      return resolve.call(this, request, ...rest);
    };
  };
  afterEach(() => {
    moduleInternals._resolveFilename = resolve;
    for (const [file, loaded] of hidden) if (loaded) require.cache[file] = loaded;
    hidden.clear();
  });

  it('fails the feature that needs it with what to install, not the package', async () => {
    withoutPackages(['better-sqlite3', 'pg', 'csv-parse/sync']);
    await assert.rejects(
      openStore({ engine: 'sqlite', filename: ':memory:' }),
      (err: unknown) =>
        err instanceof DropshipError &&
        err.code === 'configuration' &&
        err.message.startsWith(
          'The SQLite store needs the npm package "better-sqlite3", which is not installed',
        ) &&
        err.message.includes('run "npm install better-sqlite3" in the Node-RED user directory'),
    );
    await assert.rejects(
      openStore({ engine: 'postgres', connectionString: 'postgres://127.0.0.1/test' }),
      /The PostgreSQL store needs the npm package "pg"/,
    );
    assert.throws(
      () => parseStockCsv('sku,quantity\nA-1,3\n'),
      /Reading CSV stock feeds needs the npm package "csv-parse"/,
    );
  });

  it('is loaded as usual where it is installed', async () => {
    const store = await openStore({ engine: 'sqlite', filename: ':memory:' });
    await store.close();
    assert.equal(requireOptionalPackage('csv-parse/sync', 'a test').parse('a,b\n')[0]![1], 'b');
  });
});

describe('install scripts (package.json allowScripts)', () => {
  it('covers every package in the lock file that has an install script, so npm install warns of none', () => {
    const lock = JSON.parse(readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { hasInstallScript?: boolean }>;
    };
    const { allowScripts } = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      allowScripts: Record<string, boolean>;
    };
    const withScripts = new Set(
      Object.entries(lock.packages)
        .filter(([, entry]) => entry.hasInstallScript === true)
        .map(([location]) => location.split('node_modules/').pop()!),
    );
    assert.ok(withScripts.has('better-sqlite3'), 'the lock file lists install scripts');
    assert.deepEqual([...withScripts].filter((name) => !(name in allowScripts)).sort(), []);
  });
});
