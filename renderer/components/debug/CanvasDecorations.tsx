/**
 * Marks on the canvas that belong to the debugger: breakpoints (a red dot on the node), what
 * holds the selected step back and what depends on it (outlines), and history mode. Drawn with
 * a scoped style sheet keyed by node id, so the canvas components stay as they are.
 */
interface Props {
  breakpoints: readonly string[];
  blocking: readonly string[];
  downstream: readonly string[];
}

const sel = (id: string) => `.canvas-wrap .react-flow__node[data-id="${CSS.escape(id)}"]`;

export function CanvasDecorations({ breakpoints, blocking, downstream }: Props) {
  const rules: string[] = [];
  for (const id of breakpoints) rules.push(`${sel(id)}::before{content:'';position:absolute;left:-7px;top:-7px;width:12px;height:12px;border-radius:50%;background:#dc2626;box-shadow:0 0 0 2px #fff;z-index:3}`);
  for (const id of blocking) rules.push(`${sel(id)} .node svg.shape .outline{stroke:#ea580c;stroke-width:3.5;stroke-dasharray:none}`);
  for (const id of downstream) rules.push(`${sel(id)} .node svg.shape .outline{stroke:#7c3aed;stroke-width:2.5;stroke-dasharray:6 3}`);
  return <style data-testid="canvas-decorations">{rules.join('\n')}</style>;
}
