// The exponential mechanisms (SanText, SanText+, CusText) sampled on the GPU by Gumbel-max,
// against their closed-form output distributions (expmech-ref.ts) and against an exact CPU
// replay of the same Philox draws. Seeds are fixed, so every run sees the same draws.
//
// Tolerance of the distribution tests: N draws of one input, support of k outputs. The total
// variation distance between the empirical and the true distribution has
//   E[TV] ≤ ½·Σ_y √(p_y(1 − p_y)/N) ≤ ½·√(k/N)        (Cauchy–Schwarz)
// and, since one draw moves TV by at most 1/N, P(TV > E[TV] + t) ≤ exp(−2Nt²) (McDiarmid).
// The bound used is ½√(k/N) + √(ln(10⁴)/(2N)): exceeded with probability < 10⁻⁴ by a correct
// sampler (for N = 8000, k = 30: 0.031 + 0.024 = 0.055).
import { beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/lib/gpu/context';
import { SanTextPlusPrivatizer, SanTextPrivatizer } from '../../src/lib/privacy/santext';
import { CusTextPrivatizer } from '../../src/lib/privacy/custext';
import { EXPMECH_STREAM } from '../../src/lib/privacy/expmech';
import {
  custextDistribution,
  knnSet,
  rowDistance,
  santextDistribution,
  santextPlusDistribution,
  sensitiveSet,
  sortedCandidates
} from '../../src/lib/privacy/expmech-ref';
import { negLogU01, philox4x32_10 } from '../../src/lib/privacy/philox';
import { seededKey } from '../../src/lib/privacy/seed';
import type { EmbeddingTable, MechanismSpec, Privatizer } from '../../src/lib/privacy/types';
import { SeededRandom } from '../../src/lib/util/seeded-random';
import { getGpu } from './helpers/gpu';

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await getGpu();
});

/** V = 34 tokens, C = 8; ids 0..3 are specials (not candidates), 4..33 the 30 candidates. */
function smallTable(seed = 1, scale = 0.3): EmbeddingTable {
  const V = 34;
  const C = 8;
  const r = new SeededRandom(seed);
  const embeddings = new Float32Array(V * C);
  for (let i = 0; i < embeddings.length; i++) embeddings[i] = scale * r.normal();
  const frequencies = Float64Array.from({ length: V }, () => 1 + r.int(100));
  return {
    embeddings,
    V,
    C,
    tokens: Array.from({ length: V }, (_, i) => (i < 4 ? `[S${i}]` : `w${i}`)),
    candidates: Int32Array.from({ length: V - 4 }, (_, i) => i + 4),
    frequencies
  };
}

const N = 8000;

function tvBound(k: number, n: number): number {
  return 0.5 * Math.sqrt(k / n) + Math.sqrt(Math.log(1e4) / (2 * n));
}

/** Empirical output frequencies of N privatizations of x (one call, N positions). */
async function empirical(p: Privatizer, x: number, V: number): Promise<{ freq: Float64Array; ids: Int32Array }> {
  const res = await p.privatize(new Int32Array(N).fill(x));
  const freq = new Float64Array(V);
  for (const y of res.ids) freq[y] += 1 / N;
  return { freq, ids: res.ids };
}

function expectTv(freq: Float64Array, want: Float64Array, what: string): void {
  let tv = 0;
  let k = 0;
  for (let y = 0; y < want.length; y++) {
    tv += Math.abs(freq[y] - want[y]) / 2;
    if (want[y] > 0) k++;
    else expect(freq[y], `${what}: output ${y} has probability 0 but was drawn`).toBe(0);
  }
  const bound = tvBound(Math.max(k, 1), N);
  expect(tv, `${what}: TV(empirical, closed form) = ${tv.toFixed(4)} over ${k} outputs (bound ${bound.toFixed(4)})`).toBeLessThan(bound);
}

function make<T extends Privatizer>(Cls: new (g: GpuContext, t: EmbeddingTable, s: MechanismSpec) => T, t: EmbeddingTable, spec: MechanismSpec): T {
  return new Cls(gpu, t, spec);
}

