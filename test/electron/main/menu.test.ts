// The application menu: every item the issue names, with accelerators, wired to
// the right handler, on macOS and elsewhere.
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { buildMenuTemplate, displayAccelerator, findMenuItem, shortcutList, type MenuHandlers } from '../../../electron/main/menu.js';
import type { RecentFile } from '../../../contract/studio-api.js';

function build(platform: NodeJS.Platform, recent: RecentFile[] = [], devTools = false) {
  const handlers: MenuHandlers = {
    send: vi.fn(),
    reloadEngine: vi.fn(),
    clearRecent: vi.fn(),
    about: vi.fn(),
    shortcuts: vi.fn(),
  };
  const template = buildMenuTemplate({ platform, recent, devTools, handlers });
  const item = (id: string): MenuItemConstructorOptions => {
    const found = findMenuItem(template, id);
    if (!found) throw new Error(`no menu item ${id}`);
    return found;
  };
  const click = (id: string) => (item(id).click as () => void)();
  return { template, handlers, item, click };
}

const RECENT: RecentFile[] = [
  { kind: 'model', path: '/home/u/mnist.safetensors', name: 'mnist.safetensors', openedAt: 2 },
  { kind: 'data', path: '/home/u/iris.csv', name: 'iris.csv', openedAt: 1 },
];

describe.each(['linux', 'win32', 'darwin'] as const)('menu on %s', (platform) => {
  it('has every command of the issue with its accelerator', () => {
    const { item } = build(platform);
    expect(item('new-model')).toMatchObject({ label: '&New Model', accelerator: 'CmdOrCtrl+N' });
    expect(item('open-data')).toMatchObject({ label: 'Open &Data…', accelerator: 'CmdOrCtrl+O' });
    expect(item('open-model')).toMatchObject({ label: 'Open &Model…', accelerator: 'CmdOrCtrl+Shift+O' });
    expect(item('open-recent').submenu).toBeInstanceOf(Array);
    expect(item('save-model')).toMatchObject({ label: '&Save Model', accelerator: 'CmdOrCtrl+S' });
    expect(item('save-model-as')).toMatchObject({ label: 'Save Model &As…', accelerator: 'CmdOrCtrl+Shift+S' });
    expect(item('reload-engine')).toMatchObject({ label: '&Reload Engine', accelerator: 'CmdOrCtrl+Shift+R' });
    expect(item('quit')).toMatchObject({ role: 'quit', accelerator: platform === 'darwin' ? 'Cmd+Q' : 'Ctrl+Q' });
    expect(item('about').label).toBe('&About Backprop Studio');
    expect(item('help').role).toBe('help');
  });

  it('sends document commands to the renderer and handles the rest in main', () => {
    const { click, handlers } = build(platform);
    click('new-model');
    click('open-data');
    click('open-model');
    click('save-model');
    click('save-model-as');
    expect(vi.mocked(handlers.send).mock.calls.map((c) => c[0])).toEqual([
      { type: 'new-model' },
      { type: 'open-data' },
      { type: 'open-model' },
      { type: 'save-model' },
      { type: 'save-model-as' },
    ]);
    click('reload-engine');
    click('about');
    click('shortcuts');
    expect(handlers.reloadEngine).toHaveBeenCalledOnce();
    expect(handlers.about).toHaveBeenCalledOnce();
    expect(handlers.shortcuts).toHaveBeenCalledOnce();
  });
});

describe('Open Recent', () => {
  it('lists recent files newest first; clicking one asks the renderer to open that path', () => {
    const { item, click, handlers } = build('linux', RECENT);
    expect(item('open-recent-0')).toMatchObject({ label: 'mnist.safetensors', toolTip: '/home/u/mnist.safetensors' });
    expect(item('open-recent-1')).toMatchObject({ label: 'iris.csv (data)' });
    click('open-recent-1');
    expect(handlers.send).toHaveBeenCalledWith({
      type: 'open-path',
      file: { kind: 'data', path: '/home/u/iris.csv', name: 'iris.csv' },
    });
    expect(item('clear-recent').enabled).toBe(true);
    click('clear-recent');
    expect(handlers.clearRecent).toHaveBeenCalledOnce();
  });

  it('says so when empty, with Clear disabled', () => {
    const { item } = build('linux');
    expect(item('open-recent-none')).toMatchObject({ label: 'No recent files', enabled: false });
    expect(item('clear-recent').enabled).toBe(false);
  });
});

describe('platform details', () => {
  it('macOS gets the app menu first with About and Quit; others put Exit in File and About in Help', () => {
    const mac = build('darwin').template;
    expect(mac[0]!.label).toBe('Backprop Studio');
    expect(mac.map((m) => m.id)).toEqual(['app', 'file', 'edit', 'engine', 'view', 'window', 'help']);
    const linux = build('linux').template;
    expect(linux.map((m) => m.id)).toEqual(['file', 'edit', 'engine', 'view', 'window', 'help']);
    expect((findMenuItem([linux[0]!], 'quit') as MenuItemConstructorOptions).label).toBe('E&xit');
    expect(findMenuItem([linux.at(-1)!], 'about')).toBeDefined();
  });

  it('DevTools and page reload only in development', () => {
    const roles = (devTools: boolean) =>
      (build('linux', [], devTools).template.find((m) => m.id === 'view')!.submenu as MenuItemConstructorOptions[]).map((i) => i.role);
    expect(roles(true)).toContain('toggleDevTools');
    expect(roles(true)).toContain('reload');
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(false)).not.toContain('reload');
  });

  it('writes accelerators the way each platform does', () => {
    expect(displayAccelerator('CmdOrCtrl+Shift+O', 'linux')).toBe('Ctrl+Shift+O');
    expect(displayAccelerator('CmdOrCtrl+Shift+O', 'darwin')).toBe('⇧⌘O');
    const lines = shortcutList(build('win32').template, 'win32');
    expect(lines).toContain('Open Data…\tCtrl+O');
    expect(lines).toContain('Reload Engine\tCtrl+Shift+R');
  });
});
