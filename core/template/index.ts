/** Template loading, validation, TypeScript definitions and workspace loading. */
export { parseDuration, formatDuration, type DurationResult } from './duration.js';
export { readTemplateText, readTemplateFile, type ReadOptions, type ReadResult } from './loadTemplate.js';
export { validateTemplate, type ValidateOptions } from './validate.js';
export { applyEnvironment } from './environments.js';
export { compileSchema, schemaErrors, type CompiledSchema, type SchemaError } from '../model/jsonSchema.js';
export { makeProblem, hasErrors, sortProblems, DEFAULT_HINTS } from './problems.js';
export { toJsonSchema, isZodSchema, type SchemaLike, type Infer } from './schemaLike.js';
export { defineWorkflow, type WorkflowDefinition, type WorkflowStepDefinition } from './defineWorkflow.js';
export { defineFlow, type FlowDefinition } from './defineFlow.js';
export type { Duration } from './defineCommon.js';
export {
  action,
  decision,
  waitUntil,
  result,
  interaction,
  type ActionDef,
  type DecisionDef,
  type WaitDef,
  type ResultDef,
  type StateDef,
  type BranchDef,
  type FlowData,
  type FlowFn,
  type ConditionFn,
  type InteractionFn,
  type InteractionDefinition,
} from './flowBuilders.js';
export { defineConfig, defaultConfig, loadConfig, type StepwiseConfig } from './config.js';
export { loadWorkspace, type LoadWorkspaceOptions } from './workspace.js';
export { createTemplateRegistry, createHandlerRegistry, compareVersionsDesc } from './registry.js';
export { isTemplate } from './loadTsTemplates.js';
