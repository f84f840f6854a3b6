// @ts-check
// The Content-Security-Policy of the studio's pages, written once for both places
// that serve them: Electron main's app:// protocol (electron/main/app-origin.ts)
// and browser mode's static server (scripts/web-server.mjs). Plain JavaScript (with
// content-security-policy.d.mts beside it) so the .mjs server imports it without a
// build step and esbuild bundles it into main.
//
// Scripts, workers, fonts and fetches from the app itself only; images also from
// data:/blob: (canvas exports, image grids drawn to blobs). `style-src
// 'unsafe-inline'`: Svelte and Chart.js set inline styles; CSS cannot run code,
// while script-src stays strict (no inline scripts, no eval, no remote scripts).
// No plugins, frames, forms or base changes.

const DIRECTIVES = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "media-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "child-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
];

/**
 * @param {{ webAssembly?: boolean }} [options] webAssembly: add 'wasm-unsafe-eval'
 *   to script-src, which lets the page (and its workers) compile WebAssembly and
 *   still never eval JavaScript.
 * @returns {string}
 */
export function contentSecurityPolicy({ webAssembly = false } = {}) {
  return DIRECTIVES.map((d) => (webAssembly && d.startsWith('script-src ') ? `${d} 'wasm-unsafe-eval'` : d)).join('; ');
}

/** Desktop pages: the engine runs in a utility process, so the page compiles no WebAssembly. */
export const DESKTOP_CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/** Browser mode: the engine's Web Worker compiles the WebAssembly kernels under the page's policy. */
export const BROWSER_CONTENT_SECURITY_POLICY = contentSecurityPolicy({ webAssembly: true });
