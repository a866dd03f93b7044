// The exponential mechanisms on tokens (SanText, SanText+, CusText): their output sets and
// their exact output distributions in closed form, in float64. The GPU samplers (santext.ts,
// custext.ts) take their sets from here, and the tests compare their empirical output
// frequencies with these distributions.
//
// SanText (Yue et al., ACL Findings 2021): P(y | x) ∝ exp(−ε·‖E(x) − E(y)‖₂ / 2) over every
//   candidate y. (The authors' code, github.com/xiangyue9607/SanText, SanText.py
//   `cal_probability`: softmax(ε·(−euclidean_distances)/2) row by row.)
// SanText+: the least frequent fraction w of the vocabulary is sensitive (the set S). Per the
//   authors' run_SanText.py / SanText.py (`SanText_plus`): the probability matrix is computed
//   between ALL words and the SENSITIVE words only, so every replacement is a sensitive word;
//   a sensitive input is always replaced by a draw from P(· | x) ∝ exp(−ε·d(x, y)/2), y ∈ S;
//   a non-sensitive input is replaced by such a draw with probability p ("flip_p <= p") and
//   kept otherwise. Their defaults: ε = 15, p = 0.2, w = 0.5.
//   Set size: the authors take `int(w·|vocab|)` words from the rare end of `most_common()`
//   but slice one extra (`words[-count - 1:]`); we use exactly ⌊w·|candidates|⌋, so w = 0
//   means no sensitive word (every token is kept) and w = 1 means all of them. Order: by
//   frequency ascending; among equal frequencies the larger id counts as rarer.
// CusText (Chen et al., ACL Findings 2023, "A Customized Text Sanitization Mechanism with
//   Differential Privacy"): the output set of x is its K nearest candidates (x itself first,
//   then the K − 1 nearest others; ties → lower id), the utility u(x, y) is the negative
//   distance min-max normalised over that set to [0, 1]: u = (d_max − d)/(d_max − d_min), and
//   P(y | x) ∝ exp(ε·u/2). This follows the authors' code (github.com/sai4july/CusText,
//   sst2/utils.py `get_customized_mapping`, Euclidean branch: −(d − d_min)/(d_max − d_min),
//   exp(ε·x/2), which differs from ours by the constant factor exp(ε/2)) in its per-token
//   ("aggressive") form; their default "conservative" mapping instead gives all the words of
//   one neighbourhood the same output set, built in corpus-frequency order — not done here.
//   If all K distances are equal (d_max = d_min), u = 1 for all: uniform.
//
// Tokens that are not candidates ([CLS], [SEP], [PAD], [UNK], [MASK], [unused…]) pass through
// unchanged under every mechanism.

import type { EmbeddingTable } from './types';

/** Euclidean distance between rows a and b of the table, in float64. */
export function rowDistance(table: EmbeddingTable, a: number, b: number): number {
  const { C, embeddings: E } = table;
  let s = 0;
  for (let c = 0; c < C; c++) {
    const t = E[a * C + c] - E[b * C + c];
    s += t * t;
  }
  return Math.sqrt(s);
}

/** Candidate ids, sorted ascending and deduplicated. */
export function sortedCandidates(table: EmbeddingTable): Int32Array {
  return Int32Array.from(new Set(table.candidates)).sort();
}

/** SanText+'s sensitive set: the ⌊w·N⌋ least frequent of the N candidates, as sorted ids. */
export function sensitiveSet(table: EmbeddingTable, w: number): Int32Array {
  const f = table.frequencies;
  if (!f) throw new Error('santext+: the embedding table has no token frequencies (table.frequencies), which SanText+ needs to choose the sensitive words');
  if (f.length !== table.V) throw new Error(`santext+: table.frequencies has ${f.length} entries for ${table.V} tokens`);
  const cand = Array.from(sortedCandidates(table));
  const count = Math.floor(w * cand.length + 1e-9);
  cand.sort((a, b) => f[a] - f[b] || b - a);
  return Int32Array.from(cand.slice(0, count)).sort();
}

