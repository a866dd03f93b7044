// Exact nearest-token search on the CPU in float64: the ground truth for the GPU search
// (nearest.ts). Euclidean distance to every candidate; ties go to the lower id.
// Cost |candidates|·C per query.

import type { EmbeddingTable } from './types';

/** The candidate id nearest to one query (length C). */
export function nearestRef(table: EmbeddingTable, query: Float64Array | Float32Array | ArrayLike<number>): number {
  const { C, V, embeddings: E, candidates } = table;
  if (query.length !== C) throw new Error(`nearestRef: query has ${query.length} values, the table has C = ${C}`);
  if (candidates.length === 0) throw new Error('nearestRef: the table has no candidate tokens');
  let best = Infinity;
  let bestId = -1;
  for (let k = 0; k < candidates.length; k++) {
    const id = candidates[k];
    if (id < 0 || id >= V) throw new Error(`nearestRef: candidate ${id} (entry ${k}) is outside the table (${V} rows)`);
    const row = id * C;
    let d = 0;
    for (let c = 0; c < C; c++) {
      const t = E[row + c] - query[c];
      d += t * t;
    }
    if (d < best || (d === best && id < bestId)) {
      best = d;
      bestId = id;
    }
  }
  return bestId;
}

/** nearestRef for each row of noisy [n, C] row-major. */
export function nearestTokensRef(table: EmbeddingTable, noisy: ArrayLike<number>, n: number): Int32Array {
  const { C } = table;
  if (noisy.length !== n * C) throw new Error(`nearestTokensRef: ${noisy.length} values for ${n} queries of dimension ${C}`);
  const out = new Int32Array(n);
  const q = new Float64Array(C);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) q[c] = noisy[i * C + c];
    out[i] = nearestRef(table, q);
  }
  return out;
}
