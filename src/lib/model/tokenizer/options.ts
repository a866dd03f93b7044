// Options of BertTokenizer, with Hugging Face's names and defaults in the comments.

export interface BertTokenizerOptions {
  /** HF `do_lower_case` / BertNormalizer `lowercase`. Default true. */
  doLowerCase?: boolean;
  /** HF `strip_accents`: null or undefined follows doLowerCase. Default null. */
  stripAccents?: boolean | null;
  /** HF `tokenize_chinese_chars` / BertNormalizer `handle_chinese_chars`. Default true. */
  tokenizeChineseChars?: boolean;
  /** BertNormalizer `clean_text` (the slow tokenizer always cleans). Default true. */
  cleanText?: boolean;
  /** HF `do_basic_tokenize`: false runs WordPiece on whitespace-split text only. Default true. */
  doBasicTokenize?: boolean;
  /** HF `never_split`: words the basic tokenizer leaves whole (and WordPiece too). */
  neverSplit?: readonly string[];
  /** Special tokens (HF defaults). */
  unkToken?: string;
  clsToken?: string;
  sepToken?: string;
  padToken?: string;
  maskToken?: string;
  /** Extra special tokens: kept whole in the input, skipped by decode(…, {skipSpecialTokens}). */
  additionalSpecialTokens?: readonly string[];
  /** WordPiece `continuing_subword_prefix`. Default "##". */
  continuingSubwordPrefix?: string;
  /** WordPiece `max_input_chars_per_word`. Default 100. */
  maxInputCharsPerWord?: number;
  /** HF `model_max_length`: the length used by truncation / 'max_length' padding without maxLength. */
  modelMaxLength?: number;
  /** HF `clean_up_tokenization_spaces`: decode() default. Default false. */
  cleanUpTokenizationSpaces?: boolean;
}

/** Fill in HF's defaults. */
export interface ResolvedBertTokenizerOptions {
  doLowerCase: boolean;
  stripAccents: boolean | null;
  tokenizeChineseChars: boolean;
  cleanText: boolean;
  doBasicTokenize: boolean;
  neverSplit: readonly string[];
  unkToken: string;
  clsToken: string;
  sepToken: string;
  padToken: string;
  maskToken: string;
  additionalSpecialTokens: readonly string[];
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
  modelMaxLength: number | undefined;
  cleanUpTokenizationSpaces: boolean;
}

export function resolveOptions(o: BertTokenizerOptions = {}): ResolvedBertTokenizerOptions {
  return {
    doLowerCase: o.doLowerCase ?? true,
    stripAccents: o.stripAccents ?? null,
    tokenizeChineseChars: o.tokenizeChineseChars ?? true,
    cleanText: o.cleanText ?? true,
    doBasicTokenize: o.doBasicTokenize ?? true,
    neverSplit: [...(o.neverSplit ?? [])],
    unkToken: o.unkToken ?? '[UNK]',
    clsToken: o.clsToken ?? '[CLS]',
    sepToken: o.sepToken ?? '[SEP]',
    padToken: o.padToken ?? '[PAD]',
    maskToken: o.maskToken ?? '[MASK]',
    additionalSpecialTokens: [...(o.additionalSpecialTokens ?? [])],
    continuingSubwordPrefix: o.continuingSubwordPrefix ?? '##',
    maxInputCharsPerWord: o.maxInputCharsPerWord ?? 100,
    modelMaxLength: o.modelMaxLength,
    cleanUpTokenizationSpaces: o.cleanUpTokenizationSpaces ?? false
  };
}

/** Merge option sets; later ones win, undefined values do not override. */
export function mergeOptions(...sets: (BertTokenizerOptions | undefined)[]): BertTokenizerOptions {
  const out: Record<string, unknown> = {};
  for (const s of sets) {
    if (!s) continue;
    for (const [k, v] of Object.entries(s)) if (v !== undefined) out[k] = v;
  }
  return out as BertTokenizerOptions;
}
