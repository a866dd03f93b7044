// Float64 CPU reference of prefix tuning's reparameterisation MLP (P-tuning v2's
// PrefixEncoder with prefix_projection=True), the ground truth for prefix-tuning.ts:
//
//   Hd = tanh(E W1ᵀ + b1)        E [P, C], W1 [h, C], b1 [h]        → [P, h]
//   O  = Hd W2ᵀ + b2             W2 [2·L·C, h], b2 [2·L·C]          → [P, 2·L·C]
//   K_p,ℓ[p, c] = O[p, (2ℓ)·C + c],   V_p,ℓ[p, c] = O[p, (2ℓ + 1)·C + c]
//
// Row-major Float64Arrays; the per-layer prefixes feed bertForwardF64's `prefix` input.

export interface PrefixMlpF64 {
  /** E [P, C] */
  embedding: ArrayLike<number>;
  w1: ArrayLike<number>;
  b1: ArrayLike<number>;
  w2: ArrayLike<number>;
  b2: ArrayLike<number>;
}

/** Per-layer key and value prefixes, each [P, C], from the MLP's parameters (all float64). */
export function prefixMlpF64(m: PrefixMlpF64, P: number, C: number, h: number, L: number): { key: Float64Array; value: Float64Array }[] {
  const N = 2 * L * C;
  const hidden = new Float64Array(P * h);
  for (let p = 0; p < P; p++) {
    for (let j = 0; j < h; j++) {
      let s = m.b1[j];
      for (let c = 0; c < C; c++) s += m.embedding[p * C + c] * m.w1[j * C + c];
      hidden[p * h + j] = Math.tanh(s);
    }
  }
  const out = new Float64Array(P * N);
  for (let p = 0; p < P; p++) {
    for (let o = 0; o < N; o++) {
      let s = m.b2[o];
      for (let j = 0; j < h; j++) s += hidden[p * h + j] * m.w2[o * h + j];
      out[p * N + o] = s;
    }
  }
  return split(out, P, C, L);
}

function split(out: Float64Array, P: number, C: number, L: number): { key: Float64Array; value: Float64Array }[] {
  const N = 2 * L * C;
  const layers: { key: Float64Array; value: Float64Array }[] = [];
  for (let l = 0; l < L; l++) {
    const key = new Float64Array(P * C);
    const value = new Float64Array(P * C);
    for (let p = 0; p < P; p++) {
      for (let c = 0; c < C; c++) {
        key[p * C + c] = out[p * N + 2 * l * C + c];
        value[p * C + c] = out[p * N + (2 * l + 1) * C + c];
      }
    }
    layers.push({ key, value });
  }
  return layers;
}
