// Synthetic embedding tables for the privacy tests: five special tokens, then `words`
// Gaussian word embeddings (seeded), plus optional [unused] rows that are not candidates.
import type { EmbeddingTable } from '../../../src/lib/privacy/types';
import { rng } from './numeric';

export const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
export const PAD = 0, UNK = 1, CLS = 2, SEP = 3, MASK = 4;

export function gaussianTable(words: number, C: number, sigma: number, seed: number, unused = 0): EmbeddingTable {
  const r = rng(seed);
  const V = SPECIALS.length + words + unused;
  const E = new Float32Array(V * C);
  for (let i = 0; i < E.length; i++) {
    const u1 = r() || 1e-12;
    const u2 = r();
    E[i] = sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  const tokens = [...SPECIALS, ...Array.from({ length: words }, (_, i) => `w${i}`), ...Array.from({ length: unused }, (_, i) => `[unused${i}]`)];
  const candidates = Int32Array.from({ length: words }, (_, i) => SPECIALS.length + i);
  return { embeddings: E, V, C, tokens, candidates };
}

/** A table of `rows` zero embeddings, all candidates (noise tests read y − E = z). */
export function zeroTable(rows: number, C: number): EmbeddingTable {
  return {
    embeddings: new Float32Array(rows * C),
    V: rows,
    C,
    tokens: Array.from({ length: rows }, (_, i) => `t${i}`),
    candidates: Int32Array.from({ length: rows }, (_, i) => i)
  };
}
