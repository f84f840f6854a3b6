import fs from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { StudioError } from '../../core/errors.js';
import { decodeModel } from '../../core/model/model-file.js';
import { exportOnnx } from '../../core/export/onnx.js';
import { exportNpz } from '../../core/export/npz.js';
import { exportPytorchProject } from '../../core/export/pytorch/project.js';
import { checkWritableTarget, writeFileAtomic } from '../../node/atomic-write.js';
import { ioMessage } from '../../node/io-message.js';
import { readFileCapped } from '../../node/read-file.js';
import { choiceOption, usageError, type ParsedCommand } from '../args.js';
import { jsonLine, thousands, type CliIO } from '../io.js';

/** Models larger than this are not ours (the same cap as loading a model for eval). */
const MAX_MODEL_BYTES = 512 * 1024 * 1024;
export const EXPORT_FORMATS = ['onnx', 'npz', 'pytorch'] as const;

/**
 * `export MODEL --format onnx|npz|pytorch --out PATH [--force]`: the model in a
 * form other tools run. Files are written atomically (temporary name, rename);
 * the PyTorch project folder is built under a temporary name beside the target
 * and renamed into place, so a failure leaves nothing half-written, and an
 * existing folder is replaced only with --force.
 */
export async function exportCommand(io: CliIO, cmd: ParsedCommand): Promise<number> {
  const v = cmd.values;
  if (v.format === undefined) throw usageError(`export needs --format ${EXPORT_FORMATS.join('|')}`);
  const format = choiceOption(v, 'format', EXPORT_FORMATS, 'onnx');
  if (typeof v.out !== 'string' || v.out.trim() === '') {
    throw usageError(`export needs --out PATH (${format === 'pytorch' ? 'a new folder' : `a .${format} file`})`);
  }
  const modelPath = cmd.positionals[0]!;
  const out = resolve(io.cwd, v.out);
  const content = decodeModel(await readFileCapped(resolve(io.cwd, modelPath), MAX_MODEL_BYTES, modelPath), modelPath);

  let written: string[];
  let bytes = 0;
  if (format === 'pytorch') {
    const files = exportPytorchProject(content);
    await writeFolderAtomic(out, v.out, files, v.force === true);
    written = [...files.keys()];
    for (const b of files.values()) bytes += b.length;
  } else {
    const data = format === 'onnx' ? exportOnnx(content, { graphName: basename(modelPath).replace(/\.[^.]*$/, '') }) : exportNpz(content);
    await checkWritableTarget(out, v.out);
    await writeFileAtomic(out, data, v.out);
    written = [basename(out)];
    bytes = data.length;
  }
  if (v.json === true) jsonLine(io, { event: 'exported', format, out, files: written, bytes });
  else io.out(`exported ${modelPath} as ${format} to ${v.out}${format === 'pytorch' ? `/ (${written.join(', ')})` : ''}, ${thousands(bytes)} bytes`);
  return 0;
}

/**
 * Write every file into a new folder at `target`, all or nothing: the files go
 * into a temporary folder beside it (same file system, so the rename is atomic),
 * which is then renamed to `target`. With `force` an existing folder is moved
 * aside first and removed once the new one is in place.
 */
async function writeFolderAtomic(target: string, shownAs: string, files: Map<string, Uint8Array>, force: boolean): Promise<void> {
  const fail = (msg: string): StudioError => new StudioError('IO', msg, { file: shownAs });
  const existing = await fs.promises.lstat(target).catch(() => null);
  if (existing && !existing.isDirectory()) throw fail('cannot export there: it is a file, and the PyTorch project is a folder');
  if (existing && !force) throw fail('the folder already exists; give --force to replace it, or another --out');
  const parent = dirname(target);
  let temporary: string;
  try {
    temporary = await fs.promises.mkdtemp(join(parent, `.${basename(target)}.tmp-`));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fail(`cannot export there: ${code === 'ENOENT' ? `the folder ${dirname(shownAs)} does not exist` : `the folder ${dirname(shownAs)}: ${ioMessage(e)}`}`);
  }
  let aside: string | undefined;
  try {
    for (const [name, bytes] of files) await writeFileAtomic(join(temporary, name), bytes, join(shownAs, name));
    if (existing) {
      aside = `${temporary}-old`;
      await fs.promises.rename(target, aside);
    }
    await fs.promises.rename(temporary, target);
  } catch (e) {
    if (aside) await fs.promises.rename(aside, target).catch(() => undefined);
    await fs.promises.rm(temporary, { recursive: true, force: true }).catch(() => undefined);
    throw e instanceof StudioError ? e : fail(`cannot export there: ${ioMessage(e)}`);
  }
  if (aside) await fs.promises.rm(aside, { recursive: true, force: true });
}
