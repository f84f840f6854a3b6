import { describe, expect, it } from 'vitest';
import { engineEnvironment, engineForkOptions } from '../../../electron/main/engine-environment.js';

/** The engine's utility process has no sandbox; what main does not hand it, it cannot leak. */
describe('the engine process environment', () => {
  it('keeps only what the OS and Node need, never tokens, proxies or NODE_OPTIONS', () => {
    const env = engineEnvironment({
      SystemRoot: 'C:\\Windows',
      TMPDIR: '/tmp',
      LANG: 'de_DE.UTF-8',
      HOME: '/home/ada',
      PATH: '/usr/bin',
      GITHUB_TOKEN: 'ghp_secret',
      AWS_SECRET_ACCESS_KEY: 'x',
      HTTPS_PROXY: 'http://proxy:3128',
      NODE_OPTIONS: '--require /tmp/evil.js',
      ELECTRON_RUN_AS_NODE: '1',
      TZ: undefined,
    });
    expect(env).toEqual({ SystemRoot: 'C:\\Windows', TMPDIR: '/tmp', LANG: 'de_DE.UTF-8', BACKPROP_STUDIO_BACKEND: 'auto' });
  });

  it('starts in the temporary folder under its own service name', () => {
    expect(engineForkOptions('Backprop Studio Engine', { PATH: '/bin' }, '/tmp')).toEqual({
      serviceName: 'Backprop Studio Engine',
      stdio: 'inherit',
      env: { BACKPROP_STUDIO_BACKEND: 'auto' },
      cwd: '/tmp',
    });
  });

  it('names the compute backend the user chose, whatever main itself was started with', () => {
    for (const backend of ['auto', 'native', 'wasm', 'reference'] as const) {
      expect(engineEnvironment({ BACKPROP_STUDIO_BACKEND: 'native' }, backend).BACKPROP_STUDIO_BACKEND).toBe(backend);
    }
    expect(engineForkOptions('Engine', {}, '/tmp', 'wasm').env).toEqual({ BACKPROP_STUDIO_BACKEND: 'wasm' });
  });

  it("passes main's thread count on when main has one, and none otherwise", () => {
    expect(engineEnvironment({ BACKPROP_STUDIO_THREADS: '1' }, 'native')).toEqual({ BACKPROP_STUDIO_BACKEND: 'native', BACKPROP_STUDIO_THREADS: '1' });
    expect(engineEnvironment({ PATH: '/bin' }, 'native')).toEqual({ BACKPROP_STUDIO_BACKEND: 'native' });
  });
});
