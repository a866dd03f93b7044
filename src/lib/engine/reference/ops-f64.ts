// Float64 CPU references for every engine op: the ground truth the WGSL kernels are
// tested against (forward directly, backward through finite differences of these).
// Plain loops over row-major Float64Arrays, written for clarity, not speed.

export type F64 = Float64Array;

/** C[b] = op(A[b]) · op(B[b]); strideA/strideB = 0 broadcasts one matrix over the batch. */
export function matmulRef(
  a: F64,
  b: F64,
  M: number,
  K: number,
  N: number,
  batch: number,
  transA: boolean,
  transB: boolean,
  strideA = M * K,
  strideB = K * N,
  bias?: F64
): F64 {
  const c = new Float64Array(batch * M * N);
  for (let z = 0; z < batch; z++)
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const av = transA ? a[z * strideA + k * M + i] : a[z * strideA + i * K + k];
          const bv = transB ? b[z * strideB + j * K + k] : b[z * strideB + k * N + j];
          s += av * bv;
        }
        c[(z * M + i) * N + j] = s + (bias ? bias[j] : 0);
      }
  return c;
}

export function addRef(a: F64, b: F64): F64 {
  return a.map((v, i) => v + b[i]);
}

export function addBiasRef(x: F64, bias: F64): F64 {
  const N = bias.length;
  return x.map((v, i) => v + bias[i % N]);
}

/** erf to ~1e-15: series for |x| < 2.5, continued fraction for erfc beyond. */
export function erf64(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // erf(x) = 2/√π Σ_n (−1)^n x^(2n+1) / (n! (2n+1))
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  // erfc(x) = exp(−x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + 2/(x + ...))))) (Lentz)
  let f = ax;
  let C = ax;
  let D = 0;
  for (let n = 1; n < 300; n++) {
    const an = n / 2;
    D = ax + an * D;
    D = D === 0 ? 1e-300 : 1 / D;
    C = ax + an / C;
    if (C === 0) C = 1e-300;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  const r = 1 - erfc;
  return x < 0 ? -r : r;
}

export function geluRef(x: F64): F64 {
  return x.map((v) => 0.5 * v * (1 + erf64(v / Math.SQRT2)));
}

export function tanhRef(x: F64): F64 {
  return x.map((v) => Math.tanh(v));
}

export function layerNormRef(x: F64, gamma: F64, beta: F64, eps: number): F64 {
  const C = gamma.length;
  const R = x.length / C;
  const y = new Float64Array(x.length);
  for (let r = 0; r < R; r++) {
    let mu = 0;
    for (let j = 0; j < C; j++) mu += x[r * C + j];
    mu /= C;
    let v = 0;
    for (let j = 0; j < C; j++) v += (x[r * C + j] - mu) ** 2;
    v /= C;
    const rs = 1 / Math.sqrt(v + eps);
    for (let j = 0; j < C; j++) y[r * C + j] = (x[r * C + j] - mu) * rs * gamma[j] + beta[j];
  }
  return y;
}

/** softmax over the last axis of alpha·s + mask[b], rows grouped rowsPerBatch to a batch item. */
export function maskedSoftmaxRef(s: F64, Tk: number, alpha: number, mask: F64 | null, rowsPerBatch: number): F64 {
  const rows = s.length / Tk;
  const y = new Float64Array(s.length);
  for (let r = 0; r < rows; r++) {
    const b = Math.floor(r / rowsPerBatch);
    let mx = -Infinity;
    const z = new Float64Array(Tk);
    for (let k = 0; k < Tk; k++) {
      z[k] = alpha * s[r * Tk + k] + (mask ? mask[b * Tk + k] : 0);
      mx = Math.max(mx, z[k]);
    }
    let sum = 0;
    for (let k = 0; k < Tk; k++) sum += Math.exp(z[k] - mx);
    for (let k = 0; k < Tk; k++) y[r * Tk + k] = Math.exp(z[k] - mx) / sum;
  }
  return y;
}

/** [A, B, C, D] → [A, C, B, D] */
export function swapAxes12Ref(x: F64, A: number, B: number, C: number, D: number): F64 {
  const y = new Float64Array(x.length);
  for (let a = 0; a < A; a++)
    for (let b = 0; b < B; b++)
      for (let c = 0; c < C; c++)
        for (let d = 0; d < D; d++) y[((a * C + c) * B + b) * D + d] = x[((a * B + b) * C + c) * D + d];
  return y;
}

export function gatherRowsRef(table: F64, C: number, idx: ArrayLike<number>): F64 {
  const y = new Float64Array(idx.length * C);
  for (let i = 0; i < idx.length; i++) for (let c = 0; c < C; c++) y[i * C + c] = table[idx[i] * C + c];
  return y;
}

/** concat along time: a [B or 1, P, C] (shared when aShared), x [B, L, C] */
export function concatSeqRef(a: F64, x: F64, B: number, P: number, L: number, C: number, aShared: boolean): F64 {
  const T = P + L;
  const y = new Float64Array(B * T * C);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let c = 0; c < C; c++)
        y[(b * T + t) * C + c] = t < P ? a[(aShared ? 0 : b * P * C) + t * C + c] : x[(b * L + t - P) * C + c];
  return y;
}

export function sliceSeqRef(x: F64, B: number, T: number, C: number, t0: number, len: number): F64 {
  const y = new Float64Array(B * len * C);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < len; t++) for (let c = 0; c < C; c++) y[(b * len + t) * C + c] = x[(b * T + t0 + t) * C + c];
  return y;
}

/** mean over rows with label ≥ 0 of −log softmax(z[r])[label[r]] */
export function crossEntropyRef(z: F64, V: number, labels: ArrayLike<number>): number {
  const R = labels.length;
  let total = 0;
  let count = 0;
  for (let r = 0; r < R; r++) {
    const l = labels[r];
    if (l < 0) continue;
    let mx = -Infinity;
    for (let v = 0; v < V; v++) mx = Math.max(mx, z[r * V + v]);
    let s = 0;
    for (let v = 0; v < V; v++) s += Math.exp(z[r * V + v] - mx);
    total += Math.log(s) + mx - z[r * V + l];
    count++;
  }
  return count ? total / count : 0;
}

export function sumRowsRef(x: F64, R: number, N: number): F64 {
  const y = new Float64Array(N);
  for (let r = 0; r < R; r++) for (let j = 0; j < N; j++) y[j] += x[r * N + j];
  return y;
}

export function sumRef(x: F64): number {
  let s = 0;
  for (const v of x) s += v;
  return s;
}

/** One AdamW step in float64; returns new (p, m, v). */
export function adamwRef(
  p: F64,
  g: F64,
  m: F64,
  v: F64,
  t: number,
  o: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; clipScale?: number }
): { p: F64; m: F64; v: F64 } {
  const s = o.clipScale ?? 1;
  const bc1 = 1 - o.beta1 ** t;
  const bc2 = 1 - o.beta2 ** t;
  const np = new Float64Array(p.length);
  const nm = new Float64Array(p.length);
  const nv = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] * s;
    nm[i] = o.beta1 * m[i] + (1 - o.beta1) * gi;
    nv[i] = o.beta2 * v[i] + (1 - o.beta2) * gi * gi;
    np[i] = p[i] - o.lr * (nm[i] / bc1 / (Math.sqrt(nv[i] / bc2) + o.eps) + o.weightDecay * p[i]);
  }
  return { p: np, m: nm, v: nv };
}
