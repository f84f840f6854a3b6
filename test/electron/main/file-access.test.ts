// Files in and out of the desktop app: dialogs (faked), capped reads and atomic
// writes (the real node/ helpers on a temporary folder), the IDX companions found
// beside a picked file, and the rule that only picked files can be opened.
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ModelDocument } from '../../../electron/main/document.js';
import { FileAccess, kindOfPath, MODEL_MAX_BYTES, safeFileName, type FileAccessDeps } from '../../../electron/main/file-access.js';
import { MAX_RECENT, RecentFiles, type RecentStorage } from '../../../electron/main/recent-files.js';
import { readFileCapped } from '../../../node/read-file.js';
import { writeFileAtomic } from '../../../node/atomic-write.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'studio-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function memoryStorage(initial: string | null = null) {
  const store = { text: initial, writes: 0 };
  const storage: RecentStorage = {
    read: async () => store.text,
    write: async (text) => {
      store.text = text;
      store.writes++;
    },
  };
  return { store, storage };
}

function setup(overrides: Partial<FileAccessDeps> = {}) {
  const recent = new RecentFiles(memoryStorage().storage);
  const document = new ModelDocument();
  const deps: FileAccessDeps = {
    showOpenDialog: vi.fn(async () => ({ canceled: true, filePaths: [] as string[] })),
    showSaveDialog: vi.fn(async () => ({ canceled: true })),
    readFileCapped: vi.fn(readFileCapped),
    writeFileAtomic: vi.fn(writeFileAtomic),
    exists: (f) => access(f).then(() => true, () => false),
    recent,
    document,
    noteRecentDocument: vi.fn(),
    ...overrides,
  };
  return { files: new FileAccess(deps), deps, recent, document };
}

const pick = (file: string) => vi.fn(async () => ({ canceled: false, filePaths: [file] }));

describe('opening with a dialog', () => {
  it('returns null when the user cancels, and reads nothing', async () => {
    const t = setup();
    expect(await t.files.openWithDialog('data')).toBeNull();
    expect(t.deps.readFileCapped).not.toHaveBeenCalled();
  });

  it('reads the picked data file as bytes, untouched, and remembers it', async () => {
    const csv = path.join(dir, 'iris.csv');
    await writeFile(csv, 'a,b,label\n1,2,x\n');
    const t = setup({ showOpenDialog: pick(csv) });
    const opened = await t.files.openWithDialog('data');
    expect(opened).toMatchObject({ kind: 'data', path: csv, name: 'iris.csv' });
    expect(new TextDecoder().decode(opened!.bytes)).toBe('a,b,label\n1,2,x\n');
    expect(opened!.labels).toBeUndefined();
    expect(t.recent.list()).toMatchObject([{ kind: 'data', path: csv, name: 'iris.csv' }]);
    expect(t.deps.noteRecentDocument).toHaveBeenCalledWith(csv);
    // Opening data does not make it the document.
    expect(t.document.path).toBeNull();
  });

  it('an IDX images file comes with its labels, and a train- file with the t10k- test files, found beside it', async () => {
    for (const name of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte']) {
      await writeFile(path.join(dir, name), name);
    }
    const t = setup({ showOpenDialog: pick(path.join(dir, 'train-images-idx3-ubyte.gz')) });
    const opened = (await t.files.openWithDialog('data'))!;
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    expect(opened.labels!.name).toBe('train-labels-idx1-ubyte.gz');
    expect(text(opened.labels!.bytes)).toBe('train-labels-idx1-ubyte.gz');
    expect(opened.test!.name).toBe('t10k-images-idx3-ubyte.gz');
    // The test labels exist only uncompressed: the second name tried.
    expect(opened.test!.labels!.name).toBe('t10k-labels-idx1-ubyte');
  });

  it('an IDX file without its labels beside it comes alone (the engine then says what is missing)', async () => {
    const images = path.join(dir, 'train-images-idx3-ubyte');
    await writeFile(images, 'x');
    const t = setup({ showOpenDialog: pick(images) });
    const opened = (await t.files.openWithDialog('data'))!;
    expect(opened.labels).toBeUndefined();
    expect(opened.test).toBeUndefined();
  });

  it('refuses a file over the cap before reading it, naming the file and the sizes', async () => {
    const model = path.join(dir, 'huge.safetensors');
    await writeFile(model, new Uint8Array(16));
    const t = setup({
      showOpenDialog: pick(model),
      readFileCapped: vi.fn((file: string) => readFileCapped(file, 8)),
    });
    await expect(t.files.openWithDialog('model')).rejects.toThrow(`${model}: the file is 16 bytes; the limit is 8 bytes`);
    expect(t.recent.list()).toEqual([]);
  });

  it('an opened model becomes the document only once the engine accepts it', async () => {
    const model = path.join(dir, 'net.safetensors');
    await writeFile(model, new Uint8Array([1, 2]));
    const t = setup({ showOpenDialog: pick(model) });
    await t.files.openWithDialog('model');
    // Read and handed over, but the engine has not taken it yet (it may refuse it).
    expect(t.document.path).toBeNull();
    expect(t.files.adoptOpenedModel('other.safetensors')).toBe(false);
    expect(t.document.path).toBeNull();
    expect(t.files.adoptOpenedModel('net.safetensors')).toBe(true);
    expect(t.document.path).toBe(model);
    expect(t.document.title).toBe('net.safetensors — Backprop Studio');
    // Only once: a later import of the same name (say, from the browser) changes nothing.
    t.document.setState({ unsaved: true, untitled: true });
    expect(t.files.adoptOpenedModel('net.safetensors')).toBe(false);
    expect(t.document.path).toBeNull();
  });
});

