// The d_χ and Laplace noise kernels and mechanisms: distributions (Kolmogorov–Smirnov and
// moment tests with fixed keys), GPU against the float64 CPU reference from the same Philox
// draws, the η → ∞ / η → 0 limits, reproducibility, pass-through of special tokens, and
// input validation. Every random draw here uses a fixed key or seed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/lib/gpu/context';
import { tensorFrom, type Tensor } from '../../src/lib/engine/tensor';
import { dchiNoise, laplaceNoise, snapBound, snapGrid, type NoiseDraw } from '../../src/lib/privacy/noise';
import { dchiNoiseRef, laplaceNoiseRef } from '../../src/lib/privacy/noise-ref';
import { DchiPrivatizer } from '../../src/lib/privacy/dchi';
import { LaplacePrivatizer, maxCandidateL1 } from '../../src/lib/privacy/laplace';
import { gammaCdf, ksCritical, ksStatistic, laplaceCdf } from '../../src/lib/privacy/stats';
import type { EmbeddingTable } from '../../src/lib/privacy/types';
import { getGpu } from './helpers/gpu';
import { expectClose, rng } from './helpers/numeric';
import { CLS, MASK, PAD, SEP, UNK, gaussianTable, zeroTable } from './helpers/privacy-table';

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await getGpu();
});

const KEY: NoiseDraw = { key: [0x1234abcd, 0x9e3779b9], call: 0 };

/** Runs a noise kernel on table rows ids at positions pos and reads [n, C] back. */
async function runNoise(
  table: EmbeddingTable,
  ids: Int32Array,
  pos: Uint32Array,
  launch: (t: Tensor, i: Tensor, p: Tensor) => Tensor
): Promise<Float32Array> {
  const t = tensorFrom(gpu, table.embeddings, [table.V, table.C], 'test.table');
  const i = tensorFrom(gpu, ids, [ids.length], 'test.ids');
  const p = tensorFrom(gpu, pos, [pos.length], 'test.pos', 'u32');
  const y = launch(t, i, p);
  const out = await y.readF32();
  [t, i, p, y].forEach((x) => x.dispose());
  return out;
}

const iota = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);

describe('d_χ noise: distribution (n = 2000 draws, C = 16, η = 2, fixed key)', () => {
  const n = 2000;
  const C = 16;
  const eta = 2;
  let norms: Float64Array;
  let units: Float64Array;
  beforeAll(async () => {
    const z = await runNoise(zeroTable(1, C), new Int32Array(n), iota(n), (t, i, p) => dchiNoise(t, i, p, KEY, eta));
    norms = new Float64Array(n);
    units = new Float64Array(n * C);
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += z[k * C + c] ** 2;
      norms[k] = Math.sqrt(s);
      for (let c = 0; c < C; c++) units[k * C + c] = z[k * C + c] / norms[k];
    }
  });

  it('‖z‖ ~ Gamma(C, 1/η): KS statistic below the 1 % critical value 1.63/√n', () => {
    const D = ksStatistic(norms, (x) => gammaCdf(x, C, 1 / eta));
    expect(D, `KS D = ${D.toFixed(4)} vs critical ${ksCritical(n).toFixed(4)}`).toBeLessThan(ksCritical(n, 0.01));
    // and the mean C/η within 4σ (σ = √C/η/√n)
    const mean = norms.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(C) / eta / Math.sqrt(n);
    expect(Math.abs(mean - C / eta), `mean ‖z‖ ${mean} vs C/η = ${C / eta} (4σ = ${4 * sd})`).toBeLessThan(4 * sd);
  });

  it('the KS test has power: the same norms are rejected against Gamma(C, 1.1/η)', () => {
    const D = ksStatistic(norms, (x) => gammaCdf(x, C, 1.1 / eta));
    expect(D).toBeGreaterThan(ksCritical(n, 0.01));
  });

  it('directions are uniform: mean of z/‖z‖ ≈ 0 and E[u_c²] = 1/C, each coordinate within 4σ', () => {
    const sdMean = 1 / Math.sqrt(C * n);
    const sdSq = Math.sqrt((2 * (C - 1)) / (C * C * (C + 2)) / n);
    for (let c = 0; c < C; c++) {
      let m = 0;
      let q = 0;
      for (let k = 0; k < n; k++) {
        m += units[k * C + c];
        q += units[k * C + c] ** 2;
      }
      m /= n;
      q /= n;
      expect(Math.abs(m), `coordinate ${c}: mean ${m} (4σ = ${4 * sdMean})`).toBeLessThan(4 * sdMean);
      expect(Math.abs(q - 1 / C), `coordinate ${c}: E[u²] ${q} vs ${1 / C} (4σ = ${4 * sdSq})`).toBeLessThan(4 * sdSq);
    }
  });
});

