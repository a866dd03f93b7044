// Every engine op against its float64 CPU reference: forward within stated tolerances,
// backward against central finite differences of the reference. Shapes are deliberately
// not multiples of the tile sizes (32 and 64) and include batch 1 and length-1 sequences.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { setRowVariant } from '../../src/lib/engine/ops/variants';
import type { GpuContext } from '../../src/lib/gpu/context';
import * as E from '../../src/lib/engine';
import * as R from '../../src/lib/engine/reference/ops-f64';
import { getGpu } from './helpers/gpu';
import { checkOp } from './helpers/opcheck';
import { randArray, rng } from './helpers/numeric';

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await getGpu();
});

// Tolerances. f32 kernels vs float64 reference: forward elementwise 1e-5 abs + 1e-5 rel
// (the erf approximation in GELU: 2e-6); sums/products over K ≤ 70 terms 1e-4 + 1e-4 rel.
// Backward vs finite differences (h = 1e-3 on the float64 reference, truncation O(h²)):
// 1e-3 abs + 1e-3 rel.
const EW = { abs: 1e-5, rel: 1e-5 };
const RED = { abs: 1e-4, rel: 1e-4 };
const GRAD = { abs: 1e-3, rel: 1e-3 };

const r = rng(1234);
const rand = (n: number, lo = -1, hi = 1) => randArray(n, r, lo, hi);

describe.each(['register', 'vec4', 'tiled'] as const)('matmul (%s variant)', (variant) => {
  const cases: [number, number, number, number, boolean, boolean][] = [
    [1, 1, 1, 1, false, false],
    [2, 9, 12, 20, false, false],
    [2, 33, 8, 6, false, true],
    [2, 12, 7, 20, true, false],
    [1, 20, 36, 24, false, false],
    [1, 5, 7, 3, false, false],
    [3, 33, 17, 65, false, true],
    [2, 70, 9, 37, true, false],
    [1, 13, 66, 31, true, true]
  ];
  for (const [batch, M, K, N, ta, tb] of cases) {
    it(`batch ${batch}, ${M}×${K}·${K}×${N}, transA ${ta}, transB ${tb}`, async () => {
      E.setMatmulVariant(variant);
      const aShape = ta ? [batch, K, M] : [batch, M, K];
      const bShape = tb ? [batch, N, K] : [batch, K, N];
      await checkOp(gpu, {
        name: 'matmul',
        inputs: [
          { data: rand(batch * M * K), shape: aShape, grad: true },
          { data: rand(batch * K * N), shape: bShape, grad: true }
        ],
        gpu: ([a, b]) => E.matmul(a, b, { transA: ta, transB: tb }),
        ref: ([a, b]) => R.matmulRef(a, b, M, K, N, batch, ta, tb),
        fwd: RED,
        bwd: GRAD
      });
      E.setMatmulVariant('auto');
    });
  }
  it('shared weights over a batch, with fused bias', async () => {
    E.setMatmulVariant(variant);
    const [batch, M, K, N] = [3, 10, 19, 6];
    for (const tb of [false, true]) {
      await checkOp(gpu, {
        name: `linear transB ${tb}`,
        inputs: [
          { data: rand(batch * M * K), shape: [batch, M, K], grad: true },
          { data: rand(K * N), shape: tb ? [N, K] : [K, N], grad: true },
          { data: rand(N), shape: [N], grad: true }
        ],
        gpu: ([x, w, b]) => E.matmul(x, w, { transB: tb, bias: b }),
        ref: ([x, w, b]) => R.matmulRef(x, w, M, K, N, batch, false, tb, M * K, 0, b),
        fwd: RED,
        bwd: GRAD
      });
    }
    // shared left operand, batched right operand, transposed left
    await checkOp(gpu, {
      name: 'shared A',
      inputs: [
        { data: rand(K * M), shape: [K, M], grad: true },
        { data: rand(batch * K * N), shape: [batch, K, N], grad: true }
      ],
      gpu: ([a, b]) => E.matmul(a, b, { transA: true }),
      ref: ([a, b]) => R.matmulRef(a, b, M, K, N, batch, true, false, 0, K * N),
      fwd: RED,
      bwd: GRAD
    });
    E.setMatmulVariant('auto');
  });
});

