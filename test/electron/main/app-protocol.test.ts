// app://studio serves the built renderer and nothing else, with a strict CSP on
// every response. Real files in a temporary folder; `electron` mocked.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('../fake-electron.js')).electronModule);

const { fake, FakeSession } = await import('../fake-electron.js');
const { createAppRequestHandler, registerAppScheme, resolveAppPath, serveApp } = await import('../../../electron/main/app-protocol.js');
const { CONTENT_SECURITY_POLICY, isAllowedRequestUrl } = await import('../../../electron/main/app-origin.js');

let root: string;
let outside: string;
beforeAll(async () => {
  const base = await mkdtemp(path.join(tmpdir(), 'studio-protocol-'));
  root = path.join(base, 'renderer');
  outside = path.join(base, 'secret.txt');
  await mkdir(path.join(root, 'assets'), { recursive: true });
  await writeFile(path.join(root, 'index.html'), '<!doctype html><title>studio</title>');
  await writeFile(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(root, 'assets', 'kernels.wasm'), new Uint8Array([0, 97, 115, 109]));
  await writeFile(path.join(root, 'assets', 'a b.css'), 'body{}');
  await writeFile(outside, 'do not serve');
});
afterAll(async () => {
  await rm(path.dirname(root), { recursive: true, force: true });
});

describe('the CSP', () => {
  const directives = Object.fromEntries(
    CONTENT_SECURITY_POLICY.split('; ').map((d) => {
      const [name, ...values] = d.split(' ');
      return [name!, values];
    }),
  );

  it('allows scripts only from the app itself: no inline, no eval, no remote', () => {
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|\*/);
  });

  it('forbids plugins, frames, forms and base changes, and connections outside the app', () => {
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['frame-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['form-action']).toEqual(["'none'"]);
    expect(directives['base-uri']).toEqual(["'none'"]);
    expect(directives['connect-src']).toEqual(["'self'"]);
  });

  it('request filter: the app, blob:, data: and DevTools only', () => {
    expect(isAllowedRequestUrl('app://studio/x.js')).toBe(true);
    expect(isAllowedRequestUrl('BLOB:app://studio/1')).toBe(true);
    expect(isAllowedRequestUrl('https://example.com/')).toBe(false);
    expect(isAllowedRequestUrl('not a url')).toBe(false);
  });
});

describe('resolveAppPath', () => {
  it('maps app URLs to files under the root, / to index.html', () => {
    expect(resolveAppPath(root, 'app://studio/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://studio/assets/app.js')).toBe(path.join(root, 'assets', 'app.js'));
    expect(resolveAppPath(root, 'app://studio/assets/a%20b.css')).toBe(path.join(root, 'assets', 'a b.css'));
    expect(resolveAppPath(root, 'app://studio/assets/app.js?v=1#x')).toBe(path.join(root, 'assets', 'app.js'));
  });

  it('refuses to leave the root or serve another host', () => {
    for (const url of [
      'app://studio/../secret.txt',
      'app://studio/%2e%2e/secret.txt',
      'app://studio/assets/..%2f..%2fsecret.txt',
      'app://studio/%2e%2e%5csecret.txt',
      'app://studio/assets/%00.js',
      'app://studio/%E0%A4%A',
      'app://other/index.html',
      'file:///etc/passwd',
      'nonsense',
    ]) {
      const resolved = resolveAppPath(root, url);
      // Either refused, or a path inside the root (the URL parser folds a literal /../ at the top away).
      if (resolved !== null) expect(resolved.startsWith(root + path.sep), url).toBe(true);
      expect(resolved).not.toBe(outside);
    }
    // Dot segments, decoded or not, are folded inside the root: at worst a file of the root itself.
    expect(resolveAppPath(root, 'app://studio/assets/..%2f..%2fsecret.txt')).toBe(path.join(root, 'secret.txt'));
    for (const refused of ['app://studio/%2e%2e%5csecret.txt', 'app://studio/assets/%00.js', 'app://studio/%E0%A4%A', 'app://other/index.html']) {
      expect(resolveAppPath(root, refused), refused).toBeNull();
    }
  });
});

describe('the request handler', () => {
  const handler = () => createAppRequestHandler(root);

  it('serves files with the right type and the security headers', async () => {
    const res = await handler()(new Request('app://studio/index.html'));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>studio</title>');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const wasm = await handler()(new Request('app://studio/assets/kernels.wasm'));
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109]));
  });

  it('answers misses, escapes and other methods with an error status, never file contents', async () => {
    const missing = await handler()(new Request('app://studio/nope.js'));
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const escape = await handler()(new Request('app://studio/%2e%2e/secret.txt'));
    expect(escape.status).toBe(404);
    expect(await escape.text()).not.toContain('do not serve');
    const folder = await handler()(new Request('app://studio/assets'));
    expect(folder.status).toBe(404);
    const post = await handler()(new Request('app://studio/index.html', { method: 'POST', body: 'x' }));
    expect(post.status).toBe(405);
    const head = await handler()(new Request('app://studio/index.html', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('registerAppScheme makes app: standard and secure; serveApp installs the handler on the session', async () => {
    registerAppScheme();
    expect(fake.privileged).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
    ]);
    const session = new FakeSession();
    serveApp(session as never, root);
    const res = await session.protocolHandlers.get('app')!(new Request('app://studio/assets/app.js'));
    expect(await res.text()).toBe('console.log(1)');
  });
});
