/**
 * The task over time: a lane per step (or flow state) with its attempts (or the flow's stays in
 * it) as bars, the transition list beside it (windowed: 50,000 rows scroll smoothly), and a
 * scrubber. Idle stretches are cut out of the axis (lib/timeScale; marked ≈). Moving the scrubber (slider, arrow keys, a click on a row or a lane) picks a past
 * transition; the canvas then shows the task as it was (the view asks core/ops stateAt), until
 * "Back to live". Zoom (the −/+ buttons, Ctrl+wheel over the lanes, or +/− and ←/→ with the
 * lanes focused) widens the axis up to 64×, around the scrubbed point or the pointer; ←/→ and
 * Shift+wheel pan.
 */
import { useEffect, useEffectEvent, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { NodeRuntimeState, TransitionRecord } from '../../../core/host/protocol.js';
import { STATE_STYLES } from '../../../core/export/style.js';
import { readableOn } from '../../lib/contrast.js';
import { clock, duration } from '../../lib/format.js';
import { transitionMove } from '../../lib/statusWords.js';
import { idleCutScale, placeAxisMarks } from '../../lib/timeScale.js';
import type { TimelineData } from './useTimelineData.js';
import { VirtualList } from './VirtualList.js';

interface Props {
  kind: 'workflow' | 'flow';
  /** Lane order: the graph's nodes. */
  lanes: string[];
  data: TimelineData;
  /** Index into data.transitions shown on the canvas; null: live. */
  cursor: number | null;
  onCursor: (index: number | null) => void;
}

const ROW = 22;
/** The axis text is 10.5 px monospace: about this wide per character; the ≈ mark this wide. */
const AXIS_CHAR_W = 6.4;
const GAP_GLYPH_W = 8;
const MAX_ZOOM = 64;
/** Keeps a zoomed view inside the axis: `offset` px of the `plotW × zoom` wide axis are scrolled past. */
const clampOffset = (offset: number, plotW: number, zoom: number) => Math.max(0, Math.min(plotW * (zoom - 1), offset));
const LANE = 20;
const LABEL_W = 150;

const OUTCOME_COLOR: Record<string, string> = {
  success: '#16a34a',
  error: '#dc2626',
  timeout: '#d97706',
  cancelled: '#6b7280',
  interrupted: '#a855f7',
  running: '#2563eb',
};

interface Bar {
  lane: string;
  start: number;
  end: number;
  color: string;
  title: string;
}

function describe(t: TransitionRecord): string {
  const what = t.stepName ?? (t.field === 'state' ? 'flow' : 'task');
  const { from, to } = transitionMove(t);
  return `${what} ${t.field === 'state' || t.field === 'status' ? '' : t.field + ' '}${from} → ${to}`;
}

/** Index of the last transition at or before `at` (binary search; transitions are in seq = time order). */
function indexAtTime(transitions: readonly TransitionRecord[], at: number): number {
  let lo = 0;
  let hi = transitions.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (transitions[mid]!.at <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export function Timeline({ kind, lanes, data, cursor, onCursor }: Props) {
  const { transitions, attempts } = data;
  const n = transitions.length;
  const position = cursor ?? n - 1;
  const chartRef = useRef<HTMLDivElement>(null);
  const [chartWidth, setChartWidth] = useState(600);
  useLayoutEffect(() => {
    const el = chartRef.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setChartWidth(el.clientWidth));
    observer.observe(el);
    setChartWidth(el.clientWidth);
    return () => observer.disconnect();
  }, []);

  const [now, setNow] = useState(() => Date.now());
  const running = attempts.some((a) => a.outcome === null);
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [running]);

  const bars = useMemo((): Bar[] => {
    if (kind === 'workflow') {
      return attempts.map((a) => {
        const outcome = a.outcome ?? 'running';
        const end = a.finishedAt ?? now;
        return {
          lane: a.stepName,
          start: a.startedAt,
          end,
          color: OUTCOME_COLOR[outcome] ?? '#6b7280',
          title: `${a.stepName} #${a.number} ${outcome} · ${duration(end - a.startedAt)}${a.error ? `\n${a.error.class}: ${a.error.message}` : ''}`,
        };
      });
    }
    // Flows: how long the flow stayed in each state.
    const out: Bar[] = [];
    let current: { name: string; since: number } | null = null;
    for (const t of transitions) {
      if (t.stepName !== null || t.field !== 'state') continue;
      if (current) out.push({ lane: current.name, start: current.since, end: t.at, color: '#15803d', title: `${current.name} · ${duration(t.at - current.since)}` });
      current = { name: t.to, since: t.at };
    }
    if (current) {
      const end = Math.max(current.since, transitions[n - 1]?.at ?? current.since);
      out.push({ lane: current.name, start: current.since, end, color: '#2563eb', title: `${current.name} (current)` });
    }
    return out;
  }, [kind, attempts, transitions, now, n]);

  const t0 = Math.min(transitions[0]?.at ?? now, ...bars.slice(0, 1).map((b) => b.start));
  const t1 = Math.max(transitions[n - 1]?.at ?? t0, running ? now : 0, t0 + 1);
  const plotW = Math.max(50, chartWidth - LABEL_W - 12);
  // Idle stretches (long waits, retry backoffs) are cut to narrow breaks so short attempts stay visible.
  const scale = useMemo(
    () => idleCutScale([...bars.map((b) => [b.start, b.end] as const), ...transitions.map((t) => [t.at, t.at] as const)], t0, t1, plotW),
    [bars, transitions, t0, t1, plotW],
  );
  const [view, setView] = useState({ zoom: 1, offset: 0 });
  const zoom = view.zoom;
  const offset = clampOffset(view.offset, plotW, zoom);
  const x = (t: number) => LABEL_W + scale.x(t) * zoom - offset;
  /** Time at `px` from the plot's left edge, as the view is zoomed now. */
  const timeAt = (px: number) => scale.t((px + offset) / zoom);
  const byLane = useMemo(() => {
    const m = new Map<string, Bar[]>();
    for (const b of bars) m.set(b.lane, [...(m.get(b.lane) ?? []), b]);
    return m;
  }, [bars]);
  const laneNames = useMemo(() => [...lanes, ...[...byLane.keys()].filter((l) => !lanes.includes(l))], [lanes, byLane]);
  const cursorT = n > 0 ? transitions[Math.max(0, position)]!.at : null;
  const selected = n > 0 && position >= 0 ? transitions[position]! : null;

  const onChartClick = (e: React.MouseEvent<HTMLDivElement>) => {
    if (n === 0) return;
    const rect = e.currentTarget.getBoundingClientRect();
    const px = e.clientX - rect.left - LABEL_W;
    if (px < 0) return;
    onCursor(indexAtTime(transitions, timeAt(px)));
  };

  /** Zoom by `factor`, keeping the time under `atPx` (default: the scrubbed point, else the middle) where it is. */
  const zoomBy = (factor: number, atPx?: number) => {
    const next = Math.max(1, Math.min(MAX_ZOOM, zoom * factor));
    if (next === zoom) return;
    const anchor = atPx ?? (cursorT !== null && x(cursorT) >= LABEL_W && x(cursorT) <= LABEL_W + plotW ? x(cursorT) - LABEL_W : plotW / 2);
    const world = (anchor + offset) / zoom;
    setView({ zoom: next, offset: clampOffset(world * next - anchor, plotW, next) });
  };
  const pan = (px: number) => setView({ zoom, offset: clampOffset(offset + px, plotW, zoom) });
  // Wheel listeners must be non-passive to keep Ctrl+wheel from zooming the page.
  const onWheel = useEffectEvent((e: WheelEvent) => {
    const rect = chartRef.current!.getBoundingClientRect();
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault();
      zoomBy(e.deltaY < 0 ? 1.5 : 1 / 1.5, Math.max(0, e.clientX - rect.left - LABEL_W));
    } else if (zoom > 1 && (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY))) {
      e.preventDefault();
      pan(e.shiftKey ? e.deltaY : e.deltaX);
    }
  });
  useEffect(() => {
    const el = chartRef.current;
    if (!el) return;
    const listener = (e: WheelEvent) => onWheel(e);
    el.addEventListener('wheel', listener, { passive: false });
    return () => el.removeEventListener('wheel', listener);
  }, []);
  const onLanesKey = (e: React.KeyboardEvent<HTMLDivElement>) => {
    const actions: Record<string, () => void> = {
      '+': () => zoomBy(2),
      '=': () => zoomBy(2),
      '-': () => zoomBy(0.5),
      '0': () => setView({ zoom: 1, offset: 0 }),
      ArrowLeft: () => pan(-plotW / 4),
      ArrowRight: () => pan(plotW / 4),
    };
    const act = actions[e.key];
    if (!act) return;
    e.preventDefault();
    act();
  };

  // The axis: the start time, a ≈ per cut idle stretch in view, the span on the right; a mark
  // that would overlap the text or another mark (zoomed in, breaks crowd the ends) is left out.
  const axis = (() => {
    const startText = clock(zoom > 1 ? timeAt(0) : t0);
    const endText = zoom > 1 ? `${duration(timeAt(plotW) - timeAt(0))} shown` : `+${duration(t1 - t0)}`;
    const startSpan: [number, number] = [LABEL_W, LABEL_W + startText.length * AXIS_CHAR_W];
    const endSpan: [number, number] = [chartWidth - 8 - endText.length * AXIS_CHAR_W, chartWidth - 8];
    const showEnd = endSpan[0] > startSpan[1] + 8;
    const inView = scale.breaks.map((b) => ({ ...b, x: LABEL_W + b.px * zoom - offset })).filter((b) => b.x >= LABEL_W && b.x <= LABEL_W + plotW);
    const kept = placeAxisMarks(inView.map((b) => b.x), GAP_GLYPH_W, showEnd ? [startSpan, endSpan] : [startSpan]);
    return { startText, endText: showEnd ? endText : null, gaps: kept.map((i) => inView[i]!) };
  })();

  const step = (delta: number) => n > 0 && onCursor(Math.max(0, Math.min(n - 1, position + delta)));

  return (
    <div className="timeline" data-testid="timeline" data-history={String(cursor !== null)}>
      <div className="timeline-bar">
        <button className="btn sm" onClick={() => step(-1)} disabled={n === 0 || position <= 0} aria-label="Previous transition">
          ◀
        </button>
        <button className="btn sm" onClick={() => step(1)} disabled={n === 0 || position >= n - 1} aria-label="Next transition">
          ▶
        </button>
        <input
          type="range"
          className="scrubber"
          aria-label="Timeline position"
          min={0}
          max={Math.max(0, n - 1)}
          value={Math.max(0, position)}
          disabled={n === 0}
          aria-valuetext={selected ? `transition ${position + 1} of ${n}: ${describe(selected)}` : 'no transitions'}
          onChange={(e) => {
            const i = Number(e.target.value);
            onCursor(cursor === null && i === n - 1 ? null : i);
          }}
          data-testid="scrubber"
        />
        <span className="timeline-pos mono" data-testid="timeline-position">
          {selected ? `${position + 1}/${n} · ${clock(selected.at)} · ${describe(selected)}` : data.loading ? 'loading…' : 'no transitions yet'}
        </span>
        <span className="timeline-zoom" role="group" aria-label="Timeline zoom">
          <button className="btn sm" onClick={() => zoomBy(0.5)} disabled={zoom <= 1} aria-label="Zoom timeline out" title="Zoom out (−, Ctrl+wheel)">
            −
          </button>
          <span className="mono muted" data-testid="timeline-zoom" aria-live="polite">
            {zoom < 10 ? zoom.toFixed(zoom % 1 === 0 ? 0 : 1) : Math.round(zoom)}×
          </span>
          <button className="btn sm" onClick={() => zoomBy(2)} disabled={zoom >= MAX_ZOOM} aria-label="Zoom timeline in" title="Zoom in (+, Ctrl+wheel)">
            +
          </button>
          <button className="btn sm nowrap" onClick={() => setView({ zoom: 1, offset: 0 })} disabled={zoom <= 1} title="Show the whole task (0)">
            Whole task
          </button>
        </span>
        {cursor !== null ? (
          <button className="btn sm primary" onClick={() => onCursor(null)}>
            Back to live
          </button>
        ) : (
          <span className="live-badge">● live</span>
        )}
      </div>
      <div className="timeline-body">
        {/* Focusable for the zoom keys; the scrubber and the transition list carry the content for assistive tools. */}
        <div
          className="lanes"
          ref={chartRef}
          onClick={onChartClick}
          onKeyDown={onLanesKey}
          tabIndex={0}
          data-zoom={zoom}
          aria-label={`${kind === 'flow' ? 'Time in each state' : 'Attempts per step over time'}, zoom ${Math.round(zoom * 10) / 10}×: + and − zoom, arrow keys pan, 0 shows the whole task`}
          role="group"
        >
          <VirtualList
            count={laneNames.length}
            rowHeight={LANE}
            label="Lanes"
            role="presentation"
            renderRow={(i) => {
              const lane = laneNames[i]!;
              return (
                <div className="lane" data-lane={lane}>
                  <span className="lane-label" title={lane}>
                    {lane}
                  </span>
                  <svg className="lane-svg" width={chartWidth} height={LANE}>
                    <clipPath id={`lane-clip-${i}`}>
                      <rect x={LABEL_W} y={0} width={plotW} height={LANE} />
                    </clipPath>
                    <g clipPath={`url(#lane-clip-${i})`}>
                    {(byLane.get(lane) ?? []).map((b, j) => (
                      <rect key={j} x={x(b.start)} y={4} width={Math.max(2, x(b.end) - x(b.start))} height={LANE - 8} rx={2} fill={b.color}>
                        <title>{b.title}</title>
                      </rect>
                    ))}
                    {scale.breaks.map((b) => (
                      <line key={`break-${b.from}`} className="time-break" x1={LABEL_W + b.px * zoom - offset} x2={LABEL_W + b.px * zoom - offset} y1={0} y2={LANE} />
                    ))}
                    {cursorT !== null ? <line x1={x(cursorT)} x2={x(cursorT)} y1={0} y2={LANE} className={`cursor${cursor !== null ? ' history' : ''}`} /> : null}
                    </g>
                  </svg>
                </div>
              );
            }}
          />
          <div className="axis mono">
            <span style={{ left: LABEL_W }}>{axis.startText}</span>
            {axis.gaps.map((b) => (
              <span key={`gap-${b.from}`} className="time-gap" style={{ left: b.x - GAP_GLYPH_W / 2 }} title={`${duration(b.to - b.from)} with nothing running, cut out (${clock(b.from)} → ${clock(b.to)})`}>
                ≈
              </span>
            ))}
            {axis.endText !== null ? (
              <span style={{ right: 8 }} title={clock(zoom > 1 ? timeAt(plotW) : t1)}>
                {axis.endText}
              </span>
            ) : null}
          </div>
        </div>
        <VirtualList
          className="transition-list"
          count={n}
          rowHeight={ROW}
          label="Transitions"
          testId="transition-list"
          scrollTo={position}
          onKeyDown={(e) => {
            const move = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : e.key === 'End' ? null : 0;
            if (move === 0) return;
            e.preventDefault();
            if (move === null) onCursor(null);
            else step(move);
          }}
          renderRow={(i) => {
            const t = transitions[i]!;
            const move = transitionMove(t);
            const to = move.to as NodeRuntimeState;
            // State colours as text, readable on the row (white) and on the current row's tint.
            const stroke = t.field === 'state' || t.field === 'status' ? (STATE_STYLES[to]?.stroke ?? '#374151') : '#4b5563';
            const color = readableOn(stroke, ['#ffffff', '#e8efff']);
            return (
              <button className={`trow${i === position ? ' current' : ''}${i > position ? ' future' : ''}`} onClick={() => onCursor(i === n - 1 ? null : i)} data-seq={t.seq} tabIndex={-1}>
                <span className="mono muted">{clock(t.at)}</span>
                <span className="trow-what">{t.stepName ?? (t.field === 'state' ? 'flow' : 'task')}</span>
                <span className="mono" style={{ color }}>
                  {t.field !== 'state' && t.field !== 'status' ? `${t.field} ` : ''}
                  {move.from} → {move.to}
                </span>
                <span className={`actor ${t.actor}`}>{t.actor}</span>
                <span className="muted trow-reason">{t.reason}</span>
              </button>
            );
          }}
        />
      </div>
    </div>
  );
}
