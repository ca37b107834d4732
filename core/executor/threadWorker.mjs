// Worker-thread entry for the `threads` executor. Plain JavaScript so the worker needs no loader;
// jiti then loads the TypeScript task runner and the user's handler modules.
import { createJiti } from 'jiti';

const jiti = createJiti(import.meta.url);
const { runHandlerTask } = await jiti.import('./threadTask.ts');

export default runHandlerTask;
