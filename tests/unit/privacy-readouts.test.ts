// Privacy read-outs (noise scale, neighbour distance, replaced fraction, plausible
// deniability N_w / S_w) and the float64 statistics behind the noise tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/lib/gpu/context';
import { DchiPrivatizer } from '../../src/lib/privacy/dchi';
import { LaplacePrivatizer } from '../../src/lib/privacy/laplace';
import { laplaceNoiseRef } from '../../src/lib/privacy/noise-ref';
import { nearestTokensRef } from '../../src/lib/privacy/nearest-ref';
import {
  deniability,
  expectedNoiseNorm,
  expectedNoiseNormFor,
  fractionReplaced,
  runReadout,
  typicalNeighbourDistance
} from '../../src/lib/privacy/readouts';
import { gammaCdf, gammaP, ksCritical, ksStatistic, laplaceCdf, logGamma } from '../../src/lib/privacy/stats';
import type { EmbeddingTable } from '../../src/lib/privacy/types';
import { getGpu } from './helpers/gpu';
import { rng } from './helpers/numeric';
import { CLS, SEP, gaussianTable, zeroTable } from './helpers/privacy-table';

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await getGpu();
});

describe('stats (float64)', () => {
  it('logGamma matches ln((n − 1)!) and Γ(½) = √π to 1e-13 relative', () => {
    let f = 0;
    for (let n = 1; n <= 60; n++) {
      if (n > 1) f += Math.log(n - 1);
      expect(Math.abs(logGamma(n) - f), `n = ${n}`).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(f)));
    }
    expect(Math.abs(logGamma(0.5) - 0.5 * Math.log(Math.PI))).toBeLessThan(1e-13);
  });
  it('gammaP equals the Poisson-sum closed form for integer shapes (both branches) to 1e-12', () => {
    for (const k of [1, 2, 5, 16, 50])
      for (const x of [0.01, 0.5, 1, 3, 10, 16, 30, 60, 100]) {
        let term = 1;
        let s = 1;
        for (let j = 1; j < k; j++) {
          term *= x / j;
          s += term;
        }
        const want = 1 - Math.exp(-x) * s;
        expect(Math.abs(gammaP(k, x) - want), `P(${k}, ${x})`).toBeLessThan(1e-12);
      }
    expect(gammaP(3, 0)).toBe(0);
    expect(gammaP(3, Infinity)).toBe(1);
    expect(gammaCdf(2, 1, 2)).toBeCloseTo(1 - Math.exp(-1), 14);
    expect(() => gammaP(0, 1)).toThrow(/shape a must be > 0/);
  });
  it('laplaceCdf, ksStatistic and ksCritical', () => {
    expect(laplaceCdf(0, 2)).toBe(0.5);
    expect(laplaceCdf(-2, 2)).toBeCloseTo(0.5 * Math.exp(-1), 15);
    expect(laplaceCdf(2, 2)).toBeCloseTo(1 - 0.5 * Math.exp(-1), 15);
    // evenly spread points: D = 1/(2n); a shifted set is rejected
    const n = 1000;
    const even = Float64Array.from({ length: n }, (_, i) => (i + 0.5) / n);
    expect(ksStatistic(even, (x) => x)).toBeCloseTo(0.5 / n, 12);
    expect(ksStatistic(even.map((x) => x * 0.9), (x) => Math.min(1, Math.max(0, x)))).toBeGreaterThan(ksCritical(n));
    expect(ksCritical(100, 0.01)).toBeCloseTo(0.1628, 4);
    expect(ksCritical(100, 0.05)).toBeCloseTo(0.1358, 4);
  });
});

describe('read-outs', () => {
  it('typicalNeighbourDistance on grids with known spacing, and on a seeded sample', () => {
    // a 6 × 5 grid of spacing h in 2-D: every point's nearest other point is at distance h
    const grid = (h: number): EmbeddingTable => {
      const pts: number[] = [];
      for (let i = 0; i < 6; i++) for (let j = 0; j < 5; j++) pts.push(i * h, j * h);
      return { embeddings: Float32Array.from(pts), V: 30, C: 2, tokens: [], candidates: Int32Array.from({ length: 30 }, (_, i) => i) };
    };
    expect(typicalNeighbourDistance(grid(1))).toBe(1);
    expect(typicalNeighbourDistance(grid(0.5), { sample: 7, seed: 3 })).toBe(0.5);
    const t = gaussianTable(400, 16, 0.32, 1);
    const a = typicalNeighbourDistance(t, { sample: 64, seed: 1 });
    expect(typicalNeighbourDistance(t, { sample: 64, seed: 1 })).toBe(a);
    expect(a).toBeGreaterThan(0.8);
    expect(a).toBeLessThan(1.2);
    expect(() => typicalNeighbourDistance(zeroTable(1, 4))).toThrow(/at least two candidates/);
  });

  it('expectedNoiseNorm: d_χ C/η; Laplace within 1 % of a 4000-draw mean (standard error ~0.3 %)', () => {
    expect(expectedNoiseNorm({ mechanism: 'dchi', eta: 4 }, 16)).toBe(4);
    expect(() => expectedNoiseNorm({ mechanism: 'dchi', eta: 0 }, 16)).toThrow(/eta must be > 0/);
    expect(() => expectedNoiseNorm({ mechanism: 'santext', epsilon: 1 }, 16)).toThrow(/adds no embedding noise/);
    for (const C of [4, 16, 40]) {
      const n = 4000;
      const z = laplaceNoiseRef(new Float64Array(C), C, new Int32Array(n), Uint32Array.from({ length: n }, (_, i) => i), [9, 9], 0, {
        clip: 1,
        b: 0.5,
        snap: false
      });
      let m = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let c = 0; c < C; c++) s += z[i * C + c] ** 2;
        m += Math.sqrt(s);
      }
      m /= n;
      const want = expectedNoiseNorm({ mechanism: 'laplace', epsilon: 4, clip: 1 }, C); // b = 0.5
      expect(Math.abs(want / m - 1), `C = ${C}: formula ${want}, sample mean ${m}`).toBeLessThan(0.01);
    }
    const t = gaussianTable(20, 8, 1, 2);
    expect(expectedNoiseNormFor({ mechanism: 'laplace', epsilon: 2 }, t)).toBeGreaterThan(0);
  });

  it('fractionReplaced counts candidate positions only when told which ids are candidates', () => {
    const a = Int32Array.from([CLS, 10, 11, 12, SEP]);
    const b = Int32Array.from([CLS, 10, 20, 21, SEP]);
    expect(fractionReplaced(a, b)).toBeCloseTo(2 / 5, 15);
    expect(fractionReplaced(a, b, (id) => id >= 5)).toBeCloseTo(2 / 3, 15);
    expect(fractionReplaced(Int32Array.from([CLS]), Int32Array.from([CLS]), (id) => id >= 5)).toBe(0);
  });
});

