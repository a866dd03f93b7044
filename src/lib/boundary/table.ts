// The public table the mechanisms privatize with: a model's word embeddings [V, C] and its
// vocabulary. Candidates (the ids a mechanism may output) are the real vocabulary: every id that
// has a token string, minus the tokenizer's special tokens ([PAD] [CLS] [SEP] [MASK] [UNK] and any
// additional ones), the literal names of those five even when a tokenizer does not mark them,
// and the placeholder rows [unused…] (BERT's vocab.txt has ~1000 of them).
// Browser-safe (no Node built-ins).

import type { BertCheckpoint } from '../model/checkpoint/bert-checkpoint';
import { BertTokenizer } from '../model/tokenizer';
import type { EmbeddingTable } from '../privacy/types';

const SPECIAL_NAMES = new Set(['[PAD]', '[CLS]', '[SEP]', '[MASK]', '[UNK]']);
const UNUSED = /^\[unused\d*\]$/i;

/** The vocabulary view makePrivacyTable needs: a BertTokenizer, or a plain token list. */
export type TokenSource = BertTokenizer | { tokens: readonly string[]; specialIds?: readonly number[] };

export interface PrivacyTableOptions {
  /** corpus frequency per id (SanText+ decides which tokens are sensitive) */
  frequencies?: Float64Array;
}

/** Whether a token string may never be a mechanism's output (special or placeholder). */
export function isExcludedToken(token: string | undefined): boolean {
  return token === undefined || SPECIAL_NAMES.has(token) || UNUSED.test(token);
}

/** The table of a loaded checkpoint; the tokenizer defaults to the checkpoint's own vocabulary. */
export function makePrivacyTable(ckpt: BertCheckpoint, tokenizer?: BertTokenizer, opts: PrivacyTableOptions = {}): EmbeddingTable {
  const tok =
    tokenizer ??
    BertTokenizer.fromHfFiles({ vocabTxt: ckpt.vocabTxt ?? undefined, tokenizerJson: ckpt.tokenizerJson ?? undefined, config: ckpt.configText });
  const word = ckpt.weights.embeddings.word;
  return privacyTableFrom(word.data, word.shape, tok, opts, `${ckpt.source} word embeddings`);
}

/**
 * The table from word embeddings `data` of shape [V, C] and a vocabulary. Ids the vocabulary does
 * not name (a table with more rows than vocab.txt has lines) are kept as rows but are not
 * candidates; a vocabulary larger than the table is fine here — its extra tokens have no
 * embedding, and privatizing one fails with an error naming it (PrivacyClient, validate.ts).
 */
export function privacyTableFrom(
  data: Float32Array,
  shape: readonly number[],
  vocab: TokenSource,
  opts: PrivacyTableOptions = {},
  source = 'word embeddings'
): EmbeddingTable {
  if (shape.length !== 2) throw new Error(`${source}: expected a matrix [V, C], got shape [${shape.join(', ')}]`);
  const [V, C] = shape;
  if (!(V >= 1 && C >= 1) || data.length !== V * C)
    throw new Error(`${source}: shape [${V}, ${C}] needs ${V * C} values, got ${data.length}`);
  const tokens: string[] = new Array(V);
  const special = new Set<number>();
  if (vocab instanceof BertTokenizer) {
    for (let id = 0; id < V; id++) tokens[id] = vocab.idToToken(id) ?? '';
    for (const id of vocab.specialTokenIds) special.add(id);
  } else {
    for (let id = 0; id < V; id++) tokens[id] = vocab.tokens[id] ?? '';
    for (const id of vocab.specialIds ?? []) special.add(id);
  }
  const cand: number[] = [];
  for (let id = 0; id < V; id++) {
    const t = tokens[id];
    if (t === '' || special.has(id) || isExcludedToken(t)) continue;
    cand.push(id);
  }
  if (cand.length === 0) throw new Error(`${source}: the vocabulary has no real tokens to privatize to (all ${V} rows are special or unnamed)`);
  if (opts.frequencies && opts.frequencies.length !== V)
    throw new Error(`${source}: frequencies has ${opts.frequencies.length} entries, the table ${V} rows`);
  const table: EmbeddingTable = { embeddings: data, V, C, tokens, candidates: Int32Array.from(cand) };
  if (opts.frequencies) table.frequencies = opts.frequencies;
  return table;
}
