// The committed icons: generated from the current SVG sources, in every size and
// container each platform needs, and real pictures (not blank or corrupt).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ICNS_TYPES, decodePng, encodeIcns, encodeIco, encodePng, parseIcns, parseIco } from '../../scripts/packaging/icon-formats.mjs';

const build = path.resolve(import.meta.dirname, '../../build');
const read = (name: string) => new Uint8Array(readFileSync(path.join(build, name)));
const manifest = JSON.parse(readFileSync(path.join(build, 'icons.json'), 'utf8'));

function alphaAt(png: { width: number; rgba: Uint8Array }, x: number, y: number) {
  return png.rgba[(y * png.width + x) * 4 + 3]!;
}

describe('generated icons', () => {
  it.each(['icon.svg', 'safetensors.svg'])('were generated from the current %s (else run node scripts/make-icons.mjs)', (svg) => {
    const hash = createHash('sha256').update(readFileSync(path.join(build, svg))).digest('hex');
    expect(manifest.sha256[svg]).toBe(hash);
  });

  it('the 1024 px source PNG is the app tile: transparent corners, opaque centre, not one flat colour', () => {
    const png = decodePng(read('icon.png'));
    expect([png.width, png.height]).toEqual([1024, 1024]);
    expect(alphaAt(png, 4, 4)).toBe(0);
    expect(alphaAt(png, 1019, 1019)).toBe(0);
    expect(alphaAt(png, 512, 512)).toBe(255);
    const colours = new Set<number>();
    for (let i = 0; i < png.rgba.length; i += 4 * 97) colours.add((png.rgba[i]! << 16) | (png.rgba[i + 1]! << 8) | png.rgba[i + 2]!);
    expect(colours.size).toBeGreaterThan(20);
  });

  it.each([16, 24, 32, 48, 64, 128, 256, 512, 1024])('Linux build/icons/%ix%i.png has that size', (size) => {
    const png = decodePng(read(`icons/${size}x${size}.png`));
    expect([png.width, png.height]).toEqual([size, size]);
    expect(alphaAt(png, size >> 1, size >> 1)).toBe(255);
  });

  it.each(['icon.ico', 'safetensors.ico'])('%s has 16–256 px images, BMP below 256 and PNG at 256', (name) => {
    const images = parseIco(read(name));
    expect(images.map((i) => i.width)).toEqual([16, 24, 32, 48, 64, 128, 256]);
    for (const image of images) {
      expect(image.height).toBe(image.width);
      expect(image.format).toBe(image.width === 256 ? 'png' : 'bmp');
    }
    const jumbo = decodePng(images.at(-1)!.data);
    expect([jumbo.width, jumbo.height]).toEqual([256, 256]);
    // A BMP entry: 40-byte header, double height (XOR image + AND mask), 32 bits per pixel.
    const bmp = Buffer.from(images[0]!.data);
    expect([bmp.readUInt32LE(0), bmp.readInt32LE(4), bmp.readInt32LE(8), bmp.readUInt16LE(14)]).toEqual([40, 16, 32, 32]);
  });

  it.each(['icon.icns', 'safetensors.icns'])('%s holds every size macOS asks for, up to 1024 px, as PNGs of the stated size', (name) => {
    const elements = parseIcns(read(name));
    expect(elements.map((e) => e.type).sort()).toEqual(ICNS_TYPES.map((t) => t.type).sort());
    for (const element of elements) {
      const png = decodePng(element.data);
      const size = ICNS_TYPES.find((t) => t.type === element.type)!.size;
      expect([element.type, png.width, png.height]).toEqual([element.type, size, size]);
    }
  });
});

describe('icon containers', () => {
  // A 2x2 picture: red, green / blue, transparent.
  const rgba = Uint8Array.of(255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 0, 0, 0, 0);

  it('PNG round-trips pixels exactly', () => {
    expect(decodePng(encodePng(2, 2, rgba))).toEqual({ width: 2, height: 2, rgba });
  });

  it('a corrupted PNG is refused by its CRC, not decoded into garbage', () => {
    const png = encodePng(2, 2, rgba);
    png[png.length - 20] ^= 0xff; // inside IDAT
    expect(() => decodePng(png)).toThrow(/bad CRC in chunk IDAT/);
  });

  it('ICO stores BMP rows bottom-up in BGRA with the AND mask marking transparent pixels', () => {
    const [image] = parseIco(encodeIco([{ size: 2, rgba, png: encodePng(2, 2, rgba) }]));
    const bmp = Buffer.from(image!.data);
    // Bottom row first: blue (BGRA 255,0,0,255), transparent (0,0,0,0); then red, green.
    expect([...bmp.subarray(40, 56)]).toEqual([255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 255, 255, 0, 255, 0, 255]);
    // AND mask, bottom row first, 4-byte rows: only the transparent pixel (x=1) is set.
    expect([bmp[56], bmp[60]]).toEqual([0b01000000, 0]);
  });

  it('ICNS refuses a header whose length disagrees with the file', () => {
    const icns = encodeIcns([{ type: 'ic07', png: encodePng(2, 2, rgba) }]);
    expect(parseIcns(icns)).toHaveLength(1);
    expect(() => parseIcns(icns.subarray(0, icns.length - 1))).toThrow(/header says/);
  });
});
