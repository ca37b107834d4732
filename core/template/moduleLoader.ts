/**
 * Loads the workspace's TypeScript and JavaScript modules at run time, without a build step,
 * with jiti. `moduleCache: false` so the host can reload a module after it was edited.
 *
 * `import ... from 'stepwise-workflows'` inside a workspace module resolves to the API module the host
 * itself runs (a jiti virtual module), not to a second copy of core/index.ts: so there is one
 * `PermanentError` class, one `defineFlow`, and `instanceof` checks in the engine hold for
 * errors thrown by user handlers.
 */
import { createJiti } from 'jiti';
import { PACKAGE_NAME } from '../packageInfo.js';

export interface ModuleLoader {
  /** The module's exports (ESM namespace or CommonJS `module.exports`); throws what the module throws. */
  load(file: string): Promise<Record<string, unknown>>;
}

let api: Promise<Record<string, unknown>> | undefined;

/** The public API (core/index.ts), loaded once, lazily: core/index.ts itself re-exports this module's users. */
function stepwiseApi(): Promise<Record<string, unknown>> {
  api ??= import('../index.js') as Promise<Record<string, unknown>>;
  return api;
}

export async function createModuleLoader(): Promise<ModuleLoader> {
  const stepwise = await stepwiseApi();
  const jiti = createJiti(import.meta.url, {
    moduleCache: false,
    // The transpile cache is keyed by content hash, so it stays correct across edits.
    fsCache: true,
    interopDefault: false,
    virtualModules: { [PACKAGE_NAME]: stepwise },
  });
  return {
    async load(file) {
      const mod = await jiti.import<Record<string, unknown>>(file);
      return mod && typeof mod === 'object' ? mod : { default: mod };
    },
  };
}