describe('Laplace noise: distribution (n = 2000 tokens × C = 16, b = 1, fixed key)', () => {
  const n = 2000;
  const C = 16;
  const clip = 1;
  const b = 1; // = 2·clip/ε with ε = 2
  let x: Float32Array;
  beforeAll(async () => {
    x = await runNoise(zeroTable(1, C), new Int32Array(n), iota(n), (t, i, p) => laplaceNoise(t, i, p, KEY, { clip, b, snap: false }));
  });
  it('mean |x| = b within 4σ (σ = b/√N) and mean x = 0 within 4σ (σ = b√2/√N)', () => {
    const N = x.length;
    let a = 0;
    let m = 0;
    for (const v of x) {
      a += Math.abs(v);
      m += v;
    }
    a /= N;
    m /= N;
    expect(Math.abs(a - b), `mean |x| = ${a}`).toBeLessThan((4 * b) / Math.sqrt(N));
    expect(Math.abs(m), `mean x = ${m}`).toBeLessThan((4 * b * Math.SQRT2) / Math.sqrt(N));
  });
  it('KS against the Laplace(b) CDF, pooled over coordinates (N = 32000), 1 % level', () => {
    const D = ksStatistic(x, (v) => laplaceCdf(v, b));
    expect(D, `KS D = ${D.toFixed(5)}`).toBeLessThan(ksCritical(x.length, 0.01));
    // power: a 10 % wrong scale is rejected
    expect(ksStatistic(x, (v) => laplaceCdf(v, 1.1 * b))).toBeGreaterThan(ksCritical(x.length, 0.01));
  });
});

describe('GPU noise equals the float64 CPU reference from the same Philox draws', () => {
  // Tolerance: f32 arithmetic and the GPU's sqrt/log against float64: 2e-6 relative to the
  // row's scale (max |E| + ‖z‖) per coordinate (measured on SwiftShader: ≤ 1.6e-7).
  const C = 33; // not a multiple of 4: the last Philox block is partly used
  const table = gaussianTable(60, C, 0.5, 11);
  const r = rng(3);
  const n = 300;
  const ids = Int32Array.from({ length: n }, () => Math.floor(r() * table.V));
  const pos = Uint32Array.from({ length: n }, (_, i) => 7 * i + (i % 3));
  const draw: NoiseDraw = { key: [0xdeadbeef, 0x0badf00d], call: 5 };

  function compareRows(got: Float32Array, want: Float64Array, scaleOf: (i: number) => number, what: string) {
    let worst = 0;
    let at = -1;
    for (let i = 0; i < n; i++) {
      const s = scaleOf(i);
      for (let c = 0; c < C; c++) {
        const d = Math.abs(got[i * C + c] - want[i * C + c]) / s;
        if (d > worst) {
          worst = d;
          at = i * C + c;
        }
      }
    }
    expect(worst, `${what}: max |gpu − cpu| / scale = ${worst.toExponential(3)} at ${at} (gpu ${got[at]}, cpu ${want[at]})`).toBeLessThan(2e-6);
  }
  const rowScale = (y: Float64Array, i: number) => {
    let m = 0;
    let s = 0;
    for (let c = 0; c < C; c++) {
      const e = table.embeddings[ids[i] * C + c];
      m = Math.max(m, Math.abs(e));
      s += (y[i * C + c] - e) ** 2;
    }
    return m + Math.sqrt(s);
  };

  for (const eta of [0.5, 20])
    it(`d_χ, η = ${eta}, C = ${C}, n = ${n}`, async () => {
      const got = await runNoise(table, ids, pos, (t, i, p) => dchiNoise(t, i, p, draw, eta));
      const want = dchiNoiseRef(table.embeddings, C, ids, pos, draw.key, draw.call, eta);
      compareRows(got, want, (i) => rowScale(want, i), `d_χ η = ${eta}`);
    });

  it('Laplace with clipping (clip below most rows’ L1 norm), no snapping', async () => {
    const clip = 2;
    const b = 0.7;
    const got = await runNoise(table, ids, pos, (t, i, p) => laplaceNoise(t, i, p, draw, { clip, b, snap: false }));
    const want = laplaceNoiseRef(table.embeddings, C, ids, pos, draw.key, draw.call, { clip, b, snap: false });
    compareRows(got, want, (i) => rowScale(want, i), 'Laplace');
  });

  it('Laplace with snapping: on the grid Λ within [−B, B], equal to the reference', async () => {
    const clip = 2;
    const b = 0.7;
    const lambda = snapGrid(b);
    const bound = snapBound(clip, b);
    expect([lambda, bound]).toEqual([1, 2]);
    expect(snapBound(3, 1.5)).toBe(4);
    const got = await runNoise(table, ids, pos, (t, i, p) => laplaceNoise(t, i, p, draw, { clip, b, snap: true }));
    const want = laplaceNoiseRef(table.embeddings, C, ids, pos, draw.key, draw.call, { clip, b, snap: true, lambda, bound });
    let mismatches = 0;
    for (let k = 0; k < got.length; k++) {
      expect(Math.abs(got[k]) <= bound && Number.isInteger(got[k] / lambda), `value ${got[k]} at ${k} off the grid`).toBe(true);
      if (got[k] !== want[k]) mismatches++;
    }
    // a mismatch needs the f32 and float64 sums to straddle a rounding boundary (~1e-6 chance each)
    expect(mismatches, `${mismatches} of ${got.length} snapped values differ`).toBeLessThanOrEqual(1);
  });

  it('a token’s noise depends on its position and the key only, not on the batch around it', async () => {
    const all = await runNoise(table, ids.subarray(0, 40), pos.subarray(0, 40), (t, i, p) => dchiNoise(t, i, p, draw, 3));
    const one = await runNoise(table, ids.subarray(17, 18), pos.subarray(17, 18), (t, i, p) => dchiNoise(t, i, p, draw, 3));
    expectClose(one, all.subarray(17 * C, 18 * C), { abs: 0, rel: 0 }, 'row 17 alone vs in its batch');
  });

  it('snapGrid is the smallest power of two ≥ b', () => {
    expect([0.7, 1, 1.5, 4, 0.25, 3e-3].map(snapGrid)).toEqual([1, 1, 2, 4, 0.25, 2 ** -8]);
  });
});

