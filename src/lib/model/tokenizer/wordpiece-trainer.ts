// WordPiece vocabulary training (browser-safe: no Node built-ins).
//
// The algorithm of Hugging Face tokenizers' `WordPieceTrainer`, which is BPE training with the
// continuing-subword prefix "##":
//
//   texts ─► BasicTokenizer (the model's own normalisation: clean, CJK, NFC, lowercase, strip
//            accents, split at punctuation) ─► word → count
//         ─► alphabet: every character of the words (the `limitAlphabet` most frequent ones)
//         ─► every word as symbols: first character plain, the others "##"-prefixed
//            ("whale" = w ##h ##a ##l ##e)
//         ─► repeat: merge the most frequent adjacent symbol pair (a, b) into the symbol
//            a + b-without-"##" ("w" + "##h" = "wh", "##a" + "##l" = "##al") in every word,
//            until the vocabulary has `vocabSize` entries or the best pair occurs fewer than
//            `minFrequency` times.
//
// Output, in id order: the special tokens ([PAD] [UNK] [CLS] [SEP] [MASK] by default, so [PAD] = 0),
// the alphabet (by code point), the "##" forms of the alphabet characters that can occur inside a
// word (by code point), then the merged tokens in the order they were learnt. Training for a
// larger size only appends: the vocabulary of size N is the first N entries of a longer run.
//
// Choices (differences from HF, on purpose):
//   - Ties between pairs of equal count go to the pair of smaller ids (left id, then right id); ids
//     are assigned deterministically (alphabet by code point, then merges in order), so the result
//     is a pure function of the word counts. HF also breaks ties by ids, but its alphabet order
//     comes from a hash map.
//   - The "##" form of every alphabet character that can be inside a word (everything except BERT
//     punctuation and CJK ideographs, which the basic tokenizer always splits off) is in the
//     vocabulary, not only those seen inside a training word, so that a new word made of known
//     characters never becomes [UNK] at inference.
//   - Words holding a character outside the (limited) alphabet, and words longer than
//     `maxInputCharsPerWord` code points, do not take part in the merges: WordPiece maps them to
//     [UNK] whatever the vocabulary.
//
// Cost: pair counts are kept in a map and updated locally at each merge (only the neighbours of a
// merged pair change), with an index pair → words that held it and a max-heap with lazy deletion
// (a popped entry whose count is out of date is pushed back with the current count).

import { BasicTokenizer } from './basic-tokenizer';
import { TokenizerError } from './errors';
import { isBertPunctuation, isChineseChar } from './unicode';
import { WordPiece } from './wordpiece';

export const DEFAULT_SPECIAL_TOKENS: readonly string[] = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

export interface WordPieceTrainerOptions {
  /** Target vocabulary size, special tokens included. */
  vocabSize: number;
  /** Stop when the most frequent pair occurs fewer times than this (default 2). */
  minFrequency?: number;
  /** Lowercase and strip accents, as the uncased BERT tokenizer does (default true). */
  lowercase?: boolean;
  /** Tokens placed first, in this order (default [PAD] [UNK] [CLS] [SEP] [MASK]). */
  specialTokens?: readonly string[];
  /** Keep only this many characters in the alphabet, the most frequent ones (default: all). */
  limitAlphabet?: number;
  /** Prefix of pieces that continue a word (default "##"). */
  continuingSubwordPrefix?: string;
  /** Words longer than this many code points are left out, as WordPiece maps them to [UNK] (default 100). */
  maxInputCharsPerWord?: number;
  /** Called every `progressEvery` merges and at the end. */
  onProgress?: (p: TrainProgress) => void;
  /** Default 500. */
  progressEvery?: number;
}

export interface TrainProgress {
  merges: number;
  vocabSize: number;
  /** Count of the pair merged last. */
  lastCount: number;
  done: boolean;
}

/** The outcome of training, with what is needed to explain it. */
export interface WordPieceTrainResult {
  /** The vocabulary in id order. */
  vocab: string[];
  /** Special tokens, alphabet and "##" alphabet (ids below this are not merges). */
  initialSize: number;
  alphabet: string[];
  /** Characters of the corpus left out of the alphabet (by limitAlphabet), with their counts. */
  droppedChars: number;
  droppedCharOccurrences: number;
  merges: number;
  /** Merges whose token already existed (another pair spelled the same string); they add no id. */
  repeatedMerges: number;
  /** Why training stopped. */
  stop: 'size' | 'min-frequency' | 'no-pairs';
  /** Unique words that took part in the merges / were left out. */
  trainedWords: number;
  skippedWords: number;
}

