/**
 * Reads the properties of one step (or flow state) from the YAML text being edited, for the
 * editor's side form: the text is the truth (the host applies every edit to it). PURE.
 */
import { parse } from 'yaml';

export interface StepFields {
  name: string;
  type: string;
  handler: string;
  description: string;
  dependsOn: string[];
  retry: { retryable?: boolean; max_attempts?: number; backoff?: string; backoff_base_ms?: number } | null;
  timeoutSeconds: number | null;
  timeout: string | null;
  concurrency: { key?: string; limit?: number } | null;
  /** Flow states: where an action goes, a decision's condition and branches, a wait's conditions. */
  flow: FlowStateFields | null;
}

export interface FlowStateFields {
  goTo: string;
  condition: string;
  ifTrue: string;
  ifFalse: string;
  conditions: WaitCondition[];
}

export interface WaitCondition {
  condition: string;
  go_to: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

export function readStepFields(text: string, name: string): StepFields | null {
  let doc: unknown;
  try {
    doc = parse(text, { uniqueKeys: false });
  } catch {
    return null;
  }
  if (!isObj(doc)) return null;
  if (Array.isArray(doc.steps)) {
    const step = doc.steps.find((s): s is Obj => isObj(s) && s.name === name);
    if (!step) return null;
    const handler = isObj(step.handler) ? str(step.handler.callable) : str(step.handler);
    const deps = step.depends_on ?? step.dependencies;
    return {
      name,
      type: str(step.type ?? step.step_type) || 'standard',
      handler,
      description: str(step.description),
      dependsOn: Array.isArray(deps) ? deps.map(str) : typeof deps === 'string' ? [deps] : [],
      retry: isObj(step.retry) ? (step.retry as StepFields['retry']) : null,
      timeoutSeconds: typeof step.timeout_seconds === 'number' ? step.timeout_seconds : null,
      timeout: step.timeout !== undefined ? str(step.timeout) : null,
      concurrency: isObj(step.concurrency) ? (step.concurrency as StepFields['concurrency']) : null,
      flow: null,
    };
  }
  if (isObj(doc.states) && isObj(doc.states[name])) {
    const state = doc.states[name] as Obj;
    return {
      name,
      type: str(state.type),
      handler: str(state.handler),
      description: str(state.description),
      dependsOn: [],
      retry: null,
      timeoutSeconds: null,
      timeout: null,
      concurrency: null,
      flow: {
        goTo: str(state.go_to),
        condition: str(state.condition),
        ifTrue: str(state.if_true),
        ifFalse: str(state.if_false),
        conditions: Array.isArray(state.conditions) ? state.conditions.filter(isObj).map((c) => ({ condition: str(c.condition), go_to: str(c.go_to) })) : [],
      },
    };
  }
  return null;
}
