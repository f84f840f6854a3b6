// electron/main/main.ts wired together, with `electron` mocked: single instance,
// window + engine at start, menu items reaching the renderer or the supervisor,
// files handed over by the OS, the unsaved-changes question, and the engine
// ending with the window.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// One fake for the whole file: main.ts is imported afresh per test (vi.resetModules),
// and its `electron` must stay the instance this file inspects.
const fe = await vi.hoisted(async () => import('../fake-electron.js'));
vi.mock('electron', () => fe.electronModule);

const { IPC } = await import('../../../contract/ipc-channels.js');
const { findMenuItem } = await import('../../../electron/main/menu.js');

const APP_FRAME = { senderFrame: { url: 'app://studio/index.html', parent: null } };
const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'studio-main-'));
  fe.resetFakeElectron();
  fe.fake.userData = dir;
  vi.resetModules();
});
afterEach(async () => {
  // End this test's studio for good (its supervisor cancels pending restarts), so no
  // timer of one test forks an engine into the next test's fakes.
  for (const w of fe.FakeBrowserWindow.instances) {
    if (w.destroyed) continue;
    w.destroyed = true;
    w.emit('closed');
  }
  await rm(dir, { recursive: true, force: true });
});

/** Let I/O and queued callbacks run until `done()` holds (bounded). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!done()) throw new Error('main never got there');
}

/**
 * Import main.ts afresh (it runs on import), run `beforeReady` while the app is
 * not ready yet (as the OS may send open-file then), then let `ready` happen and
 * wait until the studio is up (its menu installed).
 */
async function startMain(beforeReady?: () => void) {
  let ready!: () => void;
  fe.fake.app.whenReady.mockImplementation(() => new Promise<void>((r) => (ready = r)));
  await import('../../../electron/main/main.js');
  beforeReady?.();
  ready();
  await until(() => fe.fake.menu !== null);
  const win = fe.FakeBrowserWindow.instances[0]!;
  const menu = () => fe.fake.menu!.template as MenuItemConstructorOptions[];
  const clickMenu = (id: string) => (findMenuItem(menu(), id)!.click as () => void)();
  const invoke = (channel: string, ...args: unknown[]) =>
    fe.fake.ipcMain.handlers.get(channel)!(APP_FRAME, ...args) as Promise<{ ok: boolean; value?: unknown; message?: string }>;
  const send = (channel: string, ...args: unknown[]) => fe.fake.ipcMain.listeners.get(channel)!(APP_FRAME, ...args);
  const sentMenu = () => win.webContents.sent.filter((s) => s.channel === IPC.menu).map((s) => s.payload);
  return { win, menu, clickMenu, invoke, send, sentMenu };
}

