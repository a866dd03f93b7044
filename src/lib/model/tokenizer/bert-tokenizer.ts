// BertTokenizer: Hugging Face's BERT tokenizer (the slow Python `BertTokenizer` of transformers,
// tokenization_bert.py + tokenization_utils(_base).py), in TypeScript for the browser.
//
//   text ─► split around special/added tokens in the raw text ([MASK] typed in stays one token)
//        ─► basic tokenizer (clean, CJK, NFC, lowercase/strip accents, punctuation)  basic-tokenizer.ts
//        ─► WordPiece (greedy longest match, "##" continuation, [UNK])               wordpiece.ts
//        ─► ids ─► truncation (truncation.ts) ─► [CLS] A [SEP] (B [SEP]) ─► padding
//
// Encodings use HF's field names (input_ids, token_type_ids, attention_mask). Token type 0 covers
// [CLS], the first segment and its [SEP]; 1 covers the second segment and its [SEP]; padding is on
// the right with the [PAD] id, token type 0 and attention 0.
//
// Differences from HF, on purpose:
//   - A truncation request that cannot be met (HF logs an error and returns the sequences as they
//     are) throws a TokenizerError.
//   - `maxLength` without `truncation` truncates with 'longest_first' whatever the padding (HF does
//     so only when padding is off); pass `truncation: false` to keep over-long rows.

import { AddedTokenSplitter } from './added-tokens';
import { BasicTokenizer } from './basic-tokenizer';
import { TokenizerError } from './errors';
import { optionsFromHfConfig } from './hf-config';
import { mergeOptions, resolveOptions, type BertTokenizerOptions, type ResolvedBertTokenizerOptions } from './options';
import { parseTokenizerJson, type AddedTokenInfo } from './tokenizer-json';
import { truncateSequences, type TruncationStrategy } from './truncation';
import { pythonStrip } from './unicode';
import { Vocab } from './vocab';
import { WordPiece } from './wordpiece';

export type PaddingStrategy = false | 'longest' | 'max_length';

export interface EncodeOptions {
  /** Add [CLS]/[SEP] (default true). */
  addSpecialTokens?: boolean;
  /** Length limit for truncation and 'max_length' padding (default: the model_max_length option). */
  maxLength?: number;
  /** true = 'longest_first'. Default: 'longest_first' when maxLength is given, else none. */
  truncation?: TruncationStrategy | boolean;
  /** true = 'longest'. Default false for encode(), 'longest' for encodeBatch(). */
  padding?: PaddingStrategy | boolean;
}

export interface BertEncoding {
  input_ids: number[];
  token_type_ids: number[];
  attention_mask: number[];
}

export interface BertBatchEncoding {
  input_ids: number[][];
  token_type_ids: number[][];
  attention_mask: number[][];
}

/** A batch item: one text, or a pair of texts. */
export type BatchItem = string | readonly [string] | readonly [string, string];

export interface DecodeOptions {
  /** Leave out special tokens ([CLS], [SEP], [PAD], [UNK], [MASK], …). Default false. */
  skipSpecialTokens?: boolean;
  /** HF `clean_up_tokenization` (" ." → "." and the like). Default: the tokenizer's option (false). */
  cleanUpTokenizationSpaces?: boolean;
}

const TRUNCATION_STRATEGIES: readonly string[] = ['longest_first', 'only_first', 'only_second'];

export class BertTokenizer {
  readonly vocab: Vocab;
  readonly options: Readonly<ResolvedBertTokenizerOptions>;
  readonly unkToken: string;
  readonly clsToken: string;
  readonly sepToken: string;
  readonly padToken: string;
  /** null when the vocabulary has no mask token. */
  readonly maskToken: string | null;
  readonly unkTokenId: number;
  readonly clsTokenId: number;
  readonly sepTokenId: number;
  readonly padTokenId: number;
  readonly maskTokenId: number | null;
  /** HF `all_special_tokens`: unk, sep, pad, cls, mask, additional and special added tokens. */
  readonly specialTokens: readonly string[];
  /** Their ids. */
  readonly specialTokenIds: readonly number[];

  private readonly addedByToken = new Map<string, number>();
  private readonly addedById = new Map<number, string>();
  private readonly splitter: AddedTokenSplitter;
  private readonly basic: BasicTokenizer;
  private readonly basicNeverSplit: ReadonlySet<string>;
  private readonly wordpiece: WordPiece;
  private readonly specialIdSet: ReadonlySet<number>;