describe('elementwise', () => {
  it('add', async () => {
    const n = 131;
    await checkOp(gpu, {
      name: 'add',
      inputs: [
        { data: rand(n), shape: [n], grad: true },
        { data: rand(n), shape: [n], grad: true }
      ],
      gpu: ([a, b]) => E.add(a, b),
      ref: ([a, b]) => R.addRef(a, b),
      fwd: EW,
      bwd: GRAD
    });
  });
  it('bias add', async () => {
    await checkOp(gpu, {
      name: 'addBias',
      inputs: [
        { data: rand(3 * 5 * 7), shape: [3, 5, 7], grad: true },
        { data: rand(7), shape: [7], grad: true }
      ],
      gpu: ([x, b]) => E.addBias(x, b),
      ref: ([x, b]) => R.addBiasRef(x, b),
      fwd: EW,
      bwd: GRAD
    });
  });
  it('gelu (erf form)', async () => {
    const x = rand(257, -6, 6);
    x[0] = 0;
    x[1] = -0.4999;
    x[2] = 0.5001;
    await checkOp(gpu, {
      name: 'gelu',
      inputs: [{ data: x, shape: [257], grad: true }],
      gpu: ([t]) => E.gelu(t),
      ref: ([t]) => R.geluRef(t),
      fwd: { abs: 2e-6, rel: 1e-5 },
      bwd: GRAD
    });
  });
  it('tanh, including large inputs', async () => {
    const x = rand(99, -4, 4);
    x[0] = 50;
    x[1] = -50;
    await checkOp(gpu, {
      name: 'tanh',
      inputs: [{ data: x, shape: [99], grad: true }],
      gpu: ([t]) => E.tanh(t),
      ref: ([t]) => R.tanhRef(t),
      fwd: EW,
      bwd: GRAD
    });
  });
  it('scale', async () => {
    await checkOp(gpu, {
      name: 'scale',
      inputs: [{ data: rand(10), shape: [2, 5], grad: true }],
      gpu: ([t]) => E.scale(t, -2.5),
      ref: ([t]) => t.map((v) => -2.5 * v),
      fwd: EW,
      bwd: GRAD
    });
  });
});

describe('reductions', () => {
  it('sum rows, sum, mean', async () => {
    await checkOp(gpu, {
      name: 'sumRows',
      inputs: [{ data: rand(37 * 11), shape: [37, 11], grad: true }],
      gpu: ([t]) => E.sumRows(t),
      ref: ([t]) => R.sumRowsRef(t, 37, 11),
      fwd: RED,
      bwd: GRAD
    });
    await checkOp(gpu, {
      name: 'sum',
      inputs: [{ data: rand(1001), shape: [7, 11, 13], grad: true }],
      gpu: ([t]) => E.sum(t),
      ref: ([t]) => Float64Array.of(R.sumRef(t)),
      fwd: RED,
      bwd: GRAD
    });
    await checkOp(gpu, {
      name: 'mean',
      inputs: [{ data: rand(1), shape: [1], grad: true }],
      gpu: ([t]) => E.mean(t),
      ref: ([t]) => Float64Array.of(t[0]),
      fwd: EW,
      bwd: GRAD
    });
  });
});

describe.each(['workgroup', 'invocation'] as const)('layer norm (one %s per row)', (variant) => {
  beforeAll(() => setRowVariant(variant));
  afterAll(() => setRowVariant('auto'));
  for (const [R_, C] of [
    [1, 1],
    [5, 7],
    [9, 130]
  ]) {
    it(`[${R_}, ${C}]`, async () => {
      await checkOp(gpu, {
        name: 'layerNorm',
        inputs: [
          { data: rand(R_ * C, -2, 3), shape: [R_, C], grad: true },
          { data: rand(C, 0.5, 1.5), shape: [C], grad: true },
          { data: rand(C), shape: [C], grad: true }
        ],
        gpu: ([x, g, b]) => E.layerNorm(x, g, b, 1e-12),
        ref: ([x, g, b]) => R.layerNormRef(x, g, b, 1e-12),
        fwd: { abs: C === 1 ? 1e-4 : 2e-5, rel: 2e-5 },
        bwd: C === 1 ? undefined : { abs: 2e-3, rel: 2e-3 }
      });
    });
  }
});

describe.each(['workgroup', 'invocation'] as const)('softmax and attention (one %s per row)', (variant) => {
  beforeAll(() => setRowVariant(variant));
  afterAll(() => setRowVariant('auto'));
  it('masked scaled softmax', async () => {
    const [B, H, Tq, Tk] = [2, 3, 5, 6];
    const mask = new Float64Array(B * Tk);
    mask[Tk - 1] = -1e4; // last key of item 0 is padding
    mask[Tk + 0] = -1e4;
    await checkOp(gpu, {
      name: 'maskedSoftmax',
      inputs: [
        { data: rand(B * H * Tq * Tk, -3, 3), shape: [B, H, Tq, Tk], grad: true },
        { data: mask, shape: [B, Tk] }
      ],
      gpu: ([s, m]) => E.maskedSoftmax(s, 0.7, m),
      ref: ([s, m]) => R.maskedSoftmaxRef(s, Tk, 0.7, m, H * Tq),
      fwd: EW,
      bwd: GRAD
    });
  });
  it('permute heads', async () => {
    const [A, B, C, D] = [2, 3, 4, 5];
    await checkOp(gpu, {
      name: 'swapAxes12',
      inputs: [{ data: rand(A * B * C * D), shape: [A, B, C, D], grad: true }],
      gpu: ([x]) => E.swapAxes12(x),
      ref: ([x]) => R.swapAxes12Ref(x, A, B, C, D),
      fwd: { abs: 0, rel: 0 },
      bwd: GRAD
    });
  });
  for (const [B, T, C, H] of [
    [1, 1, 8, 2],
    [2, 7, 12, 3]
  ]) {
    it(`attention B=${B} T=${T} C=${C} heads=${H}`, async () => {
      const mask = new Float64Array(B * T);
      if (B > 1) mask[2 * T - 1] = -1e4;
      const ref = ([q, k, v, m]: Float64Array[]) => attentionRef(q, k, v, m, B, T, C, H);
      await checkOp(gpu, {
        name: 'attention',
        inputs: [
          { data: rand(B * T * C), shape: [B, T, C], grad: true },
          { data: rand(B * T * C), shape: [B, T, C], grad: true },
          { data: rand(B * T * C), shape: [B, T, C], grad: true },
          { data: mask, shape: [B, T] }
        ],
        gpu: ([q, k, v, m]) => E.attention(q, k, v, m, H),
        ref,
        fwd: RED,
        bwd: GRAD
      });
    });
  }
});

