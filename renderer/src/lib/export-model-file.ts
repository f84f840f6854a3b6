import { zipSync } from 'fflate';
import { decodeModel } from '../../../core/model/model-file.js';
import { exportOnnx } from '../../../core/export/onnx.js';
import { exportNpz } from '../../../core/export/npz.js';
import { exportPytorchProject } from '../../../core/export/pytorch/project.js';
import type { ExportFormat } from './export-model.js';

/**
 * The conversion behind File › Export (loaded on demand: the ONNX schema is most
 * of its weight): the model's safetensors bytes turned into one file. The same
 * pure exporters as `backprop-studio export`; the PyTorch project, a folder there,
 * is one .zip here (a browser download is one file).
 */

export interface ExportedFile {
  name: string;
  bytes: Uint8Array;
}

/** `stem` names the files ("iris-4-16-3"); the model file's own checks apply (a bad file throws one line). */
export function exportModelFile(modelBytes: Uint8Array, format: ExportFormat, stem: string): ExportedFile {
  const content = decodeModel(modelBytes, `${stem}.safetensors`);
  switch (format) {
    case 'onnx':
      return { name: `${stem}.onnx`, bytes: exportOnnx(content, { graphName: stem }) };
    case 'npz':
      return { name: `${stem}.npz`, bytes: exportNpz(content) };
    case 'pytorch': {
      const folder = `${stem}-pytorch`;
      const files: Record<string, Uint8Array> = {};
      for (const [name, bytes] of exportPytorchProject(content)) files[`${folder}/${name}`] = bytes;
      return { name: `${folder}.zip`, bytes: zipSync(files) };
    }
  }
}

/** "iris-4-16-3.safetensors" -> "iris-4-16-3"; anything unsafe in a file name becomes "-". */
export function exportStem(modelName: string): string {
  const stem = modelName.replace(/^.*[\\/]/, '').replace(/\.safetensors$/i, '').replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '');
  return stem || 'model';
}
