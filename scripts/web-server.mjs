// The static server of browser mode (used by scripts/web.mjs, the end-to-end
// tests and the screenshots): files of one folder on 127.0.0.1, never a path
// outside it, with the headers the desktop app's pages get (cross-origin
// isolation for WASM threads, and the same Content-Security-Policy, so browser
// mode and its tests see what Electron enforces).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { BROWSER_CONTENT_SECURITY_POLICY } from '../contract/content-security-policy.mjs';

/**
 * The desktop pages' policy (contract/content-security-policy.mjs, one definition
 * for both) with 'wasm-unsafe-eval' in script-src: without it no WebAssembly
 * module may be compiled in the engine's Worker and the engine falls back to its
 * TypeScript kernels. It allows WebAssembly only, never JavaScript eval.
 */
export const CONTENT_SECURITY_POLICY = BROWSER_CONTENT_SECURITY_POLICY;

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.gz': 'application/octet-stream',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export const HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
};

/** The file for a URL path inside dist, or null (never a path outside it). */
function fileFor(dist, urlPath) {
  let p;
  try {
    p = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return null;
  }
  if (p.endsWith('/')) p += 'index.html';
  const full = normalize(join(dist, p));
  if (full !== dist && !full.startsWith(dist + sep)) return null;
  return existsSync(full) && statSync(full).isFile() ? full : null;
}

/** Serve `dist` on 127.0.0.1:`port` (0 = any free port); resolves with the listening server. */
export function serve(dist, port) {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...HEADERS, Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = fileFor(dist, req.url ?? '/');
    if (!file) {
      res.writeHead(404, { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    res.writeHead(200, {
      ...HEADERS,
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': statSync(file).size,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolveListen(server));
  });
}

