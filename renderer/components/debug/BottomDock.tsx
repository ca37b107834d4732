/**
 * The panel under the canvas: tabs (Timeline, Events, Insights...), resizable by its top edge
 * (mouse or arrow keys) and collapsible; its height, open state and tab survive a reload.
 */
import { useState, type ReactNode } from 'react';
import { isBoolean, isNumber, usePersistent } from '../../lib/persist.js';
import { useWindowHeight } from '../../lib/useWide.js';

export interface DockTab {
  id: string;
  label: string;
  render: () => ReactNode;
}

/** `fill`: the dock takes the rest of its column (the home page) instead of a resizable height. */
export function BottomDock({ tabs, storageKey, fill = false }: { tabs: DockTab[]; storageKey: string; fill?: boolean }) {
  // null until the user resizes it: then their height is kept (across reloads too).
  const [height, setHeight] = usePersistent<number | null>('dock.height', null, (v): v is number | null => v === null || isNumber(v));
  const [open, setOpen] = usePersistent('dock.open', true, isBoolean);
  const [tabId, setTabId] = usePersistent(`${storageKey}.tab`, tabs[0]?.id ?? '', (v): v is string => typeof v === 'string');
  const [dragging, setDragging] = useState(false);
  const tab = tabs.find((t) => t.id === tabId) ?? tabs[0];
  const clamp = (h: number) => Math.max(120, Math.min(window.innerHeight - 220, h));
  // The default height gives way in a short window (to 30% of it), so the canvas keeps room.
  const windowHeight = useWindowHeight();
  const shownHeight = height ?? Math.min(260, Math.max(120, Math.round(windowHeight * 0.3)));
  const resize = (h: number) => setHeight(clamp(h));

  const startDrag = (e: React.PointerEvent) => {
    const y0 = e.clientY;
    const h0 = shownHeight;
    setDragging(true);
    const move = (ev: PointerEvent) => resize(h0 + (y0 - ev.clientY));
    const up = () => {
      setDragging(false);
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };

  return (
    <section className={`dock${dragging ? ' dragging' : ''}${fill ? ' fill' : ''}`} style={fill ? undefined : { height: open ? shownHeight : 32 }} aria-label="Panels" data-testid="dock">
      {open && !fill ? (
        <div
          className="resizer-h"
          role="separator"
          aria-orientation="horizontal"
          aria-label="Resize panels"
          aria-valuenow={shownHeight}
          tabIndex={0}
          onPointerDown={startDrag}
          onKeyDown={(e) => {
            if (e.key === 'ArrowUp') resize(shownHeight + 24);
            if (e.key === 'ArrowDown') resize(shownHeight - 24);
          }}
        />
      ) : null}
      <div className="dock-tabs">
        <div className="dock-tablist" role="tablist" aria-label="Panels">
        {tabs.map((t) => (
          <button
            key={t.id}
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={t.id === tab?.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={t.id === tab?.id ? 0 : -1}
            onClick={() => {
              setTabId(t.id);
              setOpen(true);
            }}
            onKeyDown={(e) => {
              const i = tabs.findIndex((x) => x.id === t.id);
              const next = e.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : e.key === 'ArrowLeft' ? tabs[(i - 1 + tabs.length) % tabs.length] : null;
              if (next) {
                setTabId(next.id);
                document.getElementById(`tab-${next.id}`)?.focus();
              }
            }}
          >
            {t.label}
          </button>
        ))}
        </div>
        <span className="spacer" />
        {!fill ? (
          <button className="icon-btn" aria-label={open ? 'Collapse panels' : 'Expand panels'} aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? '▾' : '▴'}
          </button>
        ) : null}
      </div>
      {(open || fill) && tab ? (
        <div className="dock-body" role="tabpanel" id={`panel-${tab.id}`} aria-labelledby={`tab-${tab.id}`}>
          {tab.render()}
        </div>
      ) : null}
    </section>
  );
}
