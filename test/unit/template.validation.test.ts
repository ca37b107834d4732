import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ProblemCode } from '../../core/model/problem.js';
import { readTemplateFile } from '../../core/template/loadTemplate.js';
import { validateTemplate } from '../../core/template/validate.js';

const dir = fileURLToPath(new URL('../fixtures/templates/invalid/', import.meta.url));

/** Everything the loader and the validator say about one fixture (no handler lookup unless given). */
async function problemsOf(name: string, hasHandler?: (n: string) => boolean) {
  const file = dir + name;
  const read = await readTemplateFile(file);
  const checked = read.template ? validateTemplate(read.template, hasHandler ? { hasHandler } : {}) : [];
  return { file, problems: [...read.problems, ...checked] };
}

// One fixture per code: [fixture, code, line, column, severity]
const cases: [string, ProblemCode, number, number, 'error' | 'warning'][] = [
  ['unknown_dependency.yaml', 'UNKNOWN_DEPENDENCY', 6, 25, 'error'],
  ['self_dependency.yaml', 'SELF_DEPENDENCY', 5, 18, 'error'],
  ['cycle.yaml', 'CYCLE', 3, 41, 'error'],
  ['duplicate_step.yaml', 'DUPLICATE_NAME', 5, 13, 'error'],
  ['duplicate_state.yaml', 'DUPLICATE_NAME', 7, 3, 'error'],
  ['unreachable_state.yaml', 'UNREACHABLE_STATE', 6, 3, 'error'],
  ['undeclared_target.yaml', 'UNDECLARED_TARGET', 5, 71, 'error'],
  ['missing_starts_with.yaml', 'MISSING_STARTS_WITH', 1, 1, 'error'],
  ['unknown_interaction_state.yaml', 'UNKNOWN_INTERACTION_STATE', 9, 12, 'error'],
  ['decision_without_dependents.yaml', 'DECISION_WITHOUT_DEPENDENTS', 5, 11, 'error'],
  ['batch_worker_without_batchable.yaml', 'BATCH_WORKER_WITHOUT_BATCHABLE', 5, 11, 'error'],
  ['bad_duration.yaml', 'BAD_DURATION', 4, 10, 'error'],
  ['bad_schema.yaml', 'BAD_SCHEMA', 5, 23, 'error'],
  ['wrong_type.yaml', 'WRONG_TYPE', 5, 12, 'error'],
  ['bad_step_type.yaml', 'BAD_STEP_TYPE', 5, 11, 'error'],
  ['yaml_syntax.yaml', 'YAML_SYNTAX', 6, 3, 'error'],
  ['unknown_field.yaml', 'UNKNOWN_FIELD', 5, 5, 'warning'],
  ['missing_field.yaml', 'MISSING_FIELD', 3, 5, 'error'],
  ['no_result_reachable.yaml', 'NO_RESULT_REACHABLE', 6, 3, 'warning'],
  // tasker-core's own checks
  ['empty_callable.yaml', 'EMPTY_CALLABLE', 6, 14, 'error'],
  ['decision_without_dependency.yaml', 'DECISION_WITHOUT_DEPENDENCY', 6, 11, 'error'],
  ['bad_version.yaml', 'BAD_VERSION', 3, 10, 'error'],
  ['bad_namespace.yaml', 'BAD_NAMESPACE', 2, 17, 'error'],
  ['orphan_step.yaml', 'ORPHAN_STEP', 7, 13, 'warning'],
  ['composition.yaml', 'UNSUPPORTED_FEATURE', 7, 5, 'error'],
  ['bad_batch_config.yaml', 'BAD_BATCH_CONFIG', 10, 38, 'error'],
  ['bad_failure_strategy.yaml', 'WRONG_TYPE', 10, 71, 'error'],
  ['batchable_without_worker.yaml', 'BATCHABLE_WITHOUT_WORKER', 7, 11, 'error'],
  ['unknown_step_override.yaml', 'UNKNOWN_STEP', 9, 17, 'warning'],
];

describe('validation codes, one fixture each', () => {
  it.each(cases)('%s → %s at line %i', async (fixture, code, line, col, severity) => {
    const { file, problems } = await problemsOf(fixture);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code, file, line, col, severity });
    expect(problems[0]!.hint).toBeTruthy();
  });

  it('UNKNOWN_HANDLER only when a handler lookup is given', async () => {
    expect((await problemsOf('unknown_handler.yaml')).problems).toEqual([]);
    const { file, problems } = await problemsOf('unknown_handler.yaml', (n) => n === 'fetch' || n === 'store');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'UNKNOWN_HANDLER', file, line: 5, col: 14, node: 'store' });
    expect(problems[0]!.message).toContain('stroe');
  });
});

describe('messages say what is wrong', () => {
  it('names the cycle in order', async () => {
    const { problems } = await problemsOf('cycle.yaml');
    expect(problems[0]!.message).toBe('dependency cycle: a → b → c → a');
  });

  it('suggests the nearest name', async () => {
    const unknownDep = (await problemsOf('unknown_dependency.yaml')).problems[0]!;
    expect(unknownDep.message).toContain('transfrom');
    const interaction = (await problemsOf('unknown_interaction_state.yaml')).problems[0]!;
    expect(interaction.hint).toContain('waiting');
    const stepType = (await problemsOf('bad_step_type.yaml')).problems[0]!;
    expect(stepType.hint).toContain('did you mean `decision`');
    const field = (await problemsOf('unknown_field.yaml')).problems[0]!;
    expect(field.hint).toContain('depends_on');
  });

  it('a YAML syntax error is a problem with a position, never a throw', async () => {
    const { problems } = await problemsOf('yaml_syntax.yaml');
    expect(problems[0]!.message).not.toMatch(/\bat .*\.js:\d+/);
    expect(problems[0]!.message).toMatch(/Flow sequence/);
  });

  it('a JSON Schema error points at the offending keyword', async () => {
    const { problems } = await problemsOf('bad_schema.yaml');
    expect(problems[0]!.message).toContain('/properties/order_id/type');
  });
});

describe('everything at once', () => {
  it('reports every problem of a file in one pass', async () => {
    const { problems } = await problemsOf('everything.yaml');
    expect(problems.map((p) => [p.code, p.line]).sort()).toEqual(
      [
        ['BAD_SCHEMA', 3],
        ['SELF_DEPENDENCY', 5],
        ['UNKNOWN_DEPENDENCY', 6],
        ['WRONG_TYPE', 7],
        ['BAD_DURATION', 8],
        // c and d stand alone: tasker-core's ORPHAN_STEP warning
        ['ORPHAN_STEP', 7],
        ['ORPHAN_STEP', 8],
      ].sort(),
    );
    expect(problems.every((p) => p.template === 'tests/everything@1.0.0')).toBe(true);
  });
});
