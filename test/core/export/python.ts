import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Debian's Python (not whatever python3 is first on PATH): /usr/bin/python3 with
 * python3-numpy and python3-torch. Tests that need a module ask here and print
 * why they skip where it is missing.
 */
export const PYTHON = '/usr/bin/python3';

const cache = new Map<string, string | null>();

/** null when `module` imports, else the reason to print when skipping. */
export function missingPython(module: string): string | null {
  if (!cache.has(module)) {
    if (!existsSync(PYTHON)) cache.set(module, `${PYTHON} is missing`);
    else {
      const r = spawnSync(PYTHON, ['-c', `import ${module}`], { encoding: 'utf8' });
      cache.set(module, r.status === 0 ? null : `${PYTHON} cannot import ${module} (apt-get install python3-${module})`);
    }
  }
  return cache.get(module)!;
}

/** Run Python code; its stdout, or a thrown error carrying stderr. */
export function runPython(code: string, cwd: string, args: string[] = []): string {
  return execFileSync(PYTHON, ['-c', code, ...args], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}
