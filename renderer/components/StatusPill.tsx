/** A task status or step state as colour + icon + word (never colour alone). */
import { STATE_STYLES } from '../../core/export/style.js';
import type { NodeRuntimeState } from '../../core/host/protocol.js';

export function StatusPill({ state }: { state: string }) {
  const style = STATE_STYLES[state as NodeRuntimeState] ?? STATE_STYLES.pending;
  const known = state in STATE_STYLES;
  return (
    <span className="status" data-status={state} style={{ background: style.fill, borderColor: style.stroke, color: style.stroke }}>
      {known ? style.marker : state}
    </span>
  );
}
