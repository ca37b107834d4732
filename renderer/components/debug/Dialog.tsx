/**
 * A modal dialog: focus moves in on open and back to what opened it on close (or, when that is
 * gone or disabled, to the view's heading), Escape closes, Tab and Shift+Tab cycle inside. While
 * a button in it is pressed, the dialog does not shrink: an error that clears on the blur the
 * press causes would otherwise pull the button away from under the pointer and lose the click.
 * Used by the start task, operation, interaction, bulk and editor dialogs.
 */
import { useEffect, useRef, type ReactNode } from 'react';

interface Props {
  title: ReactNode;
  /** Accessible name when the title is not plain text. */
  label: string;
  onClose: () => void;
  children: ReactNode;
  footer: ReactNode;
  wide?: boolean;
  testId?: string;
}

const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]';

/** The elements Tab reaches inside `root`, in order. */
export function tabbables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => el.tabIndex >= 0 && !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0 && !el.closest('[inert], [hidden]'),
  );
}

/** Where focus goes when the element that opened a dialog cannot take it back. */
function fallbackFocus(): void {
  const heading = document.querySelector<HTMLElement>('main h1');
  if (heading) {
    if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

export function Dialog({ title, label, onClose, children, footer, wide, testId }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const root = ref.current;
    const first = root?.querySelector<HTMLElement>('[data-autofocus]') ?? (root ? tabbables(root).find((el) => !el.classList.contains('icon-btn')) : undefined);
    first?.focus();
    return () => {
      // After the dialog is gone (its own elements cannot hold focus any more).
      requestAnimationFrame(() => {
        if (document.activeElement && document.activeElement !== document.body && document.contains(document.activeElement)) return;
        if (before && document.contains(before) && !(before as HTMLButtonElement).disabled) before.focus();
        else fallbackFocus();
      });
    };
  }, []);
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
      return;
    }
    if (e.key !== 'Tab' || !ref.current) return;
    const focusable = tabbables(ref.current);
    if (focusable.length === 0) return;
    const first = focusable[0]!;
    const last = focusable[focusable.length - 1]!;
    const at = focusable.indexOf(document.activeElement as HTMLElement);
    if (e.shiftKey && (at <= 0)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (at === -1 || at === focusable.length - 1)) {
      e.preventDefault();
      first.focus();
    }
  };
  // Hold the dialog's height while the pointer is down on it (see the comment at the top).
  const onPointerDown = () => {
    const el = ref.current;
    if (!el) return;
    el.style.minHeight = `${el.getBoundingClientRect().height}px`;
    const release = () => {
      window.removeEventListener('pointerup', release, true);
      window.removeEventListener('pointercancel', release, true);
      // After the click event that follows pointerup.
      setTimeout(() => {
        if (ref.current) ref.current.style.minHeight = '';
      }, 0);
    };
    window.addEventListener('pointerup', release, true);
    window.addEventListener('pointercancel', release, true);
  };
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`dialog${wide ? ' wide' : ''}`} role="dialog" aria-modal="true" aria-label={label} ref={ref} onKeyDown={onKeyDown} onPointerDownCapture={onPointerDown} data-testid={testId}>
        <div className="dialog-head">
          <h2>{title}</h2>
          <button className="icon-btn" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        <div className="dialog-body">{children}</div>
        <div className="dialog-foot">{footer}</div>
      </div>
    </div>
  );
}
