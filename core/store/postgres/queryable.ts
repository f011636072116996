import type { PoolClient } from 'pg';
import type { StoreRow as Row } from '../row-mapping';

/** The pool or a transaction's client: what a query runs on. */
export type Queryable = Pick<PoolClient, 'query'>;

export async function rows(db: Queryable, sql: string, params: unknown[] = []): Promise<Row[]> {
  return (await db.query<Row>(sql, params)).rows;
}

export async function firstRow(db: Queryable, sql: string, params: unknown[] = []): Promise<Row | undefined> {
  return (await rows(db, sql, params))[0];
}
