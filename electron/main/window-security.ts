import type { Session, WebContents, WebPreferences } from 'electron';
import { isAllowedRequestUrl } from './app-origin.js';

/**
 * The Electron security checklist, applied in one place:
 * https://www.electronjs.org/docs/latest/tutorial/security
 * Every function here only denies; the app needs no permission, no navigation,
 * no second window and no remote resource.
 */

/** webPreferences of every studio window. */
export function secureWebPreferences(preloadPath: string, devTools: boolean): WebPreferences {
  return {
    preload: preloadPath,
    // The preload and the page live in separate JavaScript worlds; the page only sees window.studio.
    contextIsolation: true,
    // The renderer is a Chromium sandbox: no Node, no direct OS access, even for the preload.
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    // Spell checking would send words to a service on some platforms.
    spellcheck: false,
    devTools,
  };
}

/** Why a denial happened, for the log; tests swap it to observe. */
export type SecurityLog = (message: string) => void;

const defaultLog: SecurityLog = (message) => console.warn(`[security] ${message}`);

/** Contents already hardened: the window does it, and app's web-contents-created does it for every contents. */
const hardened = new WeakSet<WebContents>();

/**
 * Navigation away from the app, new windows, <webview> tags: all refused.
 * The studio is a single page; in-page (hash) navigation does not raise these events.
 */
export function hardenWebContents(contents: WebContents, log: SecurityLog = defaultLog): void {
  if (hardened.has(contents)) return;
  hardened.add(contents);
  contents.on('will-navigate', (event) => {
    event.preventDefault();
    log(`blocked navigation to ${event.url}`);
  });
  // will-navigate covers the main frame; this covers frames inside it (CSP forbids them too).
  contents.on('will-frame-navigate', (event) => {
    if (event.isMainFrame) return;
    event.preventDefault();
    log(`blocked frame navigation to ${event.url}`);
  });
  contents.on('will-redirect', (event) => {
    event.preventDefault();
    log(`blocked redirect to ${event.url}`);
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('blocked a <webview>');
  });
  contents.setWindowOpenHandler((details) => {
    log(`blocked a new window for ${details.url}`);
    return { action: 'deny' };
  });
}

/**
 * Session-wide rules: every permission request and check is denied (camera,
 * notifications, clipboard reads, HID, …), and every request that is not the app's
 * own file, a blob:/data: URL or DevTools is cancelled, so no remote content loads
 * even if the page asks for it.
 */
export function hardenSession(session: Session, log: SecurityLog = defaultLog): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log(`denied permission request '${permission}'`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.setDisplayMediaRequestHandler((_request, callback) => callback(null));
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequestUrl(details.url);
    if (!allowed) log(`cancelled request to ${details.url}`);
    callback({ cancel: !allowed });
  });
}
