/**
 * The workbench protocol: every query, mutation and subscription the renderer may call.
 * Inputs are validated with zod before anything runs; the procedures map requests onto
 * HostServices and core's pure helpers and own no state. The renderer imports `AppRouter` as a
 * type only.
 */
import { TASK_STATUSES, type TaskStatus } from '../model/states.js';
import { tracked } from '@trpc/server';
import { z } from 'zod';
import { NotFoundError, StepwiseError } from '../model/errors.js';
import { decodeLayoutRequest } from '../export/layout.js';
import type { StepwiseEvent } from '../model/events.js';
import type { JsonObject } from '../model/runtime.js';
import { templateRef, type Template } from '../model/template.js';
import type { Workspace } from '../model/workspace.js';
import { templateGraph, type TemplateGraph } from '../export/graphModel.js';
import { runtimeGraph } from '../export/runtimeGraph.js';
import { toTaskSummary, type StepDetail, type TaskDetail, type TaskListPage, type WorkspaceChange } from './protocol.js';
import { debuggerRoutes } from './routes/index.js';
import { fromFeed } from './streams.js';
import { summarizeTemplate, summarizeTemplates, workspaceInfo } from './summaries.js';
import { searchTasks } from './taskSearch.js';
import { pageLayout } from './pageLayout.js';
import { procedure, router } from './trpc.js';

const name = z.string().min(1).max(500);
const seq = z.number().int().min(0);

/** The most nodes and edges a layout request may carry (a 20,000-step graph; larger ones are laid out in the page). */
export const MAX_LAYOUT_NODES = 20_000;
const size = z.number().finite().min(1).max(10_000);
const direction = z.enum(['RIGHT', 'DOWN']);
const layoutInput = z.object({
  direction,
  nodes: z.array(z.tuple([name, size, size, z.union([z.literal(0), z.literal(1)])])).max(MAX_LAYOUT_NODES),
  edges: z.array(z.tuple([name, z.number().int().min(0), z.number().int().min(0), z.string().max(500).nullable()])).max(MAX_LAYOUT_NODES * 8),
});

export function findTemplate(ws: Workspace, ref: string): Template {
  const found = ws.templates.find((t) => templateRef(t) === ref);
  if (!found) {
    throw new NotFoundError('Template', ref, `Known templates: ${ws.templates.map(templateRef).join(', ') || 'none'}.`);
  }
  return found;
}

/**
 * A template's graph, built once per loaded template (a reload loads new template objects):
 * opening a big template again costs no graph and no layout request (./pageLayout.ts keeps
 * those per graph). Read-only: the answer is serialized, never changed.
 */
const graphs = new WeakMap<Template, TemplateGraph>();
function graphOf(template: Template): TemplateGraph {
  let graph = graphs.get(template);
  if (!graph) graphs.set(template, (graph = templateGraph(template)));
  return graph;
}

