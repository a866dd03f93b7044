// Float64 CPU references of the privacy noise kernels, from the same Philox draws:
// dchiNoiseRef mirrors shaders/privacy/dchi_noise.wgsl, laplaceNoiseRef laplace_noise.wgsl.
// Only f32 rounding (and the GPU's transcendental functions) separates them from the GPU.

import { negLogU01, normal2, philox4x32_10, STREAM, type Key } from './philox';

const GAMMA_MAX_TRIES = 32;

type Table = ArrayLike<number>;

/** C standard normals g[0 .. C) for the token at position p (stream 0). */
export function directionNormalsRef(C: number, p: number, key: Key, call: number): Float64Array {
  const g = new Float64Array(C);
  for (let j = 0; 4 * j < C; j++) {
    const w = philox4x32_10([p, j, STREAM.direction, call], key);
    const a = normal2(w[0], w[1]);
    const b = normal2(w[2], w[3]);
    const q = [a[0], a[1], b[0], b[1]];
    for (let k = 0; k < 4 && 4 * j + k < C; k++) g[4 * j + k] = q[k];
  }
  return g;
}

/** Gamma(shape, 1) by Marsaglia–Tsang from stream 1 at position p (shape ≥ 1). */
export function gammaRef(shape: number, p: number, key: Key, call: number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (let a = 0; a < GAMMA_MAX_TRIES; a++) {
    const w = philox4x32_10([p, a, STREAM.gamma, call], key);
    const x = normal2(w[0], w[1])[0];
    const t = c * x;
    if (t <= -1) continue;
    const v = (1 + t) ** 3;
    const h = Math.log1p(t) - t + (t * t) / 2 - (t * t * t) / 3;
    if (-negLogU01(w[2]) < 3 * d * h) return d * v;
  }
  return shape;
}

/** d_χ noise z (without the embedding) for position p: radius Gamma(C, 1/η) along g/‖g‖. */
export function dchiZRef(C: number, p: number, key: Key, call: number, eta: number): Float64Array {
  const g = directionNormalsRef(C, p, key, call);
  let ss = 0;
  for (let c = 0; c < C; c++) ss += g[c] * g[c];
  const s = gammaRef(C, p, key, call) / eta / Math.sqrt(ss);
  for (let c = 0; c < C; c++) g[c] *= s;
  return g;
}

/** y[i] = table[ids[i]] + z(pos[i]); [n, C] row-major. */
export function dchiNoiseRef(table: Table, C: number, ids: ArrayLike<number>, pos: ArrayLike<number>, key: Key, call: number, eta: number): Float64Array {
  const n = ids.length;
  const y = new Float64Array(n * C);
  for (let i = 0; i < n; i++) {
    const z = dchiZRef(C, pos[i], key, call, eta);
    for (let c = 0; c < C; c++) y[i * C + c] = table[ids[i] * C + c] + z[c];
  }
  return y;
}

/** Round half to even (WGSL round()). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export interface LaplaceRefOptions {
  clip: number;
  b: number;
  snap: boolean;
  /** the snapping grid Λ (snapGrid(b)) */
  lambda?: number;
  /** the snapping bound B (snapBound(clip, b)); default clip */
  bound?: number;
}

/** Mirror of laplace_noise.wgsl. */
export function laplaceNoiseRef(table: Table, C: number, ids: ArrayLike<number>, pos: ArrayLike<number>, key: Key, call: number, o: LaplaceRefOptions): Float64Array {
  const n = ids.length;
  const y = new Float64Array(n * C);
  const B = o.bound ?? o.clip;
  const lam = o.lambda ?? 1;
  for (let i = 0; i < n; i++) {
    const src = ids[i] * C;
    let l1 = 0;
    for (let c = 0; c < C; c++) l1 += Math.abs(table[src + c]);
    const s = l1 > o.clip ? o.clip / l1 : 1;
    for (let j = 0; 4 * j < C; j++) {
      const w = philox4x32_10([pos[i], j, STREAM.laplace, call], key);
      for (let q = 0; q < 4 && 4 * j + q < C; q++) {
        const c = 4 * j + q;
        const mag = o.b * negLogU01(w[q]);
        const noise = (w[q] & 1) === 1 ? -mag : mag;
        const e = table[src + c] * s;
        if (o.snap) {
          const t = Math.min(B, Math.max(-B, e)) + noise;
          y[i * C + c] = Math.min(B, Math.max(-B, roundHalfEven(t / lam) * lam));
        } else y[i * C + c] = e + noise;
      }
    }
  }
  return y;
}
