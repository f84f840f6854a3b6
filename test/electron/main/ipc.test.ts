// The preload's channels in main: every message is checked for its sender (the
// top frame of app://studio) and its payload (zod) before anything runs.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeIpcMain, ipcEventFrom } from '../fake-electron.js';
import { isTrustedSender, parsePayload } from '../../../electron/main/ipc-guard.js';
import { IPC } from '../../../contract/ipc-channels.js';
import { ipcSchemas, registerStudioIpc, type IpcDeps } from '../../../electron/main/ipc.js';
import type { FileAccess } from '../../../electron/main/file-access.js';
import { z } from 'zod';

const APP = 'app://studio/index.html';

describe('isTrustedSender', () => {
  it('accepts the top frame of the app page only', () => {
    expect(isTrustedSender(ipcEventFrom(APP))).toBe(true);
    expect(isTrustedSender(ipcEventFrom('app://studio/'))).toBe(true);
    expect(isTrustedSender(ipcEventFrom('app://studio/index.html#/inspect'))).toBe(true);
  });

  it('rejects foreign origins, subframes, destroyed frames and look-alikes', () => {
    expect(isTrustedSender(ipcEventFrom('https://evil.example/'))).toBe(false);
    expect(isTrustedSender(ipcEventFrom('file:///tmp/index.html'))).toBe(false);
    expect(isTrustedSender(ipcEventFrom('http://127.0.0.1:5173/'))).toBe(false);
    expect(isTrustedSender(ipcEventFrom('app://studio.evil.example/'))).toBe(false);
    expect(isTrustedSender(ipcEventFrom('app://evil/'))).toBe(false);
    expect(isTrustedSender(ipcEventFrom('devtools://devtools/bundled/devtools_app.html'))).toBe(false);
    expect(isTrustedSender(ipcEventFrom('about:blank'))).toBe(false);
    expect(isTrustedSender(ipcEventFrom(''))).toBe(false);
    // An iframe inside the app page, even one that claims the app origin.
    expect(isTrustedSender(ipcEventFrom(APP, { url: APP }))).toBe(false);
    expect(isTrustedSender(ipcEventFrom(null))).toBe(false);
  });
});

describe('parsePayload', () => {
  it('accepts exactly one valid argument and names the bad field otherwise', () => {
    const schema = z.object({ unsaved: z.boolean() }).strict();
    expect(parsePayload('ch', schema, [{ unsaved: true }])).toEqual({ ok: true, value: { unsaved: true } });
    expect(parsePayload('ch', schema, [{ unsaved: true }, 2])).toEqual({ ok: false, message: 'ch: expected one argument, got 2' });
    const bad = parsePayload('ch', schema, [{ unsaved: 'yes' }]);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/^ch field unsaved: /);
  });
});

function setup() {
  const ipcMain = new FakeIpcMain();
  const files = {
    openWithDialog: vi.fn(async (kind: string) => ({ kind, path: '/d/x.csv', name: 'x.csv', bytes: new Uint8Array([1]) })),
    openPath: vi.fn(async (p: string) => ({ kind: 'data', path: p, name: 'x.csv', bytes: new Uint8Array([1]) })),
    saveModel: vi.fn(async () => ({ path: '/m/a.safetensors', name: 'a.safetensors' })),
  };
  const deps: IpcDeps = {
    files: files as unknown as FileAccess,
    recentFiles: vi.fn(() => []),
    setDocumentState: vi.fn(),
    confirmDiscard: vi.fn(async () => true),
    connectEngine: vi.fn(),
    runs: { list: vi.fn(async () => []), put: vi.fn(async () => undefined), remove: vi.fn(async () => undefined), putWeights: vi.fn(async () => undefined), getWeights: vi.fn(async () => null) },
    computeBackend: { get: vi.fn(() => 'auto' as const), set: vi.fn(async () => undefined) },
    log: vi.fn(),
  };
  registerStudioIpc(ipcMain as never, deps);
  const invoke = (channel: string, url: string | null, ...args: unknown[]) =>
    ipcMain.handlers.get(channel)!(ipcEventFrom(url), ...args) as Promise<{ ok: boolean; code?: string; message?: string; value?: unknown }>;
  const send = (channel: string, url: string | null, ...args: unknown[]) => ipcMain.listeners.get(channel)!(ipcEventFrom(url), ...args);
  return { ipcMain, deps, files, invoke, send };
}

