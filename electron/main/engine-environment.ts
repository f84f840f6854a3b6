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
 */

/** Variables the OS and Node need to run at all (Windows looks up system DLLs through SystemRoot). */
export const ENGINE_ENV_KEYS = ['SystemRoot', 'windir', 'TEMP', 'TMP', 'TMPDIR', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ'] as const;

export function engineEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ENGINE_ENV_KEYS) {
    const value = env[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** The options of utilityProcess.fork for the engine. */
export function engineForkOptions(serviceName: string, env: Readonly<Record<string, string | undefined>>, tmpdir: string) {
  return { serviceName, stdio: 'inherit' as const, env: engineEnvironment(env), cwd: tmpdir };
}
