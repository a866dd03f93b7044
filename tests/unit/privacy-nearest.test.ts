// Exact nearest-token search on the GPU (both kernels: brute force and the projection-pruned
// search) against the float64 CPU reference. Seeds are fixed. The answers must be identical
// (ids, not distances): random queries leave gaps between the nearest and second-nearest
// distance far above f32 rounding, and the tie cases use small dyadic values for which every
// f32 operation is exact, so an exact tie stays a tie and goes to the lower id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/lib/gpu/context';
import { tensorFrom } from '../../src/lib/engine';
import { NearestIndex, nearestTokens, type NearestOptions } from '../../src/lib/privacy/nearest';
import { nearestRef, nearestTokensRef } from '../../src/lib/privacy/nearest-ref';
import type { EmbeddingTable } from '../../src/lib/privacy/types';
import { SeededRandom } from '../../src/lib/util/seeded-random';
import { getGpu } from './helpers/gpu';

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await getGpu();
});

function gaussTable(V: number, C: number, seed: number, candidates?: (id: number) => boolean): EmbeddingTable {
  const r = new SeededRandom(seed);
  const embeddings = new Float32Array(V * C);
  for (let i = 0; i < embeddings.length; i++) embeddings[i] = r.normal();
  const ids: number[] = [];
  for (let id = 0; id < V; id++) if (!candidates || candidates(id)) ids.push(id);
  return { embeddings, V, C, tokens: Array.from({ length: V }, (_, i) => `t${i}`), candidates: Int32Array.from(ids) };
}

/** n queries: rows of the table (some not candidates) plus Gaussian noise of std sigma, and pure noise points. */
function queriesNear(t: EmbeddingTable, n: number, sigma: number, seed: number): Float32Array {
  const r = new SeededRandom(seed);
  const q = new Float32Array(n * t.C);
  for (let i = 0; i < n; i++) {
    const far = i % 5 === 4;
    const src = r.int(t.V);
    for (let c = 0; c < t.C; c++) q[i * t.C + c] = far ? 3 * r.normal() : t.embeddings[src * t.C + c] + sigma * r.normal();
  }
  return q;
}

async function search(t: EmbeddingTable, q: Float32Array, opts: NearestOptions): Promise<Int32Array> {
  const idx = NearestIndex.create(gpu, t, opts);
  const x = tensorFrom(gpu, q, [q.length / t.C, t.C], 'queries');
  try {
    const y = idx.search(x);
    const got = (await y.read()) as Int32Array;
    y.dispose();
    return got;
  } finally {
    x.dispose();
    idx.dispose();
  }
}

function expectSameIds(got: Int32Array, want: Int32Array, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) bad.push(`#${i}: got ${got[i]}, want ${want[i]}`);
  expect(bad.length, `${what}: ${bad.length} of ${want.length} differ (${bad.slice(0, 5).join('; ')})`).toBe(0);
}

const VARIANTS: [string, NearestOptions][] = [
  ['brute', { variant: 'brute' }],
  ['brute, 3 chunks', { variant: 'brute', chunks: 3 }],
  ['pruned', { variant: 'pruned' }],
  ['pruned, P=4, 2 chunks, batches of 16', { variant: 'pruned', projDims: 4, chunks: 2, batch: 16 }]
];

