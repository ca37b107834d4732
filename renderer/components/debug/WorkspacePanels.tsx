/** The home view's panels: workspace insights and the live event log of every task. */
import { BottomDock } from './BottomDock.js';
import { EventLog } from './EventLog.js';
import { InsightsPanel } from './InsightsPanel.js';

export function WorkspacePanels({ onOpenTask }: { onOpenTask: (id: string) => void }) {
  return (
    <div className="workspace-panels">
      <BottomDock
        storageKey="home-dock"
        fill
        tabs={[
          { id: 'insights', label: 'Insights', render: () => <InsightsPanel onOpenTask={onOpenTask} /> },
          { id: 'events', label: 'Events', render: () => <EventLog onOpenTask={onOpenTask} /> },
        ]}
      />
    </div>
  );
}
