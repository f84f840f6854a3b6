// @ts-check
// Tell which CPU an executable is built for from its header, so a local Electron
// distribution is never packaged under the wrong architecture's name.
// Reads ELF (Linux), PE (Windows) and Mach-O, thin or universal (macOS).

import { openSync, readSync, closeSync } from 'node:fs';

/** @typedef {'x64' | 'arm64' | 'ia32' | 'armv7l'} ElectronArch */

const ELF_MACHINES = /** @type {Record<number, ElectronArch>} */ ({ 0x3e: 'x64', 0xb7: 'arm64', 0x03: 'ia32', 0x28: 'armv7l' });
const PE_MACHINES = /** @type {Record<number, ElectronArch>} */ ({ 0x8664: 'x64', 0xaa64: 'arm64', 0x014c: 'ia32' });
const MACHO_CPUS = /** @type {Record<number, ElectronArch>} */ ({ 0x01000007: 'x64', 0x0100000c: 'arm64', 0x07: 'ia32', 0x0c: 'armv7l' });

/** @param {string} file @param {number} length @param {number} [position] */
function readHead(file, length, position = 0) {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, position);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * The architectures an executable runs on: one for ELF, PE and thin Mach-O files,
 * one per slice for a universal Mach-O. Throws with the file name when the header is
 * not one of these formats or names a CPU Electron does not ship for.
 * @param {string} file
 * @returns {ElectronArch[]}
 */
export function executableArchs(file) {
  const head = readHead(file, 4096);
  if (head.length >= 20 && head.readUInt32BE(0) === 0x7f454c46) {
    const littleEndian = head[5] === 1;
    const machine = littleEndian ? head.readUInt16LE(18) : head.readUInt16BE(18);
    return [known(ELF_MACHINES[machine], file, `ELF machine 0x${machine.toString(16)}`)];
  }
  if (head.length >= 64 && head[0] === 0x4d && head[1] === 0x5a) {
    const peOffset = head.readUInt32LE(0x3c);
    const pe = peOffset + 6 <= head.length ? head : readHead(file, 6, peOffset);
    const at = pe === head ? peOffset : 0;
    if (pe.length < at + 6 || pe.readUInt32BE(at) !== 0x50450000) throw new Error(`${file}: MZ header without a PE signature`);
    const machine = pe.readUInt16LE(at + 4);
    return [known(PE_MACHINES[machine], file, `PE machine 0x${machine.toString(16)}`)];
  }
  if (head.length >= 8) {
    const magicLE = head.readUInt32LE(0);
    if (magicLE === 0xfeedfacf || magicLE === 0xfeedface) {
      const cpu = head.readUInt32LE(4);
      return [known(MACHO_CPUS[cpu], file, `Mach-O CPU 0x${cpu.toString(16)}`)];
    }
    if (head.readUInt32BE(0) === 0xcafebabe || head.readUInt32BE(0) === 0xcafebabf) {
      const count = head.readUInt32BE(4);
      const entry = head.readUInt32BE(0) === 0xcafebabe ? 20 : 32;
      /** @type {ElectronArch[]} */
      const archs = [];
      for (let i = 0; i < count && 8 + (i + 1) * entry <= head.length; i++) {
        const cpu = head.readUInt32BE(8 + i * entry);
        archs.push(known(MACHO_CPUS[cpu], file, `Mach-O CPU 0x${cpu.toString(16)}`));
      }
      if (archs.length === 0) throw new Error(`${file}: universal Mach-O with no slices`);
      return archs;
    }
  }
  throw new Error(`${file}: not an ELF, PE or Mach-O executable`);
}

/**
 * @param {ElectronArch | undefined} arch @param {string} file @param {string} what
 * @returns {ElectronArch}
 */
function known(arch, file, what) {
  if (!arch) throw new Error(`${file}: ${what} is not an architecture Electron ships for`);
  return arch;
}
