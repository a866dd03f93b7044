// Test helpers: seeded random arrays, tolerance checks that print the worst element,
// and central finite differences of float64 reference functions.
import { expect } from 'vitest';

export function rng(seed: number): () => number {
  // mulberry32
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in [lo, hi), rounded to f32 so GPU and reference see identical inputs. */
export function randArray(n: number, r: () => number, lo = -1, hi = 1): Float64Array {
  const f = new Float32Array(n);
  for (let i = 0; i < n; i++) f[i] = lo + (hi - lo) * r();
  return Float64Array.from(f);
}

export const f32 = (x: Float64Array) => Float32Array.from(x);

export interface Tol {
  abs: number;
  rel: number;
}

/** |got − want| ≤ abs + rel·|want| everywhere; the message names the worst element. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: Tol, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  let worst = -1;
  let worstExcess = -Infinity;
  let maxAbs = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (!Number.isFinite(got[i])) {
      worst = i;
      worstExcess = Infinity;
      break;
    }
    maxAbs = Math.max(maxAbs, d);
    const excess = d - (tol.abs + tol.rel * Math.abs(want[i]));
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  const msg = `${what}: max |diff| ${maxAbs.toExponential(3)}; worst at ${worst}: got ${got[worst]}, want ${want[worst]} (tol abs ${tol.abs}, rel ${tol.rel})`;
  expect(worstExcess <= 0, msg).toBe(true);
}

/**
 * Gradient of L(x) = Σ_i f(x)_i · w_i with respect to input `which`, by central differences
 * of the float64 reference f (step h).
 */
export function finiteDiff(
  f: (inputs: Float64Array[]) => Float64Array,
  inputs: Float64Array[],
  which: number,
  w: Float64Array,
  h = 1e-4
): Float64Array {
  const x = inputs[which];
  const g = new Float64Array(x.length);
  const L = () => {
    const y = f(inputs);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * w[i];
    return s;
  };
  for (let i = 0; i < x.length; i++) {
    const keep = x[i];
    x[i] = keep + h;
    const up = L();
    x[i] = keep - h;
    const down = L();
    x[i] = keep;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}
