/**
 * A windowed list of fixed-height rows: only the rows in view (plus a few) are in the DOM, so
 * 50,000 transitions or events scroll like 50. `scrollTo` keeps a chosen row in view (the
 * scrubber's position, or the newest event when following).
 */
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

interface Props {
  count: number;
  rowHeight: number;
  renderRow: (index: number) => ReactNode;
  /** Keep this row visible whenever it changes. */
  scrollTo?: number | null;
  /** Stick to the bottom while the user has not scrolled up (live logs). */
  follow?: boolean;
  overscan?: number;
  className?: string;
  label: string;
  /** `presentation` for rows that are not a list to assistive technology (the timeline's lanes, drawn as one picture). */
  role?: 'list' | 'presentation';
  testId?: string;
  onKeyDown?: (e: React.KeyboardEvent<HTMLDivElement>) => void;
}

export function VirtualList({ count, rowHeight, renderRow, scrollTo, follow, overscan = 8, className, label, role = 'list', testId, onKeyDown }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(300);
  const atBottom = useRef(true);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const el = ref.current;
    if (!el || scrollTo === null || scrollTo === undefined || scrollTo < 0) return;
    const top = scrollTo * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
  }, [scrollTo, rowHeight]);

  useLayoutEffect(() => {
    const el = ref.current;
    if (follow && el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [count, follow]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div
        key={i}
        className="vrow"
        // Only the rows in view exist: each says where it is in the whole list.
        {...(role === 'list' ? { role: 'listitem', 'aria-setsize': count, 'aria-posinset': i + 1 } : {})}
        style={{ position: 'absolute', top: i * rowHeight, height: rowHeight, left: 0, right: 0 }}
      >
        {renderRow(i)}
      </div>,
    );
  }
  return (
    <div
      ref={ref}
      className={`vlist ${className ?? ''}`}
      role={role === 'list' ? 'list' : undefined}
      aria-label={role === 'list' ? label : undefined}
      tabIndex={0}
      data-testid={testId}
      data-count={count}
      onKeyDown={onKeyDown}
      onScroll={(e) => {
        const el = e.currentTarget;
        setScrollTop(el.scrollTop);
        atBottom.current = el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight;
      }}
    >
      <div style={{ position: 'relative', height: count * rowHeight }}>{rows}</div>
    </div>
  );
}
