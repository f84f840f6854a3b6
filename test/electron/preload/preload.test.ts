// The preload: exactly one global (window.studio) with the named API, fixed
// channels, clean errors, listeners that never see the IPC event, and the engine
// port forwarded to the page with window.postMessage.
import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('../fake-electron.js')).electronModule);

const { fake } = await import('../fake-electron.js');
const { IPC } = await import('../../../contract/ipc-channels.js');
const { ENGINE_PORT_MESSAGE } = await import('../../../contract/studio-api.js');
type StudioApi = import('../../../contract/studio-api.js').StudioApi;

const windowPostMessage = vi.fn();
let studio: StudioApi;

beforeAll(async () => {
  (globalThis as unknown as { window: unknown }).window = { postMessage: windowPostMessage };
  process.argv.push('--studio-app-version=9.8.7');
  await import('../../../electron/preload/preload.js');
  studio = fake.exposed.get('studio') as StudioApi;
});

describe('window.studio', () => {
  it('is the only thing exposed, with exactly the named API', () => {
    expect([...fake.exposed.keys()]).toEqual(['studio']);
    expect(Object.keys(studio).sort()).toEqual(
      [
        'platform', 'openDataFile', 'openModelFile', 'openPath', 'saveModel', 'getRecentFiles', 'setDocumentState',
        'confirmDiscardChanges', 'connectEngine', 'onMenu', 'onEngineRestarted', 'runs', 'computeBackend',
      ].sort(),
    );
    // No raw IPC objects or generic send/invoke reach the page.
    for (const value of Object.values(studio)) expect(value).not.toBe(fake.ipcRenderer);
  });

  it('reports the platform and the app version main passed on the command line', () => {
    expect(studio.platform.os).toBe(process.platform);
    expect(studio.platform.modifierKey).toBe(process.platform === 'darwin' ? '⌘' : 'Ctrl');
    expect(studio.platform.versions.app).toBe('9.8.7');
  });

  it('each function uses its own fixed channel and unwraps the answer', async () => {
    const bytes = new Uint8Array([1]);
    fake.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: { path: '/m.safetensors', name: 'm.safetensors' } });
    expect(await studio.saveModel(bytes, { saveAs: true })).toEqual({ path: '/m.safetensors', name: 'm.safetensors' });
    expect(fake.ipcRenderer.invoke).toHaveBeenLastCalledWith(IPC.saveModel, { bytes, saveAs: true });
    fake.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: null });
    expect(await studio.openDataFile()).toBeNull();
    // No payload: no argument at all (main accepts exactly `undefined`).
    expect(fake.ipcRenderer.invoke).toHaveBeenLastCalledWith(IPC.openDataFile);
    fake.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: [] });
    await studio.getRecentFiles();
    expect(fake.ipcRenderer.invoke).toHaveBeenLastCalledWith(IPC.recentFiles);
  });

  it('the compute backend setting goes over its own two channels', async () => {
    fake.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: 'native' });
    expect(await studio.computeBackend!.get()).toBe('native');
    expect(fake.ipcRenderer.invoke).toHaveBeenLastCalledWith(IPC.getComputeBackend);
    fake.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: undefined });
    await studio.computeBackend!.set('wasm');
    expect(fake.ipcRenderer.invoke).toHaveBeenLastCalledWith(IPC.setComputeBackend, 'wasm');
    fake.ipcRenderer.invoke.mockResolvedValueOnce({ ok: false, code: 'IO', message: 'cannot save: no space left on device' });
    await expect(studio.computeBackend!.set('reference')).rejects.toThrow(/^cannot save: no space left on device$/);
  });

  it('a refusal from main becomes an Error with main’s one-line message', async () => {
    fake.ipcRenderer.invoke.mockResolvedValueOnce({ ok: false, code: 'IO', message: '/x.csv: cannot read: permission denied' });
    await expect(studio.openPath('/x.csv')).rejects.toThrow(/^\/x\.csv: cannot read: permission denied$/);
  });

  it('one-way calls send plain validated shapes', () => {
    studio.setDocumentState({ unsaved: true, untitled: false, extra: 1 } as never);
    expect(fake.ipcRenderer.send).toHaveBeenLastCalledWith(IPC.documentState, { unsaved: true, untitled: false });
    studio.connectEngine();
    expect(fake.ipcRenderer.send).toHaveBeenLastCalledWith(IPC.connectEngine);
  });

  it('listeners get the payload only and can unsubscribe', () => {
    const cb = vi.fn();
    const off = studio.onMenu(cb);
    const event = { sender: 'the IPC event must not leak' };
    fake.ipcRenderer.emit(IPC.menu, event, { type: 'open-data' });
    expect(cb).toHaveBeenCalledWith({ type: 'open-data' });
    expect(cb.mock.calls[0]).toHaveLength(1);
    off();
    fake.ipcRenderer.emit(IPC.menu, event, { type: 'save-model' });
    expect(cb).toHaveBeenCalledTimes(1);
    const restarted = vi.fn();
    studio.onEngineRestarted(restarted);
    fake.ipcRenderer.emit(IPC.engineRestarted, event, { phase: 'restarting' });
    expect(restarted).toHaveBeenCalledWith({ phase: 'restarting' });
  });

  it('forwards the engine port to the page with window.postMessage', () => {
    const port = { fake: 'MessagePort' };
    fake.ipcRenderer.emit(IPC.enginePort, { ports: [port] });
    // Addressed to the app's origin, never '*': another page in the frame would not get the engine.
    expect(windowPostMessage).toHaveBeenCalledWith({ type: ENGINE_PORT_MESSAGE }, 'app://studio', [port]);
  });
});
