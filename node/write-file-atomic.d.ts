// Types for the npm package write-file-atomic 7 (it ships none; @types lags behind).
// Only what node/atomic-write.ts uses.
declare module 'write-file-atomic' {
  interface Options {
    /** Called with the temp file's path after it is opened and before anything is written. */
    tmpfileCreated?: (tmpfile: string) => void | Promise<void>;
    fsync?: boolean;
    mode?: number;
    chown?: { uid: number; gid: number } | false;
    encoding?: string;
  }
  function writeFileAtomic(filename: string, data: string | Uint8Array | null, options?: Options): Promise<void>;
  export default writeFileAtomic;
}
