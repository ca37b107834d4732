/**
 * Editing YAML templates while keeping the file as its author wrote it: every edit takes the
 * template text and returns the new text (changed only where the edit applies) with the problems
 * of the result. Undo/redo: keep the texts. Saving: saveTemplate refuses a file changed on disk.
 * See docs/editing.md.
 */
export { TemplateEditError, type EditRefusal } from './errors.js';
export { templateProblems, type EditOptions, type EditResult } from './result.js';
export { addStep, removeStep, renameStep, connectSteps, disconnectSteps, setStepProperty, STEP_PROPERTIES, type NewStep } from './workflow.js';
export { addState, removeState, renameState, connectStates, disconnectStates, setStateProperty, STATE_PROPERTIES, type NewState } from './flow.js';
export { connect, disconnect } from './edges.js';
export { readTemplateForEdit, saveTemplate, hashText, hashBytes, type TemplateSnapshot, type SaveExpectation } from './save.js';
