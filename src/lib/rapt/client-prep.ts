// The USER's side of a tuning run: tokenize each example on the client, privatize its text
// tokens with the chosen mechanism, draw RAPT's m public plain tokens per training example
// (uniform over the real vocabulary, seeded) and privatize them with the same mechanism and
// budget. The result is token ids only (TaskExample); the raw text stays here.
// Browser-safe.

import type { Example } from '../data/types';
import type { BertTokenizer } from '../model/tokenizer';
import type { Privatizer } from '../privacy/types';
import { SeededRandom } from '../util/seeded-random';
import type { TaskExample } from './layout';

export interface ClientPrepOptions {
  tokenizer: BertTokenizer;
  /** null = no privatization (the clean baseline) */
  privatizer: Privatizer | null;
  /** label names in id order */
  labels: readonly string[];
  /** text tokens kept per example (layout's textBudget) */
  textBudget: number;
  /** m plain tokens per example (0 = none) */
  plainTokens: number;
  /** ids plain tokens are drawn from (the privacy table's candidates) */
  candidates: Int32Array;
  seed: number;
}

export interface PreparedSplit {
  /** what crosses to the service */
  privatized: TaskExample[];
  /** the same examples unprivatized (kept on the client; used for the clean reference metrics) */
  clean: TaskExample[];
  /** text tokens the privatizer changed, and text tokens in all */
  replaced: number;
  tokens: number;
}

/** Text (and pair) → ids without [CLS]/outer [SEP]; a pair is joined by one [SEP]. Truncated to budget. */
export function encodeText(tok: BertTokenizer, ex: Example, budget: number): Int32Array {
  const a = tok.convertTokensToIds(tok.tokenize(ex.text));
  let ids = a;
  if (ex.textPair !== undefined) {
    const b = tok.convertTokensToIds(tok.tokenize(ex.textPair));
    const sep = tok.sepTokenId;
    // Share the budget: cut the longer side first (like HF's longest_first truncation).
    const room = Math.max(0, budget - 1);
    let na = a.length;
    let nb = b.length;
    while (na + nb > room) {
      if (na >= nb) na--;
      else nb--;
    }
    ids = [...a.slice(0, na), sep, ...b.slice(0, nb)];
  }
  return Int32Array.from(ids.slice(0, budget));
}

/**
 * Privatize many short sequences in one call (the mechanisms act token by token); a null
 * privatizer returns copies. `replaced` counts the positions whose id changed.
 */
export async function privatizeMany(p: Privatizer | null, seqs: readonly Int32Array[]): Promise<{ out: Int32Array[]; replaced: number }> {
  if (!p) return { out: seqs.map((s) => s.slice()), replaced: 0 };
  const total = seqs.reduce((n, s) => n + s.length, 0);
  if (total === 0) return { out: seqs.map(() => new Int32Array(0)), replaced: 0 };
  const flat = new Int32Array(total);
  let o = 0;
  for (const s of seqs) {
    flat.set(s, o);
    o += s.length;
  }
  const r = await p.privatize(flat);
  const out: Int32Array[] = [];
  o = 0;
  for (const s of seqs) {
    out.push(r.ids.slice(o, o + s.length));
    o += s.length;
  }
  return { out, replaced: r.replaced };
}

export async function prepareSplit(examples: readonly Example[], o: ClientPrepOptions, withPlain: boolean): Promise<PreparedSplit> {
  const labelId = new Map(o.labels.map((l, i) => [l, i]));
  const clean: TaskExample[] = examples.map((ex, i) => {
    const label = labelId.get(ex.label);
    if (label === undefined) throw new Error(`example ${i}: label "${ex.label}" is not one of ${o.labels.join(', ')}`);
    const text = encodeText(o.tokenizer, ex, o.textBudget);
    if (text.length === 0) throw new Error(`example ${i}: the text has no tokens`);
    return { text, label };
  });
  const tokens = clean.reduce((n, e) => n + e.text.length, 0);
  const m = withPlain ? o.plainTokens : 0;
  let plainOriginal: Int32Array[] = [];
  if (m > 0) {
    if (o.candidates.length === 0) throw new Error('no candidate tokens to draw plain tokens from');
    const rng = new SeededRandom(o.seed * 1000003 + 11);
    plainOriginal = clean.map(() => Int32Array.from({ length: m }, () => o.candidates[rng.int(o.candidates.length)]));
  }
  if (!o.privatizer) {
    const withP = clean.map((e, i) => (m > 0 ? { ...e, plain: { privatized: plainOriginal[i].slice(), original: plainOriginal[i] } } : e));
    return { privatized: withP, clean, replaced: 0, tokens };
  }
  const text = await privatizeMany(o.privatizer, clean.map((e) => e.text));
  const plain = m > 0 ? await privatizeMany(o.privatizer, plainOriginal) : null;
  const privatized = clean.map((e, i) => ({
    text: text.out[i],
    label: e.label,
    ...(plain ? { plain: { privatized: plain.out[i], original: plainOriginal[i] } } : {})
  }));
  return { privatized, clean, replaced: text.replaced, tokens };
}
