// Masked-language-model data: pack tokenized texts into fixed-length sequences and mask
// them as BERT does (15% of the non-special positions chosen; of those 80% → [MASK],
// 10% → a random token, 10% unchanged; labels −100 elsewhere).

import type { BertTokenizer } from '../model/tokenizer';
import { SeededRandom } from '../util/seeded-random';

export interface PackedCorpus {
  seqLen: number;
  /** sequences, each exactly seqLen ids: [CLS] tokens… [SEP] [PAD]… */
  sequences: Int32Array[];
  tokens: number;
}

/**
 * Tokenize every text (no special tokens), join them with [SEP] into one stream, and cut
 * the stream into windows of seqLen − 2 tokens wrapped in [CLS] … [SEP]. Full windows
 * only, except the last one (padded).
 */
export function packCorpus(tok: BertTokenizer, texts: string[], seqLen: number): PackedCorpus {
  if (seqLen < 4) throw new Error(`sequence length ${seqLen} is too short (at least 4)`);
  const body = seqLen - 2;
  const sequences: Int32Array[] = [];
  let cur: number[] = [];
  let tokens = 0;
  const flush = () => {
    const s = new Int32Array(seqLen).fill(tok.padTokenId);
    s[0] = tok.clsTokenId;
    s.set(cur, 1);
    s[cur.length + 1] = tok.sepTokenId;
    sequences.push(s);
    tokens += cur.length;
    cur = [];
  };
  for (const text of texts) {
    const ids = tok.encode(text, null, { addSpecialTokens: false, truncation: false }).input_ids;
    if (ids.length === 0) continue;
    const piece = cur.length ? [tok.sepTokenId, ...ids] : ids;
    for (const id of piece) {
      cur.push(id);
      if (cur.length === body) flush();
    }
  }
  if (cur.length > 0) flush();
  return { seqLen, sequences, tokens };
}

export interface MaskedBatch {
  inputIds: Int32Array; // [B·T]
  labels: Int32Array; // [B·T], −100 where not predicted
  attentionMask: number[][];
  B: number;
  T: number;
  masked: number;
}

export interface MaskingSpec {
  maskProb: number;
  maskTokenId: number;
  /** ids never chosen (special tokens) and never drawn as random replacements */
  specialIds: Set<number>;
  vocabSize: number;
  padId: number;
}

export function maskBatch(seqs: Int32Array[], spec: MaskingSpec, rng: SeededRandom): MaskedBatch {
  const B = seqs.length;
  const T = seqs[0].length;
  const inputIds = new Int32Array(B * T);
  const labels = new Int32Array(B * T).fill(-100);
  const attentionMask: number[][] = [];
  let masked = 0;
  for (let b = 0; b < B; b++) {
    const row: number[] = [];
    for (let t = 0; t < T; t++) {
      const id = seqs[b][t];
      const i = b * T + t;
      inputIds[i] = id;
      row.push(id === spec.padId ? 0 : 1);
      if (spec.specialIds.has(id)) continue;
      if (rng.next() >= spec.maskProb) continue;
      labels[i] = id;
      masked++;
      const r = rng.next();
      if (r < 0.8) inputIds[i] = spec.maskTokenId;
      else if (r < 0.9) {
        let x: number;
        do x = rng.int(spec.vocabSize);
        while (spec.specialIds.has(x));
        inputIds[i] = x;
      }
    }
    attentionMask.push(row);
  }
  // Never an empty target: predict the first real token if nothing was chosen.
  if (masked === 0) {
    for (let i = 0; i < B * T; i++)
      if (!spec.specialIds.has(seqs[Math.floor(i / T)][i % T])) {
        labels[i] = inputIds[i];
        inputIds[i] = spec.maskTokenId;
        masked = 1;
        break;
      }
  }
  return { inputIds, labels, attentionMask, B, T, masked };
}

/** The most frequent non-special token of the training sequences (the unigram baseline's guess). */
export function unigramGuess(seqs: Int32Array[], specialIds: Set<number>): number {
  const counts = new Map<number, number>();
  for (const s of seqs) for (const id of s) if (!specialIds.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  let best = -1;
  let bestCount = -1;
  for (const [id, c] of counts) if (c > bestCount || (c === bestCount && id < best)) [best, bestCount] = [id, c];
  return best;
}
