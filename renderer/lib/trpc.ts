/**
 * The renderer's data layer: TanStack Query caches what the host answered, keyed by procedure
 * and input (@trpc/tanstack-react-query), and the event hub keeps it live (useLiveQuery).
 * Nothing here polls: data is read once, then advanced by events or read again when an event
 * says it changed, when the workspace reloads, or after a reconnect.
 */
import { QueryClient, type Query } from '@tanstack/react-query';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { AppRouter } from '../../core/host/protocol.js';

/** What each procedure answers and takes, e.g. `Outputs['runtimeGraph']`. */
export type Outputs = inferRouterOutputs<AppRouter>;
export type Inputs = inferRouterInputs<AppRouter>;

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** Query meta: `keep` marks data a reload must not replace (the editor's open text, its undo history). */
export interface QueryMeta extends Record<string, unknown> {
  keep?: boolean;
}

/** A refusal from the host (a typed Stepwise error) is an answer: asking again changes nothing. */
function isRefusal(err: unknown): boolean {
  return typeof (err as { data?: { stepwise?: { code?: unknown } } } | null)?.data?.stepwise?.code === 'string';
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Live data is kept fresh by events; nothing goes stale by age or by a focus change.
        staleTime: Infinity,
        gcTime: 5 * 60_000,
        refetchOnWindowFocus: false,
        refetchOnReconnect: false,
        retry: (count, err) => count < 2 && !isRefusal(err),
      },
    },
  });
}

/** Everything the host may answer differently after a workspace reload or a reconnect. */
export function reloadable(query: Query): boolean {
  return (query.meta as QueryMeta | undefined)?.keep !== true;
}
