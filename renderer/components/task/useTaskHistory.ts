/**
 * The task view's history: the timeline's transitions and attempts, the scrubber's position,
 * and the task as it was at that position (core/ops stateAt) turned into the picture the
 * canvas, the header and the inspector draw instead of the live one.
 */
import { useMemo, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { liveAt, type InspectorHistory } from '../../lib/history.js';
import type { LiveState } from '../../lib/liveState.js';
import { useTRPC } from '../../lib/trpc.js';
import { useSettled } from '../../lib/useSettled.js';
import { useTimelineData, type TimelineData } from '../debug/useTimelineData.js';

export interface TaskHistory {
  timeline: TimelineData;
  /** Index into timeline.transitions shown instead of the live task; null: live. */
  cursor: number | null;
  setCursor: (index: number | null) => void;
  /** What the canvas draws: the past at the cursor (once read), else the live state. */
  shown: LiveState | undefined;
  /** The status in the header while scrubbing. */
  header: { status: string; index: number } | null;
  /** The selected node as it was at the cursor (the inspector's history mode). */
  inspectorFor: (selected: string | null) => InspectorHistory | null;
}

export function useTaskHistory(taskId: string, live: LiveState | undefined): TaskHistory {
  const trpc = useTRPC();
  const timeline = useTimelineData(taskId);
  const [cursor, setCursor] = useState<number | null>(null);
  const cursorSeq = cursor !== null ? (timeline.transitions[cursor]?.seq ?? null) : null;
  const seq = useSettled(cursorSeq, 40);
  const pastQuery = useQuery({
    ...trpc.inspect.stateAt.queryOptions({ taskId, seq: seq ?? 0 }),
    enabled: seq !== null,
    placeholderData: keepPreviousData,
  });
  const transitions = timeline.transitions;
  const pastAt = cursor !== null && seq !== null ? pastQuery.data : undefined;
  const shown = useMemo(() => (!live || cursor === null || !pastAt ? live : liveAt(live, pastAt, transitions.slice(0, cursor + 1))), [live, cursor, pastAt, transitions]);
  const header = cursor !== null && pastAt && shown ? { status: shown.status, index: cursor } : null;
  const inspectorFor = (selected: string | null): InspectorHistory | null => {
    if (cursor === null || seq === null || !pastAt || !shown || !selected) return null;
    return { seq, at: pastAt.at, index: cursor, total: transitions.length, node: shown.nodes[selected] ?? null, data: pastAt.data };
  };
  return { timeline, cursor, setCursor, shown, header, inspectorFor };
}
