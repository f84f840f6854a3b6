import { zipSync } from 'fflate';
import type { ModelFileContent } from '../model/model-file.js';
import { npyFloat32, npyInt64, npyStrings } from './npy.js';

/**
 * A saved model as a NumPy .npz archive (a zip of .npy files):
 *
 *   fc1.weight, fc1.bias, …   every tensor, named and shaped as in the model file (float32;
 *                             bn1.num_batches_tracked int64, as in PyTorch)
 *   __spec__                  the network spec as JSON (a 0-d string array: json.loads(str(z["__spec__"])))
 *   __mean__, __std__         the standardization, when the model has one
 *   __classes__               the class names, when known
 *
 *   z = np.load("model.npz")          # allow_pickle=False is enough: no object arrays
 *
 * The README's "Export" section has a ten-line forward pass that reproduces predict.
 */
export function exportNpz(content: ModelFileContent): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [name, t] of [...content.tensors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    files[`${name}.npy`] = t.dtype === 'I64' ? npyInt64(t.shape, t.data) : npyFloat32(t.shape, t.data);
  }
  files['__spec__.npy'] = npyStrings(JSON.stringify(content.spec));
  if (content.normalization) {
    files['__mean__.npy'] = npyFloat32([content.normalization.mean.length], content.normalization.mean);
    files['__std__.npy'] = npyFloat32([content.normalization.std.length], content.normalization.std);
  }
  if (content.classNames) files['__classes__.npy'] = npyStrings(content.classNames);
  // Stored, not deflated: float weights barely compress, and np.load reads either.
  return zipSync(files, { level: 0, mtime: new Date('2000-01-01T00:00:00Z') });
}
