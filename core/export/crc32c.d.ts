/** SheetJS crc-32's CRC-32C (Castagnoli) module, which ships without its own types. */
declare module 'crc-32/crc32c.js' {
  const CRC32C: {
    /** Signed 32-bit CRC-32C of the bytes (use >>> 0 for the unsigned value). */
    buf(data: Uint8Array | number[], seed?: number): number;
  };
  export default CRC32C;
}
