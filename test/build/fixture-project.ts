// A throwaway copy of the packaging side of the project (package.json,
// electron-builder.yml, build/, scripts/dist.mjs and its helpers) in a temp folder,
// so scripts/dist.mjs can be run as users run it, against a node_modules and an
// Electron distribution the test controls, on any machine.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nodeProblem } from '../../scripts/check-env.mjs';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

export const electronVersion: string = JSON.parse(readFileSync(path.join(repoRoot, 'node_modules/electron/package.json'), 'utf8')).version;

/**
 * Why scripts/dist.mjs, run as users run it, stops at its Node check under this Node
 * (it needs what Electron's download and electron-builder need), or null when it goes on.
 */
export const distNodeProblem: string | null = nodeProblem('electron');

export interface FixtureOptions {
  /** 'real': a symlink to the repository's node_modules; 'minimal': only electron's package.json (no dist) and js-yaml. */
  nodeModules: 'real' | 'minimal';
  /** The fixture's `build` script (a node program run by `npm run build`). */
  buildScript: string;
}

export function makeFixtureProject({ nodeModules, buildScript }: FixtureOptions): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'bps-dist-'));
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  // The fixture's build writes dist/electron/main.js, whatever the real main is called.
  pkg.main = 'dist/electron/main.js';
  pkg.scripts = { ...pkg.scripts, build: 'node make-dist.mjs' };
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  writeFileSync(path.join(dir, 'make-dist.mjs'), buildScript);
  cpSync(path.join(repoRoot, 'electron-builder.yml'), path.join(dir, 'electron-builder.yml'));
  cpSync(path.join(repoRoot, 'build'), path.join(dir, 'build'), { recursive: true, filter: (src) => !src.includes(`${path.sep}wasm`) });
  mkdirSync(path.join(dir, 'scripts'));
  cpSync(path.join(repoRoot, 'scripts/dist.mjs'), path.join(dir, 'scripts/dist.mjs'));
  cpSync(path.join(repoRoot, 'scripts/check-env.mjs'), path.join(dir, 'scripts/check-env.mjs'));
  cpSync(path.join(repoRoot, 'scripts/packaging'), path.join(dir, 'scripts/packaging'), { recursive: true });
  if (nodeModules === 'real') {
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'junction');
  } else {
    mkdirSync(path.join(dir, 'node_modules/electron'), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules/electron/package.json'), JSON.stringify({ name: 'electron', version: electronVersion }));
    symlinkSync(path.join(repoRoot, 'node_modules/js-yaml'), path.join(dir, 'node_modules/js-yaml'), 'junction');
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The environment a user without any Electron setting would have, plus `extra`. */
export function envWithoutElectronDist(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.ELECTRON_DIST;
  return { ...env, ...extra };
}

/** ELF machine numbers for the host CPUs Electron ships for. */
const ELF_MACHINE: Record<string, number> = { x64: 0x3e, arm64: 0xb7 };

/**
 * A stand-in Electron executable: a valid ELF header for `arch` and Electron 45's fuse
 * wire at its defaults (RunAsNode on, cookie encryption off, NODE_OPTIONS on, inspect
 * on, asar integrity off, only-asar off, V8 snapshot off, file-protocol privileges on),
 * which @electron/fuses finds and flips exactly as in the real binary.
 */
export function fakeElectronBinary(arch: string): Buffer {
  const machine = ELF_MACHINE[arch];
  if (machine === undefined) throw new Error(`no fake ELF for ${arch}`);
  const bytes = Buffer.alloc(8192);
  bytes.write('\x7fELF', 0, 'latin1');
  bytes[4] = 2; // 64-bit
  bytes[5] = 1; // little-endian
  bytes[6] = 1; // ELF version
  bytes.writeUInt16LE(2, 16); // executable
  bytes.writeUInt16LE(machine, 18);
  const sentinel = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
  const at = 4000;
  bytes.write(sentinel, at, 'latin1');
  bytes[at + sentinel.length] = 1; // fuse wire version
  bytes[at + sentinel.length + 1] = 8; // fuse count
  bytes.write('10110001', at + sentinel.length + 2, 'latin1');
  return bytes;
}

/** An unpacked Linux Electron distribution holding the fake binary. */
export function makeFakeLinuxElectron(arch: string, version = electronVersion): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'bps-electron-'));
  writeFileSync(path.join(dir, 'electron'), fakeElectronBinary(arch), { mode: 0o755 });
  writeFileSync(path.join(dir, 'version'), version);
  writeFileSync(path.join(dir, 'LICENSE'), 'MIT');
  mkdirSync(path.join(dir, 'resources'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
