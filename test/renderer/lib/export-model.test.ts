import { describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import onnxProto from 'onnx-proto';
import { exportModelFile, exportStem } from '../../../renderer/src/lib/export-model-file.js';
import { exportFromStudio, type ExportContext } from '../../../renderer/src/lib/export-model.js';
import { encodeModel, tensorsFromParams } from '../../../core/model/model-file.js';
import { buildNetwork } from '../../../core/network.js';
import type { NetworkSpec } from '../../../core/spec.js';

/** File › Export: the engine's model bytes become one downloadable file per format. */

const spec: NetworkSpec = { inputSize: 4, layers: [{ kind: 'affine', units: 5 }, { kind: 'relu' }, { kind: 'affine', units: 3 }], loss: 'softmax-cross-entropy' };
const network = buildNetwork(spec, { init: 'xavier', seed: 1 });
const model = encodeModel({ spec, classNames: ['a', 'b', 'c'], tensors: tensorsFromParams(network.namedParams()) });

describe('exporting from the studio', () => {
  it('ONNX: one .onnx file named after the model, with its weights', () => {
    const f = exportModelFile(model, 'onnx', 'iris-4-5-3');
    expect(f.name).toBe('iris-4-5-3.onnx');
    const graph = onnxProto.onnx.ModelProto.decode(f.bytes).graph!;
    expect(graph.name).toBe('iris-4-5-3');
    expect(graph.initializer!.map((t) => t.name)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
  });

  it('NumPy: an .npz; PyTorch: a .zip holding the project folder', () => {
    expect(Object.keys(unzipSync(exportModelFile(model, 'npz', 'm').bytes))).toContain('__spec__.npy');
    const zip = exportModelFile(model, 'pytorch', 'm');
    expect(zip.name).toBe('m-pytorch.zip');
    expect(Object.keys(unzipSync(zip.bytes)).sort()).toEqual(
      ['README.md', 'data.py', 'model.py', 'model.safetensors', 'optim.py', 'train.py'].map((n) => `m-pytorch/${n}`),
    );
  });

  it('a file that is not a model is refused with the model reader’s line', () => {
    expect(() => exportModelFile(new Uint8Array(4), 'onnx', 'broken')).toThrow(/broken\.safetensors/);
  });

  it('file stems: the model name without folder and extension, safe characters only', () => {
    expect(exportStem('C:\\models\\iris 4-16-3.safetensors')).toBe('iris-4-16-3');
    expect(exportStem('/tmp/digits.SAFETENSORS')).toBe('digits');
    expect(exportStem('***')).toBe('model');
  });
});

describe('the Export action', () => {
  const context = (reply: () => Promise<{ bytes: ArrayBuffer } | undefined>) => {
    const downloads: { name: string; blob: Blob }[] = [];
    const notices: string[] = [];
    const ctx = {
      link: { send: reply },
      platform: { download: (name: string, blob: Blob) => downloads.push({ name, blob }) },
      notices: { notify: (_level: string, title: string, message?: string) => notices.push(`${title}: ${message}`), fail: (title: string, e: unknown) => notices.push(`${title}: ${String(e)}`) },
    } as unknown as ExportContext;
    return { ctx, downloads, notices };
  };

  it('asks the engine for the model and offers the converted file under the model name', async () => {
    const { ctx, downloads, notices } = context(async () => ({ bytes: model.slice().buffer }));
    expect(await exportFromStudio(ctx, 'onnx', 'iris-4-5-3.safetensors')).toBe(true);
    expect(downloads.map((d) => d.name)).toEqual(['iris-4-5-3.onnx']);
    const bytes = new Uint8Array(await downloads[0]!.blob.arrayBuffer());
    expect(onnxProto.onnx.ModelProto.decode(bytes).graph!.output![0]!.name).toBe('probabilities');
    expect(notices).toEqual(['Model exported: iris-4-5-3.onnx']);
  });

  it('says so when the engine has no model, and offers nothing', async () => {
    const { ctx, downloads, notices } = context(async () => {
      throw new Error('no network yet');
    });
    expect(await exportFromStudio(ctx, 'npz', 'm')).toBe(false);
    expect(downloads).toEqual([]);
    expect(notices).toEqual(['Could not export the model: Error: no network yet']);
  });
});
