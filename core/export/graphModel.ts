/**
 * The renderer-neutral graph of a template (and of a live task): what DOT, Mermaid, SVG, JSON
 * export and the workbench canvas all draw. PURE — no node: imports, no wasm — because the
 * React renderer imports it too.
 *
 * Ordering is stable: workflow nodes in step order (dynamic workers right after the step they
 * were made from, by batch index), flow nodes in state order then interactions; edges in the
 * order their targets (workflows) or sources (flows) are declared.
 */
import type { FlowTemplate, StepType, Template, WorkflowTemplate } from '../model/template.js';
import type { FlowStateType } from '../model/template.js';
import { templateRef } from '../model/template.js';
import type { StepState, TaskStatus } from '../model/states.js';
import { assertNever } from '../model/errors.js';
import { flowEdges } from '../template/flowGraph.js';

export type GraphNodeType = StepType | FlowStateType | 'interaction';
export type GraphEdgeKind = 'dependency' | 'transition' | 'interaction' | 'timeout';
/** A node's runtime state: a step's state, or for the current flow state the flow's status. */
export type NodeRuntimeState = StepState | TaskStatus | 'visited';
export type MetaValue = string | number | boolean | string[];

export interface GraphNode {
  id: string;
  label: string;
  type: GraphNodeType;
  /** Made at run time (batch workers), not declared in the template. */
  dynamic?: boolean;
  /** Dynamic nodes: the step whose handler created them. */
  createdBy?: string;
  /** Flows: the state the flow starts in. */
  start?: boolean;
  /** Runtime graphs: the node's state (absent: no record yet). */
  state?: NodeRuntimeState;
  /** Flows: the state the flow is in now. */
  current?: boolean;
  /** Handler, retry, timeout... in a fixed key order. */
  meta: Record<string, MetaValue>;
}

export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  kind: GraphEdgeKind;
  /** The condition the edge carries (`has_email`, `not has_email`, `timeout`). */
  label?: string;
  /** 1-based rank among a decision's ordered branches: the first that matches wins. */
  order?: number;
  /** Runtime flow graphs: the task went along this edge at least once. */
  taken?: boolean;
}

export interface TemplateGraph {
  kind: Template['kind'];
  /** `namespace/name@version` */
  id: string;
  name: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Runtime graphs: the task it shows. */
  taskId?: string;
}

/** The template's graph: steps and dependencies, or states, transitions and interactions. */
export function templateGraph(template: Template): TemplateGraph {
  switch (template.kind) {
    case 'workflow':
      return workflowGraph(template);
    case 'flow':
      return flowGraph(template);
    default:
      return assertNever(template);
  }
}

function compact(meta: Record<string, MetaValue | undefined>): Record<string, MetaValue> {
  const out: Record<string, MetaValue> = {};
  for (const [k, v] of Object.entries(meta)) if (v !== undefined) out[k] = v;
  return out;
}

/** Edge ids are `kind:from->to`, with `#n` for the n-th repeat of the same pair and kind. */
export class EdgeIds {
  private readonly seen = new Map<string, number>();
  next(kind: GraphEdgeKind, from: string, to: string): string {
    const base = `${kind}:${from}->${to}`;
    const n = (this.seen.get(base) ?? 0) + 1;
    this.seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  }
}

function workflowGraph(t: WorkflowTemplate): TemplateGraph {
  const ids = new EdgeIds();
  const nodes: GraphNode[] = t.steps.map((s) => ({
    id: s.name,
    label: s.name,
    type: s.type,
    meta: compact({
      handler: s.handler?.callable,
      description: s.description,
      maxAttempts: s.retry.retryable ? s.retry.maxAttempts : 1,
      timeoutMs: s.timeoutMs,
      concurrencyKey: s.concurrency?.key,
      concurrencyLimit: s.concurrency?.limit,
      waitTimeoutMs: s.wait?.timeoutMs,
      waitDurationMs: s.wait?.durationMs,
      subtask: s.subtask?.template,
    }),
  }));
  const edges: GraphEdge[] = t.steps.flatMap((s) =>
    s.dependsOn.map((dep) => ({ id: ids.next('dependency', dep, s.name), from: dep, to: s.name, kind: 'dependency' as const })),
  );
  return { kind: 'workflow', id: templateRef(t), name: t.name, nodes, edges };
}

/** A node id for an interaction that no state name can take. */
function interactionId(name: string, taken: Set<string>): string {
  let id = `interaction:${name}`;
  while (taken.has(id)) id += "'";
  taken.add(id);
  return id;
}

const GENERATED_CONDITION = /^(not )?((.+)\.condition\.(\d+))$/;
/** Names JavaScript gives an arrow function from the property it is written in: they say nothing. */
const PROPERTY_NAMES = new Set(['', 'condition', 'when', 'anonymous']);

/**
 * An edge label that names a condition a TypeScript flow wrote inline (registered as
 * `<state>.condition.<i>`, which means nothing to a reader): the function's own name when it has
 * one (`isWeekend`), yes/no on a boolean decision's two branches, else `condition <i+1>`. PURE.
 */
export function readableCondition(t: Pick<FlowTemplate, 'states' | 'inlineHandlers'>, label: string): string {
  const m = GENERATED_CONDITION.exec(label);
  const fn = m ? t.inlineHandlers?.[m[2]!] : undefined;
  if (!m || !fn) return label;
  const not = m[1] !== undefined;
  if (/^[A-Za-z_$][\w$]*$/.test(fn.name) && !PROPERTY_NAMES.has(fn.name)) return not ? `not ${fn.name}` : fn.name;
  const state = t.states.find((s) => s.name === m[3]);
  if (state?.type === 'decision' && state.form === 'boolean') return not ? 'no' : 'yes';
  return `${not ? 'not ' : ''}condition ${Number(m[4]) + 1}`;
}

function flowGraph(t: FlowTemplate): TemplateGraph {
  const ids = new EdgeIds();
  const nodes: GraphNode[] = t.states.map((s) => ({
    id: s.name,
    label: s.name,
    type: s.type,
    ...(s.name === t.startsWith ? { start: true } : {}),
    meta: compact({
      handler: s.type === 'action' ? s.handler : undefined,
      form: s.type === 'decision' ? s.form : undefined,
      description: s.description,
      onTimeout: s.name === t.onTimeout ? true : undefined,
    }),
  }));
  const edges: GraphEdge[] = flowEdges(t).map((e) => ({
    id: ids.next(e.kind, e.from, e.to),
    from: e.from,
    to: e.to,
    kind: e.kind,
    ...(e.label !== undefined ? { label: readableCondition(t, e.label) } : {}),
    ...(e.order !== undefined ? { order: e.order } : {}),
  }));
  const taken = new Set(nodes.map((n) => n.id));
  const declared = new Set(t.states.map((s) => s.name));
  // `when: []` means any state in which the flow is still running, i.e. every non-result state.
  const running = t.states.filter((s) => s.type !== 'result').map((s) => s.name);
  for (const i of t.interactions) {
    const id = interactionId(i.name, taken);
    nodes.push({
      id,
      label: i.name,
      type: 'interaction',
      meta: compact({ handler: i.handler, description: i.description, when: i.when.length > 0 ? [...i.when] : undefined }),
    });
    const targets = i.when.length > 0 ? i.when.filter((w) => declared.has(w)) : running;
    for (const state of targets) edges.push({ id: ids.next('interaction', id, state), from: id, to: state, kind: 'interaction' });
  }
  return { kind: 'flow', id: templateRef(t), name: t.name, nodes, edges };
}
