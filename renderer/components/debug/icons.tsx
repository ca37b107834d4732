/** Toolbar icons as inline SVG (system fonts lack the media-control glyphs). Decorative: aria-hidden. */
const base = { width: 12, height: 12, viewBox: '0 0 12 12', 'aria-hidden': true, focusable: false } as const;

export const PauseIcon = () => (
  <svg {...base}>
    <rect x="2" y="1.5" width="3" height="9" rx="0.6" fill="currentColor" />
    <rect x="7" y="1.5" width="3" height="9" rx="0.6" fill="currentColor" />
  </svg>
);
export const PlayIcon = () => (
  <svg {...base}>
    <path d="M2.5 1.5 L10.5 6 L2.5 10.5 Z" fill="currentColor" />
  </svg>
);
export const StepIcon = () => (
  <svg {...base}>
    <path d="M1.5 1.5 L7.5 6 L1.5 10.5 Z" fill="currentColor" />
    <rect x="8.5" y="1.5" width="2" height="9" rx="0.5" fill="currentColor" />
  </svg>
);
export const SkipIcon = () => (
  <svg {...base}>
    <path d="M1 1.5 L6 6 L1 10.5 Z M6 1.5 L11 6 L6 10.5 Z" fill="currentColor" />
  </svg>
);
export const CopyIcon = () => (
  <svg {...base}>
    <rect x="3.5" y="3.5" width="7" height="7.5" rx="1" fill="none" stroke="currentColor" strokeWidth="1.2" />
    <path d="M1.5 8.5 V1.8 Q1.5 1 2.3 1 H7.5" fill="none" stroke="currentColor" strokeWidth="1.2" />
  </svg>
);
export const CheckIcon = () => (
  <svg {...base}>
    <path d="M2 6.5 L4.8 9 L10 3" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
  </svg>
);
