// WordPiece vocabulary training (src/lib/model/tokenizer/wordpiece-trainer.ts) on small synthetic
// corpora, against a naive reference (all pair counts recomputed at every merge) and through the
// project's BertTokenizer.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BertTokenizer, TokenizerError } from '../../src/lib/model/tokenizer';
import {
  DEFAULT_SPECIAL_TOKENS,
  countWords,
  segmentationStats,
  trainWordPiece,
  trainWordPieceFromCounts
} from '../../src/lib/model/tokenizer/wordpiece-trainer';
import { buildHeldOutCorpus, buildPretrainCorpus } from '../../src/lib/data/pretrain-corpus-node';
import { SeededRandom } from '../../src/lib/util/seeded-random';

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/** A corpus with a Zipf-like spread of frequencies: word i of the list appears about 200/(i+1) times. */
function syntheticCorpus(seed: number): string[] {
  const words = [
    'the', 'whale', 'whaling', 'whales', 'ship', 'shipping', 'sailor', 'sailing', 'harpoon', 'captain',
    'ocean', 'oceans', 'deep', 'deeper', 'deepest', 'sea', 'seas', 'president', 'congress', 'nation',
    'national', 'nations', 'free', 'freedom', 'offer', 'offers', 'click', 'clicking', 'unsubscribe', 'money',
    'aaaa', 'abab', 'banana', 'bananas', 'mississippi', 'café', 'naïve', 'zzz', 'x1y2', 'q'
  ];
  const rng = new SeededRandom(seed);
  const bag: string[] = [];
  words.forEach((w, i) => {
    for (let k = 0; k < Math.ceil(200 / (i + 1)); k++) bag.push(w);
  });
  // Shuffle into lines of 12 words, with punctuation and capitals sprinkled in.
  for (let i = bag.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [bag[i], bag[j]] = [bag[j], bag[i]];
  }
  const texts: string[] = [];
  for (let i = 0; i < bag.length; i += 12) {
    const line = bag.slice(i, i + 12);
    line[0] = line[0][0].toUpperCase() + line[0].slice(1);
    texts.push(line.join(' ') + (i % 24 === 0 ? '.' : ', and!'));
  }
  return texts;
}

/**
 * Naive reference: the same algorithm with every pair count recomputed from scratch at each merge
 * (words as arrays of token strings, ids assigned in the same order).
 */
