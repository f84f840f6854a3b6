#!/usr/bin/env node
// @ts-check
// Generate every icon the installers need from the two SVG sources in build/:
//   build/icon.svg        -> build/icon.png (1024), build/icons/NxN.png (Linux),
//                            build/icon.ico (Windows), build/icon.icns (macOS)
//   build/safetensors.svg -> build/safetensors.ico, build/safetensors.icns (file association)
// and build/icons.json, which records the SHA-256 of each source so a test can tell
// when an SVG changed without the icons being regenerated.
//
// The SVGs are rasterized by Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH)
// through playwright-core: each size is drawn from the vector source into a canvas
// of exactly that size, so small icons are rendered, not downscaled. The PNG, ICO
// and ICNS containers are written here with node:zlib; no image package is needed.
// The outputs are committed, so packaging never needs this script or a browser.
//
// Usage: node scripts/make-icons.mjs

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePng, encodeIco, encodeIcns, ICNS_TYPES } from './packaging/icon-formats.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = path.join(root, 'build');

/** Sizes electron-builder installs into /usr/share/icons/hicolor on Linux. */
export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
/** Windows shell sizes: small icons, list view, large icons, jumbo (256 is required by electron-builder). */
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];

/**
 * Rasterize an SVG at each size in Chromium and return straight (non-premultiplied) RGBA.
 * @param {import('playwright-core').Page} page
 * @param {string} svg
 * @param {number[]} sizes
 * @returns {Promise<Map<number, Uint8Array>>}
 */
async function rasterize(page, svg, sizes) {
  const dataUrl = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  /** @type {Record<string, string>} */
  const encoded = await page.evaluate(
    async ({ dataUrl, sizes }) => {
      const img = new Image();
      img.src = dataUrl;
      await img.decode();
      /** @type {Record<string, string>} */
      const out = {};
      for (const size of sizes) {
        const canvas = document.createElement('canvas');
        canvas.width = size;
        canvas.height = size;
        const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
        ctx.imageSmoothingQuality = 'high';
        ctx.drawImage(img, 0, 0, size, size);
        const { data } = ctx.getImageData(0, 0, size, size);
        let binary = '';
        for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
        out[size] = btoa(binary);
      }
      return out;
    },
    { dataUrl, sizes },
  );
  const result = new Map();
  for (const size of sizes) result.set(size, new Uint8Array(Buffer.from(encoded[size], 'base64')));
  return result;
}

/** @param {string} file @param {Uint8Array} bytes */
function write(file, bytes) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  console.log(`  ${path.relative(root, file)} (${bytes.length} bytes)`);
}

/** @param {import('playwright-core').Page} page @param {string} name */
async function makeSet(page, name) {
  const svgPath = path.join(buildDir, `${name}.svg`);
  const svg = readFileSync(svgPath, 'utf8');
  const icnsSizes = [...new Set(ICNS_TYPES.map((t) => t.size))];
  const sizes = [...new Set([...ICO_SIZES, ...icnsSizes, ...(name === 'icon' ? LINUX_SIZES : [])])].sort((a, b) => a - b);
  const rgba = await rasterize(page, svg, sizes);
  /** @type {Map<number, Uint8Array>} */
  const png = new Map();
  for (const [size, pixels] of rgba) png.set(size, encodePng(size, size, pixels));

  write(path.join(buildDir, `${name}.ico`), encodeIco(ICO_SIZES.map((size) => ({ size, rgba: /** @type {Uint8Array} */ (rgba.get(size)), png: /** @type {Uint8Array} */ (png.get(size)) }))));
  write(path.join(buildDir, `${name}.icns`), encodeIcns(ICNS_TYPES.map((t) => ({ type: t.type, png: /** @type {Uint8Array} */ (png.get(t.size)) }))));
  if (name === 'icon') {
    write(path.join(buildDir, 'icon.png'), /** @type {Uint8Array} */ (png.get(1024)));
    for (const size of LINUX_SIZES) write(path.join(buildDir, 'icons', `${size}x${size}.png`), /** @type {Uint8Array} */ (png.get(size)));
  }
  return createHash('sha256').update(svg).digest('hex');
}

async function main() {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    console.error(`make-icons: no Chromium at ${executablePath}; install Debian's chromium or set CHROMIUM_PATH`);
    process.exit(1);
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    /** @type {Record<string, string>} */
    const sources = {};
    for (const name of ['icon', 'safetensors']) {
      console.log(`build/${name}.svg`);
      sources[`${name}.svg`] = await makeSet(page, name);
    }
    const manifest = { generatedBy: 'scripts/make-icons.mjs', sha256: sources, linuxSizes: LINUX_SIZES, icoSizes: ICO_SIZES, icnsTypes: ICNS_TYPES };
    write(path.join(buildDir, 'icons.json'), new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
  } finally {
    await browser.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`make-icons: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
