/**
 * The Electron main process: owns the window, the menu and the host child process; nothing
 * else. The page it shows is the same one `stepwise serve` gives a browser, loaded from the
 * host's loopback URL with the launch token.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, Menu, session, shell } from 'electron';
import { contentSecurityPolicy, LOCKED_DOWN_POLICY } from '../core/host/csp.js';
import { exportFileName } from '../core/export/fileName.js';
import { parseRoute } from '../renderer/lib/route.js';
import { HostProcess, findNode } from './hostProcess.js';
import { buildMenu } from './menu.js';
import { isHostUrl } from './navigation.js';
import { loadSettings, saveSettings, withRecent, type Settings } from './settings.js';

const appRoot = app.getAppPath();
const cliPath = path.join(appRoot, 'bin', 'stepwise.mjs');
const settingsFile = path.join(app.getPath('userData'), 'settings.json');
let settings: Settings = loadSettings(settingsFile);
let win: BrowserWindow | null = null;
let host: HostProcess | null = null;
let workspace = '';

function workspaceFromArgs(argv: string[]): string | null {
  const i = argv.indexOf('--workspace');
  if (i >= 0 && argv[i + 1]) return path.resolve(argv[i + 1]!);
  return process.env.STEPWISE_WORKSPACE ? path.resolve(process.env.STEPWISE_WORKSPACE) : null;
}

function persist(update: (s: Settings) => Settings): void {
  settings = update(settings);
  try {
    saveSettings(settingsFile, settings);
  } catch (err) {
    console.error('could not save settings', err);
  }
}

function refreshMenu(): void {
  Menu.setApplicationMenu(
    buildMenu({
      recent: settings.recent,
      openWorkspace: () => void chooseWorkspace(),
      openRecent: (dir) => void openWorkspace(dir),
      clearRecent: () => {
        persist((s) => ({ ...s, recent: [] }));
        refreshMenu();
      },
      exportPng: () => void exportPng(),
      exportGraph: (format) => void exportGraph(format),
      restartHost: () => void openWorkspace(workspace),
      revealDatabase: () => host?.info && shell.showItemInFolder(host.info.database),
    }),
  );
}

async function chooseWorkspace(): Promise<void> {
  const result = await dialog.showOpenDialog({ title: 'Open Workspace', properties: ['openDirectory', 'createDirectory'] });
  if (!result.canceled && result.filePaths[0]) await openWorkspace(result.filePaths[0]);
}

/** (Re)starts the host on `dir` and points the window at it. */
async function openWorkspace(dir: string): Promise<void> {
  const nodePath = findNode(settings.nodePath || process.env.STEPWISE_NODE);
  if (!nodePath) {
    dialog.showErrorBox(
      'Node.js not found',
      'Stepwise runs your workspace with the system Node.js (20.19 or newer), and none was found on PATH.\n\n' +
        'Install Node.js, or set its path as "nodePath" in ' + settingsFile + ' (or the STEPWISE_NODE environment variable), then start Stepwise again.',
    );
    return;
  }
  await host?.stop();
  workspace = dir;
  host = new HostProcess({
    nodePath,
    cliPath,
    workspace: dir,
    onLog: (line) => console.log(`[host] ${line}`),
    onCrash: ({ code, signal, restarting, lastLines }) => {
      const detail = `The Stepwise host stopped (${signal ?? `exit code ${code}`}).\n\n${lastLines.slice(-12).join('\n')}`;
      if (restarting) {
        win?.setTitle('Stepwise — host restarting…');
        void dialog.showMessageBox(win!, { type: 'warning', message: 'The Stepwise host crashed and is being restarted.', detail, buttons: ['OK'] });
      } else {
        dialog.showErrorBox('The Stepwise host keeps crashing', `${detail}\n\nUse File → Restart Host after fixing the cause.`);
      }
    },
    onRestarted: (info) => {
      win?.setTitle(`Stepwise — ${path.basename(workspace)}`);
      // Same port and token: the page reconnects by itself. A new port needs a reload.
      if (win && !isHostUrl(win.webContents.getURL(), info.url)) void win.loadURL(info.openUrl);
    },
  });
  try {
    const info = await host.start();
    persist((s) => withRecent(s, dir));
    refreshMenu();
    win?.setTitle(`Stepwise — ${path.basename(dir)}`);
    await win?.loadURL(info.openUrl);
  } catch (err) {
    dialog.showErrorBox('Could not start the Stepwise host', err instanceof Error ? err.message : String(err));
  }
}

function createWindow(): BrowserWindow {
  const b = settings.bounds;
  const window = new BrowserWindow({
    ...(b.x !== undefined && b.y !== undefined ? { x: b.x, y: b.y } : {}),
    width: b.width,
    height: b.height,
    minWidth: 900,
    minHeight: 560,
    title: 'Stepwise',
    show: false,
    webPreferences: {
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      preload: path.join(path.dirname(fileURLToPath(import.meta.url)), '../preload/preload.cjs'),
    },
  });
  if (b.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  const saveBounds = () => {
    if (window.isDestroyed()) return;
    persist((s) => ({ ...s, bounds: { ...window.getNormalBounds(), maximized: window.isMaximized() } }));
  };
  window.on('close', saveBounds);
  window.on('resized', saveBounds);
  window.on('moved', saveBounds);
  // Only the host's own pages load in the window; links go to the default browser.
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:/.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (event, url) => {
    if (!isHostUrl(url, host?.info?.url)) event.preventDefault();
  });
  return window;
}

async function exportPng(): Promise<void> {
  if (!win) return;
  const image = await win.webContents.capturePage();
  const result = await dialog.showSaveDialog(win, { title: 'Export canvas as PNG', defaultPath: 'stepwise.png', filters: [{ name: 'PNG', extensions: ['png'] }] });
  if (result.canceled || !result.filePath) return;
  const { writeFile } = await import('node:fs/promises');
  await writeFile(result.filePath, image.toPNG());
}

async function exportGraph(format: 'dot' | 'svg' | 'mermaid'): Promise<void> {
  if (!win) return;
  const route = parseRoute(new URL(win.webContents.getURL()).hash);
  if (route.view !== 'template') {
    await dialog.showMessageBox(win, { type: 'info', message: 'Open a template first', detail: 'Export works on the template shown on the canvas.' });
    return;
  }
  const result = await dialog.showSaveDialog(win, { title: `Export as ${format.toUpperCase()}`, defaultPath: exportFileName({ id: route.ref }, format) });
  if (result.canceled || !result.filePath) return;
  const nodePath = findNode(settings.nodePath || process.env.STEPWISE_NODE);
  if (!nodePath) return;
  execFile(nodePath, [cliPath, 'graph', route.ref, '--workspace', workspace, '--format', format, '--out', result.filePath], (err, _out, stderr) => {
    if (err) dialog.showErrorBox('Export failed', stderr || err.message);
  });
}

app.whenReady().then(async () => {
  // Defence in depth: the host sends a CSP with its page; enforce the same one here too.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-security-policy')) {
      headers['Content-Security-Policy'] = [host?.info ? contentSecurityPolicy(host.info.port) : LOCKED_DOWN_POLICY];
    }
    callback({ responseHeaders: headers });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  win = createWindow();
  refreshMenu();
  const start = workspaceFromArgs(process.argv) ?? settings.recent[0] ?? path.join(appRoot, 'resources', 'examples');
  await openWorkspace(start);
});

app.on('window-all-closed', () => app.quit());
app.on('before-quit', (event) => {
  if (!host) return;
  event.preventDefault();
  const h = host;
  host = null;
  void h.stop().finally(() => app.quit());
});
