/**
 * Builds the workbench when out/ holds no successful build of the current sources, then starts one `stepwise serve` for the suite on a
 * temporary copy of the example workspace. Tests read its address from STEPWISE_E2E.
 */
import { buildWorkbench, staleBuildReason } from '../../scripts/staleBuild.mjs';
import { REPO, startServe, tempWorkspace } from './serveProcess.js';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const stale = process.env.STEPWISE_E2E_BUILD === '1' ? 'STEPWISE_E2E_BUILD=1' : staleBuildReason(REPO);
  if (stale) {
    console.log(`Building the workbench (${stale})…`);
    const status = buildWorkbench(REPO);
    if (status !== 0) throw new Error(`electron-vite build failed (exit ${status}); see its output above.`);
  }
  const ws = tempWorkspace();
  const host = await startServe({ workspace: ws.dir, db: ws.db });
  process.env.STEPWISE_E2E = JSON.stringify({ ...host.info, workspace: ws.dir });
  return async () => {
    await host.stop();
    ws.cleanup();
  };
}
