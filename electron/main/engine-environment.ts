/**
 * How the engine's utility process is started. Electron offers no sandbox for a
 * utility process (Chromium launches it unsandboxed because it runs Node), so the
 * engine, which parses untrusted files, runs with the user's rights. What is cheap
 * to take away is taken here and in the design:
 * - it never gets a file path, only bytes that main read with a size cap;
 * - it gets a minimal environment, not main's: no tokens, credentials or proxy
 *   settings of the user's shell, nothing for NODE_OPTIONS-style injection;
 * - its working directory is the system's temporary folder, not wherever the app
 *   was started from.
 * README.md (Security) says what that leaves.
 *
 * Two variables of the studio's own are added: the compute backend the user chose
 * (main's settings, never main's environment) and, when main itself was started
 * with one, the engine's thread count (the engine checks both; engine-ops.ts).
 */
import type { ComputeBackend } from '../../contract/studio-api.js';

/** Variables the OS and Node need to run at all (Windows looks up system DLLs through SystemRoot). */
export const ENGINE_ENV_KEYS = ['SystemRoot', 'windir', 'TEMP', 'TMP', 'TMPDIR', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ'] as const;

/** Read by electron/engine/engine-ops.ts (which main does not import: it pulls in the native library). */
export const BACKEND_ENV = 'BACKPROP_STUDIO_BACKEND';
export const THREADS_ENV = 'BACKPROP_STUDIO_THREADS';

export function engineEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  backend: ComputeBackend = 'auto',
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ENGINE_ENV_KEYS) {
    const value = env[key];
    if (value !== undefined) out[key] = value;
  }
  out[BACKEND_ENV] = backend;
  const threads = env[THREADS_ENV];
  if (threads !== undefined) out[THREADS_ENV] = threads;
  return out;
}

/** The options of utilityProcess.fork for the engine. */
export function engineForkOptions(
  serviceName: string,
  env: Readonly<Record<string, string | undefined>>,
  tmpdir: string,
  backend: ComputeBackend = 'auto',
) {
  return { serviceName, stdio: 'inherit' as const, env: engineEnvironment(env, backend), cwd: tmpdir };
}
