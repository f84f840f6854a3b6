import type { IpcMain } from 'electron';
import { z } from 'zod';
import { MODEL_MAX_BYTES, type FileAccess } from './file-access.js';
import { IPC } from '../../contract/ipc-channels.js';
import { handleChecked, onChecked, type Logger } from './ipc-guard.js';
import type { DocumentState, RecentFile } from '../../contract/studio-api.js';

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
} as const;

export interface IpcDeps {
  files: FileAccess;
  recentFiles(): RecentFile[];
  setDocumentState(state: DocumentState): void;
  confirmDiscard(detail: string): Promise<boolean>;
  connectEngine(): void;
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
}
