/** connect / disconnect for either kind: a dependency edge in a workflow, a transition in a flow. */
import { TemplateDoc } from './document.js';
import { connectStates, disconnectStates } from './flow.js';
import type { EditOptions, EditResult } from './result.js';
import { connectSteps, disconnectSteps } from './workflow.js';

/** Workflow: `to` depends on `from`. Flow: the action `from` may go to `to`. */
export function connect(text: string, from: string, to: string, options: EditOptions = {}): EditResult {
  return new TemplateDoc(text).kind === 'flow' ? connectStates(text, from, to, options) : connectSteps(text, from, to, options);
}

export function disconnect(text: string, from: string, to: string, options: EditOptions = {}): EditResult {
  return new TemplateDoc(text).kind === 'flow' ? disconnectStates(text, from, to, options) : disconnectSteps(text, from, to, options);
}