/** CPU replay of the GPU's Gumbel-max: logits from float64, Gumbels from the same Philox words. */
function replay(key: readonly [number, number], call: number, positions: number[], logitsOf: (i: number) => Float64Array, idsOf: (i: number) => Int32Array): Int32Array {
  const out = new Int32Array(positions.length);
  positions.forEach((pos, i) => {
    const l = logitsOf(i);
    const ids = idsOf(i);
    let best = -Infinity;
    let arg = 0;
    for (let j = 0; j < l.length; j++) {
      const w = philox4x32_10([pos, j >>> 2, EXPMECH_STREAM.gumbel, call], key)[j & 3];
      const s = l[j] - Math.log(negLogU01(w));
      if (s > best) {
        best = s;
        arg = j;
      }
    }
    out[i] = ids[arg];
  });
  return out;
}

function mismatches(a: Int32Array, b: Int32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

describe('SanText', () => {
  it('per-token output distribution matches the closed form (TV bound, N = 8000)', async () => {
    const t = smallTable(1);
    const p = make(SanTextPrivatizer, t, { mechanism: 'santext', epsilon: 3, seed: 101 });
    for (const x of [4, 17, 33]) {
      const { freq } = await empirical(p, x, t.V);
      expectTv(freq, santextDistribution(t, x, 3), `santext x = ${x}`);
    }
    p.dispose();
  });

  it('GPU draws equal an exact CPU replay of the same Philox draws (600 × 10 table: chunks, padding)', async () => {
    const r = new SeededRandom(7);
    const V = 600;
    const C = 10;
    const embeddings = Float32Array.from({ length: V * C }, () => r.normal() * 0.4);
    const t: EmbeddingTable = { embeddings, V, C, tokens: [], candidates: Int32Array.from({ length: V - 5 }, (_, i) => i + 5) };
    const eps = 3;
    const p = make(SanTextPrivatizer, t, { mechanism: 'santext', epsilon: eps, seed: 202 });
    const ids = Int32Array.from({ length: 300 }, () => r.int(V));
    const got = (await p.privatize(ids)).ids;
    const outs = sortedCandidates(t);
    const positions = Array.from(ids.keys()).filter((i) => ids[i] >= 5);
    const want = replay(
      seededKey(202).key,
      0,
      positions,
      (i) => Float64Array.from(outs, (y) => (-eps * rowDistance(t, ids[positions[i]], y)) / 2),
      () => outs
    );
    const gotAt = Int32Array.from(positions, (i) => got[i]);
    // f32 logits can flip an argmax whose top two scores are within ~1e-5 (probability ~1e-5 per draw)
    expect(mismatches(gotAt, want), 'positions where the GPU and the CPU replay disagree').toBeLessThanOrEqual(1);
    for (let i = 0; i < 5; i++) expect(ids.includes(i) ? got[ids.indexOf(i)] : i).toBe(i);
    p.dispose();
  });

  it('ε → large: always the input itself; specials pass through', async () => {
    const t = smallTable(2);
    const p = make(SanTextPrivatizer, t, { mechanism: 'santext', epsilon: 1e4, seed: 3 });
    const ids = Int32Array.from({ length: 4000 }, (_, i) => i % t.V);
    const res = await p.privatize(ids);
    expect(mismatches(res.ids, ids)).toBe(0);
    expect(res.replaced).toBe(0);
    p.dispose();
  });

  it('same key → same outputs; another seed or the next call → different outputs', async () => {
    const t = smallTable(3);
    const ids = Int32Array.from({ length: 200 }, (_, i) => 4 + (i % 30));
    const a = make(SanTextPrivatizer, t, { mechanism: 'santext', epsilon: 2, seed: 9 });
    const b = make(SanTextPrivatizer, t, { mechanism: 'santext', epsilon: 2, seed: 9 });
    const c = make(SanTextPrivatizer, t, { mechanism: 'santext', epsilon: 2, seed: 10 });
    const ra = await a.privatize(ids);
    const rb = await b.privatize(ids);
    const rc = await c.privatize(ids);
    const ra2 = await a.privatize(ids);
    expect(ra.seeded).toBe(true);
    expect(mismatches(ra.ids, rb.ids)).toBe(0);
    expect(mismatches(ra.ids, rc.ids)).toBeGreaterThan(50);
    expect(mismatches(ra.ids, ra2.ids)).toBeGreaterThan(50);
    expect(a.guarantee()).toMatch(/NOT PRIVATE/);
    const fresh = make(SanTextPrivatizer, t, { mechanism: 'santext', epsilon: 2 });
    const rf = await fresh.privatize(ids);
    expect(rf.seeded).toBe(false);
    expect(fresh.guarantee()).not.toMatch(/NOT PRIVATE/);
    for (const p of [a, b, c, fresh]) p.dispose();
  });
});

describe('SanText+', () => {
  const t = smallTable(4);
  const S = sensitiveSet(t, 0.5);

  it('the sensitive set is the least frequent half of the candidates', () => {
    expect(S.length).toBe(15);
    const f = t.frequencies!;
    const maxS = Math.max(...Array.from(S, (id) => f[id]));
    for (const id of t.candidates) if (!S.includes(id)) expect(f[id]).toBeGreaterThanOrEqual(maxS);
    expect(sensitiveSet(t, 0).length).toBe(0);
    expect(sensitiveSet(t, 1).length).toBe(30);
  });

  it('sensitive and non-sensitive inputs match the closed form (TV bound)', async () => {
    const p = make(SanTextPlusPrivatizer, t, { mechanism: 'santext+', epsilon: 3, p: 0.3, w: 0.5, seed: 5 });
    const nonSensitive = Array.from(t.candidates).find((id) => !S.includes(id))!;
    for (const x of [S[0], S[7], nonSensitive]) {
      const { freq } = await empirical(p, x, t.V);
      expectTv(freq, santextPlusDistribution(t, x, 3, 0.3, 0.5), `santext+ x = ${x}${S.includes(x) ? ' (sensitive)' : ''}`);
      if (S.includes(x)) for (let y = 0; y < t.V; y++) if (freq[y] > 0) expect(S.includes(y), `output ${y} not sensitive`).toBe(true);
    }
    p.dispose();
  });

  it('p = 0 keeps non-sensitive tokens; w = 0 keeps everything; w = 1 is SanText', async () => {
    const nonS = Array.from(t.candidates).filter((id) => !S.includes(id));
    const ids = Int32Array.from({ length: 3000 }, (_, i) => nonS[i % nonS.length]);
    const p0 = make(SanTextPlusPrivatizer, t, { mechanism: 'santext+', epsilon: 3, p: 0, w: 0.5, seed: 6 });
    expect(mismatches((await p0.privatize(ids)).ids, ids)).toBe(0);
    const all = Int32Array.from({ length: 3000 }, (_, i) => i % t.V);
    const w0 = make(SanTextPlusPrivatizer, t, { mechanism: 'santext+', epsilon: 3, p: 1, w: 0, seed: 6 });
    expect(mismatches((await w0.privatize(all)).ids, all)).toBe(0);
    expect(w0.guarantee()).toMatch(/no token is sensitive/);
    const w1 = make(SanTextPlusPrivatizer, t, { mechanism: 'santext+', epsilon: 3, w: 1, seed: 6 });
    const { freq } = await empirical(w1, 9, t.V);
    expectTv(freq, santextDistribution(t, 9, 3), 'santext+ w = 1 vs santext');
    // p = 1: a non-sensitive input is always replaced by a sensitive token
    const p1 = make(SanTextPlusPrivatizer, t, { mechanism: 'santext+', epsilon: 3, p: 1, w: 0.5, seed: 6 });
    for (const y of (await p1.privatize(ids)).ids) expect(S.includes(y)).toBe(true);
    for (const p of [p0, w0, w1, p1]) p.dispose();
  });

  it("defaults are the authors' (ε = 15, p = 0.2, w = 0.5)", () => {
    const p = make(SanTextPlusPrivatizer, t, { mechanism: 'santext+' });
    expect([p.epsilon, p.p, p.w]).toEqual([15, 0.2, 0.5]);
    p.dispose();
  });
});

describe('CusText', () => {
  it('neighbourhoods equal the float64 reference for every candidate', () => {
    const t = smallTable(5);
    const p = make(CusTextPrivatizer, t, { mechanism: 'custext', epsilon: 2, k: 7, seed: 1 });
    for (const x of t.candidates) {
      const a = p.neighbourhood(x);
      const b = knnSet(t, x, 7);
      expect(Array.from(a.ids), `x = ${x}`).toEqual(Array.from(b.ids));
    }
    p.dispose();
  });

  it('per-token output distribution matches the closed form; outputs stay in the K-set (TV bound)', async () => {
    const t = smallTable(5);
    const p = make(CusTextPrivatizer, t, { mechanism: 'custext', epsilon: 3, k: 10, seed: 77 });
    for (const x of [4, 20]) {
      const { freq } = await empirical(p, x, t.V);
      expectTv(freq, custextDistribution(t, x, 3, 10), `custext x = ${x}`);
      const set = new Set(knnSet(t, x, 10).ids);
      for (let y = 0; y < t.V; y++) if (freq[y] > 0) expect(set.has(y)).toBe(true);
    }
    p.dispose();
  });

  it('GPU draws equal an exact CPU replay; K = 1 and ε → large give the input itself', async () => {
    const t = smallTable(6);
    const eps = 4;
    const p = make(CusTextPrivatizer, t, { mechanism: 'custext', epsilon: eps, k: 20, seed: 303 });
    const ids = Int32Array.from({ length: 1000 }, (_, i) => i % t.V);
    const got = (await p.privatize(ids)).ids;
    const positions = Array.from(ids.keys()).filter((i) => ids[i] >= 4);
    const want = replay(
      seededKey(303).key,
      0,
      positions,
      (i) => {
        const { dist } = knnSet(t, ids[positions[i]], 20);
        const lo = Math.min(...dist);
        const hi = Math.max(...dist);
        return Float64Array.from(dist, (d) => (eps * (hi - d)) / (hi - lo) / 2);
      },
      (i) => knnSet(t, ids[positions[i]], 20).ids
    );
    expect(mismatches(Int32Array.from(positions, (i) => got[i]), want)).toBeLessThanOrEqual(1);
    for (let i = 0; i < ids.length; i++) if (ids[i] < 4) expect(got[i]).toBe(ids[i]);
    const k1 = make(CusTextPrivatizer, t, { mechanism: 'custext', epsilon: 0.1, k: 1, seed: 1 });
    expect(mismatches((await k1.privatize(ids)).ids, ids)).toBe(0);
    const big = make(CusTextPrivatizer, t, { mechanism: 'custext', epsilon: 1e4, seed: 1 });
    expect(mismatches((await big.privatize(ids)).ids, ids)).toBe(0);
    for (const x of [p, k1, big]) x.dispose();
  });
});

describe('budgets and inputs', () => {
  const t = smallTable(8);
  it('ε must be finite and > 0; p, w in [0, 1]; K an integer in [1, candidates]', () => {
    for (const epsilon of [0, -1, NaN, Infinity])
      for (const [Cls, mechanism] of [
        [SanTextPrivatizer, 'santext'],
        [SanTextPlusPrivatizer, 'santext+'],
        [CusTextPrivatizer, 'custext']
      ] as const)
        expect(() => make(Cls as never, t, { mechanism, epsilon }), `${mechanism} ε = ${epsilon}`).toThrow(new RegExp(`${mechanism.replace('+', '\\+')}: epsilon`));
    expect(() => make(CusTextPrivatizer, t, { mechanism: 'custext' })).toThrow(/custext: epsilon is required/);
    for (const p of [-0.1, 1.5, NaN]) expect(() => make(SanTextPlusPrivatizer, t, { mechanism: 'santext+', p })).toThrow(/santext\+: p must be a number in \[0, 1\]/);
    for (const w of [-0.1, 2, NaN]) expect(() => make(SanTextPlusPrivatizer, t, { mechanism: 'santext+', w })).toThrow(/santext\+: w must be a number in \[0, 1\]/);
    for (const k of [0, 2.5, 31])
      expect(() => make(CusTextPrivatizer, t, { mechanism: 'custext', epsilon: 1, k })).toThrow(/custext: k must be an integer in \[1, 30\]/);
    expect(() => make(CusTextPrivatizer, t, { mechanism: 'custext', epsilon: 1 })).not.toThrow();
    expect(() => make(SanTextPlusPrivatizer, { ...t, frequencies: undefined }, { mechanism: 'santext+' })).toThrow(/table\.frequencies/);
    expect(() => make(SanTextPrivatizer, t, { mechanism: 'custext', epsilon: 1 })).toThrow(/spec is for mechanism "custext"/);
  });

  it('empty input and ids outside the table are clear errors', async () => {
    const p = make(SanTextPrivatizer, t, { mechanism: 'santext', epsilon: 1, seed: 1 });
    await expect(p.privatize(new Int32Array(0))).rejects.toThrow(/santext: empty input/);
    await expect(p.privatize(Int32Array.from([5, 34]))).rejects.toThrow(/token id 34 at position 1 has no embedding/);
    p.dispose();
    await expect(p.privatize(Int32Array.from([5]))).rejects.toThrow(/used after dispose/);
  });
});
