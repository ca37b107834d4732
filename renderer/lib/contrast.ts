/**
 * WCAG contrast of colours, and a text colour readable on given backgrounds: the state colours
 * (core/export/style.ts, shared with DOT and Mermaid) are outline colours; drawn as text on their
 * own fill they fall just under 4.5:1, so the workbench darkens them until they read. PURE.
 */

type Rgb = [number, number, number];

function parse(hex: string): Rgb {
  const h = hex.replace('#', '');
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as Rgb;
}

function hex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
}

function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The WCAG 2 contrast ratio of two colours (1 to 21). */
export function contrast(a: string, b: string): number {
  const [la, lb] = [luminance(parse(a)), luminance(parse(b))];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** `color`, darkened in small steps until it reaches `min` against every background. */
export function readableOn(color: string, backgrounds: readonly string[], min = 4.5): string {
  let rgb = parse(color);
  for (let i = 0; i < 40; i++) {
    const candidate = hex(rgb);
    if (backgrounds.every((bg) => contrast(candidate, bg) >= min)) return candidate;
    rgb = rgb.map((v) => v * 0.94) as Rgb;
  }
  return '#000000';
}
