// The Electron security checklist as applied by electron/main/window-security.ts and
// electron/main/main-window.ts, with `electron` mocked.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('../fake-electron.js')).electronModule);

const { FakeBrowserWindow, FakeEvent, FakeSession, FakeWebContents, resetFakeElectron } = await import('../fake-electron.js');
const { hardenSession, hardenWebContents, secureWebPreferences } = await import('../../../electron/main/window-security.js');
const { createMainWindow } = await import('../../../electron/main/main-window.js');
const { ModelDocument } = await import('../../../electron/main/document.js');
const { APP_ENTRY_URL } = await import('../../../electron/main/app-origin.js');

beforeEach(() => resetFakeElectron());

describe('webPreferences of the studio window', () => {
  it('turns on isolation and the sandbox and turns off Node and every risky feature', () => {
    const prefs = secureWebPreferences('/app/preload.cjs', false) as Record<string, unknown>;
    expect(prefs.preload).toBe('/app/preload.cjs');
    for (const on of ['contextIsolation', 'sandbox', 'webSecurity']) expect(prefs[on], on).toBe(true);
    const off = [
      'nodeIntegration', 'nodeIntegrationInWorker', 'nodeIntegrationInSubFrames',
      'allowRunningInsecureContent', 'experimentalFeatures', 'webviewTag', 'navigateOnDragDrop', 'spellcheck', 'devTools',
    ];
    for (const name of off) expect(prefs[name], name).toBe(false);
  });

  it('createMainWindow builds the window with those preferences and loads the app from app://studio', () => {
    const doc = new ModelDocument();
    createMainWindow({ preloadPath: '/x/preload.cjs', devTools: false, appVersion: '1.2.3', document: doc });
    const win = FakeBrowserWindow.instances[0]!;
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(prefs.additionalArguments).toEqual(['--studio-app-version=1.2.3']);
    expect(win.loadedUrl).toBe(APP_ENTRY_URL);
    expect(APP_ENTRY_URL.startsWith('app://studio/')).toBe(true);
    expect(win.options.title).toBe('Untitled — Backprop Studio');
    // The window's own contents are hardened too (not only through web-contents-created).
    expect(win.webContents.windowOpenHandler).not.toBeNull();
    expect(win.webContents.listenerCount('will-navigate')).toBe(1);
  });
});

describe('no Blink feature is switched on (issue 14, item 13)', () => {
  it('the studio window sets no enableBlinkFeatures', () => {
    createMainWindow({ preloadPath: '/x/preload.cjs', devTools: true, appVersion: '1', document: new ModelDocument() });
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    for (const win of FakeBrowserWindow.instances) {
      expect(win.options.webPreferences).not.toHaveProperty('enableBlinkFeatures');
    }
    expect(secureWebPreferences('/p.cjs', true)).not.toHaveProperty('enableBlinkFeatures');
  });

  it('no source of main, preload or engine names enableBlinkFeatures (no other window can set it)', () => {
    const root = path.resolve(import.meta.dirname, '..', '..', '..', 'electron');
    const sources = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(sources.length).toBeGreaterThan(10);
    const offenders = sources.filter((f) => /enableBlinkFeatures/.test(readFileSync(path.join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('navigation, new windows and webviews', () => {
  function hardened() {
    const contents = new FakeWebContents();
    const log = vi.fn();
    hardenWebContents(contents as never, log);
    return { contents, log };
  }

  it('prevents every main-frame navigation, remote or not', () => {
    const { contents, log } = hardened();
    for (const url of ['https://example.com/', 'file:///etc/passwd', 'app://studio/other.html']) {
      const event = new FakeEvent({ url });
      contents.emit('will-navigate', event);
      expect(event.defaultPrevented).toBe(true);
    }
    expect(log).toHaveBeenCalledWith('blocked navigation to https://example.com/');
  });

  it('prevents subframe navigations and redirects', () => {
    const { contents } = hardened();
    const frame = new FakeEvent({ url: 'https://example.com/', isMainFrame: false });
    contents.emit('will-frame-navigate', frame);
    expect(frame.defaultPrevented).toBe(true);
    const redirect = new FakeEvent({ url: 'https://example.com/' });
    contents.emit('will-redirect', redirect);
    expect(redirect.defaultPrevented).toBe(true);
  });

  it('denies window.open and target=_blank links', () => {
    const { contents, log } = hardened();
    expect(contents.windowOpenHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'app://studio/index.html' })).toEqual({ action: 'deny' });
    expect(log).toHaveBeenCalledWith('blocked a new window for https://example.com/');
  });

  it('hardening twice (window and web-contents-created) installs each handler once', () => {
    const { contents } = hardened();
    hardenWebContents(contents as never, () => {});
    expect(contents.listenerCount('will-navigate')).toBe(1);
    expect(contents.listenerCount('will-frame-navigate')).toBe(1);
  });

  it('refuses <webview> tags', () => {
    const { contents } = hardened();
    const event = new FakeEvent();
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.defaultPrevented).toBe(true);
  });
});

describe('session rules', () => {
  function hardened() {
    const session = new FakeSession();
    hardenSession(session as never, () => {});
    return session;
  }

  it('denies every permission request and check', () => {
    const session = hardened();
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'hid', 'fullscreen']) {
      const cb = vi.fn();
      session.permissionRequestHandler!({}, permission, cb, {});
      expect(cb).toHaveBeenCalledWith(false);
      expect(session.permissionCheckHandler!({}, permission, 'app://studio', {})).toBe(false);
    }
    expect(session.devicePermissionHandler!({ deviceType: 'usb' })).toBe(false);
    const streams = vi.fn();
    session.displayMediaRequestHandler!({}, streams);
    expect(streams).toHaveBeenCalledWith(null);
  });

  it('cancels every request that is not the app itself, blob:, data: or DevTools', () => {
    const session = hardened();
    const cancelled = (url: string): boolean => {
      let result: boolean | undefined;
      session.beforeRequest!({ url }, (r) => (result = r.cancel));
      return result!;
    };
    expect(cancelled('app://studio/index.html')).toBe(false);
    expect(cancelled('app://studio/assets/index-abc.js')).toBe(false);
    expect(cancelled('blob:app://studio/1234-5678')).toBe(false);
    expect(cancelled('data:image/png;base64,AAAA')).toBe(false);
    expect(cancelled('devtools://devtools/bundled/devtools_app.html')).toBe(false);
    expect(cancelled('https://cdn.example.com/lib.js')).toBe(true);
    expect(cancelled('http://127.0.0.1:5173/')).toBe(true);
    expect(cancelled('wss://example.com/socket')).toBe(true);
    expect(cancelled('file:///etc/passwd')).toBe(true);
    expect(cancelled('app://other/index.html')).toBe(true);
  });
});
