/**
 * Builds the renderer when it is missing, then starts one `stepwise serve` for the suite on a
 * temporary copy of the example workspace. Tests read its address from STEPWISE_E2E.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO, startServe, tempWorkspace } from './serveProcess.js';

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(path.join(REPO, 'out/renderer/index.html')) || process.env.STEPWISE_E2E_BUILD === '1') {
    execFileSync('npx', ['electron-vite', 'build'], { cwd: REPO, stdio: 'inherit' });
  }
  const ws = tempWorkspace();
  const host = await startServe({ workspace: ws.dir, db: ws.db });
  process.env.STEPWISE_E2E = JSON.stringify({ ...host.info, workspace: ws.dir });
  return async () => {
    await host.stop();
    ws.cleanup();
  };
}
