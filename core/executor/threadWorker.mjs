// Worker-thread entry for the `threads` executor. Plain JavaScript so the worker needs no loader:
// in the built package the task runner is compiled JavaScript next to this file (dist/); in a
// checkout, jiti loads its TypeScript source. Either way jiti then loads the user's handlers.
import { existsSync } from 'node:fs';

const compiled = new URL('./threadTask.js', import.meta.url);
const { runHandlerTask } = existsSync(compiled)
  ? await import(compiled.href)
  : await (await import('jiti')).createJiti(import.meta.url).import('./threadTask.ts');

export default runHandlerTask;
