/**
 * The graph of a live task: the template's graph, grown by the dynamic steps the engine made
 * (batch workers `<worker>#<i>`) and annotated with each node's state. PURE (the renderer
 * imports it).
 *
 * A batch worker declared in the template is a prototype: once the engine has made workers
 * from it, the prototype (and any placeholder record the engine keeps of it) is replaced by its
 * workers, each wired from its creator and to whatever the prototype led to (the convergence).
 * A step with a record gets its edges from the record's runtime `dependsOn`, one without from
 * the template.
 */
import type { Template, WorkflowTemplate, FlowTemplate } from '../model/template.js';
import type { StepRecord, TaskRecord, TransitionRecord } from '../model/runtime.js';
import { EdgeIds, templateGraph, type GraphEdge, type GraphNode, type TemplateGraph } from './graphModel.js';

/** What a flow's runtime graph needs from its task: a TaskRecord fits. */
export type FlowTaskView = Pick<TaskRecord, 'id' | 'status' | 'currentState'>;

export function runtimeGraph(template: WorkflowTemplate, steps: readonly StepRecord[]): TemplateGraph;
export function runtimeGraph(
  template: FlowTemplate,
  task: FlowTaskView,
  transitions?: readonly TransitionRecord[],
): TemplateGraph;
export function runtimeGraph(
  template: Template,
  runtime: readonly StepRecord[] | FlowTaskView,
  transitions?: readonly TransitionRecord[],
): TemplateGraph;
export function runtimeGraph(
  template: Template,
  runtime: readonly StepRecord[] | FlowTaskView,
  transitions: readonly TransitionRecord[] = [],
): TemplateGraph {
  if (template.kind === 'workflow') {
    if (!Array.isArray(runtime)) throw new TypeError('runtimeGraph: a workflow needs its step records');
    return workflowRuntime(template, runtime as readonly StepRecord[]);
  }
  if (Array.isArray(runtime)) throw new TypeError('runtimeGraph: a flow needs its task record');
  return flowRuntime(template, runtime as FlowTaskView, transitions);
}

/** `worker#12` → 12; names without an index sort after indexed ones, by name. */
function batchIndex(name: string): number {
  const m = /#(\d+)$/.exec(name);
  return m ? Number(m[1]) : Number.POSITIVE_INFINITY;
}

function byBatchIndex(a: StepRecord, b: StepRecord): number {
  return batchIndex(a.name) - batchIndex(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

function workflowRuntime(template: WorkflowTemplate, steps: readonly StepRecord[]): TemplateGraph {
  const base = templateGraph(template);
  const records = new Map(steps.map((s) => [s.name, s]));
  const declared = new Set(base.nodes.map((n) => n.id));
  const dynamicOf = new Map<string, StepRecord[]>();
  const orphans: StepRecord[] = [];
  for (const s of steps) {
    if (declared.has(s.name)) continue;
    if (declared.has(s.templateStep)) {
      const list = dynamicOf.get(s.templateStep) ?? [];
      list.push(s);
      dynamicOf.set(s.templateStep, list);
    } else orphans.push(s);
  }
  // The engine may keep a placeholder record of the prototype (e.g. skipped); its workers are the truth.
  const replaced = new Set(dynamicOf.keys());
  const nodes: GraphNode[] = [];
  const dynamicNode = (s: StepRecord, proto?: GraphNode): GraphNode =>
    annotate(
      {
        id: s.name,
        label: s.name,
        type: s.type,
        dynamic: true,
        ...(s.createdBy ? { createdBy: s.createdBy } : {}),
        meta: { ...(proto?.meta ?? {}), templateStep: s.templateStep },
      },
      s,
    );
  for (const node of base.nodes) {
    const record = records.get(node.id);
    if (!replaced.has(node.id)) nodes.push(record ? annotate({ ...node, meta: { ...node.meta } }, record) : node);
    for (const s of (dynamicOf.get(node.id) ?? []).sort(byBatchIndex)) nodes.push(dynamicNode(s, node));
  }
  for (const s of orphans.sort(byBatchIndex)) nodes.push(dynamicNode(s));

  // Incoming edges: a step's runtime dependencies when it has a record, else the template's;
  // either way a replaced prototype stands for all of its workers.
  const expand = (name: string) => (replaced.has(name) ? dynamicOf.get(name)!.map((s) => s.name) : [name]);
  const pairs: Array<[string, string]> = [];
  for (const node of nodes) {
    const record = records.get(node.id);
    const froms = record
      ? [...record.dependsOn, ...(record.createdBy ? [record.createdBy] : [])]
      : base.edges.filter((e) => e.to === node.id).map((e) => e.from);
    for (const from of froms) for (const f of expand(from)) pairs.push([f, node.id]);
  }
  const position = new Map(nodes.map((n, i) => [n.id, i]));
  const unique = new Map<string, [string, string]>();
  for (const [f, t] of pairs) {
    if (position.has(f) && position.has(t)) unique.set(JSON.stringify([f, t]), [f, t]);
  }
  const ids = new EdgeIds();
  const edges: GraphEdge[] = [...unique.values()]
    .sort(([af, at], [bf, bt]) => position.get(at)! - position.get(bt)! || position.get(af)! - position.get(bf)!)
    .map(([from, to]) => ({ id: ids.next('dependency', from, to), from, to, kind: 'dependency' }));
  const taskId = steps[0]?.taskId;
  return { ...base, nodes, edges, ...(taskId ? { taskId } : {}) };
}

function annotate(node: GraphNode, s: StepRecord): GraphNode {
  node.state = s.state;
  node.meta.attempts = s.attempts;
  // A reset for retry or a rerun gives the step a new budget on top of its policy's: keep the
  // policy's number too, so the page can say where the allowance came from.
  if (typeof node.meta.maxAttempts === 'number' && node.meta.maxAttempts !== s.maxAttempts) node.meta.policyAttempts = node.meta.maxAttempts;
  node.meta.maxAttempts = s.maxAttempts;
  if (s.error) node.meta.error = s.error.message;
  return node;
}

function flowRuntime(
  template: FlowTemplate,
  task: FlowTaskView,
  transitions: readonly TransitionRecord[],
): TemplateGraph {
  const base = templateGraph(template);
  const moves = transitions.filter((t) => t.taskId === task.id && t.stepName === null && t.field === 'state');
  const visited = new Set<string>();
  for (const m of moves) {
    if (m.from !== null) visited.add(m.from);
    visited.add(m.to);
  }
  const nodes = base.nodes.map((n): GraphNode => {
    if (n.type === 'interaction') return n;
    if (n.id === task.currentState) return { ...n, current: true, state: task.status };
    return visited.has(n.id) ? { ...n, state: 'visited' } : n;
  });
  const taken = new Set(moves.filter((m) => m.from !== null).map((m) => JSON.stringify([m.from, m.to])));
  const marked = new Set<string>();
  const edges = base.edges.map((e): GraphEdge => {
    const key = JSON.stringify([e.from, e.to]);
    // Two branches may lead to the same state; the move is drawn on the first of them.
    if (e.kind === 'interaction' || !taken.has(key) || marked.has(key)) return e;
    marked.add(key);
    return { ...e, taken: true };
  });
  return { ...base, nodes, edges, taskId: task.id };
}
