// What the attacks share on the data side: token ids of a split (the client's own encoding,
// client-prep.ts's encodeText, cut to maxLength), one privatize() call over many sequences (the
// mechanisms act token by token, so this equals privatizing each sequence), the attacker's token
// counts on the auxiliary split, and its N most frequent privatizable tokens with a prior.
// Browser-safe.
//
//   prior(x) = (c(x) + ½) / (Σ_x′ c(x′) + ½·|cand|)  over the privatizable ids (add-½ smoothing),
//   c = token counts of the clean auxiliary text (public data: the attacker may count it).

import type { Example } from '../data/types';
import type { BertTokenizer } from '../model/tokenizer';
import type { Privatizer } from '../privacy/types';
import { encodeText, privatizeMany as privatizeBatch } from '../rapt/client-prep';
import { seededSubset } from '../util/seeded-subset';
import { SeededRandom } from '../util/seeded-random';

/** Token ids (no [CLS]/[SEP]) of each example, cut to maxLength; empty texts are dropped. */
export function encodeExamples(tok: BertTokenizer, examples: readonly Example[], maxLength: number): { ids: Int32Array[]; kept: Example[] } {
  const ids: Int32Array[] = [];
  const kept: Example[] = [];
  for (const ex of examples) {
    const t = encodeText(tok, ex, maxLength);
    if (t.length === 0) continue;
    ids.push(t);
    kept.push(ex);
  }
  return { ids, kept };
}

/** A seeded subset of `limit` examples (0 = all), in shuffled order. */
/** A seeded subset of the examples (shared with tuning runs). */
export const subset = seededSubset;

/** Privatize many sequences in one call; null privatizer = no privatization (copies). */
export async function privatizeMany(p: Privatizer | null, seqs: readonly Int32Array[]): Promise<Int32Array[]> {
  return (await privatizeBatch(p, seqs)).out;
}

/** Counts of each id over the sequences. */
export function tokenCounts(seqs: readonly Int32Array[], V: number): Float64Array {
  const c = new Float64Array(V);
  for (const s of seqs) for (const id of s) if (id >= 0 && id < V) c[id]++;
  return c;
}

/** Smoothed prior over the privatizable ids (others get 0): see the header. */
export function smoothedPrior(counts: Float64Array, isCandidate: Uint8Array): Float64Array {
  let total = 0,
    n = 0;
  for (let id = 0; id < counts.length; id++)
    if (isCandidate[id]) {
      total += counts[id];
      n++;
    }
  const p = new Float64Array(counts.length);
  for (let id = 0; id < counts.length; id++) if (isCandidate[id]) p[id] = (counts[id] + 0.5) / (total + 0.5 * n);
  return p;
}

/** The N most frequent privatizable ids (ties: lower id first), only ids seen at least once. */
export function topIds(counts: Float64Array, isCandidate: Uint8Array, N: number): Int32Array {
  const ids: number[] = [];
  for (let id = 0; id < counts.length; id++) if (isCandidate[id] && counts[id] > 0) ids.push(id);
  ids.sort((a, b) => counts[b] - counts[a] || a - b);
  return Int32Array.from(ids.slice(0, N));
}

/** Fraction of the (privatizable) mass of `counts` that falls on `ids`. */
export function coverage(counts: Float64Array, isCandidate: Uint8Array, ids: Int32Array): number {
  let total = 0,
    covered = 0;
  for (let id = 0; id < counts.length; id++) if (isCandidate[id]) total += counts[id];
  for (const id of ids) covered += counts[id];
  return total ? covered / total : 0;
}
