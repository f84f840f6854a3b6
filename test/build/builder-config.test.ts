// The electron-builder configuration, loaded the way electron-builder loads it and
// validated against its own schema, then checked for what the installers must be.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';

const root = path.resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);

type Target = { target: string; arch: string[] };
type Config = Record<string, any>;

const raw = readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
const config = load(raw) as Config;

function targets(platform: 'win' | 'mac' | 'linux'): Record<string, string[]> {
  const list = config[platform].target as Target[];
  return Object.fromEntries(list.map((t) => [t.target, [...t.arch].sort()]));
}

describe('electron-builder.yml', () => {
  it('is what electron-builder itself loads, and passes its schema', async () => {
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
    const loaded = await getConfig(root, null, null);
    expect(loaded.appId).toBe('studio.backprop.app');
    await expect(validateConfiguration(loaded, { isEnabled: false, add() {} })).resolves.toBeUndefined();
  });

  it('a misspelt option is rejected by the same validation (the check above can fail)', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
    await expect(validateConfiguration({ ...config, linux: { ...config.linux, categroy: 'Development' } }, { isEnabled: false, add() {} })).rejects.toThrow(/configuration\.linux/);
  });

  it('carries ONNX Runtime for its own platform and architecture only, where the engine looks for it', () => {
    const resources = config.extraResources as { from: string; to: string; filter: string[] }[];
    expect(resources).toEqual([{
      from: 'node_modules/onnxruntime-node/bin/napi-v6/${platform}/${arch}',
      to: 'onnxruntime',
      filter: ['**/*', '!DirectML.dll', '!dxcompiler.dll', '!libonnxruntime.*.*.*.dylib'],
    }]);
    // Every installer target that onnxruntime-node ships a binary for finds it under that path;
    // macOS x64 has none in this release (the engine falls back to WebAssembly there).
    const shipped: string[] = [];
    for (const [platform, key] of [['win32', 'win'], ['darwin', 'mac'], ['linux', 'linux']] as const) {
      for (const arch of new Set((config[key].target as Target[]).flatMap((t) => t.arch))) {
        const from = resources[0]!.from.replace('${platform}', platform).replace('${arch}', arch);
        if (existsSync(path.join(root, from, 'onnxruntime_binding.node'))) shipped.push(`${platform}-${arch}`);
      }
    }
    expect(shipped.sort()).toEqual(['darwin-arm64', 'linux-arm64', 'linux-x64', 'win32-arm64', 'win32-x64']);
  });

  it('names the app', () => {
    expect(config.appId).toBe('studio.backprop.app');
    expect(config.productName).toBe('Backprop Studio');
  });

  it('builds an NSIS installer for Windows x64 and arm64', () => {
    expect(targets('win')).toEqual({ nsis: ['arm64', 'x64'] });
  });

  it('builds dmg and zip for macOS x64 and arm64, hardened, with entitlements in build/', () => {
    expect(targets('mac')).toEqual({ dmg: ['arm64', 'x64'], zip: ['arm64', 'x64'] });
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.entitlements).toBe('build/entitlements.mac.plist');
    expect(config.mac.entitlementsInherit).toBe('build/entitlements.mac.plist');
  });

  it('asks the hardened runtime for JIT only', () => {
    const plist = readFileSync(path.join(root, config.mac.entitlements), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
    const keys = [...plist.matchAll(/<key>([^<]+)<\/key>\s*<(true|false)\/>/g)].map((m) => [m[1], m[2]]);
    expect(keys).toEqual([['com.apple.security.cs.allow-jit', 'true']]);
  });

  it('builds AppImage and deb for Linux x64 and arm64 with a desktop entry and categories', () => {
    expect(targets('linux')).toEqual({ AppImage: ['arm64', 'x64'], deb: ['arm64', 'x64'] });
    const categories = String(config.linux.category).split(';').filter(Boolean);
    expect(categories).toEqual(expect.arrayContaining(['Development', 'Science', 'Education']));
    expect(config.linux.desktop.entry.GenericName).toBeTruthy();
    expect(config.linux.desktop.entry.Exec).toBeUndefined(); // electron-builder refuses Exec here
    expect(config.linux.executableName).toBe('backprop-studio');
  });

  it('opens .safetensors files as an editor, with an icon for each platform', () => {
    expect(config.fileAssociations).toHaveLength(1);
    const [assoc] = config.fileAssociations;
    expect(assoc).toMatchObject({ ext: 'safetensors', role: 'Editor', name: expect.any(String), mimeType: 'application/x-safetensors' });
    for (const ext of ['icns', 'ico']) expect(existsSync(path.join(root, 'build', `${assoc.icon}.${ext}`))).toBe(true);
  });

  it('points every platform at icons that exist', () => {
    expect(existsSync(path.join(root, config.win.icon))).toBe(true);
    expect(existsSync(path.join(root, config.mac.icon))).toBe(true);
    expect(existsSync(path.join(root, config.linux.icon, '512x512.png'))).toBe(true);
  });

  it('packages only the built app: dist/electron, dist/renderer, no maps, sources or tests', () => {
    const include = config.files.filter((p: string) => !p.startsWith('!'));
    const exclude = config.files.filter((p: string) => p.startsWith('!'));
    expect(include.sort()).toEqual(['dist/electron/**/*', 'dist/renderer/**/*']);
    expect(exclude).toEqual(expect.arrayContaining(['!**/*.map', '!**/*.{ts,mts,cts,tsbuildinfo}', '!**/{test,tests,__tests__,spec}/**']));
    expect(config.asar).toBe(true);
  });

  it('keeps node_modules out of the app through a beforeBuild hook that returns false', async () => {
    expect(config.beforeBuild).toBe('./build/before-build.mjs');
    const hook = await import(path.join(root, config.beforeBuild));
    await expect(hook.default({})).resolves.toBe(false);
  });

  it('the package.json main (when set) lies inside what is packaged', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    if (pkg.main === undefined) {
      console.log('package.json has no "main" yet (electron/ not built in this checkout); scripts/dist.mjs refuses to package without it');
      return;
    }
    expect(pkg.main).toMatch(/^(\.\/)?dist\/electron\/[^*]+\.(c|m)?js$/);
  });

  it('runs the fuses hook after packing', async () => {
    expect(config.afterPack).toBe('./build/after-pack.mjs');
    const hook = await import(path.join(root, config.afterPack));
    expect(typeof hook.default).toBe('function');
  });

  it('the build scripts this packaging relies on are declared', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.scripts.build).toBe('npm run build:wasm && npm run build:renderer && npm run build:electron');
    expect(pkg.scripts.dist).toBe('node scripts/dist.mjs');
    expect(pkg.scripts['dist:dir']).toBe('node scripts/dist.mjs --dir');
  });
});
