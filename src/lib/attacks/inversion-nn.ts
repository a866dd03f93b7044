// Embedding inversion without training: for each privatized position, guess the original token.
//
// (a) Identity / nearest neighbour: the mechanisms output a real token y whose embedding's nearest
//     neighbour in the public table is y itself, so the nearest-neighbour guess is x̂ = y.
// (b) Bayes-optimal under the known mechanism M, restricted to a candidate set X_N (the N most
//     frequent privatizable tokens of the public auxiliary text) with prior p(x) from their
//     auxiliary counts (data.ts):
//         x̂(y) = argmax_{x ∈ X_N ∪ {y}} p(x) · P̂(y | x),   P̂(y | x) = #{k ≤ K : M(x)_k = y} / K
//     estimated by Monte Carlo: every candidate is privatized K times (one privatize() call on the
//     ids repeated K times; the mechanisms act token by token, so the draws are independent).
//     The observed token itself is always a hypothesis: when y ∉ X_N its likelihood P(y | y) is
//     approximated by r̄ = Σ_x p(x)·P̂(x | x) / Σ_x p(x) over X_N (the mean probability that a
//     token is kept). When no hypothesis has a positive score (no draw of any candidate hit y),
//     the guess is y.
//     Smoothing: K draws leave most P(y | x), x ≠ y, at 0 or 1/K, and a single hit over-states a
//     rare transition. So the draws are also pooled by embedding distance, g(d) = hits of pairs
//     x ≠ y at distance ≈ d / (K · #pairs at ≈ d) (64 log-spaced bins), and each pair's estimate
//     is shrunk towards it: P̂(y | x) = (n_xy + a·g(d(x, y))) / (K + a). P̂(x | x) stays the raw
//     keep rate (K draws estimate it well). The attacker picks a ∈ SHRINKAGE_GRID·K by the
//     recovery on auxiliary text it privatized itself (public data; ties → the smaller a): a = 0
//     (raw counts) wins for a near-deterministic mechanism, a large a where transitions are
//     spread thin (d_χ on the built-in model at η = 50–100). Positions whose token the mechanism does not privatize pass through and are
//     guessed exactly (they are not scored). With no mechanism, P(y | x) = [x = y] and x̂ = y.
// The restriction to X_N is stated in the attack's output (candidate count and their coverage of
// the auxiliary tokens); originals outside X_N can only be recovered when they were kept.
// Browser-safe.

import type { EmbeddingTable, Privatizer } from '../privacy/types';

export interface TransitionEstimate {
  candidates: Int32Array;
  samples: number;
  /** observed output y → [candidate index, count] pairs */
  hits: Map<number, [number, number][]>;
  /** P̂(x | x) per candidate */
  keepRate: Float64Array;
}

/** Shrinkage strengths a / K the attacker chooses among on its own privatized auxiliary text. */
export const SHRINKAGE_GRID: readonly number[] = [0, 1, 8, 64];

/** Largest number of ids privatized per call while estimating (bounds memory and gives progress). */
const CHUNK = 1 << 16;

/** Monte Carlo estimate of P(y | x) for each candidate x: K draws each. */
export async function estimateTransitions(
  privatizer: Privatizer,
  candidates: Int32Array,
  samples: number,
  log: (s: string) => void = () => {}
): Promise<TransitionEstimate> {
  if (!Number.isInteger(samples) || samples < 1) throw new Error(`estimateTransitions: samples must be an integer ≥ 1, got ${samples}`);
  if (candidates.length === 0) throw new Error('estimateTransitions: no candidates');
  const N = candidates.length;
  const counts: Map<number, number>[] = Array.from({ length: N }, () => new Map());
  const perChunk = Math.max(1, Math.floor(CHUNK / samples));
  for (let c0 = 0; c0 < N; c0 += perChunk) {
    const c1 = Math.min(N, c0 + perChunk);
    const ids = new Int32Array((c1 - c0) * samples);
    for (let c = c0; c < c1; c++) ids.fill(candidates[c], (c - c0) * samples, (c - c0 + 1) * samples);
    const out = (await privatizer.privatize(ids)).ids;
    for (let c = c0; c < c1; c++) {
      const m = counts[c];
      for (let k = 0; k < samples; k++) {
        const y = out[(c - c0) * samples + k];
        m.set(y, (m.get(y) ?? 0) + 1);
      }
    }
    log(`inversion-nn: Monte Carlo ${c1}/${N} candidates × ${samples} draws`);
  }
  const hits = new Map<number, [number, number][]>();
  const keepRate = new Float64Array(N);
  counts.forEach((m, c) => {
    keepRate[c] = (m.get(candidates[c]) ?? 0) / samples;
    for (const [y, n] of m) {
      let list = hits.get(y);
      if (!list) hits.set(y, (list = []));
      list.push([c, n]);
    }
  });
  return { candidates, samples, hits, keepRate };
}

/** r̄: the prior-weighted mean keep rate of the candidates. */
export function meanKeepRate(est: TransitionEstimate, prior: Float64Array): number {
  let num = 0,
    den = 0;
  est.candidates.forEach((x, c) => {
    num += prior[x] * est.keepRate[c];
    den += prior[x];
  });
  return den > 0 ? num / den : 0;
}

/** g(d): the pooled Monte Carlo rate P̂(y | x) of pairs x ≠ y at distance d, in log-spaced bins. */
export interface DistanceProfile {
  /** bin b holds distances in [lo·step^b, lo·step^(b+1)) (the first and last bins are open-ended) */
  lo: number;
  step: number;
  rate: Float64Array;
}

