// An orthonormal basis of a table's top principal directions, on the CPU in float64: the
// projection the pruned nearest-token search bounds distances with (nearest.ts). Any
// orthonormal basis gives a valid bound ‖R(q − e)‖ ≤ ‖q − e‖; the principal directions make
// it tight, because they carry most of the distance between table rows.
//
// Covariance from at most `sampleRows` rows (an even stride through the table), then
// orthogonal (subspace) iteration with a fixed number of steps from a seeded start, so the
// basis is deterministic. Directions the data does not span (rank-deficient tables) are
// filled with other orthonormal vectors: still a valid basis, just no help to the bound.

import { SeededRandom } from '../util/seeded-random';

export interface PrincipalBasis {
  /** mean of the rows, [C] */
  mean: Float64Array;
  /** P orthonormal rows of length C, [P, C], by decreasing variance */
  basis: Float64Array;
  /** variance of the sample along each basis row, [P] */
  variances: Float64Array;
  P: number;
}

export interface PcaOptions {
  sampleRows?: number;
  iterations?: number;
  seed?: number;
}

/**
 * rows: [R, C] row-major (the rows listed in `which`, or all R rows); returns the top P
 * principal directions (P ≤ C).
 */
export function principalBasis(rows: Float32Array, C: number, which: Int32Array, P: number, opts: PcaOptions = {}): PrincipalBasis {
  if (!(P >= 1 && P <= C && Number.isInteger(P))) throw new Error(`principalBasis: P must be an integer in [1, C = ${C}], got ${P}`);
  const R = which.length;
  if (R === 0) throw new Error('principalBasis: no rows');
  const mean = new Float64Array(C);
  for (let k = 0; k < R; k++) {
    const o = which[k] * C;
    for (let c = 0; c < C; c++) mean[c] += rows[o + c];
  }
  for (let c = 0; c < C; c++) mean[c] /= R;

  const S = Math.min(R, opts.sampleRows ?? 2048);
  const cov = new Float64Array(C * C);
  const x = new Float64Array(C);
  for (let s = 0; s < S; s++) {
    const o = which[Math.floor((s * R) / S)] * C;
    for (let c = 0; c < C; c++) x[c] = rows[o + c] - mean[c];
    for (let a = 0; a < C; a++) {
      const xa = x[a];
      if (xa === 0) continue;
      const ra = a * C;
      for (let b = a; b < C; b++) cov[ra + b] += xa * x[b];
    }
  }
  for (let a = 0; a < C; a++)
    for (let b = a; b < C; b++) {
      const v = cov[a * C + b] / S;
      cov[a * C + b] = v;
      cov[b * C + a] = v;
    }

  // V: P columns stored as rows [P, C].
  const rnd = new SeededRandom(opts.seed ?? 0x5eed);
  let V = new Float64Array(P * C);
  for (let i = 0; i < V.length; i++) V[i] = rnd.normal();
  orthonormalize(V, P, C, rnd);
  const iters = opts.iterations ?? 12;
  const W = new Float64Array(P * C);
  for (let it = 0; it < iters; it++) {
    // W_p = cov · V_p
    for (let p = 0; p < P; p++) {
      const vo = p * C;
      for (let a = 0; a < C; a++) {
        let s = 0;
        const ra = a * C;
        for (let b = 0; b < C; b++) s += cov[ra + b] * V[vo + b];
        W[vo + a] = s;
      }
    }
    V.set(W);
    orthonormalize(V, P, C, rnd);
  }
  // Rayleigh quotients, then sort rows by decreasing variance.
  const variances = new Float64Array(P);
  for (let p = 0; p < P; p++) {
    const vo = p * C;
    let s = 0;
    for (let a = 0; a < C; a++) {
      let t = 0;
      const ra = a * C;
      for (let b = 0; b < C; b++) t += cov[ra + b] * V[vo + b];
      s += V[vo + a] * t;
    }
    variances[p] = s;
  }
  const order = Array.from({ length: P }, (_, i) => i).sort((i, j) => variances[j] - variances[i] || i - j);
  const basis = new Float64Array(P * C);
  const vs = new Float64Array(P);
  order.forEach((src, dst) => {
    basis.set(V.subarray(src * C, src * C + C), dst * C);
    vs[dst] = variances[src];
  });
  V = basis;
  return { mean, basis: V, variances: vs, P };
}

/** Modified Gram–Schmidt, twice; a row that vanishes is replaced by a fresh random direction. */
function orthonormalize(V: Float64Array, P: number, C: number, rnd: SeededRandom): void {
  for (let p = 0; p < P; p++) {
    const vo = p * C;
    for (let attempt = 0; ; attempt++) {
      const before = norm(V, vo, C);
      for (let pass = 0; pass < 2; pass++)
        for (let q = 0; q < p; q++) {
          const qo = q * C;
          let d = 0;
          for (let c = 0; c < C; c++) d += V[vo + c] * V[qo + c];
          for (let c = 0; c < C; c++) V[vo + c] -= d * V[qo + c];
        }
      const after = norm(V, vo, C);
      if (after > 1e-9 * Math.max(before, 1e-300) && after > 1e-150) {
        for (let c = 0; c < C; c++) V[vo + c] /= after;
        break;
      }
      if (attempt > 8) throw new Error('principalBasis: could not complete an orthonormal basis');
      for (let c = 0; c < C; c++) V[vo + c] = rnd.normal();
    }
  }
}

function norm(V: Float64Array, o: number, C: number): number {
  let s = 0;
  for (let c = 0; c < C; c++) s += V[o + c] * V[o + c];
  return Math.sqrt(s);
}
