// The afterPack hook, called the way electron-builder calls it, against a mocked
// @electron/fuses: which binary it flips, and exactly which fuses.
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const fuses = vi.hoisted(() => ({
  flipFuses: vi.fn(async (_binary: string, _config: Record<string, unknown>) => 1),
  getCurrentFuseWire: vi.fn(async (_binary: string): Promise<Record<string, unknown>> => ({})),
}));

vi.mock('@electron/fuses', async (importActual) => {
  const actual = await importActual<typeof import('@electron/fuses')>();
  return { ...actual, flipFuses: fuses.flipFuses, getCurrentFuseWire: fuses.getCurrentFuseWire };
});

const { default: afterPack, fuseConfigFor, packagedBinaryPath } = await import('../../build/after-pack.mjs');
const { FuseV1Options, FuseVersion } = await import('@electron/fuses');
const { EXPECTED_FUSE_CONFIG, FUSES_OFF, FUSES_ON } = await import('./expected-fuses.js');

const ENABLE = 0x31;
const DISABLE = 0x30;
/** The wire of a binary after a correct flip (Electron 45 has eight fuses). */
const flippedWire = { version: '1', 0: DISABLE, 1: DISABLE, 2: DISABLE, 3: DISABLE, 4: ENABLE, 5: ENABLE, 6: DISABLE, 7: DISABLE };

/** builder-util's Arch enum */
const Arch = { x64: 1, arm64: 3 } as const;

function context(electronPlatformName: string, arch: number) {
  return {
    appOutDir: path.join('/out', `${electronPlatformName}-${arch}`),
    electronPlatformName,
    arch,
    outDir: '/out',
    targets: [],
    packager: { appInfo: { productFilename: 'Backprop Studio' }, executableName: 'backprop-studio' },
  };
}

beforeEach(() => {
  fuses.flipFuses.mockClear();
  fuses.getCurrentFuseWire.mockReset();
  fuses.getCurrentFuseWire.mockResolvedValue(flippedWire);
});

describe('after-pack hook', () => {
  it.each([
    ['linux', Arch.x64, path.join('/out', 'linux-1', 'backprop-studio'), false],
    ['linux', Arch.arm64, path.join('/out', 'linux-3', 'backprop-studio'), false],
    ['win32', Arch.x64, path.join('/out', 'win32-1', 'Backprop Studio.exe'), false],
    ['win32', Arch.arm64, path.join('/out', 'win32-3', 'Backprop Studio.exe'), false],
    ['darwin', Arch.x64, path.join('/out', 'darwin-1', 'Backprop Studio.app'), false],
    ['darwin', Arch.arm64, path.join('/out', 'darwin-3', 'Backprop Studio.app'), true],
  ])('%s arch %i: flips exactly the six fuses of %s', async (platform, arch, binary, resetAdHoc) => {
    await afterPack(context(platform, arch) as any);
    expect(fuses.flipFuses).toHaveBeenCalledTimes(1);
    const [calledPath, config] = fuses.flipFuses.mock.calls[0]!;
    expect(calledPath).toBe(binary);
    // toStrictEqual: no other fuse (cookie encryption, V8 snapshot) is touched.
    expect(config).toStrictEqual({ version: FuseVersion.V1, resetAdHocDarwinSignature: resetAdHoc, ...EXPECTED_FUSE_CONFIG });
    expect(fuses.getCurrentFuseWire).toHaveBeenCalledWith(binary);
  });

  it('names the fuses by their meaning: RunAsNode, NODE_OPTIONS, --inspect and file:// privileges off; asar integrity and asar-only on', () => {
    const config = fuseConfigFor('linux', Arch.x64) as Record<number, boolean>;
    for (const fuse of FUSES_OFF) expect(config[fuse], FuseV1Options[fuse]).toBe(false);
    for (const fuse of FUSES_ON) expect(config[fuse], FuseV1Options[fuse]).toBe(true);
    expect(FuseV1Options.EnableCookieEncryption in config).toBe(false);
  });

  it('fails the build when the binary does not read back as flipped', async () => {
    fuses.getCurrentFuseWire.mockResolvedValue({ ...flippedWire, [FuseV1Options.RunAsNode]: ENABLE });
    await expect(afterPack(context('linux', Arch.x64) as any)).rejects.toThrow(/RunAsNode .* expected disabled/);
  });

  it('fails the build when flipping fails (e.g. no fuse sentinel in the binary)', async () => {
    fuses.flipFuses.mockRejectedValueOnce(new Error('Could not find sentinel in the provided Electron binary'));
    await expect(afterPack(context('win32', Arch.x64) as any)).rejects.toThrow(/sentinel/);
  });

  it('refuses an unknown platform instead of guessing a path', () => {
    expect(() => packagedBinaryPath(context('freebsd', Arch.x64))).toThrow(/unknown Electron platform "freebsd"/);
  });
});
