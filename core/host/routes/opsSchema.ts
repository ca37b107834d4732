/**
 * The zod schema of core/ops's OpRequest: every operation the workbench may preview and apply,
 * validated before anything runs. Kept in step with core/ops/types.ts by the `satisfies` check
 * below (an op added there and missing here fails to compile).
 */
import { z } from 'zod';
import type { OpName, OpRequest } from '../../ops/index.js';

const id = z.string().min(1).max(500);
const base = { taskId: id };
const step = { ...base, step: id };
const json = z.json();
const jsonObject = z.record(z.string(), z.json());

export const opRequest = z.discriminatedUnion('op', [
  z.object({ op: z.literal('retryStep'), ...step }),
  z.object({ op: z.literal('resetForRetry'), ...step, attempts: z.number().int().min(1).max(1000).optional() }),
  z.object({ op: z.literal('markPending'), ...step, cascade: z.boolean().optional() }),
  z.object({ op: z.literal('updateResults'), ...step, results: json }),
  z.object({ op: z.literal('resolveManually'), ...step, results: json }),
  z.object({ op: z.literal('markCompleted'), ...step, results: json }),
  z.object({ op: z.literal('skipStep'), ...step }),
  z.object({ op: z.literal('rerunFromStep'), ...step, cascade: z.boolean().optional() }),
  z.object({ op: z.literal('cancelTask'), ...base }),
  z.object({ op: z.literal('wakeNow'), ...base }),
  z.object({ op: z.literal('fireInteraction'), ...base, name: id, params: jsonObject.optional() }),
  z.object({ op: z.literal('retryState'), ...base }),
  z.object({ op: z.literal('goTo'), ...base, state: id }),
  z.object({ op: z.literal('updateData'), ...base, data: jsonObject }),
  z.object({ op: z.literal('pause'), ...base }),
  z.object({ op: z.literal('continue'), ...base }),
  z.object({ op: z.literal('setBreakpoints'), ...base, names: z.array(id).max(1000) }),
  z.object({ op: z.literal('skipWait'), ...base, step: id.optional() }),
]);

/** zod's JSON types are structurally the model's; this is the one place that says so. */
export function toOpRequest(input: z.infer<typeof opRequest>): OpRequest {
  return input as OpRequest;
}

// Compile-time: every OpName has a schema member.
type SchemaOps = z.infer<typeof opRequest>['op'];
const _everyOp: Record<OpName, true> = {} as Record<SchemaOps, true> satisfies Record<OpName, true>;
void _everyOp;
