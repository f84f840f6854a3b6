import { mkdir, readdir, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../node/atomic-write.js';

/**
 * The desktop app's runs store: one folder in the user's data folder, a JSON file
 * per run (`<id>.json`) and its weights beside it (`<id>.safetensors`), each
 * written atomically. Main never interprets the records: it checks ids and sizes,
 * parses only the JSON it wrote itself, and leaves the schema check to the
 * renderer (a damaged file costs that run, not the list).
 */

/** Run ids are made by the renderer (record.ts newRunId): base-36 words and dashes. */
export const RUN_ID = /^[a-z0-9][a-z0-9-]{0,99}$/;
/** A record with the thinned curve (4000 points) is a few hundred KB; far above that is not ours. */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;
export const MAX_WEIGHTS_BYTES = 64 * 1024 * 1024;
/** Records listed at most (the oldest beyond it are left on disk, unlisted). */
export const MAX_RUNS = 5000;

export class RunsFolder {
  constructor(readonly dir: string) {}

  private file(id: string, ext: 'json' | 'safetensors'): string {
    if (!RUN_ID.test(id)) throw new Error(`not a run id: ${JSON.stringify(id.slice(0, 40))}`);
    return path.join(this.dir, `${id}.${ext}`);
  }

  /** Every record that parses as JSON, oldest file first. */
  async list(): Promise<unknown[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ENOENT') return [];
      throw e;
    }
    const ids = names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)).filter((id) => RUN_ID.test(id)).sort().slice(-MAX_RUNS);
    const out: unknown[] = [];
    for (const id of ids) {
      const file = this.file(id, 'json');
      try {
        if ((await stat(file)).size > MAX_RECORD_BYTES) continue;
        out.push(JSON.parse(await readFile(file, 'utf8')) as unknown);
      } catch {
        // A half-written or damaged record is skipped; the renderer counts what it gets.
      }
    }
    return out;
  }

  async put(id: string, record: unknown): Promise<void> {
    const text = JSON.stringify(record);
    if (text === undefined) throw new Error('the run record is not JSON');
    const bytes = new TextEncoder().encode(text);
    if (bytes.byteLength > MAX_RECORD_BYTES) throw new Error(`the run record is ${bytes.byteLength} bytes, over the ${MAX_RECORD_BYTES} a run may take`);
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(this.file(id, 'json'), bytes);
  }

  async remove(id: string): Promise<void> {
    for (const ext of ['json', 'safetensors'] as const) {
      try {
        await unlink(this.file(id, ext));
      } catch (e) {
        if ((e as { code?: unknown }).code !== 'ENOENT') throw e;
      }
    }
  }

  async putWeights(id: string, bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength > MAX_WEIGHTS_BYTES) throw new Error(`the weights are ${bytes.byteLength} bytes, over the ${MAX_WEIGHTS_BYTES} a run keeps`);
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(this.file(id, 'safetensors'), bytes);
  }

  async getWeights(id: string): Promise<Uint8Array | null> {
    const file = this.file(id, 'safetensors');
    try {
      if ((await stat(file)).size > MAX_WEIGHTS_BYTES) throw new Error(`the stored weights of run ${id} are over ${MAX_WEIGHTS_BYTES} bytes`);
      return new Uint8Array(await readFile(file));
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ENOENT') return null;
      throw e;
    }
  }
}
