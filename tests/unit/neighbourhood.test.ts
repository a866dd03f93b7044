// The Privatize page's neighbourhood chart logic (GPU-free): the 2-D PCA projection against a
// float64 reference (power iteration with deflation on the C × C covariance, a different
// algorithm), exact k-nearest neighbours against brute force, and the illustration draws against
// the float64 noise and nearest-token references they are built from.
import { describe, expect, it } from 'vitest';
import { fitProjection2D, jacobiEigen, project2D } from '../../src/lib/privacy/projection2d';
import { kNearest, neighbourhoodView } from '../../src/lib/privacy/neighbourhood';
import { dchiNoiseRef } from '../../src/lib/privacy/noise-ref';
import { nearestRef } from '../../src/lib/privacy/nearest-ref';
import { SeededRandom } from '../../src/lib/util/seeded-random';
import { gaussianTable } from './helpers/privacy-table';

function randomRows(n: number, C: number, seed: number, scales?: number[]): Float64Array {
  const r = new SeededRandom(seed);
  const X = new Float64Array(n * C);
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) X[i * C + c] = r.normal() * (scales?.[c] ?? 1) + 0.3 * c;
  return X;
}

/** Reference: the top-2 eigenvectors of the covariance by power iteration with deflation; same sign rule. */
function referenceDirections(X: Float64Array, n: number, C: number): Float64Array[] {
  const mean = new Float64Array(C);
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) mean[c] += X[i * C + c] / n;
  const S = new Float64Array(C * C);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < C; a++) for (let b = 0; b < C; b++) S[a * C + b] += ((X[i * C + a] - mean[a]) * (X[i * C + b] - mean[b])) / n;
  const out: Float64Array[] = [];
  for (let k = 0; k < 2; k++) {
    let v = new Float64Array(C).map((_, c) => 1 + c * 0.01);
    for (let it = 0; it < 5000; it++) {
      const w = new Float64Array(C);
      for (let a = 0; a < C; a++) for (let b = 0; b < C; b++) w[a] += S[a * C + b] * v[b];
      const nn = Math.hypot(...w);
      v = w.map((x) => x / nn);
    }
    let lambda = 0;
    for (let a = 0; a < C; a++) for (let b = 0; b < C; b++) lambda += v[a] * S[a * C + b] * v[b];
    for (let a = 0; a < C; a++) for (let b = 0; b < C; b++) S[a * C + b] -= lambda * v[a] * v[b];
    let big = 0;
    for (let c = 0; c < C; c++) if (Math.abs(v[c]) > Math.abs(v[big])) big = c;
    if (v[big] < 0) v = v.map((x) => -x);
    out.push(v);
  }
  return out;
}