describe('openPath: only files the user gave the app', () => {
  it('refuses a path that was never picked, granted or recent', async () => {
    const secret = path.join(dir, 'secret.txt');
    await writeFile(secret, 'private');
    const t = setup();
    await expect(t.files.openPath(secret)).rejects.toThrow('secret.txt: not a file you opened in the studio; use File > Open');
    await expect(t.files.openPath('/etc/passwd')).rejects.toThrow(/not a file you opened/);
    expect(t.deps.readFileCapped).not.toHaveBeenCalled();
  });

  it('opens a path the OS handed over (double-click, second instance) and a recent file', async () => {
    const model = path.join(dir, 'm.safetensors');
    const csv = path.join(dir, 'd.csv');
    await writeFile(model, new Uint8Array([7]));
    await writeFile(csv, '1,2\n');
    const t = setup();
    expect(t.files.grant(model)).toEqual({ kind: 'model', path: model, name: 'm.safetensors' });
    expect((await t.files.openPath(model)).bytes).toEqual(new Uint8Array([7]));
    await t.recent.add('data', csv, 'd.csv');
    expect((await t.files.openPath(csv)).kind).toBe('data');
  });

  it('a recent file that disappeared is reported and leaves the recent list', async () => {
    const gone = path.join(dir, 'gone.csv');
    const t = setup();
    await t.recent.add('data', gone, 'gone.csv');
    await expect(t.files.openPath(gone)).rejects.toThrow(`${gone}: cannot read: no such file or folder`);
    expect(t.recent.list()).toEqual([]);
  });
});

