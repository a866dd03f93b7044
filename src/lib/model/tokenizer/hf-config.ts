// Tokenizer options from Hugging Face's `tokenizer_config.json` (and, as a fallback for the same
// keys, the model's `config.json`).
//
// Keys read (anything else is ignored):
//   do_lower_case, strip_accents, tokenize_chinese_chars, do_basic_tokenize, never_split,
//   unk_token, cls_token, sep_token, pad_token, mask_token (a string or an AddedToken object
//   {"content": …}), additional_special_tokens, model_max_length (or legacy max_len; HF writes
//   int(1e30) for "no limit", read as no limit), clean_up_tokenization_spaces.
// A key present with the wrong type is an error naming the file and the key.

import { TokenizerError } from './errors';
import { mergeOptions, type BertTokenizerOptions } from './options';

type Json = Record<string, unknown>;

/** Anything above this is HF's VERY_LARGE_INTEGER placeholder, i.e. "no limit". */
const NO_LIMIT = 1e18;

/** Parse JSON text (or take an already parsed object) and require a JSON object. */
export function parseJsonObject(input: string | object, source: string): Json {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new TokenizerError(`${source}: not valid JSON (${(e as Error).message})`);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TokenizerError(`${source}: expected a JSON object at the top level`);
  }
  return value as Json;
}

function bool(cfg: Json, key: string, source: string): boolean | undefined {
  const v = cfg[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new TokenizerError(`${source}: "${key}" must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function boolOrNull(cfg: Json, key: string, source: string): boolean | null | undefined {
  const v = cfg[key];
  if (v === undefined) return undefined;
  if (v !== null && typeof v !== 'boolean') {
    throw new TokenizerError(`${source}: "${key}" must be true, false or null, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** A token given as "[MASK]" or as an AddedToken object {"content": "[MASK]", …}. */
export function tokenContent(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && !Array.isArray(v) && typeof (v as Json).content === 'string') {
    return (v as Json).content as string;
  }
  throw new TokenizerError(`${where} must be a string or an object with a string "content", got ${JSON.stringify(v)}`);
}

function tokenList(cfg: Json, key: string, source: string): string[] | undefined {
  const v = cfg[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new TokenizerError(`${source}: "${key}" must be a list, got ${JSON.stringify(v)}`);
  return v.map((t, i) => {
    const s = tokenContent(t, `${source}: "${key}"[${i}]`);
    if (s === undefined) throw new TokenizerError(`${source}: "${key}"[${i}] is null`);
    return s;
  });
}

function maxLength(cfg: Json, source: string): number | undefined {
  for (const key of ['model_max_length', 'max_len']) {
    const v = cfg[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new TokenizerError(`${source}: "${key}" must be a positive number, got ${JSON.stringify(v)}`);
    }
    return v >= NO_LIMIT ? undefined : Math.floor(v);
  }
  return undefined;
}

function fromOne(cfg: Json, source: string, full: boolean): BertTokenizerOptions {
  const o: BertTokenizerOptions = {
    doLowerCase: bool(cfg, 'do_lower_case', source),
    stripAccents: boolOrNull(cfg, 'strip_accents', source),
    tokenizeChineseChars: bool(cfg, 'tokenize_chinese_chars', source)
  };
  if (!full) return o;
  return {
    ...o,
    doBasicTokenize: bool(cfg, 'do_basic_tokenize', source),
    neverSplit: tokenList(cfg, 'never_split', source),
    unkToken: tokenContent(cfg.unk_token, `${source}: "unk_token"`),
    clsToken: tokenContent(cfg.cls_token, `${source}: "cls_token"`),
    sepToken: tokenContent(cfg.sep_token, `${source}: "sep_token"`),
    padToken: tokenContent(cfg.pad_token, `${source}: "pad_token"`),
    maskToken: tokenContent(cfg.mask_token, `${source}: "mask_token"`),
    additionalSpecialTokens: tokenList(cfg, 'additional_special_tokens', source),
    modelMaxLength: maxLength(cfg, source),
    cleanUpTokenizationSpaces: bool(cfg, 'clean_up_tokenization_spaces', source)
  };
}

/**
 * Options from `tokenizer_config.json` and/or the model's `config.json` (JSON text or parsed
 * objects; either may be omitted). The tokenizer config wins over the model config.
 */
export function optionsFromHfConfig(
  tokenizerConfig?: string | object | null,
  modelConfig?: string | object | null
): BertTokenizerOptions {
  const model =
    modelConfig == null ? undefined : fromOne(parseJsonObject(modelConfig, 'config.json'), 'config.json', false);
  const tok =
    tokenizerConfig == null
      ? undefined
      : fromOne(parseJsonObject(tokenizerConfig, 'tokenizer_config.json'), 'tokenizer_config.json', true);
  return mergeOptions(model, tok);
}
