// Worker-thread entry of ./svgOffThread.ts: GraphViz (wasm) lays a DOT text out and draws it as
// SVG off the caller's event loop. GraphViz cannot be interrupted from inside, so the caller
// enforces its time budget by terminating this thread. Plain JavaScript so the thread needs no
// TypeScript loader. One DOT text in (workerData), one message out.
import { parentPort, workerData } from 'node:worker_threads';
import { instance } from '@viz-js/viz';

const viz = await instance();
const result = viz.render(workerData.dot, { format: 'svg' });
const errors = result.errors.filter((e) => e.level !== 'warning').map((e) => e.message.trim());
const output = result.status === 'success' ? result.output : '';
if (output.length > workerData.maxChars) {
  parentPort.postMessage({ ok: false, tooLong: output.length });
} else {
  parentPort.postMessage(result.status === 'success' && errors.length === 0 ? { ok: true, svg: output } : { ok: false, errors });
}
