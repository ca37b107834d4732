/** The console logger (what the CLI, runner and host write without a logger) and STEPWISE_LOG. */
import { describe, expect, it } from 'vitest';
import { StepwiseError } from '../../core/model/errors.js';
import { createConsoleLogger, logLevelFromEnv, logsAt, type Logger, type LogLevel } from '../../core/model/logger.js';

function captured(level: LogLevel): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: createConsoleLogger({ level, write: (l) => void lines.push(l) }), lines };
}

describe('createConsoleLogger', () => {
  it('writes its level and above, as LEVEL message key=value', () => {
    const { log, lines } = captured('info');
    log.debug('hidden');
    log.info('task started');
    log.warn({ taskId: 't-1', attempt: 2 }, 'retrying');
    log.error(new StepwiseError('STALE', 'changed meanwhile'), 'apply failed');
    expect(lines).toEqual(['INFO task started', 'WARN retrying taskId="t-1" attempt=2', 'ERROR apply failed err="StepwiseError STALE: changed meanwhile"']);
  });

  it('follows a level changed at run time (as pino does), and silent writes nothing', () => {
    const { log, lines } = captured('warn');
    log.info('a');
    log.level = 'debug';
    log.debug('b');
    log.level = 'silent';
    log.fatal('c');
    expect(lines).toEqual(['DEBUG b']);
  });

  it('child loggers add their bindings to every line', () => {
    const { log, lines } = captured('info');
    log.child({ component: 'host' }).child({ port: 4000 }).info({ files: ['a.yaml'] }, 'reloaded');
    expect(lines).toEqual(['INFO reloaded component="host" port=4000 files=["a.yaml"]']);
  });

  it('prints the stack of an err field only at debug, and survives fields JSON cannot write', () => {
    const { log, lines } = captured('debug');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    log.error({ err: new Error('boom'), cycle, n: 10n }, 'failed');
    expect(lines[0]).toMatch(/^ERROR failed err="Error: boom"\nError: boom\n\s+at /);
    expect(lines[0]).toContain('cycle="[unserialisable]"');
    expect(lines[0]).toContain('n="[unserialisable]"');
  });

  it('logsAt compares pino level names; an unknown level counts as info', () => {
    expect(logsAt({ level: 'warn' }, 'error')).toBe(true);
    expect(logsAt({ level: 'warn' }, 'info')).toBe(false);
    expect(logsAt({ level: 'verbose' }, 'info')).toBe(true);
    expect(logsAt({ level: 'verbose' }, 'debug')).toBe(false);
  });
});

describe('logLevelFromEnv (STEPWISE_LOG)', () => {
  it('reads a level, ignoring case and spaces, with a fallback when unset', () => {
    expect(logLevelFromEnv({ STEPWISE_LOG: ' Debug ' })).toBe('debug');
    expect(logLevelFromEnv({})).toBe('info');
    expect(logLevelFromEnv({ STEPWISE_LOG: '' }, 'warn')).toBe('warn');
  });

  it('refuses an unknown level with the list, instead of hiding logs', () => {
    expect(() => logLevelFromEnv({ STEPWISE_LOG: 'verbose' })).toThrow(/STEPWISE_LOG=verbose is not a log level; use one of trace, debug, info, warn, error, fatal, silent/);
  });
});
