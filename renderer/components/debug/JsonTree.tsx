/**
 * A JSON value as a collapsed tree that expands on demand: only opened levels are rendered,
 * long arrays and objects show 100 entries at a time, long strings are cut until asked, so a
 * multi-megabyte result stays responsive. Keyboard: every toggle is a button.
 */
import { memo, useState } from 'react';

const PAGE = 100;
const MAX_STRING = 400;

type Entry = [key: string, value: unknown];

function entriesOf(value: object): Entry[] {
  return Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
}

function summary(value: unknown): string {
  if (Array.isArray(value)) return `[ ${value.length} item${value.length === 1 ? '' : 's'} ]`;
  if (value && typeof value === 'object') {
    const n = Object.keys(value).length;
    return `{ ${n} key${n === 1 ? '' : 's'} }`;
  }
  return '';
}

function Scalar({ value }: { value: unknown }) {
  const [full, setFull] = useState(false);
  if (typeof value === 'string') {
    const cut = !full && value.length > MAX_STRING;
    return (
      <span className="jt-string">
        "{cut ? value.slice(0, MAX_STRING) : value}"
        {cut ? (
          <button className="jt-more" onClick={() => setFull(true)}>
            … {value.length - MAX_STRING} more chars
          </button>
        ) : null}
      </span>
    );
  }
  if (value === null) return <span className="jt-null">null</span>;
  if (typeof value === 'number') return <span className="jt-number">{String(value)}</span>;
  if (typeof value === 'boolean') return <span className="jt-bool">{String(value)}</span>;
  return <span className="jt-null">{String(value)}</span>;
}

const Node = memo(function Node({ name, value, depth, open: initiallyOpen }: { name: string | null; value: unknown; depth: number; open: boolean }) {
  const [open, setOpen] = useState(initiallyOpen);
  const [shown, setShown] = useState(PAGE);
  const composite = value !== null && typeof value === 'object';
  const label = name !== null ? <span className="jt-key">{name}:</span> : null;
  if (!composite) {
    return (
      <div className="jt-row" style={{ paddingLeft: depth * 12 + 14 }}>
        {label} <Scalar value={value} />
      </div>
    );
  }
  const entries = open ? entriesOf(value) : [];
  const empty = Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
  return (
    <>
      <div className="jt-row" style={{ paddingLeft: depth * 12 }}>
        <button className="jt-toggle" aria-expanded={open} disabled={empty} onClick={() => setOpen(!open)} aria-label={`${open ? 'Collapse' : 'Expand'} ${name ?? 'value'}`}>
          {empty ? ' ' : open ? '▾' : '▸'}
        </button>
        {label} <span className="jt-summary">{empty ? (Array.isArray(value) ? '[]' : '{}') : summary(value)}</span>
      </div>
      {entries.slice(0, shown).map(([k, v]) => (
        <Node key={k} name={k} value={v} depth={depth + 1} open={false} />
      ))}
      {open && entries.length > shown ? (
        <div className="jt-row" style={{ paddingLeft: (depth + 1) * 12 + 14 }}>
          <button className="jt-more" onClick={() => setShown(shown + PAGE)}>
            show {Math.min(PAGE, entries.length - shown)} more of {entries.length - shown}
          </button>
        </div>
      ) : null}
    </>
  );
});

export function JsonTree({ value, label }: { value: unknown; label?: string }) {
  if (value === undefined) return <div className="jt empty">—</div>;
  return (
    <div className="jt" role="group" aria-label={label ?? 'JSON value'}>
      <Node name={null} value={value} depth={0} open={true} />
    </div>
  );
}
