// @ts-check
// The packaged app ships no node_modules (build/before-build.mjs), so every library
// main, preload and the engine process use must be inside their bundles. A package
// left external by the bundler works in development, where node_modules exists, and
// fails only in the installed app. This finds such imports before packaging.

import { builtinModules } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const BUILTINS = new Set(builtinModules);

/** Module specifiers a bundle loads at run time: require(), import(), import … from, import '…'. */
const SPECIFIER_PATTERNS = [
  /\brequire\s*\(\s*(['"`])([^'"`\s]+)\1\s*\)/g,
  /\bimport\s*\(\s*(['"`])([^'"`\s]+)\1\s*\)/g,
  /\bfrom\s*(['"])([^'"\s]+)\1/g,
  /\bimport\s*(['"])([^'"\s]+)\1/g,
];

/** @param {string} code @returns {string[]} every specifier, in order of appearance, without repeats */
export function moduleSpecifiers(code) {
  const found = new Set();
  for (const pattern of SPECIFIER_PATTERNS) {
    for (const match of code.matchAll(pattern)) found.add(match[2]);
  }
  return [...found];
}

/**
 * The npm package a bare specifier names, or null for what the runtime itself provides
 * (relative paths, node: and Node built-ins, electron and its subpaths, URLs).
 * @param {string} specifier
 */
export function packageOf(specifier) {
  if (/^(\.|\/|[a-z]+:)/i.test(specifier)) return null;
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
  if (name === 'electron' || BUILTINS.has(name) || BUILTINS.has(specifier)) return null;
  return name;
}

/** @param {string} dir @returns {string[]} */
function scriptsUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(c|m)?js$/.test(e.name))
    .map((e) => path.join(e.parentPath ?? /** @type {any} */ (e).path, e.name));
}

/**
 * Imports in the Electron bundles (dist/electron) of packages that exist in the
 * project's node_modules and so would load in development but not when packaged.
 * Only installed package names count, so a stray word in a bundled string that looks
 * like require("x") cannot block a build.
 * @param {string} projectDir
 * @returns {{ file: string, specifier: string }[]}
 */
export function unbundledImports(projectDir) {
  const problems = [];
  for (const file of scriptsUnder(path.join(projectDir, 'dist', 'electron'))) {
    for (const specifier of moduleSpecifiers(readFileSync(file, 'utf8'))) {
      const name = packageOf(specifier);
      if (name && existsSync(path.join(projectDir, 'node_modules', name, 'package.json'))) {
        problems.push({ file: path.relative(projectDir, file), specifier });
      }
    }
  }
  return problems;
}
