/** Entry point of the workbench page (served by the host, or loaded by Electron). */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles.css';
import { QueryClientProvider } from '@tanstack/react-query';
import { createClient, readToken } from './lib/client.js';
import { ServicesContext } from './lib/context.js';
import { EventHub } from './lib/eventHub.js';
import { setHostLayout } from './lib/layoutClient.js';
import { createQueryClient, TRPCProvider } from './lib/trpc.js';
import { App } from './components/App.js';

// Every module of the page is evaluated by now (bench/profile/workbenchPage.ts times the phases between the marks).
performance.mark('stepwise:boot');
const root = createRoot(document.getElementById('root')!);
const token = readToken();

function message(title: string, body: string) {
  root.render(
    <div className="home">
      <h2>{title}</h2>
      <p>{body}</p>
    </div>,
  );
}

async function boot(token: string) {
  // A plain HTTP check first: a stale token gets a clear message instead of endless reconnects.
  const health = await fetch('/api/health', { headers: { Authorization: `Bearer ${token}` } }).catch(() => null);
  if (health && (health.status === 401 || health.status === 403)) {
    const body = (await health.json().catch(() => ({}))) as { message?: string };
    message('This workbench link has expired', body.message ?? 'Open the URL the host printed last.');
    return;
  }
  message('Connecting…', 'Waiting for the Stepwise host.');
  const client = createClient(token);
  // Layouts come from the host, which caches them for every window and every later open.
  setHostLayout(
    (request, signal) => client.layout.query(request, { signal }),
    (key, signal) => client.layoutByKey.query({ key }, { signal }),
  );
  const hub = new EventHub();
  // Follow events from the log's end as the page loads; views ask the hub for anything after their snapshot.
  const cursor = await client.eventCursor.query();
  performance.mark('stepwise:connected');
  hub.start(client, cursor.seq, (err) => console.error('event subscription failed', err));
  const queryClient = createQueryClient();
  root.render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={client} queryClient={queryClient}>
          <ServicesContext.Provider value={{ client, hub }}>
            <App />
          </ServicesContext.Provider>
        </TRPCProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
}

if (!token) {
  message('No access token', 'Open the workbench with the URL `stepwise serve` printed (it ends with ?token=…). The token changes every time the host starts.');
} else {
  void boot(token);
}