describe('saving models', () => {
  it('first save asks where, adds the extension, writes atomically and makes it the document', async () => {
    const target = path.join(dir, 'trained');
    const showSaveDialog = vi.fn(async (_options: unknown) => ({ canceled: false, filePath: target }));
    const t = setup({ showSaveDialog });
    t.document.setState({ unsaved: true });
    const saved = await t.files.saveModel(new Uint8Array([1, 2, 3]), { suggestedName: '../../../evil/mnist.safetensors' });
    expect(showSaveDialog.mock.calls[0]![0]).toMatchObject({ defaultPath: 'mnist.safetensors' });
    expect(saved).toEqual({ path: `${target}.safetensors`, name: 'trained.safetensors' });
    expect(new Uint8Array(await readFile(`${target}.safetensors`))).toEqual(new Uint8Array([1, 2, 3]));
    expect(t.document).toMatchObject({ path: `${target}.safetensors`, unsaved: false });
    expect(t.recent.list()[0]).toMatchObject({ kind: 'model', path: `${target}.safetensors` });
  });

  it('Save writes to the document without asking; Save As asks; cancel writes nothing', async () => {
    const file = path.join(dir, 'a.safetensors');
    const t = setup();
    t.files.grant(file);
    t.document.setFile(file);
    await t.files.saveModel(new Uint8Array([5]));
    expect(t.deps.showSaveDialog).not.toHaveBeenCalled();
    expect(new Uint8Array(await readFile(file))).toEqual(new Uint8Array([5]));
    expect(await t.files.saveModel(new Uint8Array([6]), { saveAs: true })).toBeNull();
    expect(t.deps.showSaveDialog).toHaveBeenCalledOnce();
    expect(new Uint8Array(await readFile(file))).toEqual(new Uint8Array([5]));
  });

  it('a failed write leaves the old file whole and says why in one line', async () => {
    const file = path.join(dir, 'keep.safetensors');
    await writeFile(file, 'old model');
    const t = setup({ writeFileAtomic: vi.fn(async () => Promise.reject(Object.assign(new Error('x'), { code: 'ENOSPC' }))) });
    t.document.setFile(file);
    t.document.setState({ unsaved: true });
    await expect(t.files.saveModel(new Uint8Array([1]))).rejects.toThrow(`${file}: cannot save: the disk is full`);
    expect(await readFile(file, 'utf8')).toBe('old model');
    expect(t.document.unsaved).toBe(true);
  });

  it('refuses a model over the cap', async () => {
    const t = setup();
    t.document.setFile(path.join(dir, 'x.safetensors'));
    const huge = { byteLength: MODEL_MAX_BYTES + 1 } as Uint8Array;
    await expect(t.files.saveModel(huge)).rejects.toThrow(/over the .*-byte limit/);
    expect(t.deps.writeFileAtomic).not.toHaveBeenCalled();
  });
});

describe('helpers', () => {
  it('kindOfPath and safeFileName', () => {
    expect(kindOfPath('/a/B.SAFETENSORS')).toBe('model');
    expect(kindOfPath('/a/train.csv')).toBe('data');
    expect(safeFileName('../../../x/y.safetensors')).toBe('y.safetensors');
    expect(safeFileName('C:\\Users\\me\\m.safetensors')).toBe('m.safetensors');
    expect(safeFileName('a<b>:"|?*.safetensors')).toBe('ab.safetensors');
    expect(safeFileName('..')).toBeNull();
    expect(safeFileName('')).toBeNull();
  });
});

describe('RecentFiles', () => {
  it('keeps newest first, one entry per path, at most MAX_RECENT, and persists', async () => {
    const { store, storage } = memoryStorage();
    let now = 0;
    const changes = vi.fn();
    const recent = new RecentFiles(storage, { now: () => ++now, onChange: changes });
    for (let i = 0; i < MAX_RECENT + 3; i++) await recent.add('data', `/d/${i}.csv`, `${i}.csv`);
    await recent.add('data', '/d/5.csv', '5.csv');
    const list = recent.list();
    expect(list).toHaveLength(MAX_RECENT);
    expect(list[0]!.path).toBe('/d/5.csv');
    expect(list.filter((f) => f.path === '/d/5.csv')).toHaveLength(1);
    expect(list.map((f) => f.path)).not.toContain('/d/0.csv');
    expect(changes).toHaveBeenCalledTimes(MAX_RECENT + 4);

    const reloaded = new RecentFiles(memoryStorage(store.text).storage);
    await reloaded.load();
    expect(reloaded.list()).toEqual(list);
  });

  it('a damaged or foreign list file means an empty list, logged, never a crash', async () => {
    for (const text of ['{not json', '{"version":2,"files":[]}', '{"version":1,"files":[{"path":1}]}', '[]']) {
      const log = vi.fn();
      const recent = new RecentFiles(memoryStorage(text).storage, { log });
      await recent.load();
      expect(recent.list()).toEqual([]);
      expect(log).toHaveBeenCalledOnce();
    }
  });

  it('a failing disk is logged, and the list in memory still works', async () => {
    const log = vi.fn();
    const recent = new RecentFiles({ read: async () => null, write: async () => Promise.reject(new Error('EROFS')) }, { log });
    await recent.add('model', '/m.safetensors', 'm.safetensors');
    expect(recent.has('/m.safetensors')).toBe(true);
    expect(log).toHaveBeenCalledWith('could not save the recent files list: EROFS');
  });
});
