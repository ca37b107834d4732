/**
 * Everything the timeline draws for one task: all its transitions and its attempts without
 * logs. The first read takes the transitions in pages of 5,000; each later read (when an event
 * of the task arrives) asks only for those after the last one it has.
 */
import { useMemo } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { TimelineAttempt, TransitionRecord } from '../../../core/host/protocol.js';
import { useTRPCClient } from '../../lib/trpc.js';
import { refetchWhen, useLiveQuery } from '../../lib/useLiveQuery.js';

export interface TimelineData {
  transitions: TransitionRecord[];
  attempts: TimelineAttempt[];
  loading: boolean;
  error: unknown;
}

interface Read {
  transitions: TransitionRecord[];
  attempts: TimelineAttempt[];
}

const EMPTY: TransitionRecord[] = [];

export function useTimelineData(taskId: string): TimelineData {
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const queryKey = useMemo(() => ['timeline', taskId], [taskId]);
  const reducer = useMemo(() => refetchWhen<Read>((e) => e.taskId === taskId), [taskId]);
  const q = useLiveQuery<Read>(
    {
      queryKey,
      queryFn: async () => {
        const had = queryClient.getQueryData<Read>(queryKey)?.transitions ?? EMPTY;
        let after = had.at(-1)?.seq ?? 0;
        const added: TransitionRecord[] = [];
        for (;;) {
          const page = await client.inspect.transitions.query({ taskId, afterSeq: after, limit: 5_000 });
          added.push(...page.transitions);
          if (page.transitions.length) after = page.transitions[page.transitions.length - 1]!.seq;
          if (page.nextAfterSeq === null) break;
        }
        const attempts = await client.inspect.attempts.query({ taskId });
        return { transitions: added.length ? had.concat(added) : had, attempts };
      },
    },
    'at-fetch',
    reducer,
    { throttleMs: 250 },
  );
  return { transitions: q.data?.transitions ?? EMPTY, attempts: q.data?.attempts ?? [], loading: q.isPending, error: q.error };
}
