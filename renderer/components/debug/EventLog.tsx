/**
 * The live event log: the last 1,000 events from the host, then every new one as it arrives,
 * filterable by text and kind (and to one task). Windowed, and capped at 20,000 rows kept.
 */
import { useEffect, useMemo, useState } from 'react';
import type { StepwiseEvent } from '../../../core/model/events.js';
import { useServices } from '../../lib/context.js';
import { clock, shortJson } from '../../lib/format.js';
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

function summary(e: StepwiseEvent): string {
  const p = e.payload as Record<string, unknown>;
  if ('error' in p && p.error && typeof p.error === 'object') return `${(p.error as { class?: string }).class ?? 'Error'}: ${(p.error as { message?: string }).message ?? ''}`;
  if ('from' in p && 'to' in p) return `${String(p.from ?? '∅')} → ${String(p.to)}`;
  if ('reason' in p && typeof p.reason === 'string') return p.reason;
  return shortJson(p, 120);
}

export function EventLog({ taskId, onOpenTask }: Props) {
  const { client, hub } = useServices();
  const [events, setEvents] = useState<StepwiseEvent[]>([]);
  const [text, setText] = useState('');
  const [kind, setKind] = useState<Kind>('all');
  const [thisTask, setThisTask] = useState(taskId !== undefined);
  const [follow, setFollow] = useState(true);
  const scope = thisTask ? taskId : undefined;

  useEffect(() => {
    let live = true;
    const start = hub.lastSeq();
    const pending: StepwiseEvent[] = [];
    let loaded = false;
    const push = (e: StepwiseEvent) => {
      if (scope !== undefined && e.taskId !== scope) return;
      if (!loaded) return void pending.push(e);
      setEvents((list) => {
        const next = list.length >= KEEP ? list.slice(list.length - KEEP + 1) : list.slice();
        next.push(e);
        return next;
      });
    };
    setEvents([]);
    const sub = hub.listen(start, push);
    client.events.query({ afterSeq: Math.max(0, start - 1000), limit: 1000, ...(scope ? { taskId: scope } : {}) }).then(
      (older) => {
        if (!live) return;
        loaded = true;
        setEvents([...older.filter((e) => e.seq <= start), ...pending]);
      },
      () => {
        loaded = true;
        if (live) setEvents([...pending]);
      },
    );
    return () => {
      live = false;
      sub.unsubscribe();
    };
  }, [client, hub, scope]);

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
                  {e.taskId.slice(0, 8)}
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
