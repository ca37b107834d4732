/** The page's polite live region: reads out what `announce()` is given (status changes, results of actions). */
import './debug.css';
import { announcements } from '../../lib/announce.js';
import { useStore } from '../../lib/useStore.js';

export function LiveRegion() {
  const { id, text } = useStore(announcements);
  return (
    <div className="sr-only" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
      {/* The key makes a repeated message a new node, so it is read again. */}
      <span key={id}>{text}</span>
    </div>
  );
}
