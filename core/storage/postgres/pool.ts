/**
 * Connections: one pool per storage for queries and commits, plus (./listen.ts) one dedicated
 * connection for LISTEN. Type parsing is set per connection, never globally on the `pg` module
 * (an application's own pg code in the same process keeps its settings): int8 becomes a number
 * (our int8 columns hold epoch milliseconds, versions and seqs, all far below 2^53), json is
 * parsed by JSON.parse.
 */
import pg from 'pg';
import { StepwiseError } from '../../model/errors.js';

export interface Queryable {
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
}

export interface PostgresConnectionOptions {
  /** `postgres://user:password@host:port/database` (or `postgresql://`). */
  url: string;
  /** Most connections this process opens for queries and commits (the LISTEN one is extra). Default 10. */
  maxConnections?: number;
  /** A statement running longer than this is cancelled (STORAGE_ERROR). Default 30 s. */
  statementTimeoutMs?: number;
  /** Waiting longer than this for a free pooled connection fails. Default 30 s. */
  connectTimeoutMs?: number;
}

const INT8 = 20;

export const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as unknown as pg.CustomTypesConfig;

/** Client settings shared by the pool and the LISTEN connection. */
export function clientConfig(options: PostgresConnectionOptions): pg.ClientConfig {
  const statementTimeout = options.statementTimeoutMs ?? 30_000;
  return {
    connectionString: options.url,
    types: typeParsers,
    application_name: 'stepwise',
    statement_timeout: statementTimeout,
    // A connection left inside a transaction (a crashed caller) must not hold locks for long.
    idle_in_transaction_session_timeout: Math.max(statementTimeout * 2, 60_000),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 30_000,
    keepAlive: true,
  };
}

export function createPool(options: PostgresConnectionOptions): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(options), max: options.maxConnections ?? 10, idleTimeoutMillis: 30_000 });
  // An idle pooled connection that fails (server restart) is dropped by the pool; without a
  // listener the 'error' event would crash the process.
  pool.on('error', () => undefined);
  return pool;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/** A driver or server error as STORAGE_ERROR naming what to do; StepwiseErrors pass through. */
export function wrapPgError(err: unknown, where: string): unknown {
  if (err instanceof StepwiseError) return err;
  const e = err as { code?: string; message?: string };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const hint =
    code === '57014'
      ? ' A statement ran past the statement timeout; the database may be overloaded or locked by another session.'
      : code === 'ECONNREFUSED' || code === '57P01' || code === '08006' || code === '08001'
        ? ' Is the PostgreSQL server running and reachable at that address?'
        : code === '28P01' || code === '28000'
          ? ' Check the user name and password in the URL.'
          : code === '3D000'
            ? ' Create the database first (createdb), or fix its name in the URL.'
            : '';
  return new StepwiseError('STORAGE_ERROR', `PostgreSQL error${code ? ` ${code}` : ''} on ${where}: ${e?.message ?? String(err)}.${hint}`, {
    ...(code ? { pgCode: code } : {}),
    // Goes away by itself (core/engine/runtime/durable.ts retries outcome commits on these).
    ...(isTransient(code) ? { transient: true } : {}),
  });
}

/**
 * Connection trouble (node's socket codes, class 08, shutdown 57P01-57P03), no resources left
 * (class 53: disk full, out of memory, too many connections), a lost lock race or a cancelled
 * statement (40001, 40P01, 55P03, 57014): worth trying again later.
 */
function isTransient(code: string | undefined): boolean {
  if (code === undefined) return false;
  if (/^E[A-Z]+$/.test(code)) return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code);
  return /^(08|53)/.test(code) || ['57P01', '57P02', '57P03', '40001', '40P01', '55P03', '57014'].includes(code);
}
