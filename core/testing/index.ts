/**
 * `stepwise-workflows/testing`: helpers for users' own vitest tests.
 *
 *   import { runWorkflow, testState, runStep } from 'stepwise-workflows/testing';
 *   // vitest.config.ts: test: { setupFiles: ['stepwise-workflows/testing/setup'] }  (registers the matchers)
 */
export { testState, createFlowTestEnv, type TestedFlow, type FlowTestOptions, type FlowTestEnv } from './flows.js';
export { runStep, type RunStepOptions, type StepRun } from './steps.js';
export { runWorkflow, createWorkflowTestEnv, type WorkflowTestOptions, type WorkflowTestEnv, type TestedWorkflow } from './workflows.js';
export { stepwiseMatchers, isSubset, type StepwiseMatchers, type StepExpectation } from './matchers.js';
export { createTestContext, type TestContextOptions, type HandlerSource } from './context.js';
export { loadTestWorkspace, type TestWorkspace } from './workspace.js';
export { ManualClock } from '../model/clock.js';
