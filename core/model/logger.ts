/**
 * Logging. The engine, the runner and the workbench host log through a `Logger`, an interface a
 * pino logger satisfies as it is (`createEngine({ logger: pino() })`); so do many others (bunyan,
 * a pino-compatible wrapper of winston). Without one, Stepwise writes plain lines to stderr at
 * the level STEPWISE_LOG names (default `info`; the CLI's `--log-level` overrides it).
 */
import { StepwiseError } from './errors.js';

/** pino's call shapes: `log.info('text')`, `log.info({ taskId }, 'text')`, `log.error(err, 'text')`. */
export interface LogFn {
  (msg: string, ...args: unknown[]): void;
  (obj: object, msg?: string, ...args: unknown[]): void;
}

export interface Logger {
  /** The lowest level written (pino's levels, plus `silent`). */
  level: string;
  fatal: LogFn;
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  trace: LogFn;
  /** A logger that adds these fields to every line (pino's child loggers). */
  child(bindings: Record<string, unknown>): Logger;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const RANK: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** Whether `logger` writes lines of `level` (any logger with pino's level names). */
export function logsAt(logger: Pick<Logger, 'level'>, level: Exclude<LogLevel, 'silent'>): boolean {
  const current = isLogLevel(logger.level) ? RANK[logger.level] : RANK.info;
  return RANK[level] >= current;
}

export interface ConsoleLoggerOptions {
  level?: LogLevel;
  /** Where lines go (default: stderr). */
  write?: (line: string) => void;
  /** Fields on every line. */
  bindings?: Record<string, unknown>;
}

/** `{ err }` as pino serialises it: class, message, code; the stack only at debug and below. */
function fieldText(key: string, value: unknown, withStack: boolean): string {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    const text = `${value.name}${code === undefined ? '' : ` ${String(code)}`}: ${value.message}`;
    return withStack && value.stack ? `${key}=${JSON.stringify(text)}\n${value.stack}` : `${key}=${JSON.stringify(text)}`;
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = '"[unserialisable]"';
  }
  return `${key}=${json ?? String(value)}`;
}

/**
 * Plain text lines, `LEVEL message key=value ...`: what the CLI, the runner and the host write
 * when no logger is given. Use pino for JSON lines.
 */
export function createConsoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stderr.write(line + '\n'));
  const bindings = options.bindings ?? {};
  const logger: Logger = {
    level: options.level ?? 'info',
    fatal: () => undefined,
    error: () => undefined,
    warn: () => undefined,
    info: () => undefined,
    debug: () => undefined,
    trace: () => undefined,
    child: (more) => createConsoleLogger({ level: logger.level as LogLevel, write, bindings: { ...bindings, ...more } }),
  };
  for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const) {
    logger[level] = (first: unknown, ...rest: unknown[]) => {
      if (!logsAt(logger, level)) return;
      const fields: Record<string, unknown> = { ...bindings };
      let msg: string;
      if (typeof first === 'string') msg = first;
      else {
        if (first instanceof Error) fields.err = first;
        else if (first && typeof first === 'object') Object.assign(fields, first);
        msg = typeof rest[0] === 'string' ? (rest[0] as string) : '';
      }
      const withStack = logsAt(logger, 'debug');
      const extra = Object.entries(fields).map(([k, v]) => fieldText(k, v, withStack));
      write([level.toUpperCase(), msg, ...extra].filter(Boolean).join(' '));
    };
  }
  return logger;
}

/** A logger that writes nothing (tests; embedding where the caller reports errors itself). */
export function silentLogger(): Logger {
  return createConsoleLogger({ level: 'silent', write: () => undefined });
}

/**
 * The level STEPWISE_LOG asks for, or `fallback`. An unknown name is refused with the list, so a
 * typo does not silently hide logs.
 */
export function logLevelFromEnv(env: Record<string, string | undefined> = process.env, fallback: LogLevel = 'info'): LogLevel {
  const value = env.STEPWISE_LOG?.trim().toLowerCase();
  if (!value) return fallback;
  if (!isLogLevel(value)) throw new StepwiseError('USAGE', `STEPWISE_LOG=${env.STEPWISE_LOG} is not a log level; use one of ${LOG_LEVELS.join(', ')}.`);
  return value;
}
