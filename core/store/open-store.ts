import type { Clock } from '../clock';
import type { OrderStore } from './order-store';
import { PostgresOrderStore } from './postgres/postgres-store';
import { SqliteOrderStore } from './sqlite/sqlite-store';

export type StoreOptions =
  | { engine: 'sqlite'; filename: string; synchronous?: 'FULL' | 'NORMAL' }
  | { engine: 'postgres'; connectionString: string; password?: string; schema?: string; poolSize?: number };

/**
 * Opens the configured engine and brings its schema up to date: the one way nodes, the CLI and benchmarks get a
 * store. A store that fails to migrate is closed again so no pool or file handle is left behind.
 */
export async function openStore(options: StoreOptions, clock?: Clock): Promise<OrderStore> {
  const store: OrderStore =
    options.engine === 'postgres'
      ? new PostgresOrderStore({
          connectionString: options.connectionString,
          password: options.password,
          schema: options.schema,
          poolSize: options.poolSize,
          clock,
        })
      : new SqliteOrderStore({ filename: options.filename, synchronous: options.synchronous, clock });
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
