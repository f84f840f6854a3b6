#!/usr/bin/env node
// `npm run web`: build the renderer and serve it in browser mode on 127.0.0.1,
// with the engine in a Web Worker. The two cross-origin isolation headers let
// the engine use SharedArrayBuffer (WASM threads), as in the desktop app.
//
//   node scripts/web.mjs [--port 5178] [--no-build] [--out-dir dist/renderer]
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
let dist = join(root, 'dist', 'renderer');

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

const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
};

function parseArgs(argv) {
  const out = { port: Number(process.env.PORT) || 5178, build: true, outDir: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-build') out.build = false;
    else if (a === '--port') {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0 || v > 65535) fail(`--port needs a number 0..65535, got ${argv[i]}`);
      out.port = v;
    } else if (a === '--out-dir') {
      // Where to build and serve from (lets parallel test runs keep their own build).
      const v = argv[++i];
      if (!v) fail('--out-dir needs a folder');
      out.outDir = resolve(v);
    } else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/web.mjs [--port 5178] [--no-build] [--out-dir dist/renderer]');
      process.exit(0);
    } else fail(`unknown option ${a} (try --help)`);
  }
  return out;
}

function fail(message) {
  console.error(`web: ${message}`);
  process.exit(2);
}

function build() {
  console.log('web: building the renderer (vite build)…');
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn', '--outDir', dist, '--emptyOutDir'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) fail('the build failed (see above)');
}

/** The file for a URL path inside dist, or null (never a path outside it). */
function fileFor(urlPath) {
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

export function serve(port) {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...HEADERS, Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = fileFor(req.url ?? '/');
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

const args = parseArgs(process.argv.slice(2));
if (args.outDir) dist = args.outDir;
if (args.build) build();
if (!existsSync(join(dist, 'index.html'))) fail(`${dist} has no index.html: run without --no-build`);
try {
  const server = await serve(args.port);
  const { port } = server.address();
  console.log(`Backprop Studio (browser mode) at http://127.0.0.1:${port}/  — Ctrl+C to stop`);
} catch (e) {
  if (e && e.code === 'EADDRINUSE') fail(`port ${args.port} is in use; pick another with --port`);
  fail(e instanceof Error ? e.message : String(e));
}