describe('mechanisms on a synthetic table (405 tokens, C = 16, neighbour distance ≈ 1)', () => {
  const table = gaussianTable(400, 16, 0.32, 1, 3); // + 3 [unused] rows, not candidates
  const UNUSED = 405;
  const r = rng(21);
  const words = Array.from({ length: 200 }, () => 5 + Math.floor(r() * 400));
  const input = Int32Array.from([CLS, ...words, UNUSED, MASK, UNK, SEP, PAD, PAD]);
  const specialAt = [0, 201, 202, 203, 204, 205, 206];
  const made: { dispose(): void }[] = [];
  const dchi = (eta: number, seed?: number) => {
    const p = new DchiPrivatizer(gpu, table, { mechanism: 'dchi', eta, seed });
    made.push(p);
    return p;
  };
  afterAll(() => made.forEach((p) => p.dispose()));

  it('η = 1e6 changes nothing', async () => {
    const res = await dchi(1e6, 1).privatize(input);
    expect(Array.from(res.ids)).toEqual(Array.from(input));
    expect(res.replaced).toBe(0);
  });

  it('η = 1e-3 (E‖z‖ = 16 000) replaces more than 95 % of the words, and special tokens pass through', async () => {
    const res = await dchi(1e-3, 2).privatize(input);
    expect(res.replaced / words.length, `replaced ${res.replaced} of ${words.length}`).toBeGreaterThan(0.95);
    for (const i of specialAt) expect(res.ids[i], `position ${i}`).toBe(input[i]);
    for (let i = 1; i <= words.length; i++) expect(res.ids[i] >= 5 && res.ids[i] < 405, `output ${res.ids[i]} is a candidate`).toBe(true);
  });

  it('same seed → same output; later calls of one seeded privatizer draw new noise; runs are labelled seeded', async () => {
    const a = await dchi(8, 77).privatize(input);
    const b = await dchi(8, 77).privatize(input);
    expect(Array.from(a.ids)).toEqual(Array.from(b.ids));
    expect(a.seeded).toBe(true);
    expect(a.replaced, 'η = 8 should replace some but not all words').toBeGreaterThan(10);
    expect(a.replaced).toBeLessThan(words.length - 10);
    const p = dchi(8, 77);
    const first = await p.privatize(input);
    const second = await p.privatize(input);
    expect(Array.from(first.ids)).toEqual(Array.from(a.ids));
    expect(Array.from(second.ids)).not.toEqual(Array.from(first.ids));
  });

  it('fresh keys (no seed) → different outputs, labelled not seeded', async () => {
    const p = dchi(8);
    const a = await p.privatize(input);
    const b = await dchi(8).privatize(input);
    expect(a.seeded).toBe(false);
    expect(Array.from(a.ids)).not.toEqual(Array.from(b.ids));
    expect(p.guarantee()).not.toMatch(/NOT PRIVATE/);
    expect(dchi(8, 1).guarantee()).toMatch(/NOT PRIVATE: fixed seed/);
    expect(p.guarantee()).toMatch(/η = 8/);
  });

  it('Laplace: ε = 1e6 changes nothing, ε = 1e-3 replaces > 95 %', async () => {
    const big = new LaplacePrivatizer(gpu, table, { mechanism: 'laplace', epsilon: 1e6, seed: 3 });
    const small = new LaplacePrivatizer(gpu, table, { mechanism: 'laplace', epsilon: 1e-3, seed: 4 });
    made.push(big, small);
    expect(big.clip).toBeCloseTo(maxCandidateL1(table), 10);
    expect(Array.from((await big.privatize(input)).ids)).toEqual(Array.from(input));
    const res = await small.privatize(input);
    expect(res.replaced / words.length).toBeGreaterThan(0.95);
    for (const i of specialAt) expect(res.ids[i]).toBe(input[i]);
    expect(small.guarantee()).toMatch(/ε-LDP per token with ε = 0.001 .*b = 2C\/ε/);
    expect(small.guarantee()).toMatch(/NOT PRIVATE/);
  });

  it('Laplace without projection releases snapped embeddings; special tokens keep their ids and rows', async () => {
    const p = new LaplacePrivatizer(gpu, table, { mechanism: 'laplace', epsilon: 4, clip: 3, project: false, seed: 5 });
    made.push(p);
    const res = await p.privatize(input);
    const C = table.C;
    expect(res.embeddings?.length).toBe(input.length * C);
    expect(res.replaced).toBe(words.length);
    const lam = p.grid;
    expect([lam, p.bound]).toEqual([2, 4]); // b = 2·3/4 = 1.5 → Λ = 2; B = 3 rounded up to 4
    for (let i = 1; i <= words.length; i++) {
      expect(res.ids[i]).toBe(-1);
      for (let c = 0; c < C; c++) {
        const v = res.embeddings![i * C + c];
        expect(Math.abs(v) <= 4 && Number.isInteger(v / lam), `position ${i}, coordinate ${c}: ${v}`).toBe(true);
      }
    }
    for (const i of specialAt) {
      expect(res.ids[i]).toBe(input[i]);
      expect(Array.from(res.embeddings!.subarray(i * C, i * C + C))).toEqual(Array.from(table.embeddings.subarray(input[i] * C, input[i] * C + C)));
    }
    expect(p.guarantee()).toMatch(/snapped to the grid Λ = 2 on \[−B, B\], B = 4/);
  });

  it('input checks: empty input, ids outside the table, bad budgets', async () => {
    const p = dchi(1, 1);
    await expect(p.privatize(new Int32Array(0))).rejects.toThrow(/dchi: empty input/);
    await expect(p.privatize(Int32Array.from([CLS, 7, 9999, SEP]))).rejects.toThrow(/token id 9999 at position 2 has no embedding/);
    await expect(p.privatize(Int32Array.from([-1]))).rejects.toThrow(/token id -1 at position 0/);
    for (const eta of [NaN, 0, -1, Infinity, -Infinity, undefined])
      expect(() => new DchiPrivatizer(gpu, table, { mechanism: 'dchi', eta }), `eta = ${eta}`).toThrow(/dchi: eta (is required|must be)/);
    for (const epsilon of [NaN, 0, -2, Infinity, undefined])
      expect(() => new LaplacePrivatizer(gpu, table, { mechanism: 'laplace', epsilon }), `epsilon = ${epsilon}`).toThrow(/laplace: epsilon (is required|must be)/);
    for (const clip of [0, -1, NaN, Infinity])
      expect(() => new LaplacePrivatizer(gpu, table, { mechanism: 'laplace', epsilon: 1, clip }), `clip = ${clip}`).toThrow(/laplace: clip must be/);
    expect(() => new DchiPrivatizer(gpu, table, { mechanism: 'laplace', eta: 1 })).toThrow(/spec is for mechanism "laplace"/);
    expect(() => new DchiPrivatizer(gpu, table, { mechanism: 'dchi', eta: 1, seed: 1.5 })).toThrow(/seed must be an integer/);
    p.dispose();
    await expect(p.privatize(Int32Array.from([7]))).rejects.toThrow(/after dispose/);
  });
});