function dist(E: Float32Array, C: number, a: number, b: number): number {
  let acc = 0;
  const ao = a * C,
    bo = b * C;
  for (let c = 0; c < C; c++) {
    const t = E[ao + c] - E[bo + c];
    acc += t * t;
  }
  return Math.sqrt(acc);
}

function binOf(p: DistanceProfile, d: number): number {
  if (!(d > p.lo)) return 0;
  return Math.min(p.rate.length - 1, Math.floor(Math.log(d / p.lo) / Math.log(p.step)));
}

/**
 * Pool the Monte Carlo draws by distance: over every candidate x and every privatizable y ≠ x,
 * g(bin) = hits(x → y with d(x, y) in bin) / (K · #pairs in bin). Cost N·|cand|·C.
 */
export function distanceProfile(est: TransitionEstimate, table: EmbeddingTable, bins = 64): DistanceProfile {
  const { C, embeddings: E } = table;
  const cand = table.candidates;
  let lo = Infinity,
    hi = 0;
  const d = new Float32Array(est.candidates.length * cand.length);
  est.candidates.forEach((x, c) => {
    for (let k = 0; k < cand.length; k++) {
      const v = cand[k] === x ? 0 : dist(E, C, x, cand[k]);
      d[c * cand.length + k] = v;
      if (v > 0 && v < lo) lo = v;
      if (v > hi) hi = v;
    }
  });
  if (!(hi > lo)) hi = lo * 2;
  const p: DistanceProfile = { lo, step: (hi / lo) ** (1 / bins) * (1 + 1e-9), rate: new Float64Array(bins) };
  const pairs = new Float64Array(bins);
  const hits = new Float64Array(bins);
  est.candidates.forEach((x, c) => {
    for (let k = 0; k < cand.length; k++) if (cand[k] !== x) pairs[binOf(p, d[c * cand.length + k])]++;
  });
  for (const [y, list] of est.hits)
    for (const [c, n] of list) {
      const x = est.candidates[c];
      if (x !== y && y >= 0 && y < table.V) hits[binOf(p, dist(E, C, x, y))] += n;
    }
  for (let b = 0; b < bins; b++) p.rate[b] = pairs[b] > 0 ? hits[b] / (pairs[b] * est.samples) : 0;
  return p;
}

export interface BayesOptions {
  /** the public table (for distances) and the pooled profile: shrink sparse counts towards g(d) */
  table?: EmbeddingTable;
  profile?: DistanceProfile;
  /** pseudo-draws a of the shrinkage, P̂(y | x) = (n_xy + a·g(d_xy)) / (K + a); default K */
  strength?: number;
}

/**
 * The hypotheses for one observed privatized token y and their likelihoods P̂(y | x): y itself
 * (P̂(y | y) = its keep rate, r̄ when y is not a candidate) and every candidate x ≠ y with a
 * positive estimate (shrunk towards the distance profile when one is given, else raw counts).
 * Shared by the Bayes guess (prior = auxiliary unigram) and the mask attack (prior = the MLM's
 * distribution at the masked position).
 */
export class TransitionLikelihood {
  private readonly index = new Map<number, number>();
  private readonly rbar: number;
  private readonly a: number;

  constructor(
    private readonly est: TransitionEstimate,
    prior: Float64Array,
    private readonly o: BayesOptions = {}
  ) {
    est.candidates.forEach((x, c) => this.index.set(x, c));
    this.rbar = meanKeepRate(est, prior);
    this.a = o.profile ? (o.strength ?? est.samples) : 0;
  }

  /** Calls visit(x, P̂(y | x)) for y itself first, then for each candidate x ≠ y with P̂ > 0. */
  forEach(y: number, visit: (x: number, likelihood: number) => void): void {
    const { est, o, a } = this;
    const K = est.samples;
    const self = this.index.get(y);
    visit(y, self === undefined ? this.rbar : est.keepRate[self]);
    if (o.profile && o.table && a > 0) {
      const counts = new Map<number, number>(est.hits.get(y) ?? []);
      const { C, embeddings: E } = o.table;
      est.candidates.forEach((x, c) => {
        if (x === y) return;
        const g = o.profile!.rate[binOf(o.profile!, dist(E, C, x, y))];
        visit(x, ((counts.get(c) ?? 0) + a * g) / (K + a));
      });
    } else
      for (const [c, n] of est.hits.get(y) ?? []) {
        const x = est.candidates[c];
        if (x !== y) visit(x, n / K);
      }
  }

  /** argmax over the hypotheses of prior(x) · P̂(y | x); y when no hypothesis scores above 0. */
  guess(y: number, prior: (x: number) => number): number {
    let best = y;
    let bestScore = 0;
    this.forEach(y, (x, l) => {
      const s = prior(x) * l;
      if (s > bestScore) {
        bestScore = s;
        best = x;
      }
    });
    return best;
  }
}

/**
 * The Bayes guess for each observed token (see the header). `prior`: per id (0 for ids that are
 * not privatized); `privatized(id)`: whether the mechanism acts on id. With a profile, the
 * estimate of P(y | x) for x ≠ y is shrunk towards the distance profile.
 */
export function bayesGuess(observed: Int32Array, est: TransitionEstimate, prior: Float64Array, privatized: (id: number) => boolean, o: BayesOptions = {}): Int32Array {
  const lik = new TransitionLikelihood(est, prior, o);
  const p = (x: number) => prior[x];
  return Int32Array.from(observed, (y) => (privatized(y) ? lik.guess(y, p) : y));
}

/** The identity (nearest-neighbour) guess: the observed token. */
export function identityGuess(observed: Int32Array): Int32Array {
  return observed.slice();
}