  constructor(vocab: Vocab, options: BertTokenizerOptions = {}, addedTokens: readonly AddedTokenInfo[] = []) {
    this.vocab = vocab;
    const o = resolveOptions(options);
    this.options = Object.freeze(o);
    for (const t of addedTokens) {
      this.addedByToken.set(t.content, t.id);
      this.addedById.set(t.id, t.content);
    }

    const missing = [o.unkToken, o.clsToken, o.sepToken, o.padToken].filter((t) => this.tokenToId(t) === undefined);
    if (missing.length > 0) {
      const first = vocab.token(0) ?? '';
      const hint = first.trimStart().startsWith('{') ? ' (this looks like JSON: use BertTokenizer.fromTokenizerJson)' : '';
      throw new TokenizerError(
        `${vocab.source}: the vocabulary (${vocab.size} ids) lacks ${missing.map((t) => JSON.stringify(t)).join(', ')}; ` +
          `BERT needs its unknown, classifier, separator and padding tokens ` +
          `(${[o.unkToken, o.clsToken, o.sepToken, o.padToken].join(' ')})${hint}`
      );
    }
    this.unkToken = o.unkToken;
    this.clsToken = o.clsToken;
    this.sepToken = o.sepToken;
    this.padToken = o.padToken;
    this.unkTokenId = this.tokenToId(o.unkToken)!;
    this.clsTokenId = this.tokenToId(o.clsToken)!;
    this.sepTokenId = this.tokenToId(o.sepToken)!;
    this.padTokenId = this.tokenToId(o.padToken)!;
    const maskId = this.tokenToId(o.maskToken);
    this.maskToken = maskId === undefined ? null : o.maskToken;
    this.maskTokenId = maskId ?? null;

    for (const t of o.additionalSpecialTokens) {
      if (this.tokenToId(t) === undefined) {
        throw new TokenizerError(`${vocab.source}: additional special token ${JSON.stringify(t)} is not in the vocabulary`);
      }
    }
    const specials = [this.unkToken, this.sepToken, this.padToken, this.clsToken];
    if (this.maskToken !== null) specials.push(this.maskToken);
    specials.push(...o.additionalSpecialTokens);
    for (const t of addedTokens) if (t.special) specials.push(t.content);
    this.specialTokens = Object.freeze([...new Set(specials)]);
    this.specialTokenIds = Object.freeze(this.specialTokens.map((t) => this.tokenToId(t)!));
    this.specialIdSet = new Set(this.specialTokenIds);

    this.splitter = new AddedTokenSplitter([...this.specialTokens, ...addedTokens.map((t) => t.content)]);
    this.basic = new BasicTokenizer({
      doLowerCase: o.doLowerCase,
      stripAccents: o.stripAccents,
      tokenizeChineseChars: o.tokenizeChineseChars,
      cleanText: o.cleanText,
      neverSplit: o.neverSplit
    });
    this.basicNeverSplit = new Set([...o.neverSplit, ...this.specialTokens]);
    if (!Number.isInteger(o.maxInputCharsPerWord) || o.maxInputCharsPerWord < 0) {
      throw new TokenizerError(`maxInputCharsPerWord must be a non-negative integer, got ${o.maxInputCharsPerWord}`);
    }
    this.wordpiece = new WordPiece(vocab, {
      unkToken: o.unkToken,
      continuingSubwordPrefix: o.continuingSubwordPrefix,
      maxInputCharsPerWord: o.maxInputCharsPerWord
    });
  }

  /** From the text of a `vocab.txt` (HF BertTokenizer defaults unless `options` say otherwise). */
  static fromVocabText(text: string, options: BertTokenizerOptions = {}): BertTokenizer {
    return new BertTokenizer(Vocab.fromVocabText(text), options);
  }

  /**
   * From the text of a `tokenizer.json`. `options` (e.g. from optionsFromHfConfig on
   * tokenizer_config.json) override what the file says, as BertTokenizerFast does.
   */
  static fromTokenizerJson(text: string, options: BertTokenizerOptions = {}): BertTokenizer {
    const parsed = parseTokenizerJson(text);
    return new BertTokenizer(parsed.vocab, mergeOptions(parsed.options, options), parsed.addedTokens);
  }

  /**
   * From the tokenizer files of a Hugging Face model folder (texts, or parsed JSON for the configs):
   * tokenizer.json when given, else vocab.txt; options from tokenizer_config.json and config.json
   * override the tokenizer.json normaliser (as BertTokenizerFast does); `options` override all.
   */
  static fromHfFiles(
    files: {
      tokenizerJson?: string | null;
      vocabTxt?: string | null;
      tokenizerConfig?: string | object | null;
      config?: string | object | null;
    },
    options: BertTokenizerOptions = {}
  ): BertTokenizer {
    const fromConfigs = optionsFromHfConfig(files.tokenizerConfig, files.config);
    const merged = mergeOptions(fromConfigs, options);
    if (files.tokenizerJson != null) return BertTokenizer.fromTokenizerJson(files.tokenizerJson, merged);
    if (files.vocabTxt != null) return BertTokenizer.fromVocabText(files.vocabTxt, merged);
    throw new TokenizerError('a BERT tokenizer needs tokenizer.json or vocab.txt; neither was given');
  }

