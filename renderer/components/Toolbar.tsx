/**
 * The strip above the canvas: what is shown, layout direction, and the view's actions. When the
 * canvas is narrow (the inspector open), the actions wrap as one group onto a second line
 * instead of squeezing the title; the subtitle is what gives way (it ellipsizes, full text in
 * its tooltip).
 */
import type { ReactNode } from 'react';
import type { DirectionChoice } from '../lib/readableFit.js';

interface Props {
  title: ReactNode;
  subtitle?: ReactNode;
  /** The subtitle's full text, shown as its tooltip when it is cut. */
  subtitleText?: string;
  direction: DirectionChoice;
  onDirection: (d: DirectionChoice) => void;
  children?: ReactNode;
}

export function Toolbar({ title, subtitle, subtitleText, direction, onDirection, children }: Props) {
  return (
    <div className="toolbar view-toolbar" role="toolbar" aria-label="View">
      <div className="toolbar-title">
        <h1>{title}</h1>
        {subtitle ? (
          <span className="toolbar-sub" title={subtitleText}>
            {subtitle}
          </span>
        ) : null}
      </div>
      <div className="toolbar-actions">
        <div className="seg" role="group" aria-label="Layout direction">
          <button aria-pressed={direction === 'AUTO'} onClick={() => onDirection('AUTO')} title="Whichever direction fits the canvas better">
            Auto
          </button>
          <button aria-pressed={direction === 'RIGHT'} onClick={() => onDirection('RIGHT')} title="Left to right">
            LR
          </button>
          <button aria-pressed={direction === 'DOWN'} onClick={() => onDirection('DOWN')} title="Top to bottom">
            TB
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}
