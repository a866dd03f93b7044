// Read a Hugging Face `tokenizer.json` (tokenizers library format) for a BERT WordPiece tokenizer.
//
// Used fields:
//   model          {"type": "WordPiece", "vocab": {token: id}, "unk_token", "continuing_subword_prefix",
//                   "max_input_chars_per_word"}
//   normalizer     {"type": "BertNormalizer", "clean_text", "handle_chinese_chars", "strip_accents",
//                   "lowercase"} (also alone inside {"type": "Sequence", "normalizers": [...]}), or null
//                   (no normalisation: no cleaning, no CJK splitting, no lowercasing, no accent stripping)
//   pre_tokenizer  must be BertPreTokenizer when present (splits on whitespace and punctuation)
//   added_tokens   [{"id", "content", "special", ...}]: matched whole in the raw input
//   post_processor BertProcessing {"cls": [tok, id], "sep": [tok, id]} or TemplateProcessing: the
//                  [CLS]/[SEP] tokens
//   padding        {"pad_token"} when present
// Anything else a BERT tokenizer.json holds (truncation, decoder) is not needed here. Other model,
// normaliser or pre-tokenizer types are errors: this tokenizer would not reproduce them.

import { TokenizerError } from './errors';
import { parseJsonObject } from './hf-config';
import type { BertTokenizerOptions } from './options';
import { Vocab } from './vocab';

export interface AddedTokenInfo {
  id: number;
  content: string;
  special: boolean;
}

export interface ParsedTokenizerJson {
  vocab: Vocab;
  options: BertTokenizerOptions;
  addedTokens: AddedTokenInfo[];
}

type Json = Record<string, unknown>;

const SOURCE = 'tokenizer.json';

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function optBool(obj: Json, key: string, where: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new TokenizerError(`${SOURCE}: ${where}.${key} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function normalizerOptions(n: unknown): BertTokenizerOptions {
  if (n === null || n === undefined) {
    return { cleanText: false, tokenizeChineseChars: false, doLowerCase: false, stripAccents: false };
  }
  if (!isObject(n)) throw new TokenizerError(`${SOURCE}: "normalizer" must be an object or null`);
  if (n.type === 'Sequence' && Array.isArray(n.normalizers) && n.normalizers.length === 1) {
    return normalizerOptions(n.normalizers[0]);
  }
  if (n.type !== 'BertNormalizer') {
    throw new TokenizerError(
      `${SOURCE}: normalizer type ${JSON.stringify(n.type)} is not supported (only BertNormalizer)`
    );
  }
  const strip = n.strip_accents;
  if (strip !== undefined && strip !== null && typeof strip !== 'boolean') {
    throw new TokenizerError(`${SOURCE}: normalizer.strip_accents must be true, false or null, got ${JSON.stringify(strip)}`);
  }
  // tokenizers' BertNormalizer defaults: clean_text, handle_chinese_chars and lowercase true.
  return {
    cleanText: optBool(n, 'clean_text', 'normalizer') ?? true,
    tokenizeChineseChars: optBool(n, 'handle_chinese_chars', 'normalizer') ?? true,
    doLowerCase: optBool(n, 'lowercase', 'normalizer') ?? true,
    stripAccents: strip ?? null
  };
}

function specialFromPostProcessor(p: unknown): { clsToken?: string; sepToken?: string } {
  if (!isObject(p)) return {};
  if (p.type === 'BertProcessing') {
    const cls = Array.isArray(p.cls) && typeof p.cls[0] === 'string' ? p.cls[0] : undefined;
    const sep = Array.isArray(p.sep) && typeof p.sep[0] === 'string' ? p.sep[0] : undefined;
    return { clsToken: cls, sepToken: sep };
  }
  if (p.type === 'TemplateProcessing' && Array.isArray(p.single)) {
    const specials = p.single
      .map((piece) => (isObject(piece) && isObject(piece.SpecialToken) ? piece.SpecialToken.id : undefined))
      .filter((id): id is string => typeof id === 'string');
    if (specials.length >= 2) return { clsToken: specials[0], sepToken: specials[specials.length - 1] };
  }
  return {};
}

export function parseTokenizerJson(text: string | object): ParsedTokenizerJson {
  const root = parseJsonObject(text, SOURCE);
  const model = root.model;
  if (!isObject(model)) throw new TokenizerError(`${SOURCE}: missing the "model" object`);
  if (model.type !== undefined && model.type !== 'WordPiece') {
    throw new TokenizerError(`${SOURCE}: model type ${JSON.stringify(model.type)} is not supported (only WordPiece)`);
  }
  if (!isObject(model.vocab)) {
    throw new TokenizerError(`${SOURCE}: "model.vocab" must be an object mapping token to id`);
  }
  const vocab = Vocab.fromTokenMap(model.vocab, SOURCE);

  const pre = root.pre_tokenizer;
  if (pre !== undefined && pre !== null && !(isObject(pre) && pre.type === 'BertPreTokenizer')) {
    const type = isObject(pre) ? pre.type : pre;
    throw new TokenizerError(`${SOURCE}: pre_tokenizer type ${JSON.stringify(type)} is not supported (only BertPreTokenizer)`);
  }

  const options: BertTokenizerOptions = normalizerOptions(root.normalizer);
  if (model.unk_token !== undefined) {
    if (typeof model.unk_token !== 'string') throw new TokenizerError(`${SOURCE}: model.unk_token must be a string`);
    options.unkToken = model.unk_token;
  }
  if (model.continuing_subword_prefix !== undefined && model.continuing_subword_prefix !== null) {
    if (typeof model.continuing_subword_prefix !== 'string') {
      throw new TokenizerError(`${SOURCE}: model.continuing_subword_prefix must be a string`);
    }
    options.continuingSubwordPrefix = model.continuing_subword_prefix;
  }
  if (model.max_input_chars_per_word !== undefined && model.max_input_chars_per_word !== null) {
    const m = model.max_input_chars_per_word;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 0) {
      throw new TokenizerError(`${SOURCE}: model.max_input_chars_per_word must be a non-negative integer, got ${JSON.stringify(m)}`);
    }
    options.maxInputCharsPerWord = m;
  }
  Object.assign(options, specialFromPostProcessor(root.post_processor));
  if (isObject(root.padding) && typeof root.padding.pad_token === 'string') options.padToken = root.padding.pad_token;

  const addedTokens: AddedTokenInfo[] = [];
  if (root.added_tokens !== undefined && root.added_tokens !== null) {
    if (!Array.isArray(root.added_tokens)) throw new TokenizerError(`${SOURCE}: "added_tokens" must be a list`);
    root.added_tokens.forEach((t: unknown, i: number) => {
      if (!isObject(t) || typeof t.content !== 'string' || typeof t.id !== 'number' || !Number.isSafeInteger(t.id) || t.id < 0) {
        throw new TokenizerError(`${SOURCE}: added_tokens[${i}] must have a string "content" and a non-negative integer "id"`);
      }
      addedTokens.push({ id: t.id, content: t.content, special: t.special === true });
    });
  }
  return { vocab, options, addedTokens };
}