describe('registerStudioIpc', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup();
  });

  it('registers a schema for every channel it listens on, and nothing else', () => {
    const registered = [...t.ipcMain.handlers.keys(), ...t.ipcMain.listeners.keys()].sort();
    expect(registered).toEqual(Object.keys(ipcSchemas).sort());
  });

  it('runs the handler for the app page and wraps the answer', async () => {
    const r = await t.invoke(IPC.openDataFile, APP);
    expect(r).toEqual({ ok: true, value: { kind: 'data', path: '/d/x.csv', name: 'x.csv', bytes: new Uint8Array([1]) } });
    expect(t.files.openWithDialog).toHaveBeenCalledWith('data');
  });

  it('refuses every invoke channel from a foreign frame without running the handler', async () => {
    for (const channel of [IPC.openDataFile, IPC.openModelFile, IPC.openPath, IPC.saveModel, IPC.recentFiles, IPC.confirmDiscard]) {
      const r = await t.invoke(channel, 'https://evil.example/', '/etc/passwd');
      expect(r.ok).toBe(false);
      expect(r.code).toBe('FORBIDDEN');
      expect(r.message).toBe(`${channel}: refused, the sender is not the studio`);
    }
    expect(t.files.openWithDialog).not.toHaveBeenCalled();
    expect(t.files.openPath).not.toHaveBeenCalled();
    expect(t.files.saveModel).not.toHaveBeenCalled();
    expect(t.deps.confirmDiscard).not.toHaveBeenCalled();
  });

  it('drops one-way messages from a foreign frame or a subframe', () => {
    t.send(IPC.documentState, 'https://evil.example/', { unsaved: true });
    t.send(IPC.connectEngine, APP.replace('studio', 'evil'));
    t.send(IPC.connectEngine, null);
    t.send(IPC.documentState, APP, { unsaved: true });
    expect(t.deps.setDocumentState).toHaveBeenCalledTimes(1);
    expect(t.deps.connectEngine).not.toHaveBeenCalled();
    const sub = t.ipcMain.listeners.get(IPC.connectEngine)!;
    sub({ senderFrame: { url: APP, parent: {} } });
    expect(t.deps.connectEngine).not.toHaveBeenCalled();
    t.send(IPC.connectEngine, APP);
    expect(t.deps.connectEngine).toHaveBeenCalledTimes(1);
  });

  it('validates payloads: wrong types, extra fields, extra arguments, oversize values', async () => {
    const cases: [string, unknown[]][] = [
      [IPC.openPath, [42]],
      [IPC.openPath, ['']],
      [IPC.openPath, ['x'.repeat(5000)]],
      [IPC.openDataFile, [{ path: '/etc/passwd' }]],
      [IPC.saveModel, [{ bytes: [1, 2, 3] }]],
      [IPC.saveModel, [{ bytes: new Uint8Array(0) }]],
      [IPC.saveModel, [{ bytes: new Uint8Array(4), path: '/etc/cron.d/x' }]],
      [IPC.saveModel, [{ bytes: new Uint8Array(4), saveAs: 'yes' }]],
      [IPC.confirmDiscard, ['x'.repeat(501)]],
      [IPC.recentFiles, [1, 2]],
    ];
    for (const [channel, args] of cases) {
      const r = await t.invoke(channel, APP, ...args);
      expect(r.ok, `${channel} ${JSON.stringify(args).slice(0, 60)}`).toBe(false);
      expect(r.code).toBe('BAD_MESSAGE');
      expect(r.message!.startsWith(channel)).toBe(true);
    }
    expect(t.files.openPath).not.toHaveBeenCalled();
    expect(t.files.saveModel).not.toHaveBeenCalled();
    t.send(IPC.documentState, APP, { unsaved: 'no' });
    t.send(IPC.documentState, APP, { unsaved: true, title: '<img src=x>' });
    expect(t.deps.setDocumentState).not.toHaveBeenCalled();
  });

  it('passes valid payloads through, and handler errors come back as one line with their code', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect((await t.invoke(IPC.saveModel, APP, { bytes, saveAs: true, suggestedName: 'm.safetensors' })).ok).toBe(true);
    expect(t.files.saveModel).toHaveBeenCalledWith(bytes, { saveAs: true, suggestedName: 'm.safetensors' });
    const { StudioError } = await import('../../../core/errors.js');
    t.files.openPath.mockRejectedValueOnce(new StudioError('IO', 'could not open: permission denied', { file: '/d/x.csv' }));
    expect(await t.invoke(IPC.openPath, APP, '/d/x.csv')).toEqual({
      ok: false,
      code: 'IO',
      message: '/d/x.csv: could not open: permission denied',
    });
    t.send(IPC.documentState, APP, { unsaved: true, untitled: true });
    expect(t.deps.setDocumentState).toHaveBeenCalledWith({ unsaved: true, untitled: true });
  });
});

describe('the compute backend channels', () => {
  it('answer the stored choice and pass a new one on', async () => {
    const t = setup();
    expect(await t.invoke(IPC.getComputeBackend, APP)).toEqual({ ok: true, value: 'auto' });
    for (const choice of ['auto', 'native', 'wasm', 'reference']) {
      expect(await t.invoke(IPC.setComputeBackend, APP, choice)).toEqual({ ok: true, value: undefined });
      expect(t.deps.computeBackend.set).toHaveBeenLastCalledWith(choice);
    }
  });

  it('refuse anything but one of the four names, and any sender but the app page', async () => {
    const t = setup();
    for (const args of [['gpu'], ['WASM'], [''], [1], [{ backend: 'wasm' }], [], ['wasm', 'native']]) {
      const r = await t.invoke(IPC.setComputeBackend, APP, ...args);
      expect(r.ok, JSON.stringify(args)).toBe(false);
      expect(r.code).toBe('BAD_MESSAGE');
      expect(r.message!.startsWith(IPC.setComputeBackend)).toBe(true);
    }
    const foreign = await t.invoke(IPC.setComputeBackend, 'https://evil.example/', 'wasm');
    expect(foreign.code).toBe('FORBIDDEN');
    expect((await t.invoke(IPC.getComputeBackend, APP, 'x')).code).toBe('BAD_MESSAGE');
    expect(t.deps.computeBackend.set).not.toHaveBeenCalled();
  });

  it('turn a failed save into one line for the renderer', async () => {
    const t = setup();
    const { StudioError } = await import('../../../core/errors.js');
    vi.mocked(t.deps.computeBackend.set).mockRejectedValueOnce(new StudioError('IO', 'cannot save: no space left on device'));
    expect(await t.invoke(IPC.setComputeBackend, APP, 'wasm')).toEqual({ ok: false, code: 'IO', message: 'cannot save: no space left on device' });
  });
});
