/**
 * Attacks (issue 12): values without a size limit. A handler throwing a 20 MB message stored it
 * about eight times (task error, step error, attempt, transition reasons, events): 225 MB of
 * database for one failure. A 50 MB result was stored three times (158 MB). A flood of log lines
 * and an oversized input went in whole. Now (core/limits): a failure is cut to its limits and
 * stored once, on its attempt (the rest carry a summary pointing there); a result over
 * `resultBytes` fails its attempt without retries, naming its size; log lines are cut and
 * counted past the per-attempt budget; inputs and params over their limits are refused.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../core/cli/main.js';
import { DEFAULT_LIMITS } from '../../core/limits/index.js';
import { StepwiseError } from '../../core/model/errors.js';
import type { FlowContext, StepContext } from '../../core/model/handlers.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { action, result } from '../../core/template/flowBuilders.js';
import { loadWorkspace } from '../../core/template/workspace.js';
import { harness, step, workflow, type Harness } from '../fixtures/engine/harness.js';
import { scaled } from './scale.js';

const MiB = 1024 * 1024;
const MESSAGE_BYTES = scaled(20 * MiB, 4 * MiB);
const RESULT_BYTES = scaled(50 * MiB, 6 * MiB);

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The database file's size once everything is checkpointed into it. */
async function databaseBytes(x: Harness): Promise<number> {
  await x.storage.close();
  return statSync(x.file).size;
}

describe('a handler throwing a huge message', () => {
  it('stores the failure once, cut to the limits, and a summary everywhere else', async () => {
    const marker = 'Q'.repeat(MESSAGE_BYTES);
    h = await harness({
      templates: [workflow('boom', [step('boom', { retry: { maxAttempts: 2 } })])],
      handlers: {
        boom: () => {
          const err = new Error(marker) as Error & { details: unknown };
          err.details = { blob: 'd'.repeat(MESSAGE_BYTES / 4) };
          throw err;
        },
      },
    });
    const task = await h.engine.start('test/boom');
    await h.engine.runUntilIdle();
    h.clock.advance(60_000);
    await h.engine.runUntilIdle();
    const stored = (await h.storage.getTask(task.id))!;
    expect(stored.status).toBe('error');
    const attempts = await h.storage.listAttempts(task.id);
    expect(attempts).toHaveLength(2);
    for (const a of attempts) {
      const e = a.error!;
      expect(e.message.length).toBeLessThan(DEFAULT_LIMITS.errorMessageChars + 200);
      // What was cut is named, with the original size.
      expect(e.dropped?.join('\n')).toContain(`message: ${MESSAGE_BYTES} characters cut to`);
      expect(JSON.stringify(e.details).length).toBeLessThan(DEFAULT_LIMITS.errorDetailsBytes + 200);
      expect(e.stack!.length).toBeLessThanOrEqual(DEFAULT_LIMITS.errorStackChars + 200);
    }
    const last = attempts.at(-1)!;
    // The step and the task repeat a summary that points at the attempt holding the whole failure.
    const boom = (await h.storage.getStep(task.id, 'boom'))!;
    for (const e of [boom.error!, stored.error!]) {
      expect(e.attemptId).toBe(last.id);
      expect(e.stack).toBeUndefined();
      expect(JSON.stringify(e).length).toBeLessThan(1500);
    }
    for (const t of await h.storage.listTransitions(task.id)) expect(t.reason.length).toBeLessThan(800);
    for (const e of await h.storage.readEvents(0, 1000, { taskId: task.id })) expect(JSON.stringify(e.payload).length).toBeLessThan(2000);
    // Two attempts' bounded failures and the summaries: far below one copy of the message.
    expect(await databaseBytes(h)).toBeLessThan(MiB);
    h = undefined;
  });
});

