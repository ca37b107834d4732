/**
 * Attack (issue 12): numbers JSON cannot hold. `--input '{"ms": 1e400}'` parsed to Infinity,
 * passed `type: integer`, and was stored as null: the stored input no longer matched the schema
 * it had passed. Now every value that enters a task (input, flow attributes, interaction params,
 * results given to an operation) is refused with INPUT_INVALID naming the path, and nothing is
 * stored.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../core/cli/main.js';
import { StepwiseError } from '../../core/model/errors.js';
import { createOps } from '../../core/ops/ops.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { action, interaction, result, waitUntil } from '../../core/template/flowBuilders.js';
import { harness, step, workflow, type Harness } from '../fixtures/engine/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function refusal(p: Promise<unknown>): Promise<StepwiseError> {
  const err = await p.then(
    () => {
      throw new Error('accepted');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StepwiseError);
  return err as StepwiseError;
}

describe('non-finite numbers are refused before anything is stored', () => {
  it('`stepwise run --input \'{"ms": 1e400}\'` exits 1 naming /ms, and stores no task', async () => {
    const root = mkdtempSync(join(tmpdir(), 'stepwise-nonfinite-'));
    try {
      mkdirSync(join(root, 'templates'));
      mkdirSync(join(root, 'handlers'));
      writeFileSync(join(root, 'templates', 'sleep.yaml'), 'name: sleep\ninput_schema: { type: object, properties: { ms: { type: integer } } }\nsteps:\n  - { name: a, handler: a }\n');
      writeFileSync(join(root, 'handlers', 'a.ts'), 'export const a = () => null;\n');
      const err: string[] = [];
      const io = { out: () => undefined, err: (t: string) => void err.push(t), isTTY: false };
      const code = await main(['run', 'sleep', '--workspace', root, '--executor', 'inline', '--input', '{"ms": 1e400}'], io);
      expect(code).toBe(1);
      expect(err.join('\n')).toMatch(/^error: INPUT_INVALID: The input of .*sleep.* cannot be stored: \/ms is Infinity, which JSON cannot store/);
      const db = join(root, '.stepwise', 'stepwise.db');
      if (existsSync(db)) {
        const out: string[] = [];
        await main(['tasks', '--workspace', root, '--json'], { out: (t) => void out.push(t), err: () => undefined, isTTY: false });
        expect(JSON.parse(out.join('')).tasks ?? JSON.parse(out.join(''))).toHaveLength(0);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('workflow input, flow attributes, interaction params and operation results', async () => {
    const flow = defineFlow({
      name: 'meter',
      startsWith: 'wait',
      states: { wait: waitUntil({ condition: () => false, goTo: 'measured' }), measured: action(() => undefined, { goTo: 'done' }), done: result() },
      interactions: { measure: interaction({ when: ['wait'] }, () => undefined) },
    });
    h = await harness({ templates: [workflow('w', [step('a')]), flow], handlers: { a: () => ({ n: 1 }) } });
    const wf = await refusal(h.engine.start('test/w', { list: [1, NaN], deep: { x: -Infinity } }));
    expect(wf.code).toBe('INPUT_INVALID');
    expect((wf.details.violations as Array<{ path: string }>).map((v) => v.path)).toEqual(['/list/1', '/deep/x']);
    const attrs = await refusal(h.engine.start('meter', { reading: Infinity }));
    expect(attrs.message).toContain('/reading is Infinity');
    expect((await h.storage.listTasks({})).total).toBe(0);

    const task = await h.engine.start('meter', {});
    const before = (await h.storage.getTask(task.id))!.version;
    const params = await refusal(h.engine.flows.fireInteraction(task.id, 'measure', { value: 1 / 0 }));
    expect(params.message).toMatch(/\/value is Infinity.*Nothing was changed/);
    expect((await h.storage.getTask(task.id))!.version).toBe(before);

    const done = await h.engine.start('test/w', {});
    await h.engine.runUntilIdle();
    const ops = createOps(h.engine);
    const version = (await h.storage.getTask(done.id))!.version;
    const op = await refusal(ops.apply({ op: 'updateResults', taskId: done.id, step: 'a', results: { n: NaN } }, { expectedVersion: version, reason: 'x' }));
    expect(op.code).toBe('INPUT_INVALID');
    expect(op.message).toContain('/n is NaN');
  });
});
