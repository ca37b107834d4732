/** The strip above the canvas: what is shown, layout direction, and the view's actions. */
import type { ReactNode } from 'react';
import type { Direction } from '../lib/layout.js';

interface Props {
  title: ReactNode;
  subtitle?: ReactNode;
  direction: Direction;
  onDirection: (d: Direction) => void;
  children?: ReactNode;
}

export function Toolbar({ title, subtitle, direction, onDirection, children }: Props) {
  return (
    <div className="toolbar" role="toolbar" aria-label="View">
      <h1>{title}</h1>
      {subtitle}
      <span className="spacer" />
      <div className="seg" role="group" aria-label="Layout direction">
        <button aria-pressed={direction === 'RIGHT'} onClick={() => onDirection('RIGHT')} title="Left to right">
          LR
        </button>
        <button aria-pressed={direction === 'DOWN'} onClick={() => onDirection('DOWN')} title="Top to bottom">
          TB
        </button>
      </div>
      {children}
    </div>
  );
}
