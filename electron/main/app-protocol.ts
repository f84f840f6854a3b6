import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { protocol, type Session } from 'electron';
import { APP_HOST, APP_RESPONSE_HEADERS, APP_SCHEME } from './app-origin.js';

/**
 * The `app://studio/` scheme that serves the built renderer (dist/renderer).
 * Why a custom scheme instead of file:// is explained in app-origin.ts.
 */

/** Must run before `app` is ready: a standard, secure scheme with fetch (for WASM and data assets). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    },
  ]);
}

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  // The browser compiles WebAssembly as it streams only with this exact type.
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function mimeTypeOf(file: string): string {
  return MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Map a request URL to a file under `root`, or null when it must not be served:
 * another host, a path that escapes `root` (`..`, encoded or not), NUL bytes,
 * or a malformed escape.
 */
export function resolveAppPath(root: string, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  if (pathname === '' || pathname.endsWith('/')) pathname += 'index.html';
  const base = path.resolve(root);
  const file = path.resolve(base, '.' + path.posix.normalize('/' + pathname));
  return file.startsWith(base + path.sep) ? file : null;
}

type ReadFile = (file: string) => Promise<Uint8Array>;

/**
 * The protocol handler: GET/HEAD of files under `root`, every response with the
 * app headers (CSP and friends). Misses are plain 404s, never a directory listing.
 */
export function createAppRequestHandler(root: string, read: ReadFile = readFile): (request: Request) => Promise<Response> {
  return async (request) => {
    const headers = (contentType: string): Headers => {
      const h = new Headers(APP_RESPONSE_HEADERS);
      h.set('Content-Type', contentType);
      return h;
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('method not allowed', { status: 405, headers: headers('text/plain; charset=utf-8') });
    }
    const file = resolveAppPath(root, request.url);
    if (!file) return new Response('not found', { status: 404, headers: headers('text/plain; charset=utf-8') });
    let body: Uint8Array;
    try {
      body = await read(file);
    } catch {
      return new Response('not found', { status: 404, headers: headers('text/plain; charset=utf-8') });
    }
    return new Response(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), {
      status: 200,
      headers: headers(mimeTypeOf(file)),
    });
  };
}

/** Serve `root` on app://studio/ in `session` (call after `app` is ready). */
export function serveApp(session: Session, root: string): void {
  session.protocol.handle(APP_SCHEME, createAppRequestHandler(root));
}
