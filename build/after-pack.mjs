// @ts-check
// electron-builder `afterPack` hook: flip the Electron fuses of the packaged binary.
//
// Fuses are bits compiled into the Electron binary that switch features on or off
// before any JavaScript runs, so they cannot be undone by code or by the command line.
// afterPack runs after app.asar and its integrity hash are in place and before the
// app is signed, which is the only moment they can be flipped: flipping them changes
// the binary, which would break a signature made earlier.
import path from 'node:path';
import { flipFuses, getCurrentFuseWire, FuseV1Options, FuseVersion } from '@electron/fuses';

/**
 * The fuses a packaged Backprop Studio runs with. Each is off or on for a reason:
 * - RunAsNode off: ELECTRON_RUN_AS_NODE would turn the signed app into a plain
 *   Node.js that runs any script with the app's identity and permissions.
 * - EnableNodeOptionsEnvironmentVariable off: NODE_OPTIONS (--require, --import)
 *   would let the environment inject code into the main process.
 * - EnableNodeCliInspectArguments off: --inspect / --inspect-brk would open a
 *   debugger port into the main process.
 * - EnableEmbeddedAsarIntegrityValidation on: app.asar is checked against the hash
 *   electron-builder embeds (Info.plist on macOS, a resource on Windows), so a
 *   tampered archive does not load.
 * - OnlyLoadAppFromAsar on: Electron never falls back to a loose resources/app
 *   folder, so the integrity check above cannot be sidestepped.
 * - GrantFileProtocolExtraPrivileges off: file:// pages would get Chrome-extension-
 *   like privileges (fetch of any file:// URL, service workers). The renderer is
 *   served from app:// and no page of the app is a file:// page, so nothing needs it.
 * Left at Electron's defaults on purpose: EnableCookieEncryption (the app loads no
 * remote content and keeps no cookies, while turning it on makes Chromium ask the
 * OS keyring on first start, which can prompt or stall on Linux desktops without
 * one) and LoadBrowserProcessSpecificV8Snapshot (no custom snapshot).
 * @type {Readonly<Partial<Record<FuseV1Options, boolean>>>}
 */
export const STUDIO_FUSES = Object.freeze({
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
});

/** builder-util's Arch enum value for arm64 (ia32 0, x64 1, armv7l 2, arm64 3, universal 4). */
const ARCH_ARM64 = 3;

/**
 * The fuse configuration for one packaged binary.
 * @param {string} electronPlatformName darwin | mas | win32 | linux
 * @param {number} arch builder-util Arch enum value
 * @returns {import('@electron/fuses').FuseV1Config}
 */
export function fuseConfigFor(electronPlatformName, arch) {
  return {
    version: FuseVersion.V1,
    // Flipping fuses invalidates the ad-hoc signature every Apple-silicon binary must
    // carry to start at all; re-sign ad hoc so an unsigned arm64 build still runs.
    // A real signature made afterwards by electron-builder replaces it.
    resetAdHocDarwinSignature: (electronPlatformName === 'darwin' || electronPlatformName === 'mas') && arch === ARCH_ARM64,
    ...STUDIO_FUSES,
  };
}

/**
 * Path of the packaged Electron binary (or .app bundle) inside appOutDir, named the
 * way electron-builder names it for each platform.
 * @param {{ appOutDir: string, electronPlatformName: string, packager: { appInfo: { productFilename: string }, executableName?: string } }} context
 */
export function packagedBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
    case 'win32':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    case 'linux':
      if (!packager.executableName) throw new Error('after-pack: the Linux packager has no executableName');
      return path.join(appOutDir, packager.executableName);
    default:
      throw new Error(`after-pack: unknown Electron platform "${electronPlatformName}"`);
  }
}

/** @param {import('app-builder-lib').AfterPackContext} context */
export default async function afterPack(context) {
  const binary = packagedBinaryPath(/** @type {any} */ (context));
  const config = fuseConfigFor(context.electronPlatformName, context.arch);
  await flipFuses(binary, config);

  // Read the wire back: a binary whose fuse wire is shorter than expected, or a copy
  // that was not the one we flipped, must fail the build rather than ship unprotected.
  const wire = /** @type {Record<number, number>} */ (/** @type {unknown} */ (await getCurrentFuseWire(binary)));
  for (const [index, wanted] of Object.entries(STUDIO_FUSES)) {
    const expected = wanted ? 0x31 /* '1' enabled */ : 0x30; /* '0' disabled */
    if (wire[Number(index)] !== expected) {
      throw new Error(`after-pack: fuse ${FuseV1Options[Number(index)]} of ${binary} reads ${String(wire[Number(index)])}, expected ${wanted ? 'enabled' : 'disabled'}`);
    }
  }
  console.log(`  • fuses set on ${path.basename(binary)}: ${Object.entries(STUDIO_FUSES).map(([i, on]) => `${FuseV1Options[Number(i)]}=${on ? 'on' : 'off'}`).join(', ')}`);
}
