/**
 * The sandboxed preload: exposes `window.studio` (studio-api.ts) and nothing
 * else. No raw ipcRenderer reaches the page: each function uses one fixed channel,
 * and listeners get the payload only (never the IPC event, which carries the sender).
 * Bundled as CommonJS (sandboxed preloads cannot be ES modules); it may import
 * only `electron` and files with no imports of their own.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { IPC } from '../../contract/ipc-channels.js';
import type { IpcResult } from '../../contract/ipc-channels.js';
import { APP_ORIGIN } from '../../contract/app-origin.js';
import { APP_VERSION_ARG } from '../../contract/preload-args.js';
import {
  ENGINE_PORT_MESSAGE,
  type ComputeBackend,
  type EngineRestartEvent,
  type MenuAction,
  type OpenedFile,
  type PlatformInfo,
  type RecentFile,
  type SavedFile,
  type StudioApi,
} from '../../contract/studio-api.js';


async function invoke<T>(channel: string, payload?: unknown): Promise<T> {
  const result = (await ipcRenderer.invoke(channel, ...(payload === undefined ? [] : [payload]))) as IpcResult<T>;
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

function subscribe<T>(channel: string, cb: (payload: T) => void): () => void {
  const listener = (_event: unknown, payload: T): void => cb(payload);
  ipcRenderer.on(channel, listener);
  return () => {
    ipcRenderer.removeListener(channel, listener);
  };
}

const platform: PlatformInfo = {
  os: process.platform,
  modifierKey: process.platform === 'darwin' ? '⌘' : 'Ctrl',
  versions: {
    app: process.argv.find((a) => a.startsWith(APP_VERSION_ARG))?.slice(APP_VERSION_ARG.length) ?? '',
    electron: process.versions.electron ?? '',
    chrome: process.versions.chrome ?? '',
    node: process.versions.node ?? '',
  },
};

const studio: StudioApi = {
  platform,
  openDataFile: () => invoke<OpenedFile | null>(IPC.openDataFile),
  openModelFile: () => invoke<OpenedFile | null>(IPC.openModelFile),
  openPath: (path) => invoke<OpenedFile>(IPC.openPath, path),
  saveModel: (bytes, options = {}) =>
    invoke<SavedFile | null>(IPC.saveModel, {
      bytes,
      ...(options.saveAs !== undefined ? { saveAs: options.saveAs } : {}),
      ...(options.suggestedName !== undefined ? { suggestedName: options.suggestedName } : {}),
    }),
  getRecentFiles: () => invoke<RecentFile[]>(IPC.recentFiles),
  setDocumentState: (state) => {
    ipcRenderer.send(IPC.documentState, {
      unsaved: state.unsaved,
      ...(state.untitled !== undefined ? { untitled: state.untitled } : {}),
    });
  },
  confirmDiscardChanges: (detail) => invoke<boolean>(IPC.confirmDiscard, detail),
  connectEngine: () => {
    ipcRenderer.send(IPC.connectEngine);
  },
  onMenu: (cb) => subscribe<MenuAction>(IPC.menu, cb),
  onEngineRestarted: (cb) => subscribe<EngineRestartEvent>(IPC.engineRestarted, cb),
  runs: {
    list: () => invoke<unknown[]>(IPC.runsList),
    put: (id, record) => invoke<void>(IPC.runsPut, { id, record }),
    remove: (id) => invoke<void>(IPC.runsDelete, id),
    putWeights: (id, bytes) => invoke<void>(IPC.runsPutWeights, { id, bytes }),
    getWeights: (id) => invoke<Uint8Array | null>(IPC.runsGetWeights, id),
  },
  computeBackend: {
    get: () => invoke<ComputeBackend>(IPC.getComputeBackend),
    set: (backend) => invoke<void>(IPC.setComputeBackend, backend),
  },
};

// MessagePorts cannot cross the context bridge: hand the engine port to the page's
// world with window.postMessage, as Electron's MessagePorts guide shows. The target
// origin is the app's own: should the frame ever hold another page (navigation is
// blocked in main, this is the second lock), the browser drops the message and the
// port with it instead of handing the engine to that page.
ipcRenderer.on(IPC.enginePort, (event) => {
  window.postMessage({ type: ENGINE_PORT_MESSAGE }, APP_ORIGIN, event.ports);
});

contextBridge.exposeInMainWorld('studio', studio);
