/**
 * Text shared by the engine's messages and the renderer's panels, so a size or a
 * file name reads the same wherever it is shown.
 */

const MIB = 1024 * 1024;

/** `1.5 MB`, `312 bytes`: sizes the way a person reads them. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < MIB) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * MIB) return `${(n / MIB).toFixed(1)} MB`;
  return `${(n / (1024 * MIB)).toFixed(2)} GB`;
}

/** The last part of a path, with / or \ as separators ("C:\data\iris.csv" -> "iris.csv"). */
export function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}
