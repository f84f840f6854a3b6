/**
 * Electron main: the app's lifecycle and the wiring between the modules that do
 * the work (each has one job):
 *   app-protocol     serves the built renderer on app://studio with a strict CSP
 *   window-security  hardened webPreferences, navigation/window/permission denial
 *   main-window      the window, its title, the unsaved-changes question
 *   menu             the application menu
 *   file-access      dialogs, capped reads, atomic model writes, recent files
 *   ipc              the preload's channels, sender-checked and validated
 *   engine-supervisor the engine's utility process, its port, crash restarts
 */
import { access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  MessageChannelMain,
  session,
  utilityProcess,
  type MessagePortMain,
} from 'electron';
import { readFileCapped } from '../../node/read-file.js';
import { writeFileAtomic } from '../../node/atomic-write.js';
import { registerAppScheme, serveApp } from './app-protocol.js';
import { APP_NAME, ModelDocument } from './document.js';
import { EngineSupervisor, type EngineChild } from './engine-supervisor.js';
import { engineForkOptions } from './engine-environment.js';
import { FileAccess, kindOfPath } from './file-access.js';
import { IPC } from '../../contract/ipc-channels.js';
import { registerStudioIpc } from './ipc.js';
import { createMainWindow, guardUnsavedClose, showDocumentState } from './main-window.js';
import { buildMenuTemplate, shortcutList } from './menu.js';
import { RecentFiles } from './recent-files.js';
import { nodeTextFileStorage } from './recent-storage.js';
import { RunsFolder } from './runs-folder.js';
import { StudioSettings } from './studio-settings.js';
import { switchComputeBackend } from './compute-backend.js';
import type { EngineRestartEvent, MenuAction, PickedFile } from '../../contract/studio-api.js';
import { hardenSession, hardenWebContents } from './window-security.js';
import { errorMessage } from '../../core/errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PRELOAD = path.join(here, 'preload.cjs');
const ENGINE_ENTRY = path.join(here, 'engine-process.js');
const RENDERER_ROOT = path.join(here, '..', 'renderer');

// Before `ready`: the app scheme's privileges, every renderer sandboxed.
registerAppScheme();
app.enableSandbox();
app.setName(APP_NAME);
// A separate profile (recent files, the single-instance lock) for tests and side-by-side runs.
const userDataOverride = process.env.BACKPROP_STUDIO_USER_DATA?.trim();
if (userDataOverride) app.setPath('userData', path.resolve(userDataOverride));

/** Model paths the OS handed us before the window could take them. */
const pendingOpens: PickedFile[] = [];
let studio: Studio | null = null;

/** `.safetensors` paths in a command line (file association on Windows and Linux). */
function modelPathsIn(argv: readonly string[], cwd: string): string[] {
  return argv
    .slice(1)
    .filter((a) => !a.startsWith('-') && kindOfPath(a) === 'model')
    .map((a) => path.resolve(cwd, a));
}