describe('2-D projection', () => {
  it('jacobiEigen diagonalises a symmetric matrix', () => {
    const n = 6;
    const r = new SeededRandom(3);
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) A[i * n + j] = A[j * n + i] = r.normal();
    const { values, vectors } = jacobiEigen(A.slice(), n);
    let worst = 0;
    for (let k = 0; k < n; k++)
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += A[i * n + j] * vectors[j * n + k];
        worst = Math.max(worst, Math.abs(av - values[k] * vectors[i * n + k]));
      }
    expect(worst, `max |Av − λv| = ${worst}`).toBeLessThan(1e-10);
  });

  it('matches the covariance power-iteration reference (directions and coordinates)', () => {
    const n = 17,
      C = 12;
    const X = randomRows(n, C, 7, [5, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const p = fitProjection2D(X, n, C);
    const ref = referenceDirections(X, n, C);
    let worst = 0;
    for (let k = 0; k < 2; k++) for (let c = 0; c < C; c++) worst = Math.max(worst, Math.abs(p.directions[k * C + c] - ref[k][c]));
    expect(worst, `max |direction − reference| = ${worst}`).toBeLessThan(1e-8);
    let worstXY = 0;
    for (let i = 0; i < n; i++) {
      const [x, y] = project2D(p, X, i * C);
      let rx = 0,
        ry = 0;
      for (let c = 0; c < C; c++) {
        const t = X[i * C + c] - p.mean[c];
        rx += t * ref[0][c];
        ry += t * ref[1][c];
      }
      worstXY = Math.max(worstXY, Math.abs(x - rx), Math.abs(y - ry));
    }
    expect(worstXY, `max |coordinate − reference| = ${worstXY}`).toBeLessThan(1e-8);
    expect(p.variances[0]).toBeGreaterThanOrEqual(p.variances[1]);
    expect(p.explained).toBeGreaterThan(0);
    expect(p.explained).toBeLessThanOrEqual(1 + 1e-12);
  });

  it('keeps distances exactly for points that lie in a plane', () => {
    const n = 9,
      C = 20;
    const r = new SeededRandom(11);
    const u = new Float64Array(C).map(() => r.normal());
    const v = new Float64Array(C).map(() => r.normal());
    const X = new Float64Array(n * C);
    const ab: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      const a = r.normal(),
        b = r.normal();
      ab.push([a, b]);
      for (let c = 0; c < C; c++) X[i * C + c] = 2 + a * u[c] + b * v[c];
    }
    const p = fitProjection2D(X, n, C);
    expect(p.explained).toBeCloseTo(1, 10);
    const xy = Array.from({ length: n }, (_, i) => project2D(p, X, i * C));
    let worst = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let d = 0;
        for (let c = 0; c < C; c++) d += (X[i * C + c] - X[j * C + c]) ** 2;
        worst = Math.max(worst, Math.abs(Math.sqrt(d) - Math.hypot(xy[i][0] - xy[j][0], xy[i][1] - xy[j][1])));
      }
    expect(worst, `max distance error ${worst}`).toBeLessThan(1e-9);
  });

  it('handles a single point and collinear points', () => {
    const one = fitProjection2D([1, 2, 3], 1, 3);
    expect(project2D(one, [1, 2, 3])).toEqual([0, 0]);
    const line = fitProjection2D([0, 0, 1, 1, 2, 2], 3, 2);
    const [x, y] = project2D(line, [2, 2]);
    expect(x).toBeCloseTo(Math.SQRT2, 10);
    expect(y).toBe(0);
    expect(() => fitProjection2D([1, 2], 1, 3)).toThrow(/2 values for 1 rows/);
  });
});

describe('neighbourhood view', () => {
  const table = gaussianTable(60, 8, 1, 5);

  it('kNearest matches brute force', () => {
    const id = 9;
    const got = kNearest(table, id, 5);
    const all = [...table.candidates]
      .filter((c) => c !== id)
      .map((c) => {
        let s = 0;
        for (let k = 0; k < table.C; k++) s += (table.embeddings[c * table.C + k] - table.embeddings[id * table.C + k]) ** 2;
        return { id: c, distance: Math.sqrt(s) };
      })
      .sort((a, b) => a.distance - b.distance);
    expect(got.map((g) => g.id)).toEqual(all.slice(0, 5).map((a) => a.id));
    expect(got[0].distance).toBeCloseTo(all[0].distance, 10);
  });

  it('d_χ draws are the float64 reference draws and snap to their nearest token', () => {
    const key: [number, number] = [123, 456];
    const id = 12;
    const spec = { mechanism: 'dchi' as const, eta: 4 };
    const view = neighbourhoodView(table, id, spec, { k: 4, draws: 10, key });
    expect(view.points[0]).toMatchObject({ id, role: 'original', distance: 0 });
    expect(view.points.filter((p) => p.role === 'neighbour')).toHaveLength(4);
    const rows = dchiNoiseRef(table.embeddings, table.C, new Int32Array(10).fill(id), Int32Array.from({ length: 10 }, (_, i) => i), key, 0, 4);
    view.noisy.forEach((q, i) => {
      expect(q.output).toBe(nearestRef(table, rows.subarray(i * table.C, (i + 1) * table.C)));
      expect(q.kept).toBe(q.output === id);
      // every output appears as a labelled point
      expect(view.points.some((p) => p.id === q.output)).toBe(true);
    });
    const meanNorm = view.noisy.reduce((a, q) => a + q.norm, 0) / view.noisy.length;
    expect(meanNorm).toBeGreaterThan(0);
  });

  it('exponential-mechanism specs get no noisy points, and extra ids become outputs', () => {
    const view = neighbourhoodView(table, 7, { mechanism: 'santext', epsilon: 3 }, { k: 3, extra: [40, 7] });
    expect(view.noisy).toHaveLength(0);
    expect(view.points.find((p) => p.id === 40)?.role).toBe(view.points.slice(1, 4).some((p) => p.id === 40) ? 'neighbour' : 'output');
    expect(view.points.filter((p) => p.id === 7)).toHaveLength(1);
  });
});
