import type { Clock } from '../clock';
import type { OrderStore } from './order-store';
import { requireOptionalPackage } from '../optional-package';

export type StoreOptions =
  | { engine: 'sqlite'; filename: string; synchronous?: 'FULL' | 'NORMAL' }
  | { engine: 'postgres'; connectionString: string; password?: string; schema?: string; poolSize?: number };

/**
 * Each engine is loaded by the first store configured for it, after its driver (an optional dependency, see
 * optional-package.ts) is known to be there: pg is some 30 modules that a Node-RED on SQLite would otherwise hold,
 * and a machine where better-sqlite3 could not be built can still run on PostgreSQL. require, not import(): a
 * dynamic import() goes to Node's ESM loader, which cannot load the .ts sources in tests.
 */
function postgresEngine(): typeof import('./postgres/postgres-store') {
  requireOptionalPackage('pg', 'The PostgreSQL store');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./postgres/postgres-store') as typeof import('./postgres/postgres-store');
}

function sqliteEngine(): typeof import('./sqlite/sqlite-store') {
  requireOptionalPackage('better-sqlite3', 'The SQLite store');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./sqlite/sqlite-store') as typeof import('./sqlite/sqlite-store');
}

/**
 * Opens the configured engine and brings its schema up to date: the one way nodes, the CLI and benchmarks get a
 * store. A store that fails to migrate is closed again so no pool or file handle is left behind.
 */
export async function openStore(options: StoreOptions, clock?: Clock): Promise<OrderStore> {
  const store: OrderStore =
    options.engine === 'postgres'
      ? new (postgresEngine().PostgresOrderStore)({
          connectionString: options.connectionString,
          password: options.password,
          schema: options.schema,
          poolSize: options.poolSize,
          clock,
        })
      : new (sqliteEngine().SqliteOrderStore)({
          filename: options.filename,
          synchronous: options.synchronous,
          clock,
        });
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