if (!app.requestSingleInstanceLock()) {
  // Another studio is running: it receives our command line in 'second-instance'.
  app.quit();
} else {
  app.on('second-instance', (_event, argv, cwd) => {
    for (const file of modelPathsIn(argv, cwd)) openFromOs(file);
    studio?.focus();
  });
  // macOS: double-clicked file or a file dropped on the Dock icon, possibly before ready.
  app.on('open-file', (event, file) => {
    event.preventDefault();
    openFromOs(file);
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  // One window holds one session and its engine: closing it ends the app on every
  // platform (on macOS too), so no engine lingers behind a windowless Dock icon.
  app.on('window-all-closed', () => app.quit());
  void app.whenReady().then(start);
}

function openFromOs(file: string): void {
  if (kindOfPath(file) !== 'model') return;
  if (studio) studio.openFromOs(file);
  else pendingOpens.push({ kind: 'model', path: path.resolve(file), name: path.basename(file) });
}

async function start(): Promise<void> {
  hardenSession(session.defaultSession);
  serveApp(session.defaultSession, RENDERER_ROOT);
  const recent = new RecentFiles(nodeTextFileStorage(path.join(app.getPath('userData'), 'recent-files.json')), {
    onChange: () => studio?.refreshMenu(),
  });
  await recent.load();
  // Before the first engine is forked: it starts on the stored compute backend.
  const settings = new StudioSettings(nodeTextFileStorage(path.join(app.getPath('userData'), 'settings.json')));
  await settings.load();
  studio = new Studio(recent, settings);
  for (const file of modelPathsIn(process.argv, process.cwd())) studio.openFromOs(file);
  for (const file of pendingOpens.splice(0)) studio.openFromOs(file.path);
}

/** One window with its document, files and engine. Closing it quits the app and ends the engine. */
class Studio {
  private readonly document: ModelDocument;
  private readonly files: FileAccess;
  private readonly supervisor: EngineSupervisor;
  private readonly window: BrowserWindow;
  private readonly devTools = !app.isPackaged;
  /** Menu actions for a page that has not finished loading yet. */
  private readonly queued: MenuAction[] = [];
  private loaded = false;

  constructor(
    private readonly recent: RecentFiles,
    private readonly settings: StudioSettings,
  ) {
    this.document = new ModelDocument((doc) => showDocumentState(this.window, doc, process.platform));
    this.window = createMainWindow({
      preloadPath: PRELOAD,
      devTools: this.devTools,
      appVersion: app.getVersion(),
      document: this.document,
    });
    this.files = new FileAccess({
      showOpenDialog: (o) => dialog.showOpenDialog(this.window, o),
      showSaveDialog: (o) => dialog.showSaveDialog(this.window, o),
      readFileCapped,
      writeFileAtomic,
      exists: (f) => access(f).then(() => true, () => false),
      recent,
      document: this.document,
      noteRecentDocument: (f) => app.addRecentDocument(f),
    });
    this.supervisor = new EngineSupervisor({
      fork: () =>
        utilityProcess.fork(
          ENGINE_ENTRY,
          [],
          engineForkOptions(`${APP_NAME} Engine`, process.env, tmpdir(), this.settings.computeBackend),
        ) as EngineChild,
      createChannel: () => new MessageChannelMain(),
      sendPortToRenderer: (port) => {
        if (this.window.isDestroyed()) return false;
        this.window.webContents.postMessage(IPC.enginePort, null, [port as MessagePortMain]);
        return true;
      },
      notifyRenderer: (event: EngineRestartEvent) => this.send(IPC.engineRestarted, event),
      onStateCommand: (command) => {
        if (command.type === 'importModel' && typeof command.name === 'string') this.files.adoptOpenedModel(command.name);
      },
      setTimer: (fn, ms) => {
        const t = setTimeout(fn, ms);
        return () => clearTimeout(t);
      },
      now: () => performance.now(),
    });

    registerStudioIpc(ipcMain, {
      files: this.files,
      recentFiles: () => recent.list(),
      setDocumentState: (state) => this.document.setState(state),
      confirmDiscard: (detail) => this.confirmDiscard(detail),
      connectEngine: () => {
        // After the supervisor gave up, asking for the engine again starts a fresh one.
        if (this.supervisor.state === 'failed') this.supervisor.reload();
        else this.supervisor.connectRenderer();
      },
      runs: new RunsFolder(path.join(app.getPath('userData'), 'runs')),
      computeBackend: {
        get: () => this.settings.computeBackend,
        set: (backend) => switchComputeBackend({ settings: this.settings, engine: this.supervisor }, backend),
      },
    });

    guardUnsavedClose(this.window, this.document, {
      ask: () => this.askSaveBeforeClose(),
      save: () => this.saveBeforeClose(),
    });
    this.window.webContents.on('did-finish-load', () => {
      this.loaded = true;
      for (const action of this.queued.splice(0)) this.send(IPC.menu, action);
    });
    this.window.on('closed', () => this.supervisor.shutdown());
    this.supervisor.start();
    this.refreshMenu();
  }

  focus(): void {
    if (this.window.isDestroyed()) return;
    if (this.window.isMinimized()) this.window.restore();
    this.window.focus();
  }

  /** A model the OS asked us to open: the renderer decides (it may ask about unsaved work first). */
  openFromOs(file: string): void {
    const picked = this.files.grant(file);
    const action: MenuAction = { type: 'open-path', file: picked };
    if (this.loaded) this.send(IPC.menu, action);
    else this.queued.push(action);
    this.focus();
  }

  refreshMenu(): void {
    const template = buildMenuTemplate({
      platform: process.platform,
      recent: this.recent.list(),
      devTools: this.devTools,
      handlers: {
        send: (action) => this.send(IPC.menu, action),
        reloadEngine: () => this.supervisor.reload(),
        clearRecent: () => {
          void this.recent.clear();
          app.clearRecentDocuments();
        },
        about: () => void this.showAbout(),
        shortcuts: () => void this.showShortcuts(template),
      },
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  }

  private send(channel: string, payload: unknown): void {
    if (!this.window.isDestroyed()) this.window.webContents.send(channel, payload);
  }

  private async askSaveBeforeClose(): Promise<'save' | 'discard' | 'cancel'> {
    const { response } = await dialog.showMessageBox(this.window, {
      type: 'warning',
      buttons: ['Save', "Don't Save", 'Cancel'],
      defaultId: 0,
      cancelId: 2,
      noLink: true,
      message: `Save the changes to ${this.document.name} before closing?`,
      detail: 'The trained weights are lost if you do not save them.',
    });
    return response === 0 ? 'save' : response === 1 ? 'discard' : 'cancel';
  }

  /** Save on close: main asks the engine for the model itself (the page may be busy or gone). */
  private async saveBeforeClose(): Promise<boolean> {
    try {
      const bytes = await this.supervisor.exportModel();
      return (await this.files.saveModel(bytes)) !== null;
    } catch (e) {
      await dialog.showMessageBox(this.window, {
        type: 'error',
        message: 'The model could not be saved.',
        detail: errorMessage(e),
      });
      return false;
    }
  }

  private async confirmDiscard(detail: string): Promise<boolean> {
    const { response } = await dialog.showMessageBox(this.window, {
      type: 'warning',
      buttons: ['Discard Changes', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      noLink: true,
      message: `${this.document.name} has unsaved changes.`,
      detail,
    });
    return response === 0;
  }

  private async showAbout(): Promise<void> {
    await dialog.showMessageBox(this.window, {
      type: 'info',
      title: `About ${APP_NAME}`,
      message: `${APP_NAME} ${app.getVersion()}`,
      detail:
        'Train neural networks offline and see how backpropagation works, layer by layer ' +
        '(after "Deep Learning from Scratch", chapter 5).\n\n' +
        `Electron ${process.versions.electron}\nChromium ${process.versions.chrome}\nNode.js ${process.versions.node}`,
    });
  }

  private async showShortcuts(template: Parameters<typeof shortcutList>[0]): Promise<void> {
    await dialog.showMessageBox(this.window, {
      type: 'info',
      title: 'Keyboard Shortcuts',
      message: 'Keyboard shortcuts',
      detail: shortcutList(template, process.platform).join('\n'),
    });
  }
}
