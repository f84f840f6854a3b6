/**
 * A stand-in for the `electron` module, for tests that run main-process and
 * preload code under Node. Each fake records what the code asked of it, so a test
 * can assert the window options, the handlers installed, the messages posted.
 * Use with: vi.mock('electron', async () => (await import('./fake-electron.js')).electronModule)
 * and call resetFakeElectron() in beforeEach.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

/** The event object Electron passes to preventable events. */
export class FakeEvent {
  defaultPrevented = false;
  constructor(fields: Record<string, unknown> = {}) {
    Object.assign(this, fields);
  }
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly sent: { channel: string; payload: unknown }[] = [];
  readonly posted: { channel: string; message: unknown; ports: unknown[] }[] = [];
  destroyed = false;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  postMessage(channel: string, message: unknown, ports: unknown[] = []): void {
    this.posted.push({ channel, message, ports });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  title: string;
  documentEdited = false;
  representedFilename = '';
  destroyed = false;
  shown = false;
  focused = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    this.title = String(options.title ?? '');
    FakeBrowserWindow.instances.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  setTitle(title: string): void {
    this.title = title;
  }
  setDocumentEdited(edited: boolean): void {
    this.documentEdited = edited;
  }
  setRepresentedFilename(file: string): void {
    this.representedFilename = file;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  show(): void {
    this.shown = true;
  }
  focus(): void {
    this.focused = true;
  }
  /** Like Electron: 'close' can be prevented; otherwise the window is destroyed and 'closed' follows. */
  close(): void {
    if (this.destroyed) return;
    const event = new FakeEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

export class FakeSession {
  permissionRequestHandler: ((wc: unknown, permission: string, cb: (granted: boolean) => void, details?: unknown) => void) | null = null;
  permissionCheckHandler: ((wc: unknown, permission: string, origin: string, details?: unknown) => boolean) | null = null;
  devicePermissionHandler: ((details: unknown) => boolean) | null = null;
  displayMediaRequestHandler: ((request: unknown, cb: (streams: unknown) => void) => void) | null = null;
  beforeRequest: ((details: { url: string }, cb: (r: { cancel: boolean }) => void) => void) | null = null;
  readonly protocolHandlers = new Map<string, (request: Request) => Promise<Response>>();
  readonly webRequest = {
    onBeforeRequest: (listener: NonNullable<FakeSession['beforeRequest']>) => {
      this.beforeRequest = listener;
    },
  };
  readonly protocol = {
    handle: (scheme: string, handler: (request: Request) => Promise<Response>) => {
      this.protocolHandlers.set(scheme, handler);
    },
  };
  setPermissionRequestHandler(h: FakeSession['permissionRequestHandler']): void {
    this.permissionRequestHandler = h;
  }
  setPermissionCheckHandler(h: FakeSession['permissionCheckHandler']): void {
    this.permissionCheckHandler = h;
  }
  setDevicePermissionHandler(h: FakeSession['devicePermissionHandler']): void {
    this.devicePermissionHandler = h;
  }
  setDisplayMediaRequestHandler(h: FakeSession['displayMediaRequestHandler']): void {
    this.displayMediaRequestHandler = h;
  }
}

/** A utility process: records what main posts, emits what a test makes it emit. */
export class FakeUtilityProcess extends EventEmitter {
  readonly posted: { message: unknown; transfer: unknown[] }[] = [];
  killed = false;
  constructor(
    readonly modulePath: string,
    readonly args: string[] = [],
    readonly options: Record<string, unknown> = {},
  ) {
    super();
  }
  postMessage(message: unknown, transfer: unknown[] = []): void {
    this.posted.push({ message, transfer });
  }
  /** Like Electron: the process ends and 'exit' follows. */
  kill(): boolean {
    if (this.killed) return false;
    this.killed = true;
    queueMicrotask(() => this.emit('exit', 0));
    return true;
  }
  /** Messages of one type that main posted. */
  postedOfType(type: string): { message: Record<string, unknown>; transfer: unknown[] }[] {
    return this.posted.filter((p) => (p.message as { type?: unknown }).type === type) as {
      message: Record<string, unknown>;
      transfer: unknown[];
    }[];
  }
}

let portCounter = 0;
export class FakePort {
  readonly id = ++portCounter;
}
export class FakeMessageChannelMain {
  readonly port1 = new FakePort();
  readonly port2 = new FakePort();
}

export class FakeIpcMain {
  readonly handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  readonly listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
  handle(channel: string, fn: (event: unknown, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, fn);
  }
  on(channel: string, fn: (event: unknown, ...args: unknown[]) => void): void {
    this.listeners.set(channel, fn);
  }
}

/** An IPC event as if sent from a frame at `url` (top frame unless `parent` is given). */
export function ipcEventFrom(url: string | null, parent: unknown = null): { senderFrame: { url: string; parent: unknown } | null } {
  return { senderFrame: url === null ? null : { url, parent } };
}

function makeApp() {
  const app = Object.assign(new EventEmitter(), {
    lock: true,
    isPackaged: false,
    requestSingleInstanceLock: vi.fn((): boolean => app.lock),
    quit: vi.fn(),
    enableSandbox: vi.fn(),
    setName: vi.fn(),
    whenReady: vi.fn(() => Promise.resolve()),
    getPath: vi.fn((_name: string) => fake.userData),
    setPath: vi.fn((_name: string, value: string) => {
      fake.userData = value;
    }),
    getVersion: vi.fn(() => '0.1.0'),
    addRecentDocument: vi.fn(),
    clearRecentDocuments: vi.fn(),
  });
  return app;
}

function makeState() {
  return {
    userData: '/nonexistent-user-data',
    app: makeApp(),
    session: new FakeSession(),
    ipcMain: new FakeIpcMain(),
    forks: [] as FakeUtilityProcess[],
    menu: null as { template: unknown[] } | null,
    privileged: [] as unknown[],
    exposed: new Map<string, unknown>(),
    ipcRenderer: Object.assign(new EventEmitter(), {
      invoke: vi.fn(async (_channel: string, ..._args: unknown[]): Promise<unknown> => ({ ok: true, value: null })),
      send: vi.fn((_channel: string, ..._args: unknown[]) => {}),
    }),
    dialog: {
      showOpenDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: true, filePaths: [] as string[] })),
      showSaveDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: true, filePath: undefined as string | undefined })),
      showMessageBox: vi.fn(async (..._args: unknown[]) => ({ response: 0, checkboxChecked: false })),
      showErrorBox: vi.fn(),
    },
  };
}

