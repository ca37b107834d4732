/**
 * Export of the template or task on screen as DOT, SVG, PNG or Mermaid (runtime colours
 * included for tasks). DOT, SVG and Mermaid come from the host (DOT exactly as `stepwise graph
 * --direction` prints it); PNG is the SVG drawn on a canvas. Ctrl+Shift+E (⌘⇧E) opens the menu.
 */
import { useEffect, useRef, useState } from 'react';
import { announce } from '../../lib/announce.js';
import { errorText, useServices } from '../../lib/context.js';
import { downloadBlob, downloadText, svgToPng } from '../../lib/download.js';
import type { Direction } from '../../lib/layout.js';

type Format = 'dot' | 'svg' | 'png' | 'mermaid';
const ITEMS: Array<{ format: Format; label: string; hint: string }> = [
  { format: 'dot', label: 'DOT (GraphViz)', hint: '.dot' },
  { format: 'svg', label: 'SVG', hint: '.svg' },
  { format: 'png', label: 'PNG', hint: '.png' },
  { format: 'mermaid', label: 'Mermaid', hint: '.mmd' },
];
const MIME: Record<Exclude<Format, 'png'>, string> = { dot: 'text/vnd.graphviz', svg: 'image/svg+xml', mermaid: 'text/plain' };

interface Props {
  source: { ref: string } | { taskId: string };
  direction: Direction;
}

export function ExportMenu({ source, direction }: Props) {
  const { client } = useServices();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'e') {
        e.preventDefault();
        setOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    if (!open) return;
    menuRef.current?.querySelector<HTMLElement>('[role=menuitem]')?.focus();
    const onDown = (e: MouseEvent) => {
      if (!menuRef.current?.contains(e.target as Node) && e.target !== buttonRef.current) setOpen(false);
    };
    window.addEventListener('mousedown', onDown);
    return () => window.removeEventListener('mousedown', onDown);
  }, [open]);

  const run = async (format: Format) => {
    setOpen(false);
    setBusy(true);
    setError(null);
    const rankdir = direction === 'DOWN' ? 'TB' : 'LR';
    try {
      const wire = format === 'png' ? 'svg' : format;
      const out = await client.export.graph.query({ ...source, format: wire, direction: rankdir });
      if (format === 'png') downloadBlob(await svgToPng(out.text), out.filename.replace(/\.svg$/, '.png'));
      else downloadText(out.text, out.filename, MIME[format]);
      announce(`Exported ${format.toUpperCase()}.`);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
      buttonRef.current?.focus();
    }
  };

  const onMenuKey = (e: React.KeyboardEvent) => {
    const items = [...(menuRef.current?.querySelectorAll<HTMLElement>('[role=menuitem]') ?? [])];
    const i = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      items[(i + 1) % items.length]?.focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      items[(i - 1 + items.length) % items.length]?.focus();
    } else if (e.key === 'Escape') {
      setOpen(false);
      buttonRef.current?.focus();
    }
  };

  return (
    <span className="menu-wrap">
      <button ref={buttonRef} className="btn" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)} title="Export the graph (Ctrl+Shift+E)" disabled={busy}>
        {busy ? 'Exporting…' : 'Export'} <span aria-hidden="true">▾</span>
      </button>
      {open ? (
        <div className="menu" role="menu" aria-label="Export as" ref={menuRef} onKeyDown={onMenuKey}>
          {ITEMS.map((item) => (
            <button key={item.format} role="menuitem" tabIndex={-1} onClick={() => void run(item.format)}>
              <span>{item.label}</span>
              <span className="muted">{item.hint}</span>
            </button>
          ))}
          <div className="menu-note">same as stepwise graph --direction {direction === 'DOWN' ? 'TB' : 'LR'}</div>
        </div>
      ) : null}
      {error ? (
        <span className="inline-error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}