describe('main', () => {
  it('a second instance quits at once (the first one gets its command line)', async () => {
    fe.fake.app.lock = false;
    await import('../../../electron/main/main.js');
    await flush();
    expect(fe.fake.app.quit).toHaveBeenCalled();
    expect(fe.FakeBrowserWindow.instances).toHaveLength(0);
    expect(fe.fake.forks).toHaveLength(0);
  });

  it('at start: sandbox for all renderers, the app scheme, a hardened session, one window and one engine', async () => {
    const { win } = await startMain();
    expect(fe.fake.app.enableSandbox).toHaveBeenCalled();
    expect(fe.fake.privileged).toHaveLength(1);
    expect(fe.fake.session.permissionRequestHandler).not.toBeNull();
    expect(fe.fake.session.beforeRequest).not.toBeNull();
    expect(fe.fake.session.protocolHandlers.has('app')).toBe(true);
    expect(win.loadedUrl).toBe('app://studio/index.html');
    expect(win.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    expect(fe.fake.forks).toHaveLength(1);
    // The bundles sit side by side in dist/electron: the engine entry is beside main's own module.
    expect(path.basename(fe.fake.forks[0]!.modulePath)).toBe('engine-process.js');
    expect(fe.fake.forks[0]!.options).toMatchObject({ serviceName: 'Backprop Studio Engine', cwd: tmpdir() });
    // The engine parses untrusted files unsandboxed: it gets none of main's environment beyond what the OS needs.
    const env = fe.fake.forks[0]!.options.env as Record<string, string>;
    // (Plus the studio's own two: the compute backend chosen, the thread count when main has one.)
    const allowed = ['SystemRoot', 'windir', 'TEMP', 'TMP', 'TMPDIR', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'BACKPROP_STUDIO_BACKEND', 'BACKPROP_STUDIO_THREADS'];
    expect(Object.keys(env).every((k) => allowed.includes(k))).toBe(true);
    expect(env.BACKPROP_STUDIO_BACKEND).toBe('auto');
    expect(env).not.toHaveProperty('PATH');
    expect(env).not.toHaveProperty('HOME');
    // Every web contents created later is hardened too.
    expect(fe.fake.app.listenerCount('web-contents-created')).toBe(1);
  });

  it('menu commands reach the renderer; Reload Engine restarts the engine', async () => {
    const { clickMenu, sentMenu } = await startMain();
    clickMenu('open-data');
    clickMenu('save-model-as');
    expect(sentMenu()).toEqual([{ type: 'open-data' }, { type: 'save-model-as' }]);
    const first = fe.fake.forks[0]!;
    clickMenu('reload-engine');
    await flush();
    expect(first.killed).toBe(true);
    expect(fe.fake.forks).toHaveLength(2);
  });

  it('the engine starts on the backend in settings.json; a new choice is saved there and restarts the engine on it', async () => {
    await writeFile(path.join(dir, 'settings.json'), JSON.stringify({ version: 1, computeBackend: 'reference' }));
    const { invoke } = await startMain();
    const env = (i: number) => (fe.fake.forks[i]!.options as { env: Record<string, string> }).env;
    expect(env(0).BACKPROP_STUDIO_BACKEND).toBe('reference');
    expect(await invoke(IPC.getComputeBackend)).toEqual({ ok: true, value: 'reference' });
    expect(await invoke(IPC.setComputeBackend, 'wasm')).toEqual({ ok: true, value: undefined });
    await flush();
    expect(fe.fake.forks[0]!.killed).toBe(true);
    expect(fe.fake.forks).toHaveLength(2);
    expect(env(1).BACKPROP_STUDIO_BACKEND).toBe('wasm');
    expect(JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8'))).toEqual({ version: 1, computeBackend: 'wasm' });
    expect((await invoke(IPC.setComputeBackend, 'cuda')).ok).toBe(false);
    expect(fe.fake.forks).toHaveLength(2);
  });

  it('connectEngine hands the renderer a port and the engine the other end', async () => {
    const { win, send } = await startMain();
    send(IPC.connectEngine);
    const attach = fe.fake.forks[0]!.postedOfType('attach-renderer');
    expect(attach).toHaveLength(1);
    const posted = win.webContents.posted.filter((p) => p.channel === IPC.enginePort);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.ports[0]).not.toBe(attach[0]!.transfer[0]);
  });

  it('an engine crash is told to the renderer and the engine restarts', async () => {
    const { win } = await startMain();
    fe.fake.forks[0]!.emit('exit', 139);
    const notices = win.webContents.sent.filter((s) => s.channel === IPC.engineRestarted).map((s) => s.payload);
    expect(notices).toMatchObject([{ phase: 'restarting', reason: 'crashed', exitCode: 139 }]);
  });

  it('a .safetensors from a second instance is offered to the renderer, which may then read it', async () => {
    const model = path.join(dir, 'net.safetensors');
    await writeFile(model, new Uint8Array([1, 2, 3]));
    const { win, sentMenu, invoke } = await startMain();
    win.webContents.emit('did-finish-load');
    fe.fake.app.emit('second-instance', {}, ['/opt/studio/backprop-studio', '--flag', 'net.safetensors', 'notes.txt'], dir);
    expect(sentMenu()).toEqual([{ type: 'open-path', file: { kind: 'model', path: model, name: 'net.safetensors' } }]);
    expect(win.focused).toBe(true);
    const opened = await invoke(IPC.openPath, model);
    expect(opened).toMatchObject({ ok: true, value: { kind: 'model', name: 'net.safetensors', bytes: new Uint8Array([1, 2, 3]) } });
    // Any other path stays out of reach.
    expect((await invoke(IPC.openPath, path.join(dir, 'notes.txt'))).ok).toBe(false);
  });

  it('macOS open-file before the page loaded waits for it', async () => {
    const model = path.join(dir, 'early.safetensors');
    const { win, sentMenu } = await startMain(() => {
      const event = new fe.FakeEvent();
      fe.fake.app.emit('open-file', event, model);
      expect(event.defaultPrevented).toBe(true);
    });
    expect(sentMenu()).toEqual([]);
    win.webContents.emit('did-finish-load');
    expect(sentMenu()).toEqual([{ type: 'open-path', file: { kind: 'model', path: model, name: 'early.safetensors' } }]);
  });

  it('BACKPROP_STUDIO_USER_DATA gives a separate profile, set before the single-instance lock is taken', async () => {
    const profile = path.join(dir, 'profile');
    process.env.BACKPROP_STUDIO_USER_DATA = profile;
    try {
      await startMain();
    } finally {
      delete process.env.BACKPROP_STUDIO_USER_DATA;
    }
    expect(fe.fake.app.setPath).toHaveBeenCalledWith('userData', profile);
    expect(fe.fake.app.setPath.mock.invocationCallOrder[0]!).toBeLessThan(
      fe.fake.app.requestSingleInstanceLock.mock.invocationCallOrder[0]!,
    );
  });

  it('the title follows the document state the renderer reports', async () => {
    const { win, send } = await startMain();
    send(IPC.documentState, { unsaved: true });
    expect(win.title).toBe('Untitled • — Backprop Studio');
    send(IPC.documentState, { unsaved: false });
    expect(win.title).toBe('Untitled — Backprop Studio');
  });

  it('a model opened through the dialog becomes the title and Save target once the engine accepted it', async () => {
    const model = path.join(dir, 'mnist.safetensors');
    await writeFile(model, new Uint8Array([1]));
    const { win, invoke } = await startMain();
    fe.fake.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [model] });
    expect((await invoke(IPC.openModelFile)).ok).toBe(true);
    expect(win.title).toBe('Untitled — Backprop Studio');
    // The engine acknowledged the renderer's importModel (reported by the engine process).
    fe.fake.forks[0]!.emit('message', { type: 'state', command: { type: 'importModel', id: 4, name: 'mnist.safetensors', bytes: new Uint8Array([1]) } });
    expect(win.title).toBe('mnist.safetensors — Backprop Studio');
    const saved = await invoke(IPC.saveModel, { bytes: new Uint8Array([9]) });
    expect(saved).toEqual({ ok: true, value: { path: model, name: 'mnist.safetensors' } });
    expect(fe.fake.dialog.showSaveDialog).not.toHaveBeenCalled();
  });

  it('closing with unsaved work asks first: Cancel keeps the window and the engine', async () => {
    const { win, send } = await startMain();
    send(IPC.documentState, { unsaved: true });
    fe.fake.dialog.showMessageBox.mockResolvedValueOnce({ response: 2, checkboxChecked: false });
    win.close();
    await flush();
    expect(fe.fake.dialog.showMessageBox).toHaveBeenCalledOnce();
    expect(win.destroyed).toBe(false);
    expect(fe.fake.forks[0]!.killed).toBe(false);
  });

  it("Don't Save closes the window, and closing the window ends the engine", async () => {
    const { win, send } = await startMain();
    send(IPC.documentState, { unsaved: true });
    fe.fake.dialog.showMessageBox.mockResolvedValueOnce({ response: 1, checkboxChecked: false });
    win.close();
    await flush();
    expect(win.destroyed).toBe(true);
    expect(fe.fake.forks[0]!.killed).toBe(true);
    // The exit that follows is expected: nothing restarts.
    await flush();
    expect(fe.fake.forks).toHaveLength(1);
  });

  it('Save on close exports the model from the engine, writes it, then closes', async () => {
    const target = path.join(dir, 'saved.safetensors');
    const { win, send } = await startMain();
    send(IPC.documentState, { unsaved: true });
    fe.fake.dialog.showMessageBox.mockResolvedValueOnce({ response: 0, checkboxChecked: false });
    fe.fake.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: target });
    const closed = new Promise((r) => win.once('closed', r));
    win.close();
    const engine = fe.fake.forks[0]!;
    await until(() => engine.postedOfType('run-commands').length > 0);
    const req = engine.postedOfType('run-commands')[0]!.message as { requestId: number };
    engine.emit('message', {
      type: 'commands-done',
      requestId: req.requestId,
      outcomes: [{ ok: true, type: 'exportModel', result: { type: 'modelExported', bytes: new Uint8Array([4, 2]).buffer } }],
    });
    await closed;
    const { readFile } = await import('node:fs/promises');
    expect(new Uint8Array(await readFile(target))).toEqual(new Uint8Array([4, 2]));
    expect(win.destroyed).toBe(true);
    expect(engine.killed).toBe(true);
  });
});