/** log-softmax-normalised probabilities exp(logit_k) / Σ exp(logit). */
function normalise(logits: Float64Array): Float64Array {
  let m = -Infinity;
  for (const l of logits) m = Math.max(m, l);
  const out = new Float64Array(logits.length);
  let s = 0;
  for (let k = 0; k < logits.length; k++) s += out[k] = Math.exp(logits[k] - m);
  for (let k = 0; k < logits.length; k++) out[k] /= s;
  return out;
}

/** P(y | x) ∝ exp(−ε·d(x, y)/2) over y ∈ outputs (ids), as a distribution over all V ids. */
export function expMechDistribution(table: EmbeddingTable, x: number, epsilon: number, outputs: Int32Array): Float64Array {
  const logits = new Float64Array(outputs.length);
  for (let k = 0; k < outputs.length; k++) logits[k] = (-epsilon * rowDistance(table, x, outputs[k])) / 2;
  const p = normalise(logits);
  const out = new Float64Array(table.V);
  for (let k = 0; k < outputs.length; k++) out[outputs[k]] += p[k];
  return out;
}

function delta(V: number, x: number): Float64Array {
  const out = new Float64Array(V);
  out[x] = 1;
  return out;
}

function isCandidate(table: EmbeddingTable, x: number): boolean {
  for (const c of table.candidates) if (c === x) return true;
  return false;
}

/** SanText's output distribution for input id x (length V). */
export function santextDistribution(table: EmbeddingTable, x: number, epsilon: number): Float64Array {
  if (!isCandidate(table, x)) return delta(table.V, x);
  return expMechDistribution(table, x, epsilon, sortedCandidates(table));
}

/** SanText+'s output distribution for input id x (length V). */
export function santextPlusDistribution(table: EmbeddingTable, x: number, epsilon: number, p: number, w: number): Float64Array {
  if (!isCandidate(table, x)) return delta(table.V, x);
  const S = sensitiveSet(table, w);
  if (S.length === 0) return delta(table.V, x);
  const sampled = expMechDistribution(table, x, epsilon, S);
  if (S.includes(x)) return sampled;
  const out = new Float64Array(table.V);
  for (let y = 0; y < table.V; y++) out[y] = p * sampled[y];
  out[x] += 1 - p;
  return out;
}

export interface Neighbourhood {
  /** x first, then the K − 1 nearest other candidates (distance ascending, ties → lower id) */
  ids: Int32Array;
  /** their float64 distances to x */
  dist: Float64Array;
}

/** CusText's output set of x: x and its K − 1 nearest other candidates. */
export function knnSet(table: EmbeddingTable, x: number, K: number): Neighbourhood {
  const cand = sortedCandidates(table);
  if (!(Number.isInteger(K) && K >= 1 && K <= cand.length)) throw new Error(`custext: k must be an integer in [1, ${cand.length}] (the number of candidate tokens), got ${K}`);
  const others: { id: number; d: number }[] = [];
  for (const id of cand) if (id !== x) others.push({ id, d: rowDistance(table, x, id) });
  others.sort((a, b) => a.d - b.d || a.id - b.id);
  const ids = new Int32Array(K);
  const dist = new Float64Array(K);
  ids[0] = x;
  for (let k = 1; k < K; k++) {
    ids[k] = others[k - 1].id;
    dist[k] = others[k - 1].d;
  }
  return { ids, dist };
}

/** CusText's utilities u_k = (d_max − d_k)/(d_max − d_min) ∈ [0, 1] (all 1 when the distances are equal). */
export function custextUtilities(dist: Float64Array): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const d of dist) {
    lo = Math.min(lo, d);
    hi = Math.max(hi, d);
  }
  const u = new Float64Array(dist.length);
  for (let k = 0; k < dist.length; k++) u[k] = hi > lo ? (hi - dist[k]) / (hi - lo) : 1;
  return u;
}

/** CusText's output distribution for input id x (length V). */
export function custextDistribution(table: EmbeddingTable, x: number, epsilon: number, K: number): Float64Array {
  if (!isCandidate(table, x)) return delta(table.V, x);
  const { ids, dist } = knnSet(table, x, K);
  const u = custextUtilities(dist);
  const p = normalise(Float64Array.from(u, (v) => (epsilon * v) / 2));
  const out = new Float64Array(table.V);
  for (let k = 0; k < K; k++) out[ids[k]] += p[k];
  return out;
}
