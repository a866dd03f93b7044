// The embedding neighbourhood of one token, for the Privatize page's chart (computed in the
// CLIENT worker: the token is the user's). Exact float64 work on the CPU:
//   - the k nearest candidate tokens of the token (Euclidean, ties to the lower id);
//   - for d_χ and Laplace, `draws` fresh noisy points E(x) + z from the float64 references of
//     the noise kernels (noise-ref.ts: the same Philox sampler, a fresh crypto key), each with
//     the token it snaps to (nearest-ref.ts) — an illustration of the mechanism, not the draws
//     that made the samples on the page;
//   - a 2-D PCA plane (projection2d.ts) fitted on the token, its neighbours and every output
//     token shown, with the noisy points projected onto it.
// SanText/CusText add no embedding noise (they sample an output token directly), so they get no
// noisy points; the caller passes their observed outputs as `extra` ids. GPU-free and DOM-free.

import { laplaceScale, maxCandidateL1 } from './laplace';
import { nearestRef } from './nearest-ref';
import { dchiNoiseRef, laplaceNoiseRef } from './noise-ref';
import { fitProjection2D, project2D } from './projection2d';
import { freshKey } from './seed';
import type { Key } from './philox';
import type { EmbeddingTable, MechanismSpec } from './types';

export type PointRole = 'original' | 'neighbour' | 'output';

export interface NeighbourPoint {
  id: number;
  token: string;
  role: PointRole;
  /** ‖E(id) − E(token)‖₂ in the full C dimensions */
  distance: number;
  x: number;
  y: number;
}

export interface NoisyPoint {
  x: number;
  y: number;
  /** ‖z‖₂ of this draw (full dimension) */
  norm: number;
  /** the candidate the noisy point snaps to */
  output: number;
  outputToken: string;
  kept: boolean;
}

export interface NeighbourhoodView {
  id: number;
  token: string;
  C: number;
  /** the original first, then its k neighbours by distance, then other output tokens */
  points: NeighbourPoint[];
  /** empty for mechanisms without embedding noise */
  noisy: NoisyPoint[];
  /** distance to the nearest other candidate */
  nearestDistance: number;
  /** fraction of the fitted points' variance the 2-D plane keeps */
  explained: number;
}

export interface NeighbourhoodOptions {
  /** neighbours shown (default 8) */
  k?: number;
  /** noisy points drawn for d_χ / Laplace (default 24) */
  draws?: number;
  /** other ids to place on the chart as outputs (e.g. what the samples chose) */
  extra?: readonly number[];
  /** Philox key of the illustration draws (default: fresh from crypto.getRandomValues) */
  key?: Key;
}

function dist(E: Float32Array, C: number, a: number, b: number): number {
  let s = 0;
  for (let c = 0; c < C; c++) {
    const t = E[a * C + c] - E[b * C + c];
    s += t * t;
  }
  return Math.sqrt(s);
}

/** The k candidates nearest to `id` (itself excluded), nearest first; ties to the lower id. */
export function kNearest(table: EmbeddingTable, id: number, k: number): { id: number; distance: number }[] {
  if (!(id >= 0 && id < table.V)) throw new Error(`kNearest: id ${id} is outside the table (${table.V} rows)`);
  const all: { id: number; distance: number }[] = [];
  for (const c of table.candidates) if (c !== id) all.push({ id: c, distance: dist(table.embeddings, table.C, id, c) });
  all.sort((a, b) => a.distance - b.distance || a.id - b.id);
  return all.slice(0, Math.max(0, k));
}

/** The noisy embeddings [draws, C] the mechanism would snap to a token, or null when it adds no embedding noise. */
function noisyRows(table: EmbeddingTable, id: number, spec: MechanismSpec, draws: number, key: Key): Float64Array | null {
  const ids = new Int32Array(draws).fill(id);
  const pos = Int32Array.from({ length: draws }, (_, i) => i);
  if (spec.mechanism === 'dchi') return dchiNoiseRef(table.embeddings, table.C, ids, pos, key, 0, spec.eta ?? NaN);
  if (spec.mechanism === 'laplace') {
    const clip = spec.clip ?? maxCandidateL1(table);
    return laplaceNoiseRef(table.embeddings, table.C, ids, pos, key, 0, { clip, b: laplaceScale(spec.epsilon ?? NaN, clip), snap: false });
  }
  return null;
}

export function neighbourhoodView(table: EmbeddingTable, id: number, spec: MechanismSpec, o: NeighbourhoodOptions = {}): NeighbourhoodView {
  const { C, embeddings: E } = table;
  const k = o.k ?? 8;
  const draws = Math.max(0, Math.min(256, o.draws ?? 24));
  const near = kNearest(table, id, Math.max(k, 1));
  const nearestDistance = near[0]?.distance ?? 0;
  const rows = draws > 0 ? noisyRows(table, id, spec, draws, o.key ?? freshKey().key) : null;
  const outputs: number[] = [];
  if (rows) {
    for (let i = 0; i < draws; i++) outputs.push(nearestRef(table, rows.subarray(i * C, i * C + C)));
  }

  const ids: number[] = [id];
  const role = new Map<number, PointRole>([[id, 'original']]);
  for (const n of near.slice(0, k)) {
    ids.push(n.id);
    role.set(n.id, 'neighbour');
  }
  for (const y of [...(o.extra ?? []), ...outputs])
    if (y >= 0 && y < table.V && !role.has(y)) {
      ids.push(y);
      role.set(y, 'output');
    }

  const fit = new Float64Array(ids.length * C);
  ids.forEach((t, i) => {
    for (let c = 0; c < C; c++) fit[i * C + c] = E[t * C + c];
  });
  const plane = fitProjection2D(fit, ids.length, C);
  const points: NeighbourPoint[] = ids.map((t, i) => {
    const [x, y] = project2D(plane, fit, i * C);
    return { id: t, token: table.tokens[t] ?? `[${t}]`, role: role.get(t)!, distance: dist(E, C, id, t), x, y };
  });
  const noisy: NoisyPoint[] = [];
  if (rows)
    for (let i = 0; i < draws; i++) {
      const [x, y] = project2D(plane, rows, i * C);
      let norm = 0;
      for (let c = 0; c < C; c++) norm += (rows[i * C + c] - E[id * C + c]) ** 2;
      noisy.push({ x, y, norm: Math.sqrt(norm), output: outputs[i], outputToken: table.tokens[outputs[i]] ?? `[${outputs[i]}]`, kept: outputs[i] === id });
    }
  return { id, token: table.tokens[id] ?? `[${id}]`, C, points, noisy, nearestDistance, explained: plane.explained };
}
