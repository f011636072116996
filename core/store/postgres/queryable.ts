import type { PoolClient, QueryConfig } from 'pg';
import type { StoreRow as Row } from '../row-mapping';

/** The pool or a transaction's client: what a query runs on. */
export type Queryable = Pick<PoolClient, 'query'>;

/** Statement texts given a name at most; past it (SQL built with values in it) they run unnamed. */
const MOST_NAMED_STATEMENTS = 500;
let statementNames = new Map<string, string>();
let generation = 0;

/**
 * The statement as a named (prepared) one: PostgreSQL parses and plans it once per connection, then only binds and
 * runs it, where an unnamed statement is parsed and planned on every call.
 */
export function prepared(sql: string, params: unknown[] = []): QueryConfig {
  let name = statementNames.get(sql);
  if (name === undefined && statementNames.size < MOST_NAMED_STATEMENTS) {
    name = `dropship_${generation}_${statementNames.size + 1}`;
    statementNames.set(sql, name);
  }
  return name === undefined ? { text: sql, values: params } : { name, text: sql, values: params };
}

/**
 * A prepared `SELECT *` fails once another instance's migration has changed the table's columns; the statements
 * are then prepared again under new names, and the caller runs its work again.
 */
export function renewPreparedStatementsIfStale(err: unknown): boolean {
  const message = (err as { message?: unknown } | null)?.message;
  if (typeof message !== 'string' || !message.includes('cached plan must not change result type'))
    return false;
  statementNames = new Map();
  generation++;
  return true;
}

export async function rows(db: Queryable, sql: string, params: unknown[] = []): Promise<Row[]> {
  return (await db.query<Row>(prepared(sql, params))).rows;
}

export async function firstRow(db: Queryable, sql: string, params: unknown[] = []): Promise<Row | undefined> {
  return (await rows(db, sql, params))[0];
}
