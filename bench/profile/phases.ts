/**
 * Classifies CPU profile samples into the engine's phases. A sample belongs to the phase of the
 * innermost frame on its stack that is a phase's entry point (rules below, first match wins per
 * frame); helpers shared by several phases (Draft.moveStep, JSON.stringify) count for the phase
 * that called them. Samples with no engine frame on the stack are `runtime` (promise jobs,
 * timers, GC), `idle` when V8 reports the process idle.
 *
 * The rules name the functions of the engine as it is; when the engine is rewritten the rules
 * are updated with it, and `unclassified` (engine code no rule names) says when they fall behind.
 */

export type Phase =
  | 'create'
  | 'setup'
  | 'claim'
  | 'plan'
  | 'dispatch'
  | 'handlerContext'
  | 'handler'
  | 'outcome'
  | 'commit'
  | 'commitSql'
  | 'publish'
  | 'follow'
  | 'read'
  | 'flowCreate'
  | 'flowRun'
  | 'flowInteraction'
  | 'flowBatch'
  | 'driver'
  | 'unclassified'
  | 'runtime'
  | 'gc'
  | 'idle';

export const PHASE_LABELS: Record<Phase, string> = {
  create: 'task creation (input validation, planning the task and its steps)',
  setup: 'opening and closing storage (migrations, optimize)',
  claim: 'claim (scheduling round, ready-step scan, planClaim, chained claims)',
  plan: 'plan machinery (TaskStore lock/queue, Draft, toChangeSet, applyToView)',
  dispatch: 'executor dispatch (executeAttempt, timers, AbortController, executor)',
  handlerContext: 'handler context (results of dependencies, structuredClone)',
  handler: 'the handler itself',
  outcome: 'outcome planning (planSuccess/planFailure, readiness, task status)',
  commit: 'commit, JavaScript side (storage.commit: version checks, encoding, copying)',
  commitSql: 'commit, inside SQLite (better-sqlite3 statements, WAL writes, checkpoints)',
  publish: 'publish (bus, diagnostics_channel)',
  follow: 'event follower (followEvents hand-over, the subscriber)',
  read: 'storage reads (getTask, getSteps, version checks outside a commit)',
  flowCreate: 'flow create (attributes validation, planCreate)',
  flowRun: 'flow state run (handler attempt, conditions, planOutcome)',
  flowInteraction: 'flow interaction (check, params validation, planInteraction)',
  flowBatch: 'flow batch (TaskBatch folding, flush)',
  driver: 'flow driver (locks, advance loop, attempt numbering)',
  unclassified: 'engine code no rule names',
  runtime: 'Node runtime (promise jobs, timers, microtasks) with no engine frame',
  gc: 'garbage collection',
  idle: 'idle (waiting)',
};

interface Rule {
  file: RegExp;
  fn: RegExp | null;
  /** null: a helper, not an entry point: the sample belongs to its caller's phase. */
  phase: Phase | null;
}

const r = (file: RegExp, fn: RegExp | null, phase: Phase | null): Rule => ({ file, fn, phase });

