/**
 * Where the studio's own pages live, and the rules their responses carry.
 *
 * The renderer is served from `app://studio/`, a custom scheme registered as
 * standard and secure, rather than from `file://`:
 * - a `file://` page has the opaque origin "null" and may read any file the user
 *   can (other `file://` URLs); `app://studio` can only reach the files of the
 *   built renderer (the protocol handler refuses every path outside it);
 * - it is a real origin, so the CSP's `'self'`, ES modules and workers behave as
 *   on the web, and the IPC sender check has a precise origin to compare with;
 * - the handler sets the CSP as a response header, which a page cannot weaken.
 * This module is pure (no electron import) so the policy can be tested as text.
 */
import { DESKTOP_CONTENT_SECURITY_POLICY } from '../../contract/content-security-policy.mjs';

import { APP_HOST, APP_ORIGIN, APP_SCHEME } from '../../contract/app-origin.js';

export { APP_HOST, APP_ORIGIN, APP_SCHEME };
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Content-Security-Policy of every app page, from the one definition that browser
 * mode's server uses too (contract/content-security-policy.mjs).
 */
export const CONTENT_SECURITY_POLICY = DESKTOP_CONTENT_SECURITY_POLICY;

/** Headers on every response of the app scheme. */
export const APP_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  // Same isolation as browser mode (vite.config.ts): the page may use SharedArrayBuffer.
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
};

/** True when `url` is a page or resource of the studio itself (app://studio/…). */
export function isAppUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
}

/**
 * Requests the session lets through: the app's own files, in-memory URLs the page
 * made itself (blob:, data:), and DevTools. Everything else — http(s), ws(s),
 * file://, other schemes — is remote or outside the app and is cancelled.
 */
export function isAllowedRequestUrl(url: string): boolean {
  if (isAppUrl(url)) return true;
  const scheme = url.slice(0, url.indexOf(':') + 1).toLowerCase();
  return scheme === 'blob:' || scheme === 'data:' || scheme === 'devtools:';
}
