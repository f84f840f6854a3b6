/**
 * IPC channel names (and the shape of an answer) shared by main and the preload. Plain strings, no imports,
 * so the sandboxed preload bundle stays tiny.
 */
export const IPC = {
  // renderer -> main, answered (ipcRenderer.invoke / ipcMain.handle)
  openDataFile: 'studio:open-data-file',
  openModelFile: 'studio:open-model-file',
  openPath: 'studio:open-path',
  saveModel: 'studio:save-model',
  recentFiles: 'studio:recent-files',
  confirmDiscard: 'studio:confirm-discard',
  runsList: 'studio:runs-list',
  runsPut: 'studio:runs-put',
  runsDelete: 'studio:runs-delete',
  runsPutWeights: 'studio:runs-put-weights',
  runsGetWeights: 'studio:runs-get-weights',
  getComputeBackend: 'studio:get-compute-backend',
  setComputeBackend: 'studio:set-compute-backend',
  // renderer -> main, one way (ipcRenderer.send / ipcMain.on)
  documentState: 'studio:document-state',
  connectEngine: 'studio:connect-engine',
  // main -> renderer
  menu: 'studio:menu',
  engineRestarted: 'studio:engine-restarted',
  /** Carries a MessagePort to the engine in `event.ports[0]`. */
  enginePort: 'studio:engine-port',
} as const;

export type IpcChannel = (typeof IPC)[keyof typeof IPC];

/** What an answered channel (ipcMain.handle in main) resolves to; the preload turns a refusal back into a thrown Error. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string };
