// Small helpers shared by the PEFT methods: parameter counts, option checks, and the
// sampling of vocabulary ids used to initialise prompts and prefixes from real tokens.

import type { Tensor } from '../engine';
import type { BertModel } from '../model/bert';

/** Σ sizes of some tensors. */
export function countParameters(ts: readonly Tensor[]): number {
  return ts.reduce((n, t) => n + t.size, 0);
}

/** Check a length/rank option: a positive integer. */
export function positiveInt(what: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${what} must be a positive integer, got ${v}`);
  return v;
}

/** P distinct token ids (repeats only when P exceeds the vocabulary), avoiding the padding id. */
export function sampleTokenIds(model: BertModel, P: number, rand: { int(n: number): number }): number[] {
  const V = model.config.vocab_size;
  const pad = model.config.pad_token_id;
  const pool: number[] = [];
  for (let i = 0; i < V; i++) if (i !== pad) pool.push(i);
  const out: number[] = [];
  while (out.length < P) {
    // partial Fisher–Yates over a fresh copy each round
    const ids = pool.slice();
    for (let i = 0; i < ids.length && out.length < P; i++) {
      const j = i + rand.int(ids.length - i);
      [ids[i], ids[j]] = [ids[j], ids[i]];
      out.push(ids[i]);
    }
  }
  return out;
}
