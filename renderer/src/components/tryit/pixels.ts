/**
 * Pictures to model input, the way the training images are: grayscale, 28×28
 * (or the data's size), values 0..1 like IDX bytes / 255, a light digit on a dark
 * background. Pure functions over RGBA bytes, so drawing, dropped files and the
 * tests share them.
 */

/** Luminance 0..1 of RGBA pixels (alpha over black: a transparent background is dark, as in MNIST). */
export function grayscale(rgba: Uint8ClampedArray, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) {
    const r = rgba[i * 4]!, g = rgba[i * 4 + 1]!, b = rgba[i * 4 + 2]!, a = rgba[i * 4 + 3]! / 255;
    out[i] = ((0.299 * r + 0.587 * g + 0.114 * b) / 255) * a;
  }
  return out;
}

/** Mean of the outermost ring of pixels: a bright border means dark ink on light paper. */
export function borderMean(values: Float32Array, width: number, height: number): number {
  let sum = 0, n = 0;
  for (let x = 0; x < width; x++) {
    sum += values[x]! + values[(height - 1) * width + x]!;
    n += 2;
  }
  for (let y = 1; y < height - 1; y++) {
    sum += values[y * width]! + values[y * width + width - 1]!;
    n += 2;
  }
  return n ? sum / n : 0;
}

/** Training images are light on dark: a photo of dark ink on white paper is inverted to match. Returns whether it was. */
export function matchPolarity(values: Float32Array, width: number, height: number): boolean {
  if (borderMean(values, width, height) <= 0.5) return false;
  for (let i = 0; i < values.length; i++) values[i] = 1 - values[i]!;
  return true;
}

/** Where an image of w×h goes inside a side×side square, aspect kept (object-fit: contain). */
export function containRect(w: number, h: number, side: number): { x: number; y: number; w: number; h: number } {
  const s = side / Math.max(w, h, 1);
  const dw = Math.max(1, Math.round(w * s));
  const dh = Math.max(1, Math.round(h * s));
  return { x: Math.floor((side - dw) / 2), y: Math.floor((side - dh) / 2), w: dw, h: dh };
}

/** The classes in order of probability, best first, at most `k`. */
export function topClasses(probs: ArrayLike<number>, classNames: readonly string[], k: number): { index: number; name: string; p: number }[] {
  return Array.from({ length: probs.length }, (_, i) => ({ index: i, name: classNames[i] ?? String(i), p: probs[i]! }))
    .sort((a, b) => b.p - a.p)
    .slice(0, k);
}
