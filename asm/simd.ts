// Shared SIMD helpers. FMA and SHARED are compile-time constants set by the build
// (`--use FMA=0|1 --use SHARED=0|1`; SHARED: built for a shared memory, with atomics).
// FMA:
// the relaxed-SIMD build fuses multiply and add into one instruction (vfmadd on x64),
// the baseline build multiplies then adds. Both give deterministic results on a given machine.

/** c + a·b, four lanes. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  return FMA ? f32x4.relaxed_madd(a, b, c) : f32x4.add(c, f32x4.mul(a, b));
}

/** Transpose helpers: [a0 b0 a1 b1] and [a2 b2 a3 b3] from rows a and b. */
// @ts-ignore: decorator
@inline export function zipLo(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(a, b, 0, 4, 1, 5);
}
// @ts-ignore: decorator
@inline export function zipHi(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(a, b, 2, 6, 3, 7);
}
/** Low halves of a and b: [a0 a1 b0 b1] (as 64-bit lanes). */
// @ts-ignore: decorator
@inline export function lo64(a: v128, b: v128): v128 {
  return v128.shuffle<f64>(a, b, 0, 2);
}
// @ts-ignore: decorator
@inline export function hi64(a: v128, b: v128): v128 {
  return v128.shuffle<f64>(a, b, 1, 3);
}
