import { encodeModel, type ModelFileContent } from '../../model/model-file.js';
import { planModel } from '../layer-plan.js';
import { DATA_PY } from './data-py.js';
import { MODEL_PY } from './model-py.js';
import { OPTIM_PY } from './optim-py.js';
import { projectReadme } from './readme-md.js';
import { TRAIN_PY } from './train-py.js';

/**
 * The PyTorch project for a model: file name -> bytes, to be written into one
 * new folder (cli/commands/export.ts builds it under a temporary name and
 * renames it, the browser zips it). model.safetensors is the model file itself.
 */
export function exportPytorchProject(content: ModelFileContent): Map<string, Uint8Array> {
  // Refuse what model.py cannot build, with the same line as the other formats.
  planModel(content, 'the PyTorch project');
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  return new Map([
    ['model.safetensors', encodeModel(content)],
    ['model.py', text(MODEL_PY)],
    ['data.py', text(DATA_PY)],
    ['optim.py', text(OPTIM_PY)],
    ['train.py', text(TRAIN_PY)],
    ['README.md', text(projectReadme(content))],
  ]);
}
