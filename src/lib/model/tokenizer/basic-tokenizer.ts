// BERT's basic tokenizer: text → words and punctuation, before WordPiece.
//
// Follows Hugging Face `BasicTokenizer.tokenize` (transformers/models/bert/tokenization_bert.py),
// step by step:
//   1. clean: drop U+0000, U+FFFD and control characters (category C* except \t \n \r); turn
//      whitespace (space, \t, \n, \r, category Zs) into a space           [`_clean_text`]
//   2. put spaces around every CJK ideograph                               [`_tokenize_chinese_chars`]
//   3. Unicode NFC                                                          [current HF slow tokenizer]
//   4. split on Python whitespace                                           [`whitespace_tokenize`]
//   5. for each word not in never_split: lowercase (one code point at a time, see unicode.ts) and,
//      unless strip_accents is false, strip accents (NFD, drop Mn); with lowercasing off, strip
//      accents only when strip_accents is true
//   6. split every word not in never_split at each punctuation character, the punctuation
//      becoming its own token                                               [`_run_split_on_punc`]
//   7. split the result on whitespace again (drops words that became empty)
//
// `cleanText: false` and `tokenizeChineseChars: false` turn steps 1 and 2 off, like the
// `clean_text` and `handle_chinese_chars` flags of the fast BertNormalizer.

import {
  isBertControl,
  isBertPunctuation,
  isBertWhitespace,
  isChineseChar,
  lowercasePerChar,
  pythonSplit,
  stripAccents
} from './unicode';

export interface BasicTokenizerOptions {
  /** Lowercase the text (default true). */
  doLowerCase?: boolean;
  /** Strip accents; null/undefined: follow doLowerCase (HF default). */
  stripAccents?: boolean | null;
  /** Split around CJK ideographs (default true). */
  tokenizeChineseChars?: boolean;
  /** Remove control characters and normalise whitespace (default true). */
  cleanText?: boolean;
  /** Words kept whole: not lowercased, not stripped, not split at punctuation. */
  neverSplit?: Iterable<string>;
}

export class BasicTokenizer {
  readonly doLowerCase: boolean;
  readonly stripAccents: boolean | null;
  readonly tokenizeChineseChars: boolean;
  readonly cleanText: boolean;
  /** The never_split set given at construction (HF `basic_tokenizer.never_split`). */
  readonly neverSplit: ReadonlySet<string>;

  constructor(options: BasicTokenizerOptions = {}) {
    this.doLowerCase = options.doLowerCase ?? true;
    this.stripAccents = options.stripAccents ?? null;
    this.tokenizeChineseChars = options.tokenizeChineseChars ?? true;
    this.cleanText = options.cleanText ?? true;
    this.neverSplit = new Set(options.neverSplit ?? []);
  }

  /** Split `text` into words and punctuation; `extraNeverSplit` joins the construction-time set. */
  tokenize(text: string, extraNeverSplit?: Iterable<string>): string[] {
    let neverSplit: ReadonlySet<string> = this.neverSplit;
    if (extraNeverSplit !== undefined) {
      const union = new Set(this.neverSplit);
      for (const t of extraNeverSplit) union.add(t);
      neverSplit = union;
    }
    return this.tokenizeWithNeverSplit(text, neverSplit);
  }

  /** Like tokenize(), with the complete never_split set given (no union computed per call). */
  tokenizeWithNeverSplit(text: string, neverSplit: ReadonlySet<string>): string[] {
    let s = text;
    if (this.cleanText) s = cleanText(s);
    if (this.tokenizeChineseChars) s = spaceChineseChars(s);
    s = s.normalize('NFC');
    const out: string[] = [];
    for (let word of pythonSplit(s)) {
      if (neverSplit.has(word)) {
        out.push(word);
        continue;
      }
      if (this.doLowerCase) {
        word = lowercasePerChar(word);
        if (this.stripAccents !== false) word = stripAccents(word);
      } else if (this.stripAccents === true) {
        word = stripAccents(word);
      }
      if (word !== '' && neverSplit.has(word)) {
        out.push(word);
        continue;
      }
      for (const piece of splitOnPunctuation(word)) {
        for (const w of pythonSplit(piece)) out.push(w);
      }
    }
    return out;
  }
}

/** HF `_clean_text`. */
export function cleanText(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0 || cp === 0xfffd || isBertControl(ch)) continue;
    out += isBertWhitespace(ch) ? ' ' : ch;
  }
  return out;
}

/** HF `_tokenize_chinese_chars`: a space before and after every CJK ideograph. */
export function spaceChineseChars(text: string): string {
  let out = '';
  for (const ch of text) {
    out += isChineseChar(ch.codePointAt(0)!) ? ` ${ch} ` : ch;
  }
  return out;
}

/** HF `_run_split_on_punc` (without the never_split check, done by the caller). */
export function splitOnPunctuation(word: string): string[] {
  const out: string[] = [];
  let current = '';
  let inWord = false;
  for (const ch of word) {
    if (isBertPunctuation(ch)) {
      if (inWord) out.push(current);
      out.push(ch);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(current);
  return out;
}