describe('a handler returning a huge result', () => {
  it('fails its attempt with RESULT_TOO_LARGE, without retries, naming the size and the limit', async () => {
    h = await harness({
      templates: [workflow('big', [step('big'), step('after', { dependsOn: ['big'] })])],
      handlers: { big: () => ({ blob: 'y'.repeat(RESULT_BYTES) }), after: () => ({ ok: true }) },
    });
    const task = await h.engine.start('test/big');
    await h.engine.runUntilIdle();
    const big = (await h.storage.getStep(task.id, 'big'))!;
    expect(big.state).toBe('error');
    expect(big.attempts).toBe(1);
    expect(big.error).toMatchObject({ code: 'RESULT_TOO_LARGE' });
    expect(big.error!.message).toMatch(/is \d+\.\d MiB as JSON, over the limit of 2\.0 MiB \(limits\.resultBytes\)/);
    expect(big.results).toBeNull();
    expect((await h.storage.getStep(task.id, 'after'))!.state).toBe('pending');
    expect(await databaseBytes(h)).toBeLessThan(MiB);
    h = undefined;
  });

  it('the limit is configurable per engine and per workspace', async () => {
    h = await harness({
      templates: [workflow('mid', [step('mid')])],
      handlers: { mid: () => ({ blob: 'z'.repeat(3 * MiB) }) },
      engine: { limits: { resultBytes: 4 * MiB } },
    });
    const task = await h.engine.start('test/mid');
    await h.engine.runUntilIdle();
    expect((await h.storage.getTask(task.id))!.status).toBe('complete');

    const root = mkdtempSync(join(tmpdir(), 'stepwise-limits-'));
    try {
      mkdirSync(join(root, 'templates'));
      writeFileSync(join(root, 'stepwise.config.json'), JSON.stringify({ limits: { resultBytes: 1000, inputBytes: 64, nonsense: 1 } }));
      const ws = await loadWorkspace(root);
      expect(ws.config.limits).toEqual({ resultBytes: 1000, inputBytes: 64 });
      expect(ws.problems.map((p) => p.code)).toContain('UNKNOWN_FIELD');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('a handler flooding its log', () => {
  it('keeps the lines within the per-attempt budget, cuts long lines and says how many were dropped', async () => {
    const lines = scaled(20_000, 3_000);
    h = await harness({
      templates: [workflow('chatty', [step('chatty')])],
      handlers: {
        chatty: (ctx: StepContext) => {
          ctx.log.info('L'.repeat(100_000));
          for (let i = 0; i < lines; i++) ctx.log.info(`line ${i}`, { i });
          return null;
        },
      },
    });
    const task = await h.engine.start('test/chatty');
    await h.engine.runUntilIdle();
    const [attempt] = await h.storage.listAttempts(task.id);
    const logs = attempt!.logs;
    expect(logs[0]!.message).toContain('[line cut: it was 100,000 characters; limits.logLineChars is 8192]');
    expect(logs.length).toBe(DEFAULT_LIMITS.attemptLogLines + 1);
    expect(logs.at(-1)!.message).toMatch(new RegExp(`^${lines + 1 - DEFAULT_LIMITS.attemptLogLines} more log line\\(s\\)`));
    expect(JSON.stringify(logs).length).toBeLessThan(DEFAULT_LIMITS.attemptLogBytes + 200_000);
  });
});

describe('an oversized input', () => {
  it('is refused with INPUT_INVALID naming the size and the limit; nothing is stored', async () => {
    h = await harness({ templates: [workflow('any', [step('any')])], handlers: { any: () => null }, engine: { limits: { inputBytes: 1000 } } });
    const err = await h.engine.start('test/any', { blob: 'x'.repeat(2000) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepwiseError);
    expect((err as StepwiseError).code).toBe('INPUT_INVALID');
    expect((err as StepwiseError).message).toMatch(/is 2,011 bytes as JSON, over the limit of 1,000 bytes \(limits\.inputBytes\)/);
    expect((await h.storage.listTasks({})).total).toBe(0);
  });

  it('`stepwise run` prints the one-line refusal', async () => {
    const root = mkdtempSync(join(tmpdir(), 'stepwise-limits-cli-'));
    try {
      mkdirSync(join(root, 'templates'));
      mkdirSync(join(root, 'handlers'));
      writeFileSync(join(root, 'stepwise.config.json'), JSON.stringify({ limits: { inputBytes: 100 } }));
      writeFileSync(join(root, 'templates', 'w.yaml'), 'name: w\nsteps:\n  - { name: a, handler: a }\n');
      writeFileSync(join(root, 'handlers', 'a.ts'), 'export const a = () => null;\n');
      const err: string[] = [];
      const code = await main(['run', 'w', '--workspace', root, '--executor', 'inline', '--input', JSON.stringify({ b: 'x'.repeat(200) })], {
        out: () => undefined,
        err: (t) => void err.push(t),
        isTTY: false,
      });
      expect(code).toBe(1);
      expect(err.join('\n')).toMatch(/^error: INPUT_INVALID: The input of .*w@.* cannot be stored: \(the value\) is 2\d\d bytes as JSON, over the limit of 100 bytes \(limits\.inputBytes\)/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('a flow handler throwing a huge message or leaving huge data', () => {
  it('the flow fails with a summary on the task; the bounded failure is on the attempt', async () => {
    const flow = defineFlow({
      name: 'loud',
      startsWith: 'shout',
      states: {
        shout: action(() => {
          throw new Error('F'.repeat(MESSAGE_BYTES));
        }, { goTo: 'done' }),
        done: result(),
      },
    });
    const hoard = defineFlow({
      name: 'hoard',
      startsWith: 'fill',
      states: {
        fill: action((ctx: FlowContext) => {
          ctx.data.blob = 'h'.repeat(RESULT_BYTES);
        }, { goTo: 'done' }),
        done: result(),
      },
    });
    h = await harness({ templates: [flow, hoard], handlers: {} });
    const task = await h.engine.start('loud');
    await h.engine.runUntilIdle();
    const stored = (await h.storage.getTask(task.id))!;
    const [attempt] = await h.storage.listAttempts(task.id);
    expect(stored.status).toBe('error');
    expect(stored.error!.attemptId).toBe(attempt!.id);
    expect(JSON.stringify(stored.error).length).toBeLessThan(1500);
    expect(attempt!.error!.dropped?.join('\n')).toContain(`message: ${MESSAGE_BYTES} characters cut to`);

    const filled = await h.engine.start('hoard');
    await h.engine.runUntilIdle();
    const after = (await h.storage.getTask(filled.id))!;
    expect(after.status).toBe('error');
    expect(after.error).toMatchObject({ code: 'RESULT_TOO_LARGE' });
    expect(after.data).toEqual({});
    expect(await databaseBytes(h)).toBeLessThan(MiB);
    h = undefined;
  });
});
