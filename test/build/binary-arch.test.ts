// Reading an executable's CPU from its header, so a local Electron is packaged under
// the right architecture's name.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { executableArchs } from '../../scripts/packaging/binary-arch.mjs';
import { fakeElectronBinary } from './fixture-project.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bps-arch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Buffer) {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

function pe(machine: number, peOffset = 0x80) {
  const b = Buffer.alloc(peOffset + 64);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(peOffset, 0x3c);
  b.write('PE\0\0', peOffset, 'latin1');
  b.writeUInt16LE(machine, peOffset + 4);
  return b;
}

function machO(cpu: number) {
  const b = Buffer.alloc(64);
  b.writeUInt32LE(0xfeedfacf, 0);
  b.writeUInt32LE(cpu, 4);
  return b;
}

function universal(cpus: number[]) {
  const b = Buffer.alloc(8 + 20 * cpus.length + 16);
  b.writeUInt32BE(0xcafebabe, 0);
  b.writeUInt32BE(cpus.length, 4);
  cpus.forEach((cpu, i) => b.writeUInt32BE(cpu, 8 + 20 * i));
  return b;
}

describe('executableArchs', () => {
  it('reads ELF (Linux) x64 and arm64', () => {
    expect(executableArchs(file('elf-x64', fakeElectronBinary('x64')))).toEqual(['x64']);
    expect(executableArchs(file('elf-arm64', fakeElectronBinary('arm64')))).toEqual(['arm64']);
  });

  it('reads PE (Windows) x64 and arm64, also when the PE header lies beyond the first 4 KiB', () => {
    expect(executableArchs(file('pe-x64.exe', pe(0x8664)))).toEqual(['x64']);
    expect(executableArchs(file('pe-arm64.exe', pe(0xaa64)))).toEqual(['arm64']);
    expect(executableArchs(file('pe-far.exe', pe(0xaa64, 8192)))).toEqual(['arm64']);
  });

  it('reads thin and universal Mach-O (macOS)', () => {
    expect(executableArchs(file('macho-arm64', machO(0x0100000c)))).toEqual(['arm64']);
    expect(executableArchs(file('macho-x64', machO(0x01000007)))).toEqual(['x64']);
    expect(executableArchs(file('macho-fat', universal([0x01000007, 0x0100000c])))).toEqual(['x64', 'arm64']);
  });

  it('names the file when it is not an executable or not a CPU Electron ships for', () => {
    const text = file('script.sh', Buffer.from('#!/bin/sh\necho hi\n'));
    expect(() => executableArchs(text)).toThrow(`${text}: not an ELF, PE or Mach-O executable`);
    expect(() => executableArchs(file('pe-mips.exe', pe(0x0166)))).toThrow(/PE machine 0x166 is not an architecture Electron ships for/);
  });
});
