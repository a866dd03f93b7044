// Philox4x32-10 on the CPU, exact u32 arithmetic: the reference for shaders/privacy/philox.wgsl
// (Salmon et al. 2011, bit-compatible with Random123's philox4x32_10), and the float helpers
// mirrored from that file. The float helpers return float64 computed from the same bits, so the
// GPU (f32) and this reference differ only by f32 rounding.

export type Counter = readonly [number, number, number, number];
export type Key = readonly [number, number];

export const PHILOX_M0 = 0xd2511f53;
export const PHILOX_M1 = 0xcd9e8d57;
export const PHILOX_W0 = 0x9e3779b9;
export const PHILOX_W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product a·b (a, b taken as u32), from 16-bit halves. */
export function mulhi32(a: number, b: number): number {
  a >>>= 0;
  b >>>= 0;
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) >>> 0;
}

/** Low 32 bits of a·b. */
export function mullo32(a: number, b: number): number {
  return Math.imul(a, b) >>> 0;
}

/** Philox4x32 with `rounds` rounds (10 is the standard generator); returns four u32. */
export function philox4x32(ctr: Counter, key: Key, rounds = 10): [number, number, number, number] {
  let c0 = ctr[0] >>> 0, c1 = ctr[1] >>> 0, c2 = ctr[2] >>> 0, c3 = ctr[3] >>> 0;
  let k0 = key[0] >>> 0, k1 = key[1] >>> 0;
  for (let r = 0; r < rounds; r++) {
    if (r > 0) {
      k0 = (k0 + PHILOX_W0) >>> 0;
      k1 = (k1 + PHILOX_W1) >>> 0;
    }
    const hi0 = mulhi32(PHILOX_M0, c0), lo0 = mullo32(PHILOX_M0, c0);
    const hi1 = mulhi32(PHILOX_M1, c2), lo1 = mullo32(PHILOX_M1, c2);
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  return [c0, c1, c2, c3];
}

export const philox4x32_10 = (ctr: Counter, key: Key) => philox4x32(ctr, key, 10);

/** Uniform on (0, 1) from the top 23 bits: (⌊x / 2⁹⌋ + ½) / 2²³ — exact in f32, never 0 or 1. */
export function u01(x: number): number {
  return ((x >>> 9) + 0.5) / 8388608;
}

/** −ln u01(x), in float64 (the GPU computes it to a small relative error, see philox.wgsl). */
export function negLogU01(x: number): number {
  const u = u01(x);
  return u < 0.5 ? -Math.log(u) : -Math.log1p(-(1 - u));
}

/** Two independent standard normals by Box–Muller with θ ∈ (−π, π), as normal2 in philox.wgsl. */
export function normal2(x0: number, x1: number): [number, number] {
  const r = Math.sqrt(2 * negLogU01(x0));
  const theta = Math.PI * (2 * u01(x1) - 1);
  return [r * Math.cos(theta), r * Math.sin(theta)];
}

/** Draw streams (the third counter word) used by the privacy kernels. */
export const STREAM = { direction: 0, gamma: 1, laplace: 2 } as const;
