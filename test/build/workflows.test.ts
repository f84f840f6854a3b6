// The GitHub workflows: tests on every push; installers for three systems on release.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';

const root = path.resolve(import.meta.dirname, '../..');
const workflow = (name: string) => load(readFileSync(path.join(root, '.github/workflows', name), 'utf8')) as any;
type Step = { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, string>; env?: Record<string, string> };

describe('ci.yml', () => {
  const ci = workflow('ci.yml');
  const steps: Step[] = ci.jobs.test.steps;

  it('runs on every push and pull request', () => {
    expect(ci.on).toHaveProperty('push');
    expect(ci.on).toHaveProperty('pull_request');
    expect(ci.on.push).toBeNull(); // no branch filter
  });

  it('runs .ci/run on Debian with Node 20, which installs Chromium, runs npm ci and npm test', () => {
    expect(ci.jobs.test['runs-on']).toBe('ubuntu-latest');
    expect(ci.jobs.test.container).toBe('node:20-bookworm');
    expect(steps.some((s) => s.run === 'bash .ci/run')).toBe(true);
    const script = readFileSync(path.join(root, '.ci/run'), 'utf8');
    expect(script).toMatch(/chromium/);
    expect(script).toMatch(/^npm ci\b/m);
    expect(script).toMatch(/^npm test\b/m);
  });
});

describe('release.yml', () => {
  const release = workflow('release.yml');
  const job = release.jobs.installers;
  const steps: Step[] = job.steps;
  const index = (pred: (s: Step) => boolean) => steps.findIndex(pred);

  it('builds on Windows, macOS and Linux, each to the end even if another fails', () => {
    expect([...job.strategy.matrix.os].sort()).toEqual(['macos-latest', 'ubuntu-latest', 'windows-latest']);
    expect(job['runs-on']).toBe('${{ matrix.os }}');
    expect(job.strategy['fail-fast']).toBe(false);
  });

  it('installs with the Electron binary, tests (Linux under xvfb-run), then builds installers', () => {
    const install = index((s) => /^npm ci\b/.test(s.run ?? ''));
    const electronCheck = index((s) => (s.run ?? '').includes("require('electron')"));
    const linuxTests = index((s) => s.run === 'xvfb-run -a npm test');
    const otherTests = index((s) => s.run === 'npm test');
    const dist = index((s) => s.run === 'npm run dist');
    expect(install).toBeGreaterThan(-1);
    expect(electronCheck).toBeGreaterThan(install);
    expect(steps[linuxTests]!.if).toBe("runner.os == 'Linux'");
    expect(steps[otherTests]!.if).toBe("runner.os != 'Linux'");
    expect(dist).toBeGreaterThan(Math.max(linuxTests, otherTests));
    expect(JSON.stringify(release)).not.toContain('ELECTRON_SKIP_BINARY_DOWNLOAD');
  });

  it('runs on a Node that can download Electron and build installers (npm run dist refuses older ones)', async () => {
    const setup = steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!;
    const major = Number(String(setup.with!['node-version']));
    const { nodeProblem } = (await import('../../scripts/check-env.mjs')) as { nodeProblem: (task: string, version: string) => string | null };
    // setup-node takes the newest release of the major, which must meet the 'electron' requirement.
    expect(nodeProblem('electron', `v${major}.99.0`)).toBeNull();
    expect(nodeProblem('electron', 'v20.20.2')).not.toBeNull();
  });

  it('uploads every installer electron-builder.yml produces, and fails when there is none', () => {
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.with!['if-no-files-found']).toBe('error');
    const paths = upload.with!.path!.trim().split('\n').map((p) => p.trim());
    expect(paths.sort()).toEqual(['release/*.AppImage', 'release/*.deb', 'release/*.dmg', 'release/*.exe', 'release/*.zip']);
  });

  it('never publishes from electron-builder; a tag gets a draft release from the uploaded artifacts', () => {
    expect(readFileSync(path.join(root, 'scripts/dist.mjs'), 'utf8')).toContain("'--publish', 'never'");
    expect(release.jobs['draft-release'].needs).toBe('installers');
    expect(release.jobs['draft-release'].if).toBe("startsWith(github.ref, 'refs/tags/v')");
  });
});
