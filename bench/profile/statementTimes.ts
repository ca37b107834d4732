/**
 * Times every better-sqlite3 statement by SQL text: wraps Statement run/get/all of statements
 * prepared after `timeStatements()` is called (hrtime around a synchronous call: the CPU of this
 * thread inside SQLite). Used by the SQL profiles (sqlTime.ts, scalingSql.ts).
 */
import Database from 'better-sqlite3';

export interface StatementTimes {
  /** Per SQL text (multi-row VALUES lists folded into one label). */
  readonly times: Map<string, { ns: bigint; calls: number }>;
  /** Every SQL text prepared, as written. */
  readonly texts: Set<string>;
  /** Nanoseconds spent in statements since the last `clear()`. */
  totalNs(): bigint;
  clear(): void;
  /** A Markdown table of the `top` costliest statements, µs and calls per `units`. */
  table(units: number, top?: number, unit?: string): string;
}

export function timeStatements(): StatementTimes {
  const times = new Map<string, { ns: bigint; calls: number }>();
  const texts = new Set<string>();
  let total = 0n;
  const proto = (Database.prototype as unknown as { prepare(sql: string): object }).prepare;
  (Database.prototype as unknown as { prepare: (sql: string) => object }).prepare = function (this: Database.Database, sql: string) {
    const stmt = proto.call(this, sql) as Record<string, (...a: unknown[]) => unknown>;
    texts.add(sql);
    const label = sql.replace(/\(\?(, \?)*\)(, \(\?(, \?)*\))+/, '(?…) × n').slice(0, 110);
    for (const m of ['run', 'get', 'all']) {
      const fn = stmt[m]!;
      stmt[m] = function (this: unknown, ...args: unknown[]) {
        const t0 = process.hrtime.bigint();
        try {
          return fn.apply(this, args);
        } finally {
          const dt = process.hrtime.bigint() - t0;
          total += dt;
          const e = times.get(label) ?? { ns: 0n, calls: 0 };
          e.ns += dt;
          e.calls++;
          times.set(label, e);
        }
      };
    }
    return stmt;
  };
  return {
    times,
    texts,
    totalNs: () => total,
    clear() {
      times.clear();
      total = 0n;
    },
    table(units, top = 20, unit = 'step') {
      const rows = [...times].sort((a, b) => Number(b[1].ns - a[1].ns)).slice(0, top);
      return [`| µs/${unit} | calls/${unit} | statement |`, '| ---: | ---: | --- |', ...rows.map(([sql, e]) => `| ${(Number(e.ns) / 1000 / units).toFixed(2)} | ${(e.calls / units).toFixed(3)} | \`${sql}\` |`)].join('\n');
    },
  };
}
