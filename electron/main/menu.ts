import type { MenuItemConstructorOptions } from 'electron';
import { APP_NAME } from './document.js';
import type { MenuAction, RecentFile } from '../../contract/studio-api.js';

/**
 * The application menu as data. File commands that touch the document (open,
 * save) go to the renderer, which knows about unsaved work and holds the engine
 * connection; Reload Engine, Open Recent's Clear and About are handled in main.
 * Every item has an `id` so tests (and Menu.getMenuItemById) can find it.
 */

export interface MenuHandlers {
  /** Forward a command to the renderer. */
  send(action: MenuAction): void;
  reloadEngine(): void;
  clearRecent(): void;
  about(): void;
  /** A dialog listing the keyboard shortcuts of this menu. */
  shortcuts(): void;
}

export interface MenuContext {
  platform: NodeJS.Platform;
  recent: readonly RecentFile[];
  /** DevTools and reload only while developing. */
  devTools: boolean;
  handlers: MenuHandlers;
}

export function buildMenuTemplate(ctx: MenuContext): MenuItemConstructorOptions[] {
  const mac = ctx.platform === 'darwin';
  const { handlers } = ctx;

  const recentItems: MenuItemConstructorOptions[] = ctx.recent.map((file, i) => ({
    id: `open-recent-${i}`,
    label: `${file.name}${file.kind === 'model' ? '' : ' (data)'}`,
    toolTip: file.path,
    click: () => handlers.send({ type: 'open-path', file: { kind: file.kind, path: file.path, name: file.name } }),
  }));

  // The formats of File › Export Model (renderer/src/lib/export-model.ts converts; main only forwards the choice).
  const EXPORT_MENU = [
    { format: 'onnx', label: '&ONNX (.onnx)…' },
    { format: 'npz', label: '&NumPy (.npz)…' },
    { format: 'pytorch', label: '&PyTorch Project (.zip)…' },
  ] as const;
  const file: MenuItemConstructorOptions = {
    id: 'file',
    label: '&File',
    submenu: [
      { id: 'new-model', label: '&New Model', accelerator: 'CmdOrCtrl+N', click: () => handlers.send({ type: 'new-model' }) },
      { type: 'separator' },
      { id: 'open-data', label: 'Open &Data…', accelerator: 'CmdOrCtrl+O', click: () => handlers.send({ type: 'open-data' }) },
      {
        id: 'open-model',
        label: 'Open &Model…',
        accelerator: 'CmdOrCtrl+Shift+O',
        click: () => handlers.send({ type: 'open-model' }),
      },
      {
        id: 'open-recent',
        label: 'Open &Recent',
        submenu: [
          ...(recentItems.length > 0 ? recentItems : [{ id: 'open-recent-none', label: 'No recent files', enabled: false }]),
          { type: 'separator' },
          { id: 'clear-recent', label: 'Clear Menu', enabled: recentItems.length > 0, click: () => handlers.clearRecent() },
        ],
      },
      { type: 'separator' },
      { id: 'save-model', label: '&Save Model', accelerator: 'CmdOrCtrl+S', click: () => handlers.send({ type: 'save-model' }) },
      {
        id: 'save-model-as',
        label: 'Save Model &As…',
        accelerator: 'CmdOrCtrl+Shift+S',
        click: () => handlers.send({ type: 'save-model-as' }),
      },
      {
        id: 'export-model',
        label: '&Export Model',
        submenu: EXPORT_MENU.map(({ format, label }) => ({ id: `export-model-${format}`, label, click: () => handlers.send({ type: 'export-model', format }) })),
      },
      ...(mac
        ? [{ type: 'separator' as const }, { id: 'close-window', role: 'close' as const }]
        : [{ type: 'separator' as const }, { id: 'quit', label: 'E&xit', accelerator: 'Ctrl+Q', role: 'quit' as const }]),
    ],
  };

  const edit: MenuItemConstructorOptions = {
    id: 'edit',
    label: '&Edit',
    // Text fields (learning rate, units) need these roles for copy/paste shortcuts on macOS.
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };

  const engine: MenuItemConstructorOptions = {
    id: 'engine',
    label: 'E&ngine',
    submenu: [
      {
        id: 'reload-engine',
        label: '&Reload Engine',
        accelerator: 'CmdOrCtrl+Shift+R',
        click: () => handlers.reloadEngine(),
      },
    ],
  };

  const view: MenuItemConstructorOptions = {
    id: 'view',
    label: '&View',
    submenu: [
      ...(ctx.devTools
        ? [{ role: 'reload' as const }, { role: 'toggleDevTools' as const }, { type: 'separator' as const }]
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };

  const windowMenu: MenuItemConstructorOptions = { id: 'window', role: 'windowMenu' };

  const about: MenuItemConstructorOptions = { id: 'about', label: `&About ${APP_NAME}`, click: () => handlers.about() };
  const shortcuts: MenuItemConstructorOptions = {
    id: 'shortcuts',
    label: '&Keyboard Shortcuts',
    click: () => handlers.shortcuts(),
  };
  const help: MenuItemConstructorOptions = {
    id: 'help',
    label: '&Help',
    role: 'help',
    // On macOS About lives in the app menu.
    submenu: mac ? [shortcuts] : [shortcuts, { type: 'separator' }, about],
  };

  if (!mac) return [file, edit, engine, view, windowMenu, help];

  const appMenu: MenuItemConstructorOptions = {
    id: 'app',
    label: APP_NAME,
    submenu: [
      about,
      { type: 'separator' },
      { role: 'services' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { id: 'quit', label: `Quit ${APP_NAME}`, accelerator: 'Cmd+Q', role: 'quit' },
    ],
  };
  return [appMenu, file, edit, engine, view, windowMenu, help];
}

/** Find an item by id anywhere in a template (tests, and the menu's own wiring). */
export function findMenuItem(template: readonly MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions | undefined {
  for (const item of template) {
    if (item.id === id) return item;
    if (Array.isArray(item.submenu)) {
      const found = findMenuItem(item.submenu, id);
      if (found) return found;
    }
  }
  return undefined;
}

/** "Ctrl+Shift+O" or "⇧⌘O": an accelerator the way the platform writes it. */
export function displayAccelerator(accelerator: string, platform: NodeJS.Platform): string {
  const keys = accelerator.split('+');
  if (platform !== 'darwin') return keys.map((k) => (k === 'CmdOrCtrl' ? 'Ctrl' : k)).join('+');
  const symbol: Record<string, string> = { CmdOrCtrl: '⌘', Cmd: '⌘', Shift: '⇧', Alt: '⌥', Ctrl: '⌃' };
  const order = ['Ctrl', 'Alt', 'Shift', 'CmdOrCtrl', 'Cmd'];
  const mods = keys.slice(0, -1).sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return mods.map((k) => symbol[k] ?? k).join('') + keys[keys.length - 1];
}

/** Lines "Open Data…  Ctrl+O" for every item with an accelerator. */
export function shortcutList(template: readonly MenuItemConstructorOptions[], platform: NodeJS.Platform): string[] {
  const lines: string[] = [];
  const walk = (items: readonly MenuItemConstructorOptions[]): void => {
    for (const item of items) {
      if (item.accelerator && item.label) {
        lines.push(`${item.label.replace(/&/g, '')}\t${displayAccelerator(String(item.accelerator), platform)}`);
      }
      if (Array.isArray(item.submenu)) walk(item.submenu);
    }
  };
  walk(template);
  return lines;
}
