import { FuseV1Options } from '@electron/fuses';

/**
 * The Electron fuses a packaged Backprop Studio must run with, written once for the
 * hook's unit test and the packaging test (build/after-pack.mjs says why each is set).
 * Every other fuse stays at Electron's default.
 */
export const FUSES_OFF = [
  FuseV1Options.RunAsNode,
  FuseV1Options.EnableNodeOptionsEnvironmentVariable,
  FuseV1Options.EnableNodeCliInspectArguments,
  FuseV1Options.GrantFileProtocolExtraPrivileges,
] as const;
export const FUSES_ON = [FuseV1Options.EnableEmbeddedAsarIntegrityValidation, FuseV1Options.OnlyLoadAppFromAsar] as const;

/** The same as the FuseV1Config entries the hook must pass to flipFuses, and nothing more. */
export const EXPECTED_FUSE_CONFIG: Record<number, boolean> = Object.fromEntries([
  ...FUSES_OFF.map((fuse) => [fuse, false] as const),
  ...FUSES_ON.map((fuse) => [fuse, true] as const),
]);