describe.each(VARIANTS)('nearest-token search (%s)', (_name, opts) => {
  it('equals the float64 reference on random queries; only candidates are returned', async () => {
    // C = 12; candidates leave out ids 0..4 ([PAD]-like specials) and every 7th id.
    const t = gaussTable(301, 12, 11, (id) => id >= 5 && id % 7 !== 0);
    const n = 77;
    const q = queriesNear(t, n, 0.3, 12);
    // a few queries equal to table rows: a candidate row (→ itself) and excluded rows (→ another id)
    const exact = [10, 0, 14, 300, 3];
    exact.forEach((id, k) => q.set(t.embeddings.subarray(id * t.C, id * t.C + t.C), k * t.C));
    const want = nearestTokensRef(t, q, n);
    const got = await search(t, q, opts);
    expectSameIds(got, want, 'ids');
    expect(got[0]).toBe(10);
    const cand = new Set(t.candidates);
    for (let i = 0; i < n; i++) expect(cand.has(got[i]), `query ${i} → ${got[i]} is not a candidate`).toBe(true);
    for (const id of [0, 14, 3]) expect(got).not.toContain(id);
  });

  it('C not a multiple of 4 (padded rows); n and rows not multiples of the tiles', async () => {
    const t = gaussTable(203, 10, 21, (id) => id % 11 !== 3);
    const n = 45;
    const q = queriesNear(t, n, 0.5, 22);
    expectSameIds(await search(t, q, opts), nearestTokensRef(t, q, n), 'ids (C = 10)');
  });

  it('exact ties go to the lower id (duplicate rows and midpoints)', async () => {
    // Coordinates are small multiples of 1/2: sums, products and norms are exact in f32.
    const C = 8;
    const V = 40;
    const r = new SeededRandom(31);
    const E = new Float32Array(V * C);
    for (let i = 0; i < E.length; i++) E[i] = r.int(17) - 8;
    // ids 9 and 23 identical; 30 and 12 identical (the higher id listed first in candidates)
    E.set(E.subarray(9 * C, 10 * C), 23 * C);
    E.set(E.subarray(30 * C, 31 * C), 12 * C);
    const t: EmbeddingTable = { embeddings: E, V, C, tokens: [], candidates: Int32Array.from({ length: V }, (_, i) => V - 1 - i) };
    const qs: number[][] = [];
    const row = (id: number) => Array.from(E.subarray(id * C, id * C + C));
    qs.push(row(23)); // duplicate of 9 → 9
    qs.push(row(30)); // duplicate of 12 → 12
    qs.push(row(9).map((v) => v + 0.5)); // near both duplicates → 9
    // midpoints of pairs: equidistant from both (and maybe nearer to a third row; the reference decides)
    for (const [a, b] of [
      [1, 2],
      [5, 17],
      [20, 33],
      [38, 4]
    ])
      qs.push(row(a).map((v, c) => (v + E[b * C + c]) / 2));
    const q = Float32Array.from(qs.flat());
    const want = nearestTokensRef(t, q, qs.length);
    expect([want[0], want[1], want[2]]).toEqual([9, 12, 9]);
    // the midpoint ties really are ties for the reference whenever a pair member wins
    expectSameIds(await search(t, q, { ...opts, projDims: opts.projDims ?? (opts.variant === 'pruned' ? 8 : undefined) }), want, 'tie ids');
  });
});

describe('nearest-token search: larger shapes, pruned == brute force', () => {
  it('n = 1037 queries on a 2000 × 16 table: both kernels equal the reference', async () => {
    const t = gaussTable(2000, 16, 41, (id) => id % 13 !== 0);
    const n = 1037;
    const q = queriesNear(t, n, 0.3, 42);
    const want = nearestTokensRef(t, q, n);
    expectSameIds(await search(t, q, { variant: 'brute' }), want, 'brute');
    expectSameIds(await search(t, q, { variant: 'pruned', projDims: 8 }), want, 'pruned');
  });

  it('pruned == brute force where the bound skips most of the table (4096 × 64, P = 32)', async () => {
    const t = gaussTable(4096, 64, 51);
    const n = 203;
    const q = queriesNear(t, n, 0.25, 52);
    const brute = await search(t, q, { variant: 'brute' });
    const pruned = await search(t, q, { variant: 'pruned', projDims: 32, chunks: 3 });
    expectSameIds(pruned, brute, 'pruned vs brute');
    // spot-check against float64 on a subset (the full reference costs n·V·C)
    for (let i = 0; i < n; i += 10) expect(pruned[i], `query ${i}`).toBe(nearestRef(t, q.subarray(i * 64, i * 64 + 64)));
  });
});

