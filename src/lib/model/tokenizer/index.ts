// WordPiece tokenizer faithful to Hugging Face's BertTokenizer (browser-safe: no Node built-ins).
// Entry points: BertTokenizer.fromVocabText(text, options) and BertTokenizer.fromTokenizerJson(text,
// options); optionsFromHfConfig(tokenizerConfig, modelConfig) reads tokenizer_config.json / config.json.

export {
  BertTokenizer,
  cleanUpTokenization,
  type BatchItem,
  type BertBatchEncoding,
  type BertEncoding,
  type DecodeOptions,
  type EncodeOptions,
  type PaddingStrategy
} from './bert-tokenizer';
export { BasicTokenizer, type BasicTokenizerOptions } from './basic-tokenizer';
export { WordPiece, type WordPieceOptions } from './wordpiece';
export { Vocab } from './vocab';
export { TokenizerError } from './errors';
export { optionsFromHfConfig } from './hf-config';
export { parseTokenizerJson, type AddedTokenInfo, type ParsedTokenizerJson } from './tokenizer-json';
export { truncateSequences, type TruncationStrategy } from './truncation';
export type { BertTokenizerOptions, ResolvedBertTokenizerOptions } from './options';