/** Everything the fakes recorded; replaced by resetFakeElectron(). */
export let fake = makeState();

export function resetFakeElectron(): void {
  const next = makeState();
  fake = next;
  FakeBrowserWindow.instances = [];
}

/** The module object vi.mock('electron') returns; getters so a reset takes effect in already-imported code. */
export const electronModule = {
  get app() {
    return fake.app;
  },
  BrowserWindow: FakeBrowserWindow,
  get dialog() {
    return fake.dialog;
  },
  get ipcMain() {
    return fake.ipcMain;
  },
  Menu: {
    buildFromTemplate: (template: unknown[]) => ({ template }),
    setApplicationMenu: (menu: { template: unknown[] }) => {
      fake.menu = menu;
    },
  },
  MessageChannelMain: FakeMessageChannelMain,
  nativeTheme: { shouldUseDarkColors: false },
  get session() {
    return { defaultSession: fake.session };
  },
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) => {
      fake.privileged.push(...schemes);
    },
  },
  utilityProcess: {
    fork: (modulePath: string, args?: string[], options?: Record<string, unknown>) => {
      const child = new FakeUtilityProcess(modulePath, args, options);
      fake.forks.push(child);
      return child;
    },
  },
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => {
      fake.exposed.set(key, api);
    },
  },
  get ipcRenderer() {
    return fake.ipcRenderer;
  },
};
