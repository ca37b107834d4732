/**
 * Chained claims: the commit that records a step's outcome also claims the next ready steps of
 * the same task (up to the executor's free slots), so a step costs one commit instead of two
 * (outcome, then a separate claim). Each claim is the same planClaim a scheduling round makes —
 * its own transition row and `step.started` event, in the outcome's transaction — and the
 * outcome commit is versioned like any other, so STALE and leases work unchanged.
 *
 * The chain only takes what a round would take without deciding anything a round decides on
 * storage reads: it stops at a wait step, a step with a concurrency key, a step at a breakpoint,
 * a paused task, a stopped scheduler, the driver's step budget or scope. Those are left to the
 * next scheduling round, which runs as soon as the slot frees.
 */
import { workingStatus } from '../../model/states.js';
import { consumeRelease, stepBreakpoint } from '../runtime/breakpoints.js';
import type { Draft } from '../runtime/draft.js';
import { planClaim, stepTemplateOf, type PlanEnv } from './outcome.js';
import { concurrencyLimitOf } from './concurrency.js';
import type { TaskView } from '../runtime/view.js';
import type { Slots } from '../runtime/slots.js';
import type { StepClaim } from './stepAttempt.js';

/** What the driver (runUntilIdle, the loop) allows chains to launch. */
export interface ChainPolicy {
  /** Tasks a chain may claim in (null: any). */
  scope: ReadonlySet<string> | null;
  /** How many chained launches are allowed in total (the driver's remaining step budget). */
  limit: number;
  /** Chained launches so far (the driver counts them as launched steps). */
  launched: number;
}

/** The scheduler's side of a chain: slots, running attempts, launching. */
export interface ChainHost {
  readonly slots: Slots;
  isRunning(taskId: string, step: string): boolean;
  isStopped(): boolean;
  launch(view: TaskView, claim: StepClaim, env: PlanEnv): void;
  /**
   * The end of `step` of `taskId` was committed with claims of every step of its task it left
   * ready, in its own slot: a scheduling round would find nothing new to launch for it.
   */
  covered(taskId: string, step: string): void;
}

/**
 * One outcome's chain. `plan` may run several times (a STALE replans the outcome): each run
 * drops the previous run's reservations. `launch` after the commit, `release` always (finally).
 */
export class ChainTicket {
  private claims: StepClaim[] = [];
  private open = true;
  /** The last plan claimed every ready step of the task that was not already running. */
  private exhausted = false;

  constructor(
    private readonly host: ChainHost,
    private readonly policy: ChainPolicy,
    private readonly env: PlanEnv,
    /** The step whose end this ticket's commit records. */
    private readonly ending: string,
  ) {
    host.slots.finishing += 1;
  }

  /** Plan claims on the outcome's draft (after the outcome itself was planned). */
  plan(d: Draft): void {
    this.dropClaims();
    this.exhausted = false;
    const { host, policy, env } = this;
    // Nothing recorded (the attempt was no longer ours) or nothing may start: no chain.
    if (d.isEmpty || host.isStopped() || d.task.debug.paused || workingStatus(d.task) !== 'running') return;
    // Finishing attempts are still registered as running; their slots are the ones chains reuse.
    const free = host.slots.freeForChain();
    const limit = Math.min(free, policy.limit - policy.launched);
    let left = false;
    for (const name of d.readyNames()) {
      if (host.isRunning(d.task.id, name)) continue;
      if (this.claims.length >= limit) {
        left = true;
        break;
      }
      const step = d.requireStep(name);
      const stepT = stepTemplateOf(env.template, step);
      // Decisions a scheduling round makes (waits start, concurrency counts, breakpoints pause).
      if (step.type === 'wait' || concurrencyLimitOf(env.template, step, stepT) !== null || stepBreakpoint(d.task, step) !== null) {
        left = true;
        break;
      }
      const attempt = planClaim(d, name, env);
      if (!attempt) {
        left = true;
        continue;
      }
      consumeRelease(d, step);
      this.claims.push({ name, attempt, stepT });
    }
    this.exhausted = !left;
    host.slots.reserved += this.claims.length;
  }

  /** The outcome committed: start the claimed attempts on the view the commit produced. */
  launch(view: TaskView): void {
    // Said before the launches, and before the ending attempt is let go (Attempts' onEnded).
    if (this.exhausted && this.claims.length > 0) this.host.covered(view.task.id, this.ending);
    for (const claim of this.claims) {
      this.policy.launched += 1;
      this.host.launch(view, claim, this.env);
    }
    this.dropClaims();
  }

  /** Always called at the end (finally): frees what was reserved and not launched. */
  release(): void {
    this.dropClaims();
    if (this.open) this.host.slots.finishing -= 1;
    this.open = false;
  }

  private dropClaims(): void {
    this.host.slots.release(this.claims.length);
    this.claims = [];
  }
}