  /** Number of ids: vocabulary slots and added tokens (HF `len(tokenizer)`). */
  get vocabSize(): number {
    let n = this.vocab.size;
    for (const id of this.addedById.keys()) n = Math.max(n, id + 1);
    return n;
  }

  /** The id of a token (added tokens first), or undefined. */
  tokenToId(token: string): number | undefined {
    return this.addedByToken.get(token) ?? this.vocab.id(token);
  }

  /** The token of an id, or undefined. */
  idToToken(id: number): string | undefined {
    return this.addedById.get(id) ?? this.vocab.token(id);
  }

  /** Text → WordPiece tokens (no special tokens added). */
  tokenize(text: string): string[] {
    if (typeof text !== 'string') throw new TokenizerError(`tokenize: expected a string, got ${typeof text}`);
    const out: string[] = [];
    for (const seg of this.splitter.split(text)) {
      if (seg.added) {
        out.push(seg.text);
      } else if (this.options.doBasicTokenize) {
        for (const word of this.basic.tokenizeWithNeverSplit(seg.text, this.basicNeverSplit)) {
          if (this.basic.neverSplit.has(word)) out.push(word);
          else for (const piece of this.wordpiece.tokenize(word)) out.push(piece);
        }
      } else {
        for (const piece of this.wordpiece.tokenize(seg.text)) out.push(piece);
      }
    }
    return out;
  }

  /** Tokens → ids; unknown tokens get the [UNK] id. */
  convertTokensToIds(tokens: readonly string[]): number[] {
    return tokens.map((t) => this.tokenToId(t) ?? this.unkTokenId);
  }

  /** Ids → tokens; an id with no token reads as [UNK] (HF slow tokenizer). */
  convertIdsToTokens(ids: readonly number[], skipSpecialTokens = false): string[] {
    const out: string[] = [];
    for (const id of ids) {
      if (!Number.isInteger(id)) throw new TokenizerError(`convertIdsToTokens: ${id} is not an integer id`);
      if (skipSpecialTokens && this.specialIdSet.has(id)) continue;
      out.push(this.idToToken(id) ?? this.unkToken);
    }
    return out;
  }

  /** HF `convert_tokens_to_string`: join with spaces, glue "##" continuations, strip. */
  convertTokensToString(tokens: readonly string[]): string {
    const joined = tokens.join(' ');
    const prefix = this.options.continuingSubwordPrefix;
    return pythonStrip(prefix === '' ? joined : joined.split(' ' + prefix).join(''));
  }

  /** Number of special tokens encode() adds: 2 for one text, 3 for a pair. */
  numSpecialTokensToAdd(pair: boolean): number {
    return pair ? 3 : 2;
  }

  /** Encode one text or a pair. */
  encode(text: string, textPair?: string | null, options: EncodeOptions = {}): BertEncoding {
    const plan = this.plan(options, false);
    const enc = this.encodeOne(text, textPair ?? null, plan);
    if (plan.padding === 'max_length') return this.pad(enc, plan.maxLength!);
    return enc;
  }

  /** Encode a batch, padded to the longest item by default. */
  encodeBatch(items: readonly BatchItem[], options: EncodeOptions = {}): BertBatchEncoding {
    if (!Array.isArray(items)) throw new TokenizerError('encodeBatch: expected an array of texts or [text, pair] tuples');
    const plan = this.plan(options, true);
    const encs = items.map((item, i) => {
      if (typeof item === 'string') return this.encodeOne(item, null, plan);
      if (Array.isArray(item) && (item.length === 1 || item.length === 2) && item.every((t) => typeof t === 'string')) {
        return this.encodeOne(item[0], item.length === 2 ? item[1] : null, plan);
      }
      throw new TokenizerError(`encodeBatch: item ${i} must be a string or a [text, pair] tuple of strings`);
    });
    let target = -1;
    if (plan.padding === 'longest') target = encs.reduce((m, e) => Math.max(m, e.input_ids.length), 0);
    else if (plan.padding === 'max_length') target = plan.maxLength!;
    const padded = target >= 0 ? encs.map((e) => this.pad(e, target)) : encs;
    return {
      input_ids: padded.map((e) => e.input_ids),
      token_type_ids: padded.map((e) => e.token_type_ids),
      attention_mask: padded.map((e) => e.attention_mask)
    };
  }