export const appRouter = router({
  workspace: procedure.query(({ ctx }) => {
    const s = ctx.services;
    return workspaceInfo(s.workspace(), s.database, s.lastWorkspaceChange());
  }),

  templates: procedure.query(({ ctx }) => summarizeTemplates(ctx.services.workspace())),

  /** A template's graph, with its layout in `direction` when asked (./pageLayout.ts). */
  templateGraph: procedure.input(z.object({ ref: name, direction: direction.optional() })).query(({ ctx, input }) => {
    const ws = ctx.services.workspace();
    const template = findTemplate(ws, input.ref);
    const graph = graphOf(template);
    return { template: summarizeTemplate(ws, template), graph, layout: pageLayout(ctx.services.layouts, graph, input.direction) };
  }),

  tasks: procedure
    .input(
      z.object({
        templateRef: name.optional(),
        status: z.array(z.enum(TASK_STATUSES as [TaskStatus, ...TaskStatus[]])).max(TASK_STATUSES.length).optional(),
        cursor: z.string().max(200).optional(),
        limit: z.number().int().min(1).max(500).default(50),
        /** Id, short id, template, state, input or error text (see taskRows.taskMatches). */
        search: z.string().max(200).optional(),
      }),
    )
    .query(async ({ ctx, input }): Promise<TaskListPage> => {
      const query = { templateRef: input.templateRef, status: input.status };
      if (input.search?.trim()) return searchTasks(ctx.services.storage, query, input.search, input.limit);
      const page = await ctx.services.storage.listTasks({ ...query, cursor: input.cursor, limit: input.limit });
      return { tasks: page.tasks.map(toTaskSummary), nextCursor: page.nextCursor, total: page.total };
    }),

  task: procedure.input(z.object({ id: name })).query(async ({ ctx, input }): Promise<TaskDetail> => {
    const storage = ctx.services.storage;
    const task = await storage.getTask(input.id);
    if (!task) throw new NotFoundError('Task', input.id, 'It may have been deleted after it finished.');
    return { task, steps: await storage.getSteps(task.id) };
  }),

  /**
   * The task drawn live: its graph (template + dynamic steps, annotated with states), the
   * records, and the event seq read before them, so the client applies every later event;
   * with its layout in `direction` when asked (./pageLayout.ts).
   */
  runtimeGraph: procedure.input(z.object({ taskId: name, direction: direction.optional() })).query(async ({ ctx, input }) => {
    const storage = ctx.services.storage;
    const seq = await storage.lastEventSeq();
    const task = await storage.getTask(input.taskId);
    if (!task) throw new NotFoundError('Task', input.taskId, 'It may have been deleted after it finished.');
    const template = ctx.services.workspace().templates.find((t) => templateRef(t) === task.templateRef);
    if (!template) {
      throw new NotFoundError('Template', task.templateRef, 'The task was started from a template this workspace no longer has.');
    }
    const steps = task.kind === 'workflow' ? await storage.getSteps(task.id) : [];
    const graph =
      template.kind === 'workflow'
        ? runtimeGraph(template, steps)
        : runtimeGraph(template, task, await storage.listTransitions(task.id, { stepName: null }));
    const layout = pageLayout(ctx.services.layouts, graph, input.direction);
    return { seq, task, steps, graph, layout, template: summarizeTemplate(ctx.services.workspace(), template) };
  }),

  /**
   * The layout of a graph the page is about to draw (core/export/layout.ts, compact form), from
   * the host's cache or computed by ELK in the host's layout thread and cached: every client and
   * every later open of the same graph gets it without an ELK run.
   */
  layout: procedure.input(layoutInput).query(async ({ ctx, input }) => {
    const layouts = ctx.services.layouts;
    if (!layouts) throw new StepwiseError('USAGE', 'This host lays nothing out; the page lays the graph out itself.');
    const request = decodeLayoutRequest(input);
    if (!request) throw new StepwiseError('INPUT_INVALID', 'A layout edge names a node index the request does not have.');
    const outcome = await layouts.layout(request);
    return { result: outcome.result, source: outcome.source, key: outcome.key, elkMs: outcome.elkMs, warning: outcome.warning };
  }),

  /**
   * ELK's layout of a graph the host sent with a quick layout (./pageLayout.ts `key`): waits for
   * the run the host started then. NOT_FOUND when the host has neither it nor a run (it
   * restarted): the page asks `layout` with the whole request.
   */
  layoutByKey: procedure.input(z.object({ key: z.string().min(1).max(100) })).query(async ({ ctx, input }) => {
    const pending = ctx.services.layouts?.byKey(input.key);
    if (!pending) throw new NotFoundError('Layout', input.key, 'Ask for it with the whole request (layout).');
    const outcome = await pending;
    return { result: outcome.result, source: outcome.source, key: outcome.key, elkMs: outcome.elkMs, warning: outcome.warning };
  }),

  stepDetail: procedure
    .input(z.object({ taskId: name, stepName: name }))
    .query(async ({ ctx, input }): Promise<StepDetail> => {
      const storage = ctx.services.storage;
      const task = await storage.getTask(input.taskId);
      if (!task) throw new NotFoundError('Task', input.taskId);
      const [step, attempts, transitions] = await Promise.all([
        task.kind === 'workflow' ? storage.getStep(task.id, input.stepName) : Promise.resolve(null),
        storage.listAttempts(task.id, input.stepName),
        storage.listTransitions(task.id, task.kind === 'workflow' ? { stepName: input.stepName } : {}),
      ]);
      if (task.kind === 'workflow' && !step) throw new NotFoundError('Step', `${input.taskId}/${input.stepName}`);
      return { step, attempts, transitions };
    }),

  /** The end of the event log now: where a fresh page starts following. */
  eventCursor: procedure.query(async ({ ctx }) => ({ seq: await ctx.services.storage.lastEventSeq() })),

  events: procedure
    .input(z.object({ afterSeq: seq.default(0), limit: z.number().int().min(1).max(1000).default(200), taskId: name.optional() }))
    .query(({ ctx, input }) =>
      ctx.services.storage.readEvents(input.afterSeq, input.limit, input.taskId ? { taskId: input.taskId } : undefined),
    ),

  startTask: procedure
    .input(z.object({ ref: name, input: z.record(z.string(), z.json()).default({}) }))
    .mutation(async ({ ctx, input }) => {
      findTemplate(ctx.services.workspace(), input.ref);
      return toTaskSummary(await ctx.services.startTask(input.ref, input.input as JsonObject));
    }),

  /**
   * Every event after a cursor, then live. Each is `tracked` by its seq, so a client that
   * reconnects sends the last seq it saw as `lastEventId` and resumes right after it.
   * Without a cursor, starts at the current end of the log (live only).
   */
  onEvents: procedure
    .input(z.object({ fromSeq: seq.optional(), taskId: name.optional(), lastEventId: z.string().regex(/^\d+$/).nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      const s = ctx.services;
      const from = input.lastEventId ? Number(input.lastEventId) : (input.fromSeq ?? (await s.storage.lastEventSeq()));
      const events = fromFeed<StepwiseEvent>((push) => s.followEvents(from, push), signal);
      for await (const event of events) {
        if (input.taskId === undefined || event.taskId === input.taskId) yield tracked(String(event.seq), event);
      }
    }),

  onWorkspaceChanged: procedure.subscription(async function* ({ ctx, signal }) {
    yield* fromFeed<WorkspaceChange>((push) => ctx.services.onWorkspaceChanged(push), signal);
  }),

  // Issue 7 (debugger): ops, debug, inspect, insights, edit, export — see routes/.
  ...debuggerRoutes,
});

export type AppRouter = typeof appRouter;
