/** Acceptance: boolean decisions both ways, ordered thresholds, NO_DECISION. */
import { describe, expect, it } from 'vitest';
import type { FlowTemplate } from '../../core/model/template.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { decision, result } from '../../core/template/flowBuilders.js';
import { flowEnv } from '../fixtures/flows/harness.js';
import { loadFlowFixture } from '../fixtures/flows/load.js';
import { gradingFlow, gradingHandlers } from '../fixtures/flows/grading.js';

const forms: Array<[string, FlowTemplate]> = [
  ['YAML', loadFlowFixture('grading.yaml')],
  ['TypeScript', gradingFlow],
];

describe.each(forms)('grading decisions (%s)', (_form, template) => {
  it.each([
    [95, 'done', 'A'],
    [85, 'done', 'B'],
    [50, 'done', 'C'],
    [49, 'failed_exam', undefined],
  ])('score %d ends in %s with grade %s', async (score, state, grade) => {
    const { driver } = await flowEnv([template], gradingHandlers);
    const task = await driver.start(template, { score });
    expect(task.status).toBe('complete');
    expect(task.currentState).toBe(state);
    expect(task.data.grade).toBe(grade);
  });

  it('records which branch was taken and why', async () => {
    const { driver, storage } = await flowEnv([template], gradingHandlers);
    const task = await driver.start(template, { score: 85 });
    const moves = (await storage.listTransitions(task.id)).filter((t) => t.field === 'state');
    expect(moves.map((t) => `${t.from}→${t.to}`)).toEqual(['null→is_passing', 'is_passing→grade', 'grade→grade_b', 'grade_b→done']);
    expect(moves[2]!.reason).toBe('grade: 80+');
    // Ordered evaluation stops at the first match: the 50+ condition never ran.
    expect(Object.values(moves[2]!.details.conditions as Record<string, boolean>)).toEqual([false, true]);
  });
});

describe('no decision', () => {
  it('fails an ordered decision where nothing matched with NO_DECISION', async () => {
    const template = defineFlow({
      name: 'sizes',
      attributes: { type: 'object', properties: { size: { type: 'number' } } },
      startsWith: 'size',
      states: {
        size: decision({
          conditions: [
            { when: (ctx) => ctx.data.size > 10, goTo: 'big' },
            { when: (ctx) => ctx.data.size > 5, goTo: 'medium' },
          ],
        }),
        big: result(),
        medium: result(),
      },
    });
    const { driver, storage } = await flowEnv([template]);
    const task = await driver.start(template, { size: 1 });
    expect(task.status).toBe('error');
    expect(task.currentState).toBe('size');
    expect(task.error).toMatchObject({ code: 'NO_DECISION' });
    expect(task.error!.message).toMatch(/^NO_DECISION: no condition matched size/);
    const [attempt] = await storage.listAttempts(task.id);
    expect(attempt).toMatchObject({ outcome: 'error', error: { code: 'NO_DECISION' } });
  });

  it('fails a boolean decision whose taken branch is missing, naming it', async () => {
    const template = defineFlow({
      name: 'half',
      startsWith: 'check',
      states: { check: decision({ condition: () => false, ifTrue: 'yes' }), yes: result() },
    });
    const { driver } = await flowEnv([template]);
    const task = await driver.start(template, {});
    expect(task.error).toMatchObject({ code: 'NO_DECISION' });
    expect(task.error!.message).toContain('declares no if_false branch');
  });
});
