import type { IpcMain } from 'electron';
import { z } from 'zod';
import { MODEL_MAX_BYTES, type FileAccess } from './file-access.js';
import { IPC } from '../../contract/ipc-channels.js';
import { handleChecked, onChecked, type Logger } from './ipc-guard.js';
import type { ComputeBackend, DocumentState, RecentFile } from '../../contract/studio-api.js';
import { computeBackendSchema } from './studio-settings.js';
import { MAX_WEIGHTS_BYTES, RUN_ID, type RunsFolder } from './runs-folder.js';

/**
 * Every channel the preload may use, with the schema of its one payload.
 * Channels without a payload accept exactly `undefined`.
 */
export const ipcSchemas = {
  [IPC.openDataFile]: z.undefined(),
  [IPC.openModelFile]: z.undefined(),
  [IPC.openPath]: z.string().min(1).max(4096),
  [IPC.saveModel]: z
    .object({
      bytes: z
        .custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected the model as a Uint8Array' })
        .refine((b) => b.byteLength > 0, { message: 'the model is empty' })
        .refine((b) => b.byteLength <= MODEL_MAX_BYTES, { message: `the model is over ${MODEL_MAX_BYTES} bytes` }),
      saveAs: z.boolean().optional(),
      suggestedName: z.string().max(255).optional(),
    })
    .strict(),
  [IPC.recentFiles]: z.undefined(),
  [IPC.confirmDiscard]: z.string().max(500),
  [IPC.documentState]: z.object({ unsaved: z.boolean(), untitled: z.boolean().optional() }).strict(),
  [IPC.connectEngine]: z.undefined(),
  [IPC.runsList]: z.undefined(),
  // The record's content is the renderer's business; main checks only that it is a JSON object (size: RunsFolder).
  [IPC.runsPut]: z.object({ id: z.string().regex(RUN_ID), record: z.record(z.string(), z.unknown()) }).strict(),
  [IPC.runsDelete]: z.string().regex(RUN_ID),
  [IPC.runsPutWeights]: z
    .object({
      id: z.string().regex(RUN_ID),
      bytes: z
        .custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected the weights as a Uint8Array' })
        .refine((b) => b.byteLength <= MAX_WEIGHTS_BYTES, { message: `the weights are over ${MAX_WEIGHTS_BYTES} bytes` }),
    })
    .strict(),
  [IPC.runsGetWeights]: z.string().regex(RUN_ID),
  [IPC.getComputeBackend]: z.undefined(),
  [IPC.setComputeBackend]: computeBackendSchema,
} as const;

export interface IpcDeps {
  files: FileAccess;
  recentFiles(): RecentFile[];
  setDocumentState(state: DocumentState): void;
  confirmDiscard(detail: string): Promise<boolean>;
  connectEngine(): void;
  /** The kept runs' folder (the Runs view's store). */
  runs: Pick<RunsFolder, 'list' | 'put' | 'remove' | 'putWeights' | 'getWeights'>;
  /** The engine's compute backend: the stored choice, and a new one (stored, then the engine restarts on it). */
  computeBackend: { get(): ComputeBackend; set(backend: ComputeBackend): Promise<void> };
  log?: Logger;
}

export function registerStudioIpc(ipcMain: Pick<IpcMain, 'handle' | 'on'>, deps: IpcDeps): void {
  const log = deps.log;
  handleChecked(ipcMain, IPC.openDataFile, ipcSchemas[IPC.openDataFile], () => deps.files.openWithDialog('data'), log);
  handleChecked(ipcMain, IPC.openModelFile, ipcSchemas[IPC.openModelFile], () => deps.files.openWithDialog('model'), log);
  handleChecked(ipcMain, IPC.openPath, ipcSchemas[IPC.openPath], (file) => deps.files.openPath(file), log);
  handleChecked(
    ipcMain,
    IPC.saveModel,
    ipcSchemas[IPC.saveModel],
    ({ bytes, saveAs, suggestedName }) => deps.files.saveModel(bytes, { saveAs, suggestedName }),
    log,
  );
  handleChecked(ipcMain, IPC.recentFiles, ipcSchemas[IPC.recentFiles], () => deps.recentFiles(), log);
  handleChecked(ipcMain, IPC.confirmDiscard, ipcSchemas[IPC.confirmDiscard], (detail) => deps.confirmDiscard(detail), log);
  onChecked(ipcMain, IPC.documentState, ipcSchemas[IPC.documentState], (state) => deps.setDocumentState(state), log);
  onChecked(ipcMain, IPC.connectEngine, ipcSchemas[IPC.connectEngine], () => deps.connectEngine(), log);
  const runs = deps.runs;
  handleChecked(ipcMain, IPC.runsList, ipcSchemas[IPC.runsList], () => runs.list(), log);
  handleChecked(ipcMain, IPC.runsPut, ipcSchemas[IPC.runsPut], ({ id, record }) => runs.put(id, record), log);
  handleChecked(ipcMain, IPC.runsDelete, ipcSchemas[IPC.runsDelete], (id) => runs.remove(id), log);
  handleChecked(ipcMain, IPC.runsPutWeights, ipcSchemas[IPC.runsPutWeights], ({ id, bytes }) => runs.putWeights(id, bytes), log);
  handleChecked(ipcMain, IPC.runsGetWeights, ipcSchemas[IPC.runsGetWeights], (id) => runs.getWeights(id), log);
  const backend = deps.computeBackend;
  handleChecked(ipcMain, IPC.getComputeBackend, ipcSchemas[IPC.getComputeBackend], () => backend.get(), log);
  handleChecked(ipcMain, IPC.setComputeBackend, ipcSchemas[IPC.setComputeBackend], (choice) => backend.set(choice), log);
}