function naiveTrain(counts: Map<string, number>, vocabSize: number, minFrequency: number): string[] {
  const chars = new Set<string>();
  for (const w of counts.keys()) for (const ch of w) chars.add(ch);
  const alphabet = [...chars].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  const isPunct = (ch: string) => /^[!-/:-@[-`{-~]$/.test(ch);
  const vocab = [...SPECIALS, ...alphabet, ...alphabet.filter((c) => !isPunct(c)).map((c) => '##' + c)];
  const id = new Map(vocab.map((t, i) => [t, i]));
  const words = [...counts].map(([w, c]) => ({ syms: Array.from(w).map((ch, i) => (i === 0 ? ch : '##' + ch)), c }));
  while (vocab.length < vocabSize) {
    const pc = new Map<string, { a: string; b: string; n: number }>();
    for (const { syms, c } of words) {
      for (let i = 0; i + 1 < syms.length; i++) {
        const k = syms[i] + '\u0000' + syms[i + 1];
        const e = pc.get(k) ?? { a: syms[i], b: syms[i + 1], n: 0 };
        e.n += c;
        pc.set(k, e);
      }
    }
    let best: { a: string; b: string; n: number } | null = null;
    for (const e of pc.values()) {
      if (
        best === null ||
        e.n > best.n ||
        (e.n === best.n && (id.get(e.a)! < id.get(best.a)! || (e.a === best.a && id.get(e.b)! < id.get(best.b)!)))
      ) {
        best = e;
      }
    }
    if (best === null || best.n < minFrequency) break;
    const merged = best.a + best.b.slice(2);
    if (!id.has(merged)) {
      id.set(merged, vocab.length);
      vocab.push(merged);
    }
    for (const w of words) {
      const out: string[] = [];
      for (let i = 0; i < w.syms.length; i++) {
        if (i + 1 < w.syms.length && w.syms[i] === best.a && w.syms[i + 1] === best.b) {
          out.push(merged);
          i++;
        } else out.push(w.syms[i]);
      }
      w.syms = out;
    }
  }
  return vocab;
}

describe('trainWordPiece', () => {
  const texts = syntheticCorpus(7);
  const counts = countWords(texts);
  const vocab = trainWordPiece(texts, { vocabSize: 160, lowercase: true });

  it('puts the special tokens first: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4', () => {
    expect(vocab.slice(0, 5)).toEqual(SPECIALS);
    expect([...DEFAULT_SPECIAL_TOKENS]).toEqual(SPECIALS);
    const custom = trainWordPiece(texts, { vocabSize: 120, lowercase: true, specialTokens: ['[UNK]', '<x>'] });
    expect(custom.slice(0, 2)).toEqual(['[UNK]', '<x>']);
  });

  it('respects the size, has no duplicates, and follows the alphabet with "##" forms then merges', () => {
    expect(vocab.length).toBe(160);
    expect(new Set(vocab).size).toBe(vocab.length);
    for (const n of [100, 130, 180]) expect(trainWordPiece(texts, { vocabSize: n, lowercase: true }).length).toBe(n);
    // After the specials: single characters, then "##" + single character, then longer tokens.
    const rest = vocab.slice(5);
    const firstHash = rest.findIndex((t) => t.startsWith('##'));
    const firstMerge = rest.findIndex((t) => Array.from(t.replace(/^##/, '')).length > 1);
    expect(rest.slice(0, firstHash).every((t) => Array.from(t).length === 1)).toBe(true);
    expect(rest.slice(firstHash, firstMerge).every((t) => t.startsWith('##') && Array.from(t).length === 3)).toBe(true);
    expect(rest.slice(firstMerge).every((t) => Array.from(t.replace(/^##/, '')).length > 1)).toBe(true);
  });

  it('holds every character of the (normalised) corpus, and "##" forms of the non-punctuation ones', () => {
    const has = new Set(vocab);
    const missing: string[] = [];
    for (const w of counts.keys()) {
      for (const [i, ch] of Array.from(w).entries()) {
        if (!has.has(ch)) missing.push(ch);
        if (i > 0 && !has.has('##' + ch)) missing.push('##' + ch);
      }
    }
    expect(missing, `missing: ${missing.join(' ')}`).toEqual([]);
    for (const ch of ['.', ',', '!']) {
      expect(has.has(ch)).toBe(true);
      expect(has.has('##' + ch)).toBe(false); // punctuation is always split off, never inside a word
    }
    // Lowercased and accents stripped, as BertTokenizer (uncased) does before WordPiece.
    expect(has.has('T')).toBe(false);
    expect(has.has('é')).toBe(false);
    expect(counts.get('cafe')).toBeGreaterThan(0);
  });

  it('makes frequent words single tokens', () => {
    const has = new Set(vocab);
    const frequent = [...counts].sort((a, b) => b[1] - a[1]).filter(([w]) => w.length > 1).slice(0, 8);
    for (const [w, c] of frequent) expect(has.has(w), `"${w}" (${c} times) should be one token`).toBe(true);
  });

  it('is deterministic and independent of the order of the texts', () => {
    expect(trainWordPiece(texts, { vocabSize: 160, lowercase: true })).toEqual(vocab);
    expect(trainWordPiece([...texts].reverse(), { vocabSize: 160, lowercase: true })).toEqual(vocab);
  });

  it('only appends when trained longer: a smaller vocabulary is a prefix of a larger one', () => {
    const big = trainWordPiece(texts, { vocabSize: 180, lowercase: true });
    expect(big.length).toBe(180);
    expect(big.slice(0, 160)).toEqual(vocab);
    // Past what the corpus supports (every word already one token), it stops short of the size.
    const r = trainWordPieceFromCounts(counts, { vocabSize: 5000, lowercase: true });
    expect(r.stop).toBe('no-pairs');
    for (const w of counts.keys()) expect(r.vocab.includes(w), w).toBe(true);
    expect(r.vocab.length).toBeLessThan(5000);
    expect(r.vocab.slice(0, 180)).toEqual(big);
  });

  it('matches a naive reference that recounts every pair at each merge', () => {
    for (const seed of [1, 2, 3]) {
      const t = syntheticCorpus(seed);
      // Add words with repeated symbols, where overlapping pairs are easy to get wrong.
      t.push('aaaaaa aaaaaaa abababab ababa aaab baaa ' + 'mississippi '.repeat(5));
      const c = countWords(t);
      for (const minFrequency of [1, 2, 5]) {
        const ref = naiveTrain(c, 400, minFrequency);
        const got = trainWordPieceFromCounts(c, { vocabSize: 400, minFrequency, lowercase: true }).vocab;
        expect(got, `seed ${seed}, minFrequency ${minFrequency}`).toEqual(ref);
      }
    }
  });

  it('stops early when no pair reaches minFrequency, and says why', () => {
    const r = trainWordPieceFromCounts(countWords(['ab ab ab cd']), { vocabSize: 1000, minFrequency: 2, lowercase: true });
    expect(r.vocab).toEqual([...SPECIALS, 'a', 'b', 'c', 'd', '##a', '##b', '##c', '##d', 'ab']);
    expect(r.stop).toBe('min-frequency');
    const all = trainWordPieceFromCounts(countWords(['ab ab ab cd']), { vocabSize: 1000, minFrequency: 1, lowercase: true });
    expect(all.vocab.slice(-2)).toEqual(['ab', 'cd']);
    expect(all.stop).toBe('no-pairs');
  });

  it('round-trips through BertTokenizer.fromVocabText and tokenizes the training words without [UNK]', () => {
    const tok = BertTokenizer.fromVocabText(vocab.map((t) => t + '\n').join(''));
    expect(tok.padTokenId).toBe(0);
    expect(tok.unkTokenId).toBe(1);
    expect(tok.clsTokenId).toBe(2);
    expect(tok.sepTokenId).toBe(3);
    expect(tok.maskTokenId).toBe(4);
    expect(tok.vocab.size).toBe(vocab.length);
    for (const [i, t] of vocab.entries()) expect(tok.vocab.id(t)).toBe(i);
    for (const text of texts) {
      const pieces = tok.tokenize(text);
      expect(pieces.includes('[UNK]'), `${text} → ${pieces.join(' ')}`).toBe(false);
    }
    // A frequent word is one id; a new word made of known letters is split, not [UNK].
    expect(tok.tokenize('Whale')).toEqual(['whale']);
    const novel = tok.tokenize('seawhalesnation');
    expect(novel.length).toBeGreaterThan(1);
    expect(novel.includes('[UNK]')).toBe(false);
    const enc = tok.encode('the whale');
    expect(enc.input_ids[0]).toBe(2);
    expect(enc.input_ids[enc.input_ids.length - 1]).toBe(3);
  });

  it('limitAlphabet keeps the most frequent characters; words with a dropped one are [UNK]', () => {
    const t = ['aaa bbb ab ba ab ba', 'ab ba a b', 'zq'];
    const r = trainWordPieceFromCounts(countWords(t), { vocabSize: 20, lowercase: true, limitAlphabet: 2 });
    expect(r.alphabet).toEqual(['a', 'b']);
    expect(r.droppedChars).toBe(2);
    expect(r.skippedWords).toBe(1);
    const s = segmentationStats(r.vocab, countWords(t));
    expect(s.unkRate).toBeCloseTo(1 / s.words, 12);
  });

  it('refuses sizes that cannot hold the specials and the alphabet, with the numbers', () => {
    expect(() => trainWordPiece(texts, { vocabSize: 3, lowercase: true })).toThrow(TokenizerError);
    expect(() => trainWordPiece(texts, { vocabSize: 3, lowercase: true })).toThrow(/vocabSize 3 .*5 special tokens/);
    expect(() => trainWordPiece(texts, { vocabSize: 20, lowercase: true })).toThrow(/vocabSize 20 cannot hold .*alphabet/);
    expect(() => trainWordPiece(texts, { vocabSize: 2.5, lowercase: true })).toThrow(/integer/);
  });
});

describe('segmentationStats', () => {
  it('counts one-piece words, pieces per word and [UNK] by occurrence', () => {
    const vocab = [...SPECIALS, 'a', 'b', '##b', 'ab'];
    const counts = new Map([
      ['ab', 3], // one piece
      ['abb', 1], // ab ##b
      ['c', 1] // [UNK]
    ]);
    const s = segmentationStats(vocab, counts);
    expect(s).toEqual({
      words: 5,
      uniqueWords: 3,
      singleTokenFraction: 3 / 5,
      piecesPerWord: (3 + 2 + 1) / 5,
      unkRate: 1 / 5,
      unkPieceRate: 1 / 6
    });
  });
});

describe('buildPretrainCorpus', () => {
  const root = resolve(__dirname, '..', '..');
  it.skipIf(!existsSync(resolve(root, 'static', 'data')))('reads the train splits and Moby Dick, never dev or test', () => {
    const corpus = buildPretrainCorpus(root);
    const names = corpus.map((s) => s.name);
    expect(names[names.length - 1]).toBe('moby-dick');
    for (const s of corpus) {
      expect(s.texts.length).toBeGreaterThan(100);
      expect(s.source).toMatch(/(\/train\.jsonl|^@stdlib\/datasets-moby-dick@[\d.]+)$/);
    }
    const moby = corpus[corpus.length - 1];
    expect(moby.texts[0]).toMatch(/^ETYMOLOGY/); // the table of contents is left out
    expect(moby.texts.some((t) => t.startsWith('Call me Ishmael.'))).toBe(true);
    const dev = buildHeldOutCorpus(root, 'dev');
    expect(dev.map((s) => s.source).every((p) => p.endsWith('/dev.jsonl'))).toBe(true);
  });
});
