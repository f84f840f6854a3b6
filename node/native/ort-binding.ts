/**
 * Loads ONNX Runtime's native binding (the `onnxruntime_binding.node` of the npm package
 * onnxruntime-node, with the libonnxruntime next to it) without the package's JavaScript
 * session layer: that layer only offers `InferenceSession.run` as a Promise, while the
 * engine's `Ops` are synchronous. The binding's own `run` is synchronous; it is what the
 * Promise wraps (onnxruntime-node/dist/backend.js).
 *
 * Where the binary is looked for, first hit wins:
 *   1. `BACKPROP_STUDIO_ORT_DIR` (a folder holding onnxruntime_binding.node), for tests and packagers:
 *      when set, it is the only place looked at (so a test can show what a machine without
 *      the library does);
 *   2. `<resources>/onnxruntime/` in a packaged desktop app (electron-builder.yml's
 *      extraResources copies only the installer's own platform and architecture there);
 *   3. the onnxruntime-node package in node_modules (the CLI, the bench, development).
 * Anything that fails is one message saying what was tried; the caller falls back to WebAssembly.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { Tensor } from 'onnxruntime-common';
import { StudioError, errorMessage } from '../../core/errors.js';

export const ORT_DIR_ENV = 'BACKPROP_STUDIO_ORT_DIR';
const BINDING_FILE = 'onnxruntime_binding.node';
const requireHere = createRequire(import.meta.url);

/** The part of the binding's session the native backend uses (onnxruntime-node/dist/binding.d.ts). */
export interface OrtBindingSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): Promise<void>;
  run(feeds: Record<string, Tensor>, fetches: Record<string, Tensor | null>, options: object): Record<string, Tensor>;
  dispose(): void;
}

export interface OrtBinding {
  InferenceSession: new () => OrtBindingSession;
  initOrtOnce(logLevel: number, tensorConstructor: typeof Tensor, isMainThread: boolean): void;
}

export interface LoadedOrt {
  binding: OrtBinding;
  Tensor: typeof Tensor;
  /** The folder the binary came from (for the "engine:" line and error messages). */
  dir: string;
  version: string;
}

let loaded: LoadedOrt | null = null;

/** The folders to try, in order, for this platform and architecture. */
export function bindingCandidates(env: Record<string, string | undefined>, resourcesPath: string | undefined): string[] {
  const dirs: string[] = [];
  const fromEnv = env[ORT_DIR_ENV]?.trim();
  if (fromEnv) return [fromEnv];
  if (resourcesPath) dirs.push(path.join(resourcesPath, 'onnxruntime'));
  try {
    const pkg = requireHere.resolve('onnxruntime-node/package.json');
    dirs.push(path.join(path.dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch));
  } catch {
    // not installed (a packaged app ships no node_modules): the other places remain
  }
  return dirs;
}

/**
 * The binding, loaded once per thread. Throws StudioError('UNAVAILABLE') naming every
 * place tried when none holds a binary that loads here.
 */
export function loadOrtBinding(env: Record<string, string | undefined> = process.env): LoadedOrt {
  if (loaded) return loaded;
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  const tried: string[] = [];
  for (const dir of bindingCandidates(env, resources)) {
    const file = path.join(dir, BINDING_FILE);
    if (!existsSync(file)) {
      tried.push(`${file}: not there`);
      continue;
    }
    try {
      const binding = requireHere(file) as OrtBinding;
      // Log level 3 (errors only): the engine reports its own state; warnings would go to stderr.
      binding.initOrtOnce(3, Tensor, isMainThread);
      loaded = { binding, Tensor, dir, version: ortVersion(dir) };
      return loaded;
    } catch (e) {
      tried.push(`${file}: ${errorMessage(e)}`);
    }
  }
  throw new StudioError(
    'UNAVAILABLE',
    `ONNX Runtime's native library for ${process.platform}-${process.arch} could not be loaded (${tried.join('; ') || 'no place to look'})`,
  );
}

/** The libonnxruntime version shipped beside the binding, when its file name says it (e.g. libonnxruntime.1.31.1.dylib). */
function ortVersion(dir: string): string {
  try {
    const pkg = requireHere(path.join(dir, '..', '..', '..', '..', 'package.json')) as { name?: string; version?: string };
    if (pkg.name === 'onnxruntime-node' && pkg.version) return pkg.version;
  } catch {
    // a packaged app has no package.json beside the binary
  }
  return '';
}