/** Checked in order for each frame, innermost frame first. */
const RULES: Rule[] = [
  // The benchmark's own handlers and subscribers.
  r(/bench\/lib\/stepwise\.ts$/, /^noop$/, 'handler'),
  r(/bench\/lib\/registration\.ts$/, /^(?!runRegistration)/, 'handler'),
  r(/bench\/(events\.bench|profile\/run)\.ts$/, /onEvent/, 'follow'),
  r(/core\/events\/log\.ts$/, null, 'follow'),
  r(/core\/events\/(bus|diagnostics)\.ts$/, null, 'publish'),
  // Storage.
  r(/core\/storage\/(sqlite|memory)\.ts$/, /^(commit|write|update|setParticipants)$/, 'commit'),
  r(/core\/storage\/check\.ts$/, null, 'commit'),
  r(/core\/storage\/sqlite\/codec\.ts$/, /^(encode|encodeRecord|updateSql)$/, 'commit'),
  r(/core\/storage\/(sqlite|memory)\.ts$/, /^(get|list|read|last|tasksWith|due|expired|find|count|max|heartbeats|beat)/, 'read'),
  r(/core\/storage\/(sqlite|memory)\.ts$/, /^(close|constructor|SqliteStorage|MemoryStorage|migrate)$/, 'setup'),
  r(/core\/storage\/sqlite\/migrations\.ts$/, null, 'setup'),
  // Helpers shared by reads and commits (statement cache, guard, row decoding): the caller decides.
  r(/core\/storage\//, null, null),
  // Workflow engine (core/engine/runtime/ shared with flows, core/engine/workflow/ planners).
  r(/core\/engine\/(start|ids)\.ts$/, null, 'create'),
  r(/core\/engine\/workflow\/(create|input)\.ts$/, null, 'create'),
  r(/core\/engine\/engine\.ts$/, /^(start|createEngine)$/, 'create'),
  r(/core\/engine\/workflow\/stepAttempt\.ts$/, /^contextData$/, 'handlerContext'),
  r(/core\/engine\/workflow\/outcome\.ts$/, /^planClaim$/, 'claim'),
  r(/core\/engine\/workflow\/chain\.ts$/, null, 'claim'),
  r(/core\/engine\/workflow\/steps\.ts$/, /^(launchReady|launchStep|start)$/, 'claim'),
  r(/core\/engine\/runtime\/scheduler\.ts$/, /^(launchReady|fullRound|freeSlots)$/, 'claim'),
  r(/core\/engine\/runtime\/(runUntilIdle|loop|slots)\.ts$/, null, 'claim'),
  r(/core\/engine\/workflow\/(outcome|readiness|taskStatus|stepResults)\.ts$/, null, 'outcome'),
  r(/core\/engine\/runtime\/backoff\.ts$/, null, 'outcome'),
  r(/core\/engine\/workflow\/stepAttempt\.ts$/, /^(recordEnd|commitEnd|finish)$/, 'outcome'),
  r(/core\/engine\/workflow\/stepAttempt\.ts$/, null, 'dispatch'),
  r(/core\/engine\/runtime\/(attempts|durable)\.ts$/, null, 'dispatch'),
  r(/core\/executor\//, null, 'dispatch'),
  r(/core\/limits\//, null, 'dispatch'),
  // Running maybe-synchronous steps (drive, then): the caller's phase.
  r(/core\/engine\/runtime\/maybe\.ts$/, null, null),
  r(/core\/engine\/runtime\/taskStore\.ts$/, /^view$/, 'read'),
  r(/core\/engine\/runtime\/(taskStore|draft|view|lock|commit)\.ts$/, null, 'plan'),
  r(/core\/engine\/runtime\/scheduler\.ts$/, null, 'claim'),
  r(/core\/engine\/workflow\/steps\.ts$/, null, 'claim'),
  // Flows.
  r(/core\/engine\/flow\/(attributes)\.ts$/, /applyDefaultsAndValidate/, 'flowCreate'),
  r(/core\/engine\/flow\/plan\.ts$/, /^planCreate$/, 'flowCreate'),
  r(/core\/engine\/flow\/driver\.ts$/, /^create$/, 'flowCreate'),
  r(/core\/engine\/flow\/interact\.ts$/, null, 'flowInteraction'),
  r(/core\/engine\/flow\/plan\.ts$/, /^planInteraction$/, 'flowInteraction'),
  r(/core\/engine\/flow\/batch\.ts$/, null, 'flowBatch'),
  r(/core\/engine\/flow\/(runState|attempt|select|plan|attributes|participants|abort)\.ts$/, null, 'flowRun'),
  r(/core\/engine\/flow\/runtime\.ts$/, /^commit$/, 'commit'),
  r(/core\/engine\/flow\//, null, 'driver'),
  r(/core\/template\/(flowBuilders|defineFlow)\.ts$/, null, 'flowRun'),
  r(/core\/engine\//, null, 'unclassified'),
];

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function classifyFrame(fn: string, url: string): Phase | null {
  if (!url) return null;
  const path = url.replace(/^file:\/\//, '').replace(/\?.*$/, '');
  for (const rule of RULES) {
    if (!rule.file.test(path)) continue;
    if (rule.fn && !rule.fn.test(fn)) continue;
    return rule.phase;
  }
  return null;
}

export interface PhaseTotals {
  /** Microseconds of samples per phase. */
  us: Record<Phase, number>;
  /** Self time (µs) of the busiest functions, for the findings. */
  topSelf: Array<{ fn: string; file: string; us: number; phase: Phase | 'none' }>;
  totalUs: number;
}

export function classify(profile: CpuProfile, top = 30): PhaseTotals {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const phaseOf = new Map<number, Phase>();
  const resolve = (id: number): Phase => {
    const known = phaseOf.get(id);
    if (known) return known;
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    let phase: Phase | null = null;
    if (name === '(garbage collector)') phase = 'gc';
    else if (name === '(idle)') phase = 'idle';
    else phase = classifyFrame(name, node.callFrame.url);
    if (!phase) {
      const p = parent.get(id);
      phase = p === undefined ? 'runtime' : resolve(p);
    }
    phaseOf.set(id, phase);
    return phase;
  };
  const us = Object.fromEntries(Object.keys(PHASE_LABELS).map((k) => [k, 0])) as Record<Phase, number>;
  const self = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    let phase = resolve(id);
    // A native leaf (no script) under a commit is SQLite itself working.
    if (phase === 'commit' && !byId.get(id)!.callFrame.url) phase = 'commitSql';
    us[phase] += dt;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  }
  const bySig = new Map<string, { fn: string; file: string; us: number; phase: Phase | 'none' }>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    const file = n.callFrame.url.replace(/^file:\/\/.*?\/(core|bench|node_modules)\//, '$1/');
    const sig = `${n.callFrame.functionName}@${file}:${n.callFrame.lineNumber}`;
    const entry = bySig.get(sig) ?? { fn: n.callFrame.functionName || '(anonymous)', file, us: 0, phase: resolve(id) };
    entry.us += t;
    bySig.set(sig, entry);
  }
  const topSelf = [...bySig.values()].sort((a, b) => b.us - a.us).slice(0, top);
  return { us, topSelf, totalUs: total };
}
