/**
 * Everything the timeline draws for one task: all its transitions (read in pages of 5,000, then
 * only the new ones as events arrive) and its attempts without logs.
 */
import { useEffect, useRef, useState } from 'react';
import type { TimelineAttempt } from '../../../core/host/routes/inspectTypes.js';
import type { TransitionRecord } from '../../../core/model/runtime.js';
import { useServices } from '../../lib/context.js';
import { throttle } from '../../lib/useRpc.js';

export interface TimelineData {
  transitions: TransitionRecord[];
  attempts: TimelineAttempt[];
  loading: boolean;
  error: unknown;
}

export function useTimelineData(taskId: string): TimelineData {
  const { client, hub } = useServices();
  const [data, setData] = useState<TimelineData>({ transitions: [], attempts: [], loading: true, error: null });
  const lastSeq = useRef(0);

  useEffect(() => {
    let live = true;
    let reading = false;
    let again = false;
    lastSeq.current = 0;
    setData({ transitions: [], attempts: [], loading: true, error: null });
    const readNew = async () => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          let after = lastSeq.current;
          const added: TransitionRecord[] = [];
          for (;;) {
            const page = await client.inspect.transitions.query({ taskId, afterSeq: after, limit: 5_000 });
            added.push(...page.transitions);
            if (page.transitions.length) after = page.transitions[page.transitions.length - 1]!.seq;
            if (page.nextAfterSeq === null || !live) break;
          }
          const attempts = await client.inspect.attempts.query({ taskId });
          if (!live) return;
          lastSeq.current = after;
          setData((d) => ({ transitions: added.length ? d.transitions.concat(added) : d.transitions, attempts, loading: false, error: null }));
        } while (again && live);
      } catch (error) {
        if (live) setData((d) => ({ ...d, loading: false, error }));
      } finally {
        reading = false;
      }
    };
    void readNew();
    const later = throttle(() => void readNew(), 250);
    const sub = hub.listen(hub.lastSeq(), (e) => e.taskId === taskId && later.run());
    return () => {
      live = false;
      sub.unsubscribe();
      later.cancel();
    };
  }, [client, hub, taskId]);
  return data;
}