function attentionRef(q: Float64Array, k: Float64Array, v: Float64Array, m: Float64Array, B: number, T: number, C: number, H: number) {
  const D = C / H;
  const split = (x: Float64Array) => R.swapAxes12Ref(x, B, T, H, D); // [B, H, T, D]
  const qh = split(q), kh = split(k), vh = split(v);
  const s = R.matmulRef(qh, kh, T, D, T, B * H, false, true);
  const p = R.maskedSoftmaxRef(s, T, 1 / Math.sqrt(D), m, H * T);
  const ctx = R.matmulRef(p, vh, T, T, D, B * H, false, false);
  return R.swapAxes12Ref(ctx, B, H, T, D);
}

describe('gather and sequences', () => {
  it('embedding gather with scatter-add gradient (repeated ids)', async () => {
    const [V, C] = [11, 6];
    const ids = Float64Array.from([3, 0, 3, 10, 7, 3, 0]);
    await checkOp(gpu, {
      name: 'gatherRows',
      inputs: [
        { data: rand(V * C), shape: [V, C], grad: true },
        { data: ids, shape: [7], int: true }
      ],
      gpu: ([t, i]) => E.gatherRows(t, i),
      ref: ([t, i]) => R.gatherRowsRef(t, C, i),
      fwd: { abs: 0, rel: 0 },
      bwd: GRAD
    });
  });
  it('prepend a shared soft prompt, and per-example blocks', async () => {
    const [B, P, L, C] = [3, 2, 4, 5];
    await checkOp(gpu, {
      name: 'concatSeq shared',
      inputs: [
        { data: rand(P * C), shape: [P, C], grad: true },
        { data: rand(B * L * C), shape: [B, L, C], grad: true }
      ],
      gpu: ([a, x]) => E.concatSeq(a, x),
      ref: ([a, x]) => R.concatSeqRef(a, x, B, P, L, C, true),
      fwd: { abs: 0, rel: 0 },
      bwd: GRAD
    });
    await checkOp(gpu, {
      name: 'concatSeq batched',
      inputs: [
        { data: rand(B * P * C), shape: [B, P, C], grad: true },
        { data: rand(B * 1 * C), shape: [B, 1, C], grad: true }
      ],
      gpu: ([a, x]) => E.concatSeq(a, x),
      ref: ([a, x]) => R.concatSeqRef(a, x, B, P, 1, C, false),
      fwd: { abs: 0, rel: 0 },
      bwd: GRAD
    });
  });
  for (const [t0, len] of [
    [0, 1],
    [2, 3],
    [4, 2]
  ]) {
    it(`slice window [${t0}, ${t0 + len})`, async () => {
      const [B, T, C] = [2, 6, 3];
      await checkOp(gpu, {
        name: 'sliceSeq',
        inputs: [{ data: rand(B * T * C), shape: [B, T, C], grad: true }],
        gpu: ([x]) => E.sliceSeq(x, t0, len),
        ref: ([x]) => R.sliceSeqRef(x, B, T, C, t0, len),
        fwd: { abs: 0, rel: 0 },
        bwd: GRAD
      });
    });
  }
});

describe('cross-entropy', () => {
  it('with ignored positions', async () => {
    const [Rr, V] = [9, 70];
    const labels = Float64Array.from([3, -100, 69, 0, 5, -100, 12, 1, 2]);
    await checkOp(gpu, {
      name: 'crossEntropy',
      inputs: [
        { data: rand(Rr * V, -4, 4), shape: [Rr, V], grad: true },
        { data: labels, shape: [Rr], int: true }
      ],
      gpu: ([z, l]) => E.crossEntropy(z, l),
      ref: ([z, l]) => Float64Array.of(R.crossEntropyRef(z, V, l)),
      fwd: RED,
      bwd: GRAD
    });
  });
});
