// CusText (Chen, Lin, Zhang, Li, Wang & Han, "A Customized Text Sanitization Mechanism with
// Differential Privacy", ACL Findings 2023): each candidate token x is replaced by a draw from
// its output set — x and its K − 1 nearest other candidates (Euclidean; K = 20 by default) —
// with P(y | x) ∝ exp(ε·u(x, y)/2), u = (d_max − d(x, y))/(d_max − d_min) over that set.
// Sets and closed form: expmech-ref.ts (with the source notes). The sets are computed on the
// CPU in float64 for each distinct input token (cost |candidates|·C, cached per privatizer);
// the draws are Gumbel-max on the GPU (shaders/privacy/expmech.wgsl, entry `listed`).
// Non-candidate tokens pass through unchanged.

import type { GpuContext } from '../gpu/context';
import { ExpMechPrivatizer, sampleListed, type Draw } from './expmech';
import { custextUtilities, sortedCandidates, type Neighbourhood } from './expmech-ref';
import type { EmbeddingTable, MechanismSpec } from './types';

export const CUSTEXT_DEFAULT_K = 20;

export class CusTextPrivatizer extends ExpMechPrivatizer {
  readonly k: number;
  private readonly cand: Int32Array;
  private readonly sets = new Map<number, { ids: Int32Array; logits: Float32Array }>();

  constructor(gpu: GpuContext, table: EmbeddingTable, spec: MechanismSpec) {
    super(gpu, table, spec, 'custext');
    this.cand = sortedCandidates(table);
    const k = spec.k ?? CUSTEXT_DEFAULT_K;
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > this.cand.length)
      throw new Error(`custext: k must be an integer in [1, ${this.cand.length}] (the number of candidate tokens), got ${spec.k ?? k}`);
    this.k = k;
  }

  /** x and its K − 1 nearest other candidates (float64; ties → lower id), as in expmech-ref.knnSet. */
  neighbourhood(x: number): Neighbourhood {
    const { C, embeddings: E } = this.table;
    const K = this.k;
    const n = K - 1;
    const bestD = new Float64Array(n).fill(Infinity);
    const bestId = new Int32Array(n).fill(0x7fffffff);
    const xo = x * C;
    for (let j = 0; j < this.cand.length; j++) {
      const id = this.cand[j];
      if (id === x) continue;
      const o = id * C;
      let s = 0;
      for (let c = 0; c < C; c++) {
        const t = E[xo + c] - E[o + c];
        s += t * t;
      }
      const d = Math.sqrt(s);
      if (n === 0 || d > bestD[n - 1] || (d === bestD[n - 1] && id > bestId[n - 1])) continue;
      // insert into the sorted list (candidates come in increasing id, so equal d goes after)
      let p = n - 1;
      while (p > 0 && (bestD[p - 1] > d || (bestD[p - 1] === d && bestId[p - 1] > id))) {
        bestD[p] = bestD[p - 1];
        bestId[p] = bestId[p - 1];
        p--;
      }
      bestD[p] = d;
      bestId[p] = id;
    }
    const ids = new Int32Array(K);
    const dist = new Float64Array(K);
    ids[0] = x;
    ids.set(bestId, 1);
    dist.set(bestD, 1);
    return { ids, dist };
  }

  private setOf(x: number): { ids: Int32Array; logits: Float32Array } {
    let s = this.sets.get(x);
    if (!s) {
      const { ids, dist } = this.neighbourhood(x);
      const u = custextUtilities(dist);
      s = { ids, logits: Float32Array.from(u, (v) => (this.epsilon * v) / 2) };
      this.sets.set(x, s);
    }
    return s;
  }

  protected sample(x: Int32Array, pos: Uint32Array, draw: Draw): Promise<Int32Array> {
    const K = this.k;
    const logits = new Float32Array(x.length * K);
    const lids = new Int32Array(x.length * K);
    for (let i = 0; i < x.length; i++) {
      const s = this.setOf(x[i]);
      logits.set(s.logits, i * K);
      lids.set(s.ids, i * K);
    }
    return sampleListed(this.gpu, logits, lids, K, pos, draw, 'custext');
  }

  guarantee(): string {
    return this.withSeedNote(
      `CusText with ε = ${this.epsilon}, K = ${this.k}: each token is replaced by one of its ${this.k} nearest tokens (itself included) ` +
        `with P(y | x) ∝ exp(ε·u(x, y)/2), u ∈ [0, 1]; for two tokens with the same output set, P(y | x) ≤ exp(ε)·P(y | x′). ` +
        `Output sets are per token (its own neighbourhood), so tokens with different sets can be told apart. ` +
        `Sampled in f32 by Gumbel-max (a faithful simulation, not a certified implementation)`
    );
  }
}
