/** A task status or step state as colour + icon + word (never colour alone). */
import { STATE_STYLES, type StateStyle } from '../../core/export/style.js';
import type { NodeRuntimeState } from '../../core/host/protocol.js';
import { readableOn } from '../lib/contrast.js';

const textColors = new Map<string, string>();

/** The state's outline colour, darkened where needed to read at 4.5:1 on its own fill. */
export function stateTextColor(style: StateStyle): string {
  let color = textColors.get(style.stroke + style.fill);
  if (!color) {
    color = readableOn(style.stroke, [style.fill]);
    textColors.set(style.stroke + style.fill, color);
  }
  return color;
}

export function StatusPill({ state }: { state: string }) {
  const style = STATE_STYLES[state as NodeRuntimeState] ?? STATE_STYLES.pending;
  const known = state in STATE_STYLES;
  return (
    <span className="status" data-status={state} style={{ background: style.fill, borderColor: style.stroke, color: stateTextColor(style) }}>
      {known ? style.marker : state}
    </span>
  );
}
