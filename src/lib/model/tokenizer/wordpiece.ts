// WordPiece: greedy longest-match-first segmentation of a word into vocabulary pieces.
//
// Follows Hugging Face `WordpieceTokenizer.tokenize` (tokenization_bert.py) and the `WordPiece`
// model of the tokenizers library: for each whitespace-separated word, a word longer than
// `maxInputCharsPerWord` code points (Python `len`) becomes the unknown token; otherwise, from the
// start, take the longest prefix found in the vocabulary, then continue from its end with the
// longest piece found with the continuing-subword prefix ("##"), and so on. If at some point no
// piece matches, the WHOLE word becomes a single unknown token (pieces already found are dropped).

import { codePointBoundaries, pythonSplit } from './unicode';

export interface WordPieceOptions {
  unkToken: string;
  /** Prefix of pieces that continue a word (default "##"). */
  continuingSubwordPrefix?: string;
  /** Words longer than this many code points become the unknown token (default 100). */
  maxInputCharsPerWord?: number;
}

export class WordPiece {
  readonly unkToken: string;
  readonly continuingSubwordPrefix: string;
  readonly maxInputCharsPerWord: number;

  constructor(
    private readonly vocab: { has(token: string): boolean },
    options: WordPieceOptions
  ) {
    this.unkToken = options.unkToken;
    this.continuingSubwordPrefix = options.continuingSubwordPrefix ?? '##';
    this.maxInputCharsPerWord = options.maxInputCharsPerWord ?? 100;
  }

  /** Split on whitespace, then segment every word. */
  tokenize(text: string): string[] {
    const out: string[] = [];
    for (const word of pythonSplit(text)) {
      for (const piece of this.tokenizeWord(word)) out.push(piece);
    }
    return out;
  }

  /** Segment one word (no whitespace inside). */
  tokenizeWord(word: string): string[] {
    const bounds = codePointBoundaries(word);
    const n = bounds.length - 1;
    if (n === 0) return [];
    if (n > this.maxInputCharsPerWord) return [this.unkToken];
    const pieces: string[] = [];
    let start = 0;
    while (start < n) {
      let end = n;
      let found: string | null = null;
      while (start < end) {
        let sub = word.slice(bounds[start], bounds[end]);
        if (start > 0) sub = this.continuingSubwordPrefix + sub;
        if (this.vocab.has(sub)) {
          found = sub;
          break;
        }
        end--;
      }
      if (found === null) return [this.unkToken];
      pieces.push(found);
      start = end;
    }
    return pieces;
  }
}
