/**
 * The tRPC instance of the workbench protocol: context, error shape, base procedure.
 *
 * Errors reach the client typed: a StepwiseError thrown by the engine becomes the matching tRPC
 * code (NOT_FOUND, BAD_REQUEST, CONFLICT, ...) and its stable Stepwise `code` and `details` are
 * in `error.data.stepwise`; protocol-level failures (malformed JSON, unknown procedure, input that
 * fails its zod schema) carry `stepwise.code = 'PROTOCOL_ERROR'` or `'INPUT_INVALID'`.
 */
import { initTRPC, TRPCError, type TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { StepwiseError, type ErrorCode } from '../model/errors.js';
import type { HostServices } from './services.js';

export interface HostContext {
  services: HostServices;
}

export interface StepwiseErrorData {
  code: ErrorCode;
  details: Record<string, unknown>;
  /** zod issues when the request input did not match the procedure's schema. */
  issues?: Array<{ path: Array<string | number>; message: string }>;
}

const TRPC_CODE_OF: Partial<Record<ErrorCode, TRPC_ERROR_CODE_KEY>> = {
  NOT_FOUND: 'NOT_FOUND',
  TEMPLATE_NOT_FOUND: 'NOT_FOUND',
  HANDLER_NOT_FOUND: 'NOT_FOUND',
  INPUT_INVALID: 'BAD_REQUEST',
  TEMPLATE_INVALID: 'UNPROCESSABLE_CONTENT',
  USAGE: 'BAD_REQUEST',
  GRAPH_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  TIMEOUT: 'TIMEOUT',
  CANCELLED: 'CLIENT_CLOSED_REQUEST',
  PROTOCOL_ERROR: 'BAD_REQUEST',
  STALE: 'CONFLICT',
  INVALID_STATE: 'PRECONDITION_FAILED',
  CONFIRMATION_REQUIRED: 'PRECONDITION_FAILED',
  UNAUTHORIZED: 'UNAUTHORIZED',
};

export function trpcCodeFor(code: ErrorCode): TRPC_ERROR_CODE_KEY {
  return TRPC_CODE_OF[code] ?? 'INTERNAL_SERVER_ERROR';
}

function issuesOf(cause: unknown): StepwiseErrorData['issues'] {
  const issues = (cause as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) return undefined;
  return issues.map((i: { path?: Array<string | number | { key: string | number }>; message?: string }) => ({
    path: (i.path ?? []).map((p) => (typeof p === 'object' ? p.key : p)),
    message: String(i.message ?? 'invalid'),
  }));
}

export function stepwiseDataOf(error: TRPCError): StepwiseErrorData {
  const cause = error.cause;
  if (cause instanceof StepwiseError) return { code: cause.code, details: cause.details };
  const issues = issuesOf(cause);
  if (issues) return { code: 'INPUT_INVALID', details: {}, issues };
  if (error.code === 'INTERNAL_SERVER_ERROR') return { code: 'STORAGE_ERROR', details: {} };
  return { code: 'PROTOCOL_ERROR', details: {} };
}

const t = initTRPC.context<HostContext>().create({
  // Stacks stay in the host's log; clients get the code, message and details.
  isDev: false,
  errorFormatter({ shape, error }) {
    return { ...shape, data: { ...shape.data, stack: undefined, stepwise: stepwiseDataOf(error) } };
  },
});

/** Rethrows a StepwiseError as the tRPC error of the same meaning (keeps it as the cause). */
const stepwiseErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof StepwiseError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: trpcCodeFor(cause.code), message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const procedure = t.procedure.use(stepwiseErrors);
export const createCallerFactory = t.createCallerFactory;
