// Worker-thread entry of the host's layout service (./layoutService.ts): runs ELK off the host's
// event loop. Plain JavaScript so the thread needs no TypeScript loader. One message in
// ({ id, graph }: an ELK graph built by core/export/layout.ts), one out per request.
import { parentPort } from 'node:worker_threads';
import ELK from 'elkjs/lib/elk.bundled.js';

const elk = new ELK();

parentPort.on('message', async ({ id, graph }) => {
  const started = performance.now();
  try {
    const laid = await elk.layout(graph);
    parentPort.postMessage({ id, ok: true, laid, ms: performance.now() - started });
  } catch (err) {
    parentPort.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