describe('plausible deniability (N_w, S_w) on a synthetic table', () => {
  const table = gaussianTable(200, 8, 0.4, 5);
  const made: { dispose(): void }[] = [];
  afterAll(() => made.forEach((p) => p.dispose()));
  const dchi = (eta: number, seed?: number) => {
    const p = new DchiPrivatizer(gpu, table, { mechanism: 'dchi', eta, seed });
    made.push(p);
    return p;
  };

  it('η → ∞: the word always comes back (N_w = 1, S_w = 1)', async () => {
    const d = await deniability(dchi(1e6, 1), 42, 300);
    expect(d).toEqual({ id: 42, trials: 300, unchanged_rate: 1, distinct: 1, top: [[42, 1]] });
  });

  it('η small: N_w low, S_w large, frequencies sum to 1, batching does not change the statistics’ meaning', async () => {
    const d = await deniability(dchi(0.5, 2), 42, 1000, { top: 500, batch: 300 });
    expect(d.unchanged_rate).toBeLessThan(0.2);
    expect(d.distinct).toBeGreaterThan(20);
    const total = d.top.reduce((s, [, f]) => s + f, 0);
    expect(Math.abs(total - 1)).toBeLessThan(1e-12);
    for (let i = 1; i < d.top.length; i++) expect(d.top[i - 1][1] >= d.top[i][1]).toBe(true);
    expect(d.top.length).toBe(d.distinct);
  });

  it('N_w agrees with a CPU simulation of the same mechanism within 4σ (seeded)', async () => {
    // CPU: d_χ noise from the reference sampler, nearest token by the exact CPU search
    const { dchiNoiseRef } = await import('../../src/lib/privacy/noise-ref');
    const eta = 6;
    const n = 600;
    const y = dchiNoiseRef(table.embeddings, table.C, new Int32Array(n).fill(42), Uint32Array.from({ length: n }, (_, i) => i), [5, 6], 0, eta);
    const ref = nearestTokensRef(table, y, n);
    const pRef = ref.filter((v) => v === 42).length / n;
    expect(pRef > 0.1 && pRef < 0.9, `CPU N_w ${pRef} should be informative`).toBe(true);
    const d = await deniability(dchi(eta, 1234), 42, n);
    const sd = Math.sqrt((2 * pRef * (1 - pRef)) / n);
    expect(Math.abs(d.unchanged_rate - pRef), `GPU N_w ${d.unchanged_rate}, CPU ${pRef}`).toBeLessThan(4 * sd + 1e-9);
  });

  it('special tokens are never privatized (N_w = 1), Laplace without projection is refused', async () => {
    expect((await deniability(dchi(0.1, 3), CLS, 50)).unchanged_rate).toBe(1);
    const lp = new LaplacePrivatizer(gpu, table, { mechanism: 'laplace', epsilon: 1, project: false, seed: 1 });
    made.push(lp);
    await expect(deniability(lp, 42, 10)).rejects.toThrow(/released embeddings, not tokens/);
    await expect(deniability(dchi(1, 1), 42, 0)).rejects.toThrow(/trials must be an integer ≥ 1/);
  });

  it('runReadout: budget in words, noise norm next to the neighbour distance, replaced fraction', async () => {
    const p = dchi(4, 9);
    const r = rng(4);
    const input = Int32Array.from([CLS, ...Array.from({ length: 30 }, () => 5 + Math.floor(r() * 200)), SEP]);
    const res = await p.privatize(input);
    const ro = runReadout(p, table, input, res, 1.25);
    expect(ro.mechanism).toBe('dchi');
    expect(ro.seeded).toBe(true);
    expect(ro.guarantee).toMatch(/NOT PRIVATE/);
    expect(ro.expected_noise_norm).toBe(2); // C/η = 8/4
    expect(ro.typical_neighbour_distance).toBe(1.25);
    expect(ro.fraction_replaced).toBeCloseTo(res.replaced / 30, 15);
  });
});
