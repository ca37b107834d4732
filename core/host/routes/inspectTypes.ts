/** Shapes of the debugger's read side (types only: the renderer imports them). */
import type { ErrorInfo } from '../../model/errors.js';
import type { AttemptRecord, DebugSettings, Json, JsonObject, StepRecord, TransitionRecord } from '../../model/runtime.js';
import type { StepState, TaskStatus } from '../../model/states.js';
import type { TemplateKind } from '../../model/template.js';
import type { Blocking } from '../../insights/taskGraph.js';

export interface TaskHeader {
  id: string;
  kind: TemplateKind;
  templateRef: string;
  status: TaskStatus;
  /** Pass as `expectedVersion` when applying an operation previewed at this version. */
  version: number;
  currentState: string | null;
  input: JsonObject;
  data: JsonObject;
  debug: DebugSettings;
  wakeAt: number | null;
  timeoutAt: number | null;
  error: ErrorInfo | null;
}

export interface InteractionView {
  name: string;
  /** States it may be fired in; empty: any. */
  when: string[];
  description: string | null;
  paramsSchema: Json | null;
  /** Allowed in the flow's current state. */
  enabled: boolean;
}

export interface DependencyResult {
  name: string;
  state: StepState | null;
  results: Json;
}

export interface StepInspect {
  task: TaskHeader;
  /** Null for a flow state. */
  step: StepRecord | null;
  attempts: AttemptRecord[];
  transitions: TransitionRecord[];
  dependencies: DependencyResult[];
  /** Unfinished dependencies holding the step back (direct ones and the roots to act on). */
  blocking: Blocking;
  /** Every step downstream of this one. */
  downstream: string[];
  /** Flow states: the interactions valid in this state. */
  interactions: InteractionView[];
}

export interface TaskControls {
  task: TaskHeader;
  /** Workflow steps ready to run now (what Step would run first). */
  ready: string[];
  waiting: Array<{ name: string; state: StepState; until: number | null }>;
  interactions: InteractionView[];
  /** The host's clock, to show waits relative to it. */
  now: number;
}

export interface TransitionPage {
  transitions: TransitionRecord[];
  /** Pass as `afterSeq` for the next page; null when this was the last. */
  nextAfterSeq: number | null;
}

export type TimelineAttempt = Omit<AttemptRecord, 'logs' | 'output' | 'error'> & { error: { class: string; message: string } | null };