/** Options of the word counting step (the normalisation the model's tokenizer will use). */
export interface CountWordsOptions {
  lowercase?: boolean;
}

/** Pre-tokenize with BERT's basic tokenizer and count the words. Insertion order = first occurrence. */
export function countWords(texts: Iterable<string>, opts: CountWordsOptions = {}): Map<string, number> {
  const counts = new Map<string, number>();
  addWordCounts(counts, texts, opts);
  return counts;
}

/** Add the words of `texts` to `counts` (for corpora read in pieces). */
export function addWordCounts(counts: Map<string, number>, texts: Iterable<string>, opts: CountWordsOptions = {}): void {
  const lower = opts.lowercase ?? true;
  const basic = new BasicTokenizer({ doLowerCase: lower });
  const none: ReadonlySet<string> = new Set();
  for (const text of texts) {
    if (typeof text !== 'string') throw new TokenizerError(`countWords: expected texts to be strings, got ${typeof text}`);
    for (const w of basic.tokenizeWithNeverSplit(text, none)) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
}

/** Train a WordPiece vocabulary on raw texts; returns the vocabulary in id order. */
export function trainWordPiece(texts: Iterable<string>, opts: WordPieceTrainerOptions): string[] {
  return trainWordPieceFromCounts(countWords(texts, { lowercase: opts.lowercase }), opts).vocab;
}

/** Train on word counts already made by `countWords` (the words must be normalised already). */
export function trainWordPieceFromCounts(
  wordCounts: ReadonlyMap<string, number>,
  opts: WordPieceTrainerOptions
): WordPieceTrainResult {
  const vocabSize = opts.vocabSize;
  const minFrequency = opts.minFrequency ?? 2;
  const specials = [...(opts.specialTokens ?? DEFAULT_SPECIAL_TOKENS)];
  const prefix = opts.continuingSubwordPrefix ?? '##';
  const maxChars = opts.maxInputCharsPerWord ?? 100;
  const progressEvery = opts.progressEvery ?? 500;
  if (!Number.isInteger(vocabSize) || vocabSize < 1 || vocabSize > 1 << 22) {
    throw new TokenizerError(`trainWordPiece: vocabSize must be an integer in [1, ${1 << 22}], got ${vocabSize}`);
  }
  if (!Number.isFinite(minFrequency) || minFrequency < 0) {
    throw new TokenizerError(`trainWordPiece: minFrequency must be a non-negative number, got ${minFrequency}`);
  }
  if (opts.limitAlphabet !== undefined && (!Number.isInteger(opts.limitAlphabet) || opts.limitAlphabet < 0)) {
    throw new TokenizerError(`trainWordPiece: limitAlphabet must be a non-negative integer, got ${opts.limitAlphabet}`);
  }
  if (prefix === '') throw new TokenizerError('trainWordPiece: continuingSubwordPrefix must not be empty');

  // --- vocabulary, in id order
  const tokens: string[] = [];
  const idOf = new Map<string, number>();
  const add = (t: string): number => {
    let id = idOf.get(t);
    if (id === undefined) {
      id = tokens.length;
      tokens.push(t);
      idOf.set(t, id);
    }
    return id;
  };
  for (const t of specials) add(t);
  if (tokens.length > vocabSize) {
    throw new TokenizerError(`trainWordPiece: vocabSize ${vocabSize} is smaller than the ${tokens.length} special tokens`);
  }

  // --- alphabet
  const charCounts = new Map<string, number>();
  for (const [word, c] of wordCounts) {
    if (c <= 0) continue;
    for (const ch of word) charCounts.set(ch, (charCounts.get(ch) ?? 0) + c);
  }
  let kept = [...charCounts.keys()];
  let droppedChars = 0;
  let droppedCharOccurrences = 0;
  if (opts.limitAlphabet !== undefined && kept.length > opts.limitAlphabet) {
    kept.sort((x, y) => charCounts.get(y)! - charCounts.get(x)! || compareCodePoints(x, y));
    for (const ch of kept.slice(opts.limitAlphabet)) droppedCharOccurrences += charCounts.get(ch)!;
    droppedChars = kept.length - opts.limitAlphabet;
    kept = kept.slice(0, opts.limitAlphabet);
  }
  const alphabet = kept.sort(compareCodePoints);
  const inAlphabet = new Set(alphabet);
  const continuable = alphabet.filter((ch) => !isBertPunctuation(ch) && !isChineseChar(ch.codePointAt(0)!));
  const initialPieces = new Set([...tokens, ...alphabet, ...continuable.map((ch) => prefix + ch)]).size;
  if (initialPieces > vocabSize) {
    throw new TokenizerError(
      `trainWordPiece: vocabSize ${vocabSize} cannot hold the ${specials.length} special tokens, the ${alphabet.length} ` +
        `alphabet characters and their ${continuable.length} "${prefix}" forms (${initialPieces} in all); ` +
        `raise vocabSize or set limitAlphabet`
    );
  }
  for (const ch of alphabet) add(ch);
  for (const ch of continuable) add(prefix + ch);

  // --- words as symbol ids (first character plain, the rest prefixed)
  const wordSyms: Int32Array[] = [];
  const wordLen: number[] = [];
  const wordCount: number[] = [];
  let skippedWords = 0;
  for (const [word, c] of wordCounts) {
    if (c <= 0 || word === '') continue;
    const chars = Array.from(word);
    if (chars.length > maxChars || !chars.every((ch) => inAlphabet.has(ch))) {
      skippedWords++;
      continue;
    }
    const syms = new Int32Array(chars.length);
    for (let i = 0; i < chars.length; i++) {
      // Every non-initial character of a word is "continuable" (punctuation and CJK are split off
      // by the basic tokenizer); add() covers words that did not come from it.
      syms[i] = i === 0 ? idOf.get(chars[i])! : add(prefix + chars[i]);
    }
    wordSyms.push(syms);
    wordLen.push(syms.length);
    wordCount.push(c);
  }
  const initialSize = tokens.length;
  if (initialSize > vocabSize) {
    throw new TokenizerError(
      `trainWordPiece: vocabSize ${vocabSize} cannot hold the ${initialSize} initial pieces (special tokens and alphabet)`
    );
  }

  // Pair key = left * M + right, M a power of two above every id we can create (small keys keep
  // the maps on V8's fast integer path for vocabularies up to 2^15).
  let M = 1;
  while (M < vocabSize) M *= 2;
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, number[]>();
  const touched = new Set<number>();
  const inc = (key: number, w: number, c: number): void => {
    pairCount.set(key, (pairCount.get(key) ?? 0) + c);
    let ws = pairWords.get(key);
    if (ws === undefined) {
      ws = [];
      pairWords.set(key, ws);
    }
    if (ws.length === 0 || ws[ws.length - 1] !== w) ws.push(w);
    touched.add(key);
  };
  const dec = (key: number, c: number): void => {
    pairCount.set(key, pairCount.get(key)! - c);
  };

  for (let w = 0; w < wordSyms.length; w++) {
    const s = wordSyms[w];
    for (let i = 0; i + 1 < s.length; i++) inc(s[i] * M + s[i + 1], w, wordCount[w]);
  }
  const heap = new PairHeap();
  for (const [key, c] of pairCount) if (c > 0) heap.push(c, key);
  touched.clear();

  // --- merges
  let merges = 0;
  let repeatedMerges = 0;
  let lastCount = 0;
  let stop: WordPieceTrainResult['stop'] = 'no-pairs';
  const report = (done: boolean) => opts.onProgress?.({ merges, vocabSize: tokens.length, lastCount, done });
  while (true) {
    if (tokens.length >= vocabSize) {
      stop = 'size';
      break;
    }
    if (heap.size === 0) {
      stop = 'no-pairs';
      break;
    }
    const stored = heap.topCount();
    const key = heap.pop();
    const current = pairCount.get(key) ?? 0;
    if (current !== stored) {
      if (current > 0) heap.push(current, key);
      continue;
    }
    if (current < minFrequency) {
      stop = 'min-frequency';
      break;
    }
    const a = Math.floor(key / M);
    const b = key - a * M;
    const right = tokens[b];
    const merged = tokens[a] + (right.startsWith(prefix) ? right.slice(prefix.length) : right);
    const before = tokens.length;
    const x = add(merged);
    if (tokens.length === before) repeatedMerges++;
    merges++;
    lastCount = current;

    for (const w of pairWords.get(key)!) {
      const s = wordSyms[w];
      const n = wordLen[w];
      const c = wordCount[w];
      let j = 0; // write position (in place: j <= i)
      let i = 0;
      let changed = false;
      while (i < n) {
        if (i + 1 < n && s[i] === a && s[i + 1] === b) {
          changed = true;
          if (j > 0) {
            const p = s[j - 1];
            dec(p * M + a, c);
            inc(p * M + x, w, c);
          }
          dec(key, c);
          if (i + 2 < n) {
            const q = s[i + 2];
            dec(b * M + q, c);
            inc(x * M + q, w, c);
          }
          s[j++] = x;
          i += 2;
        } else {
          s[j++] = s[i++];
        }
      }
      if (changed) wordLen[w] = j;
    }
    pairWords.delete(key);
    if ((pairCount.get(key) ?? 0) === 0) pairCount.delete(key);
    for (const t of touched) {
      const c = pairCount.get(t) ?? 0;
      if (c > 0) heap.push(c, t);
    }
    touched.clear();
    if (progressEvery > 0 && merges % progressEvery === 0) report(false);
  }
  report(true);

  return {
    vocab: tokens,
    initialSize,
    alphabet,
    droppedChars,
    droppedCharOccurrences,
    merges,
    repeatedMerges,
    stop,
    trainedWords: wordSyms.length,
    skippedWords
  };
}

/** How a vocabulary segments a corpus (words counted by `countWords`), with the project's WordPiece. */
export interface SegmentationStats {
  /** Word occurrences / distinct words. */
  words: number;
  uniqueWords: number;
  /** Fraction of word occurrences that are one piece (not [UNK]). */
  singleTokenFraction: number;
  /** Pieces per word occurrence ([UNK] counts as one piece). */
  piecesPerWord: number;
  /** Fraction of word occurrences that become [UNK]. */
  unkRate: number;
  /** Fraction of pieces that are [UNK]. */
  unkPieceRate: number;
}

export function segmentationStats(
  vocab: readonly string[],
  wordCounts: ReadonlyMap<string, number>,
  opts: { unkToken?: string; continuingSubwordPrefix?: string; maxInputCharsPerWord?: number } = {}
): SegmentationStats {
  const unk = opts.unkToken ?? '[UNK]';
  const wp = new WordPiece(new Set(vocab), {
    unkToken: unk,
    continuingSubwordPrefix: opts.continuingSubwordPrefix ?? '##',
    maxInputCharsPerWord: opts.maxInputCharsPerWord ?? 100
  });
  let words = 0;
  let uniqueWords = 0;
  let single = 0;
  let pieces = 0;
  let unkWords = 0;
  for (const [word, c] of wordCounts) {
    if (c <= 0 || word === '') continue;
    const p = wp.tokenizeWord(word);
    uniqueWords++;
    words += c;
    pieces += p.length * c;
    const isUnk = p.length === 1 && p[0] === unk;
    if (isUnk) unkWords += c;
    else if (p.length === 1) single += c;
  }
  return {
    words,
    uniqueWords,
    singleTokenFraction: words === 0 ? 0 : single / words,
    piecesPerWord: words === 0 ? 0 : pieces / words,
    unkRate: words === 0 ? 0 : unkWords / words,
    unkPieceRate: pieces === 0 ? 0 : unkWords / pieces
  };
}

function compareCodePoints(x: string, y: string): number {
  return x.codePointAt(0)! - y.codePointAt(0)!;
}

/** Max-heap of (count, key): larger count first, then smaller key. */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  topCount(): number {
    return this.counts[0];
  }

  push(count: number, key: number): void {
    const cs = this.counts;
    const ks = this.keys;
    let i = cs.length;
    cs.push(count);
    ks.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(count, key, cs[p], ks[p])) break;
      cs[i] = cs[p];
      ks[i] = ks[p];
      i = p;
    }
    cs[i] = count;
    ks[i] = key;
  }

  /** Remove the top; returns its key. */
  pop(): number {
    const cs = this.counts;
    const ks = this.keys;
    const top = ks[0];
    const lastC = cs.pop()!;
    const lastK = ks.pop()!;
    const n = cs.length;
    if (n > 0) {
      let i = 0;
      while (true) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && this.before(cs[r], ks[r], cs[l], ks[l]) ? r : l;
        if (!this.before(cs[m], ks[m], lastC, lastK)) break;
        cs[i] = cs[m];
        ks[i] = ks[m];
        i = m;
      }
      cs[i] = lastC;
      ks[i] = lastK;
    }
    return top;
  }

  private before(c1: number, k1: number, c2: number, k2: number): boolean {
    return c1 > c2 || (c1 === c2 && k1 < k2);
  }
}
