/**
 * The FlowContext handed to flow code: actions (./inProcess.ts) and conditions, interaction bodies
 * and on_timeout handlers (../engine/flow/attempt.ts). A class with getters, not an object of ten
 * closures: most flow code reads `data` and nothing else, and building the closures for every call
 * (six per registration flow) cost more than the code. Each getter returns a function that needs
 * no `this`, so destructuring (`const { log, progress } = ctx`) works; where the context gets its
 * log, signal and sub-tasks from is a #private field, invisible to the handler.
 */
import type { FlowContext, HandlerLog, SubtaskSummary } from '../model/handlers.js';
import type { JsonObject } from '../model/runtime.js';
import type { SubtaskApi } from './types.js';

/** Where a context's parts come from; `log` is called once, on first use. */
export interface FlowContextSource {
  signal(): AbortSignal;
  log(): HandlerLog;
  progress?(fraction: number, message?: string): void;
  subtasks: SubtaskApi;
}

const ACTIVE: readonly string[] = ['pending', 'running', 'paused', 'waiting'];
const COMPLETE: readonly string[] = ['complete'];
const FAILED: readonly string[] = ['error'];

function byStatus(subtasks: SubtaskApi, statuses: readonly string[]): () => Promise<SubtaskSummary[]> {
  return async () => (await subtasks.list()).filter((s) => statuses.includes(s.status));
}

class SourcedFlowContext implements FlowContext {
  #source: FlowContextSource;
  #log: HandlerLog | null = null;

  constructor(
    readonly taskId: string,
    readonly state: string,
    /** The flow's data, changed in place by the handler (or replaced). */
    public data: JsonObject,
    source: FlowContextSource,
  ) {
    this.#source = source;
  }

  get signal(): AbortSignal {
    return this.#source.signal();
  }

  get log(): HandlerLog {
    return (this.#log ??= this.#source.log());
  }

  get progress(): FlowContext['progress'] {
    const source = this.#source;
    return (fraction, message) => source.progress?.(fraction, message);
  }

  get startSubtask(): FlowContext['startSubtask'] {
    const subtasks = this.#source.subtasks;
    return (template, input) => subtasks.start(template, input ?? {});
  }

  get subtasks(): FlowContext['subtasks'] {
    const subtasks = this.#source.subtasks;
    return () => subtasks.list();
  }

  get activeSubtasks(): FlowContext['activeSubtasks'] {
    return byStatus(this.#source.subtasks, ACTIVE);
  }

  get completedSubtasks(): FlowContext['completedSubtasks'] {
    return byStatus(this.#source.subtasks, COMPLETE);
  }

  get failedSubtasks(): FlowContext['failedSubtasks'] {
    return byStatus(this.#source.subtasks, FAILED);
  }
}

export function makeFlowContext(taskId: string, state: string, data: JsonObject, source: FlowContextSource): FlowContext {
  return new SourcedFlowContext(taskId, state, data, source);
}
