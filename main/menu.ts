/** The application menu: File (Open Workspace…, Open Recent, Export), Edit, View, Help. */
import { Menu, type MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  recent: string[];
  openWorkspace(): void;
  openRecent(dir: string): void;
  clearRecent(): void;
  exportPng(): void;
  exportGraph(format: 'dot' | 'svg' | 'mermaid'): void;
  restartHost(): void;
  revealDatabase(): void;
}

export function buildMenu(actions: MenuActions): Menu {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open Workspace…', accelerator: 'CmdOrCtrl+O', click: () => actions.openWorkspace() },
        {
          label: 'Open Recent',
          submenu: [
            ...actions.recent.map((dir): MenuItemConstructorOptions => ({ label: dir, click: () => actions.openRecent(dir) })),
            ...(actions.recent.length > 0 ? [{ type: 'separator' as const }] : []),
            { label: 'Clear Recent', enabled: actions.recent.length > 0, click: () => actions.clearRecent() },
          ],
        },
        { type: 'separator' },
        {
          label: 'Export',
          submenu: [
            { label: 'Current Template as DOT…', click: () => actions.exportGraph('dot') },
            { label: 'Current Template as SVG…', click: () => actions.exportGraph('svg') },
            { label: 'Current Template as Mermaid…', click: () => actions.exportGraph('mermaid') },
            { label: 'Canvas as PNG…', accelerator: 'CmdOrCtrl+Shift+E', click: () => actions.exportPng() },
          ],
        },
        { type: 'separator' },
        { label: 'Show Database in Folder', click: () => actions.revealDatabase() },
        { label: 'Restart Host', click: () => actions.restartHost() },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}
