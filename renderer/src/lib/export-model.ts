import type { EngineLink } from './engine-link.js';
import type { Platform } from './platform.js';
import type { Notices } from './state/notices.svelte.js';

/**
 * File › Export (top bar and desktop menu): ask the engine for the model's bytes,
 * convert them (export-model-file.ts, loaded only when used) and offer the file
 * as a download; the desktop app shows its own save dialog for it.
 */

export const EXPORT_FORMATS = [
  { format: 'onnx', label: 'ONNX (.onnx)', help: 'ONNX Runtime, Netron, serving stacks' },
  { format: 'npz', label: 'NumPy (.npz)', help: 'every tensor by name, plus the spec' },
  { format: 'pytorch', label: 'PyTorch project (.zip)', help: 'model.py and train.py for torchrun' },
] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number]['format'];

export interface ExportContext {
  link: Pick<EngineLink, 'send'>;
  platform: Pick<Platform, 'download'>;
  notices: Pick<Notices, 'notify' | 'fail'>;
}

/** `modelName` names the files (the document's name, or the one Save would suggest). */
export async function exportFromStudio(ctx: ExportContext, format: ExportFormat, modelName: string): Promise<boolean> {
  try {
    const ev = await ctx.link.send({ type: 'exportModel' });
    if (!ev) throw new Error('the engine sent no model bytes');
    const { exportModelFile, exportStem } = await import('./export-model-file.js');
    const file = exportModelFile(new Uint8Array(ev.bytes), format, exportStem(modelName));
    ctx.platform.download(file.name, new Blob([file.bytes as Uint8Array<ArrayBuffer>]));
    ctx.notices.notify('success', 'Model exported', file.name);
    return true;
  } catch (e) {
    ctx.notices.fail('Could not export the model', e);
    return false;
  }
}
