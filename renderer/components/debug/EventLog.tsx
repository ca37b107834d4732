/**
 * The live event log: the last 1,000 events from the host, then every new one as it arrives,
 * filterable by text and kind (and to one task). Windowed, and capped at 20,000 rows kept.
 */
import { useMemo, useState } from 'react';
import { shortTaskId, type StepwiseEvent } from '../../../core/host/protocol.js';
import { useServices } from '../../lib/context.js';
import { useLiveQuery, type LiveReducer } from '../../lib/useLiveQuery.js';
import { clock, shortJson } from '../../lib/format.js';
import { eventMove } from '../../lib/statusWords.js';
import { VirtualList } from './VirtualList.js';

const KEEP = 20_000;
const KINDS = ['all', 'task', 'step', 'flow', 'interaction', 'debug', 'op'] as const;
type Kind = (typeof KINDS)[number];

interface Props {
  /** Scope to this task by default (the user can widen it). */
  taskId?: string;
  onOpenTask?: (id: string) => void;
}

function kindOf(e: StepwiseEvent): Kind {
  const head = e.type.split('.')[0] as Kind;
  return (KINDS as readonly string[]).includes(head) ? head : 'all';
}

/**
 * One line about an event. A task's end events name the status it ended in (the event types
 * `task.completed` / `task.failed` are the documented names; the status words are today's), and
 * status moves from history written before the one vocabulary are shown in today's words.
 */
function summary(e: StepwiseEvent): string {
  const p = e.payload as Record<string, unknown>;
  const end = e.type === 'task.completed' ? 'complete · ' : e.type === 'task.failed' ? 'error · ' : e.type === 'task.cancelled' ? 'cancelled · ' : '';
  if ('error' in p && p.error && typeof p.error === 'object') return `${end}${(p.error as { class?: string }).class ?? 'Error'}: ${(p.error as { message?: string }).message ?? ''}`;
  const move = 'from' in p ? eventMove(e) : null;
  if (move !== null) return move;
  if ('reason' in p && typeof p.reason === 'string') return `${end}${p.reason}`;
  if (e.type === 'task.completed') return `${end}result ${shortJson(p.result, 100)}`;
  return `${end}${shortJson(p, 120)}`;
}

const NO_EVENTS: StepwiseEvent[] = [];

/** New events appended (those of the scope only, each once), the oldest dropped past KEEP. */
function eventLogReducer(scope: string | undefined): LiveReducer<StepwiseEvent[], StepwiseEvent[]> {
  return {
    init: (events) => events,
    apply: (list, e) => {
      if ((scope !== undefined && e.taskId !== scope) || e.seq <= (list.at(-1)?.seq ?? 0)) return list;
      const next = list.length >= KEEP ? list.slice(list.length - KEEP + 1) : list.slice();
      next.push(e);
      return next;
    },
  };
}

export function EventLog({ taskId, onOpenTask }: Props) {
  const { client, hub } = useServices();
  const [text, setText] = useState('');
  const [kind, setKind] = useState<Kind>('all');
  const [thisTask, setThisTask] = useState(taskId !== undefined);
  const [follow, setFollow] = useState(true);
  const scope = thisTask ? taskId : undefined;
  const reducer = useMemo(() => eventLogReducer(scope), [scope]);
  // The last 1,000 events before the read (of the scope), then every new one.
  const log = useLiveQuery<StepwiseEvent[], StepwiseEvent[]>(
    { queryKey: ['eventLog', scope ?? null], queryFn: () => client.events.query({ afterSeq: Math.max(0, hub.lastSeq() - 1000), limit: 1000, ...(scope ? { taskId: scope } : {}) }), gcTime: 0 },
    'at-fetch',
    reducer,
  );
  const events = log.data ?? NO_EVENTS;

  const shown = useMemo(() => {
    const needle = text.trim().toLowerCase();
    if (!needle && kind === 'all') return events;
    return events.filter((e) => (kind === 'all' || kindOf(e) === kind) && (!needle || `${e.type} ${e.stepName ?? ''} ${e.taskId} ${summary(e)}`.toLowerCase().includes(needle)));
  }, [events, text, kind]);

  return (
    <div className="eventlog" data-testid="event-log">
      <div className="panel-filters">
        <input type="search" placeholder="Filter events (type, step, task, text)" aria-label="Filter events" value={text} onChange={(e) => setText(e.target.value)} />
        <select aria-label="Event kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k === 'all' ? 'all kinds' : k}
            </option>
          ))}
        </select>
        {taskId ? (
          <label className="check">
            <input type="checkbox" checked={thisTask} onChange={(e) => setThisTask(e.target.checked)} /> this task only
          </label>
        ) : null}
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> follow
        </label>
        <span className="muted count">
          {shown.length === events.length ? `${events.length} events` : `${shown.length} of ${events.length}`}
        </span>
      </div>
      <VirtualList
        className="event-list"
        count={shown.length}
        rowHeight={22}
        follow={follow}
        label="Events"
        renderRow={(i) => {
          const e = shown[i]!;
          return (
            <div className="erow" data-type={e.type}>
              <span className="mono muted">{clock(e.at)}</span>
              <span className={`etype k-${kindOf(e)}`}>{e.type}</span>
              {scope === undefined ? (
                <button className="link mono" onClick={() => onOpenTask?.(e.taskId)} title={e.taskId}>
                  {shortTaskId(e.taskId)}
                </button>
              ) : null}
              <span className="mono estep">{e.stepName ?? ''}</span>
              <span className="esum" title={summary(e)}>
                {summary(e)}
              </span>
            </div>
          );
        }}
      />
    </div>
  );
}
