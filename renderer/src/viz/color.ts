/**
 * Colour scales for the studio's pictures of numbers.
 *
 * All scales are built in OKLCH (a perceptual space), so "equally far from zero"
 * really looks equally strong: a diverging scale uses the same lightness and the
 * same chroma for +v and -v and only the hue differs. Each theme gets its own
 * ramps, because a scale whose zero is white glares on a dark window and one whose
 * zero is black disappears into it. Pure functions, no DOM.
 */

export type Theme = 'light' | 'dark';
/** sRGB, each channel 0..255 (integers). */
export type RGB = readonly [r: number, g: number, b: number];

// ---------------------------------------------------------------------------
// OKLab <-> sRGB (Björn Ottosson's published matrices)
// ---------------------------------------------------------------------------

function linearToSrgb(x: number): number {
  return x <= 0.0031308 ? 12.92 * x : 1.055 * Math.pow(x, 1 / 2.4) - 0.055;
}

function srgbToLinear(x: number): number {
  return x <= 0.04045 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4);
}

/** OKLab to linear-light sRGB, unclipped (channels may leave [0, 1] when out of gamut). */
function oklabToLinear(L: number, a: number, b: number): [number, number, number] {
  const l = (L + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m = (L - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (L - 0.0894841775 * a - 1.291485548 * b) ** 3;
  return [
    4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
    -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
    -0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s,
  ];
}

/** sRGB (0..255) to OKLab; used by tests and by `textColorOn`. */
export function rgbToOklab(rgb: RGB): { L: number; a: number; b: number } {
  const [r, g, b] = rgb.map((c) => srgbToLinear(c / 255)) as [number, number, number];
  const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  return {
    L: 0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
    a: 1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    b: 0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s,
  };
}

const inGamut = (c: readonly number[]): boolean => c.every((v) => v >= -1e-4 && v <= 1 + 1e-4);

function lchLinear(L: number, C: number, hueDeg: number): [number, number, number] {
  const h = (hueDeg * Math.PI) / 180;
  return oklabToLinear(L, C * Math.cos(h), C * Math.sin(h));
}

/** The largest chroma ≤ `want` that keeps OKLCH(L, C, h) inside sRGB, for every hue given. */
function maxChroma(L: number, want: number, hues: readonly number[]): number {
  let lo = 0;
  let hi = want;
  if (hues.every((h) => inGamut(lchLinear(L, hi, h)))) return hi;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (hues.every((h) => inGamut(lchLinear(L, mid, h)))) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** OKLCH to sRGB 0..255, clamping the tiny round-off outside the gamut. */
export function oklch(L: number, C: number, hueDeg: number): RGB {
  const lin = lchLinear(L, C, hueDeg);
  const [r, g, b] = lin.map((v) => Math.round(255 * linearToSrgb(Math.min(1, Math.max(0, v))))) as [
    number,
    number,
    number,
  ];
  return [r, g, b];
}

export function rgbToCss(c: RGB, alpha = 1): string {
  return alpha >= 1 ? `rgb(${c[0]} ${c[1]} ${c[2]})` : `rgb(${c[0]} ${c[1]} ${c[2]} / ${alpha})`;
}

// ---------------------------------------------------------------------------
// Diverging scale: negative blue, zero neutral (close to the theme's background), positive red
// ---------------------------------------------------------------------------

/** Number of entries in a lookup table; odd so that exactly one entry is zero. */
export const LUT_SIZE = 511;
const NEGATIVE_HUE = 255; // blue
const POSITIVE_HUE = 30; // red-orange

interface Ramp {
  /** Lightness at zero and at the strongest value. */
  L0: number;
  L1: number;
  /** Chroma wanted at the strongest value (reduced where sRGB cannot show it). */
  C1: number;
}

const DIVERGING: Record<Theme, Ramp> = {
  light: { L0: 0.975, L1: 0.47, C1: 0.17 },
  dark: { L0: 0.3, L1: 0.83, C1: 0.15 },
};

/**
 * Colour of `t` in [-1, 1] on the diverging scale. Lightness and chroma depend
 * only on |t|, so the scale is symmetric around zero by construction.
 */
export function divergingAt(t: number, theme: Theme): RGB {
  const ramp = DIVERGING[theme];
  const u = Math.min(1, Math.abs(t));
  // A gentle ease: small values already separate from zero (weights near 0.01 matter).
  const e = Math.pow(u, 0.8);
  const L = ramp.L0 + (ramp.L1 - ramp.L0) * e;
  const C = maxChroma(L, ramp.C1 * e, [NEGATIVE_HUE, POSITIVE_HUE]);
  return oklch(L, C, t < 0 ? NEGATIVE_HUE : POSITIVE_HUE);
}

/** Shown for NaN and ±Inf: a colour no finite value can get, so a diverged run is obvious. */
export const NON_FINITE_COLOR: RGB = [255, 0, 255];

/** A colour lookup table: LUT_SIZE colours as RGBA bytes, index (LUT_SIZE-1)/2 is zero. */
export type ColorLut = Uint8ClampedArray;

const lutCache = new Map<string, ColorLut>();

export function divergingLut(theme: Theme): ColorLut {
  const key = `div-${theme}`;
  let lut = lutCache.get(key);
  if (!lut) {
    lut = new Uint8ClampedArray(LUT_SIZE * 4);
    const half = (LUT_SIZE - 1) / 2;
    for (let i = 0; i < LUT_SIZE; i++) {
      const [r, g, b] = divergingAt((i - half) / half, theme);
      lut.set([r, g, b, 255], i * 4);
    }
    lutCache.set(key, lut);
  }
  return lut;
}

/**
 * The LUT index of `value` on a scale running from -limit to +limit. Values past
 * the limit saturate. A limit of 0 (all values zero, like fresh biases) maps
 * everything to the zero colour instead of dividing by zero.
 */
export function divergingIndex(value: number, limit: number): number {
  const half = (LUT_SIZE - 1) / 2;
  if (!(limit > 0)) return half;
  const t = Math.max(-1, Math.min(1, value / limit));
  // Round the magnitude, not the position, so that v and -v land equally far from zero.
  return half + Math.sign(t) * Math.round(Math.abs(t) * half);
}

export function divergingColor(value: number, limit: number, theme: Theme): RGB {
  if (!Number.isFinite(value)) return NON_FINITE_COLOR;
  const lut = divergingLut(theme);
  const i = divergingIndex(value, limit) * 4;
  return [lut[i]!, lut[i + 1]!, lut[i + 2]!];
}

/**
 * The half-width of a symmetric scale for these values: the largest |v| among
 * finite values. With `quantile` < 1 it is that quantile of |v| instead, so that
 * one outlier does not wash every other cell out to the zero colour.
 */
export function symmetricLimit(values: ArrayLike<number>, quantile = 1): number {
  if (quantile >= 1) {
    let m = 0;
    for (let i = 0; i < values.length; i++) {
      const a = Math.abs(values[i]!);
      if (a > m && Number.isFinite(a)) m = a;
    }
    return m;
  }
  const abs: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    if (Number.isFinite(a)) abs.push(a);
  }
  if (abs.length === 0) return 0;
  abs.sort((x, y) => x - y);
  const q = Math.max(0, Math.min(1, quantile));
  return abs[Math.min(abs.length - 1, Math.floor(q * (abs.length - 1) + 0.5))]!;
}

// ---------------------------------------------------------------------------
// Sequential scale (0..1), e.g. the row-normalised confusion matrix
// ---------------------------------------------------------------------------

const SEQUENTIAL: Record<Theme, Ramp> = {
  light: { L0: 0.985, L1: 0.45, C1: 0.15 },
  dark: { L0: 0.27, L1: 0.78, C1: 0.14 },
};
const SEQUENTIAL_HUE = 255;

/** Colour of `t` in [0, 1]: from (almost) the background to a strong blue. */
export function sequentialAt(t: number, theme: Theme): RGB {
  const ramp = SEQUENTIAL[theme];
  const u = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const L = ramp.L0 + (ramp.L1 - ramp.L0) * u;
  return oklch(L, maxChroma(L, ramp.C1 * u, [SEQUENTIAL_HUE]), SEQUENTIAL_HUE);
}

// ---------------------------------------------------------------------------
// Classes
// ---------------------------------------------------------------------------

/**
 * Class colours, the same everywhere in the studio (decision regions, points,
 * confusion matrix labels). The first ten are the Tableau 10 palette (blue and
 * orange first, as in TensorFlow Playground), readable on light and dark
 * backgrounds; beyond ten, hues continue around the OKLCH circle by the golden angle.
 */
const TABLEAU10: readonly RGB[] = [
  [78, 121, 167],
  [242, 142, 43],
  [225, 87, 89],
  [118, 183, 178],
  [89, 161, 79],
  [237, 201, 72],
  [176, 122, 161],
  [255, 157, 167],
  [156, 117, 95],
  [186, 176, 172],
];

export function classColor(index: number): RGB {
  if (index >= 0 && index < TABLEAU10.length) return TABLEAU10[index]!;
  const hue = (index * 137.508) % 360;
  return oklch(0.68, maxChroma(0.68, 0.13, [hue]), hue);
}

// ---------------------------------------------------------------------------
// Text on coloured backgrounds
// ---------------------------------------------------------------------------

/** WCAG relative luminance of an sRGB colour. */
export function relativeLuminance(c: RGB): number {
  const [r, g, b] = c.map((v) => srgbToLinear(v / 255)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio between two colours (1..21). */
export function contrastRatio(a: RGB, b: RGB): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

// Pure black and white: for any background one of them reaches a contrast of at least √21 ≈ 4.58.
export const TEXT_DARK: RGB = [0, 0, 0];
export const TEXT_LIGHT: RGB = [255, 255, 255];

/** Near-black or near-white, whichever reads better on `background`. */
export function textColorOn(background: RGB): RGB {
  return contrastRatio(background, TEXT_DARK) >= contrastRatio(background, TEXT_LIGHT) ? TEXT_DARK : TEXT_LIGHT;
}