describe('nearestTokens and errors', () => {
  afterAll(() => {});
  it('nearestTokens reads back the ids; the index is cached per table and reusable', async () => {
    const t = gaussTable(150, 8, 61, (id) => id > 2);
    const q = queriesNear(t, 20, 0.4, 62);
    const x = tensorFrom(gpu, q, [20, 8], 'q');
    const a = await nearestTokens(gpu, t, x);
    const b = await nearestTokens(gpu, t, x);
    x.dispose();
    expect(a).toBeInstanceOf(Int32Array);
    expectSameIds(a, nearestTokensRef(t, q, 20), 'nearestTokens');
    expectSameIds(b, a, 'second call');
    const idx = NearestIndex.create(gpu, t, { variant: 'brute' });
    const y = idx.search(tensorFrom(gpu, new Float32Array(0), [0, 8], 'none'));
    expect(y.shape).toEqual([0]);
    y.dispose();
    idx.dispose();
  });

  it('clear errors: shapes, dtypes, empty candidate lists, bad options', () => {
    const t = gaussTable(50, 8, 71);
    const idx = NearestIndex.create(gpu, t, { variant: 'brute' });
    const wrong = tensorFrom(gpu, new Float32Array(18), [2, 9], 'wrongC');
    expect(() => idx.search(wrong)).toThrow(/queries "wrongC" must be \[n, 8\], got \[2, 9\]/);
    const ints = tensorFrom(gpu, new Int32Array(16), [2, 8], 'ints');
    expect(() => idx.search(ints)).toThrow(/must be f32, got i32/);
    wrong.dispose();
    ints.dispose();
    idx.dispose();
    const q = tensorFrom(gpu, new Float32Array(8), [1, 8], 'q');
    expect(() => idx.search(q)).toThrow(/used after dispose/);
    q.dispose();
    expect(() => NearestIndex.create(gpu, { ...t, candidates: new Int32Array(0) })).toThrow(/no candidate tokens/);
    expect(() => NearestIndex.create(gpu, { ...t, candidates: Int32Array.from([3, 50]) })).toThrow(/candidate 50 \(entry 1\) is outside the table \(50 rows\)/);
    expect(() => NearestIndex.create(gpu, { ...t, embeddings: new Float32Array(10) })).toThrow(/expected V·C = 50·8 = 400/);
    expect(() => NearestIndex.create(gpu, t, { variant: 'pruned', projDims: 6 })).toThrow(/projDims must be a multiple of 4 in \[4, 8\], got 6/);
    expect(() => NearestIndex.create(gpu, gaussTable(20, 3, 1), { variant: 'pruned' })).toThrow(/pruned search needs C ≥ 4/);
    const bad = gaussTable(20, 4, 1);
    bad.embeddings[9] = NaN;
    expect(() => NearestIndex.create(gpu, bad)).toThrow(/token 2 has a non-finite value at coordinate 1/);
  });
});

describe('privatize benchmark', () => {
  it('runs on a small configuration and reports its fields', async () => {
    const { runPrivatizeBench } = await import('../../src/lib/bench/privatize-bench');
    const res = await runPrivatizeBench(gpu, { V: 600, C: 16, queries: 50, noise: 0.1, steps: 2, warmup: 0, jsQueries: 2, variant: 'pruned' });
    expect(res.benchmark).toBe('privatize');
    expect(res.config).toBe('600x16');
    expect(res.variant).toBe('pruned');
    expect(res.steps).toBe(2);
    expect(res.unchanged_fraction).toBe(1);
    expect(res.tokens_per_s).toBeGreaterThan(0);
    expect(res.peak_bytes).toBeGreaterThan(600 * 16 * 4);
    expect(res.js_queries_per_s).toBeGreaterThan(0);
  });
});

describe("'auto' on a software adapter", () => {
  async function run(idx: NearestIndex, q: Float32Array): Promise<Int32Array> {
    const x = tensorFrom(gpu, q, [q.length / idx.C, idx.C], 'q');
    const y = idx.search(x);
    const got = (await y.read()) as Int32Array;
    // let the asynchronous read-back of the marked-tile count land
    await gpu.sync();
    await new Promise((r) => setTimeout(r, 0));
    y.dispose();
    x.dispose();
    return got;
  }

  it('adapts: falls back to brute force when the bound prunes little, stays pruned when it prunes well', async () => {
    if (!gpu.summary.software) return; // hardware GPUs always use brute force
    const t = gaussTable(2048, 128, 81);
    const r = new SeededRandom(82);
    // far queries: every row about equally far, so the bound prunes almost nothing
    const far = Float32Array.from({ length: 32 * 128 }, () => 3 * r.normal());
    const idx = NearestIndex.create(gpu, t);
    expect([idx.variant, idx.adaptive]).toEqual(['pruned', true]);
    const a = await run(idx, far);
    expect(idx.lastSearch).toBe('pruned');
    expect(idx.markedFraction!).toBeGreaterThan(0.4);
    const b = await run(idx, far);
    expect(idx.lastSearch).toBe('brute');
    expectSameIds(a, nearestTokensRef(t, far, 32), 'pruned (far)');
    expectSameIds(b, a, 'brute (far)');
    idx.dispose();
    // near queries (rows + small noise): the bound prunes almost everything
    const near = new Float32Array(40 * 128);
    for (let i = 0; i < 40; i++) for (let c = 0; c < 128; c++) near[i * 128 + c] = t.embeddings[(37 * i) * 128 + c] + 0.2 * r.normal();
    const idx2 = NearestIndex.create(gpu, t);
    for (let k = 0; k < 2; k++) {
      const got = await run(idx2, near);
      expect(idx2.lastSearch).toBe('pruned');
      expectSameIds(got, nearestTokensRef(t, near, 40), `near, search ${k}`);
    }
    expect(idx2.markedFraction!).toBeLessThan(0.1);
    idx2.dispose();
  });
});