  /** Ids → text (HF `decode`). */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const tokens = this.convertIdsToTokens(ids, options.skipSpecialTokens ?? false);
    const text = this.convertTokensToString(tokens);
    return options.cleanUpTokenizationSpaces ?? this.options.cleanUpTokenizationSpaces ? cleanUpTokenization(text) : text;
  }

  private plan(
    options: EncodeOptions,
    batch: boolean
  ): { addSpecial: boolean; truncation: TruncationStrategy | null; padding: PaddingStrategy; maxLength: number | undefined } {
    const addSpecial = options.addSpecialTokens ?? true;
    let padding: PaddingStrategy;
    if (options.padding === true) padding = 'longest';
    else if (options.padding === undefined) padding = batch ? 'longest' : false;
    else if (options.padding === false || options.padding === 'longest' || options.padding === 'max_length') padding = options.padding;
    else throw new TokenizerError(`padding must be false, true, 'longest' or 'max_length', got ${JSON.stringify(options.padding)}`);

    if (options.maxLength !== undefined && (!Number.isInteger(options.maxLength) || options.maxLength <= 0)) {
      throw new TokenizerError(`maxLength must be a positive integer, got ${options.maxLength}`);
    }
    let truncation: TruncationStrategy | null;
    if (options.truncation === true) truncation = 'longest_first';
    else if (options.truncation === false) truncation = null;
    else if (options.truncation === undefined) truncation = options.maxLength !== undefined ? 'longest_first' : null;
    else if (TRUNCATION_STRATEGIES.includes(options.truncation)) truncation = options.truncation;
    else {
      throw new TokenizerError(
        `truncation must be a boolean, 'longest_first', 'only_first' or 'only_second', got ${JSON.stringify(options.truncation)}`
      );
    }
    const maxLength =
      options.maxLength ?? (truncation !== null || padding === 'max_length' ? this.options.modelMaxLength : undefined);
    if (padding === 'max_length' && maxLength === undefined) {
      throw new TokenizerError("padding 'max_length' needs maxLength (or the tokenizer's modelMaxLength option)");
    }
    return { addSpecial, truncation, padding, maxLength };
  }

  private encodeOne(
    text: string,
    textPair: string | null,
    plan: { addSpecial: boolean; truncation: TruncationStrategy | null; maxLength: number | undefined }
  ): BertEncoding {
    let ids = this.convertTokensToIds(this.tokenize(text));
    let pairIds = textPair === null ? null : this.convertTokensToIds(this.tokenize(textPair));
    const nSpecial = plan.addSpecial ? this.numSpecialTokensToAdd(pairIds !== null) : 0;
    const total = ids.length + (pairIds?.length ?? 0) + nSpecial;
    if (plan.truncation !== null && plan.maxLength !== undefined && total > plan.maxLength) {
      ({ ids, pairIds } = truncateSequences(ids, pairIds, total - plan.maxLength, plan.truncation, plan.maxLength));
    }
    let inputIds: number[];
    let typeIds: number[];
    if (plan.addSpecial) {
      inputIds = [this.clsTokenId, ...ids, this.sepTokenId];
      typeIds = new Array<number>(inputIds.length).fill(0);
      if (pairIds !== null) {
        inputIds.push(...pairIds, this.sepTokenId);
        for (let k = 0; k <= pairIds.length; k++) typeIds.push(1);
      }
    } else {
      // HF prepare_for_model without special tokens: plain concatenation, token type 0 throughout.
      inputIds = pairIds === null ? ids : [...ids, ...pairIds];
      typeIds = new Array<number>(inputIds.length).fill(0);
    }
    return { input_ids: inputIds, token_type_ids: typeIds, attention_mask: new Array<number>(inputIds.length).fill(1) };
  }

  private pad(enc: BertEncoding, length: number): BertEncoding {
    const n = length - enc.input_ids.length;
    if (n <= 0) return enc;
    return {
      input_ids: [...enc.input_ids, ...new Array<number>(n).fill(this.padTokenId)],
      token_type_ids: [...enc.token_type_ids, ...new Array<number>(n).fill(0)],
      attention_mask: [...enc.attention_mask, ...new Array<number>(n).fill(0)]
    };
  }
}

/** HF `PreTrainedTokenizerBase.clean_up_tokenization`. */
export function cleanUpTokenization(text: string): string {
  const rules: [string, string][] = [
    [' .', '.'],
    [' ?', '?'],
    [' !', '!'],
    [' ,', ','],
    [" ' ", "'"],
    [" n't", "n't"],
    [" 'm", "'m"],
    [" 's", "'s"],
    [" 've", "'ve"],
    [" 're", "'re"]
  ];
  let s = text;
  for (const [from, to] of rules) s = s.split(from).join(to);
  return s;
}
