// BERT parameters under their Hugging Face names ↔ a typed BertWeights object.
//
// Canonical names are those of transformers' BertForMaskedLM / BertForPreTraining state dicts:
//   bert.embeddings.{word,position,token_type}_embeddings.weight   [V,H] [P,H] [T,H]
//   bert.embeddings.LayerNorm.{weight,bias}                          [H]
//   bert.encoder.layer.{i}.attention.self.{query,key,value}.{weight,bias}   [H,H] [H]
//   bert.encoder.layer.{i}.attention.output.dense.{weight,bias}            [H,H] [H]
//   bert.encoder.layer.{i}.attention.output.LayerNorm.{weight,bias}        [H]
//   bert.encoder.layer.{i}.intermediate.dense.{weight,bias}                [F,H] [F]
//   bert.encoder.layer.{i}.output.dense.{weight,bias}                      [H,F] [H]
//   bert.encoder.layer.{i}.output.LayerNorm.{weight,bias}                  [H]
//   bert.pooler.dense.{weight,bias}                                        [H,H] [H]   (optional:
//       BertForMaskedLM is built with add_pooling_layer=False and saves none)
//   cls.predictions.bias                                                   [V]         (MLM head,
//   cls.predictions.transform.dense.{weight,bias}                          [H,H] [H]    optional
//   cls.predictions.transform.LayerNorm.{weight,bias}                      [H]          as a group)
//   cls.predictions.decoder.weight                                         [V,H]  tied to the word
//       embeddings when config.tie_word_embeddings (HF default) — usually absent from the file
//
// Linear weights are stored as in torch.nn.Linear: [out_features, in_features], y = x·Wᵀ + b.
// Accepted variants: names without the `bert.` prefix (a bare BertModel state dict) and the legacy
// TensorFlow-era `LayerNorm.gamma` / `LayerNorm.beta` for `LayerNorm.weight` / `LayerNorm.bias`.
// Known tensors this project does not use (the NSP head `cls.seq_relationship.*`, the
// `embeddings.position_ids` buffer of old checkpoints, `cls.predictions.decoder.bias`, which is
// the same parameter as `cls.predictions.bias`) are listed in `ignored`; any other extra tensor is
// reported in `unexpected` and `warnings`.

import type { BertConfig } from './bert-config';

export interface Param {
  data: Float32Array;
  shape: number[];
}

/** torch.nn.Linear: weight [out, in], bias [out] */
export interface LinearParams {
  weight: Param;
  bias: Param;
}

export interface LayerNormParams {
  weight: Param;
  bias: Param;
}

export interface BertEmbeddingWeights {
  word: Param;
  position: Param;
  tokenType: Param;
  layerNorm: LayerNormParams;
}

export interface BertLayerWeights {
  query: LinearParams;
  key: LinearParams;
  value: LinearParams;
  /** attention.output.dense */
  attentionOutput: LinearParams;
  /** attention.output.LayerNorm */
  attentionLayerNorm: LayerNormParams;
  /** intermediate.dense [F, H] */
  intermediate: LinearParams;
  /** output.dense [H, F] */
  output: LinearParams;
  /** output.LayerNorm */
  outputLayerNorm: LayerNormParams;
}

export interface BertMlmHeadWeights {
  /** cls.predictions.transform.dense */
  transform: LinearParams;
  /** cls.predictions.transform.LayerNorm */
  layerNorm: LayerNormParams;
  /** cls.predictions.bias [V] */
  bias: Param;
  /** cls.predictions.decoder.weight [V, H]; null when tied to the word embeddings */
  decoder: Param | null;
}

export interface BertWeights {
  config: BertConfig;
  embeddings: BertEmbeddingWeights;
  layers: BertLayerWeights[];
  /** null when the checkpoint has no pooler (e.g. saved from BertForMaskedLM) */
  pooler: LinearParams | null;
  /** null when the checkpoint has no MLM head (e.g. a bare BertModel) */
  mlm: BertMlmHeadWeights | null;
}

/** A tensor as loaded (e.g. from readSafetensors). */
export interface TensorLike {
  shape: number[];
  data: Float32Array | Int32Array;
  dtype?: string;
}

export interface BertWeightsResult {
  weights: BertWeights;
  /** human-readable notes: unexpected tensors, decoder weights that differ from the embeddings */
  warnings: string[];
  /** names (as found) that are not BERT parameters */
  unexpected: string[];
  /** names (as found) of known tensors this project does not use */
  ignored: string[];
}

export class BertWeightsError extends Error {
  override name = 'BertWeightsError';
  constructor(
    message: string,
    /** tensor names (as expected or as found) the problems are about */
    readonly tensors: string[]
  ) {
    super(message);
  }
}

export interface ExpectedTensor {
  /** canonical HF name, with the `bert.` prefix */
  name: string;
  shape: number[];
  group: 'encoder' | 'pooler' | 'mlm' | 'decoder';
}

const LAYER_LINEARS = [
  ['attention.self.query', 'H', 'H'],
  ['attention.self.key', 'H', 'H'],
  ['attention.self.value', 'H', 'H'],
  ['attention.output.dense', 'H', 'H'],
  ['intermediate.dense', 'F', 'H'],
  ['output.dense', 'H', 'F']
] as const;
const LAYER_NORMS = ['attention.output.LayerNorm', 'output.LayerNorm'] as const;

/**
 * Every tensor a full BertForMaskedLM-with-pooler checkpoint holds, in a fixed order, with the
 * shape the config implies. `groups` selects which optional parts to list (all by default).
 */
export function expectedBertTensors(
  config: BertConfig,
  groups: { pooler?: boolean; mlm?: boolean; decoder?: boolean } = {}
): ExpectedTensor[] {
  const { pooler = true, mlm = true, decoder = false } = groups;
  const H = config.hidden_size;
  const F = config.intermediate_size;
  const V = config.vocab_size;
  const dim = { H, F } as const;
  const out: ExpectedTensor[] = [];
  const add = (name: string, shape: number[], group: ExpectedTensor['group'] = 'encoder'): void => {
    out.push({ name, shape, group });
  };
  add('bert.embeddings.word_embeddings.weight', [V, H]);
  add('bert.embeddings.position_embeddings.weight', [config.max_position_embeddings, H]);
  add('bert.embeddings.token_type_embeddings.weight', [config.type_vocab_size, H]);
  add('bert.embeddings.LayerNorm.weight', [H]);
  add('bert.embeddings.LayerNorm.bias', [H]);
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const p = `bert.encoder.layer.${i}.`;
    for (const [mod, o, inp] of LAYER_LINEARS) {
      add(`${p}${mod}.weight`, [dim[o], dim[inp]]);
      add(`${p}${mod}.bias`, [dim[o]]);
      if (mod === 'attention.output.dense') {
        add(`${p}${LAYER_NORMS[0]}.weight`, [H]);
        add(`${p}${LAYER_NORMS[0]}.bias`, [H]);
      }
    }
    add(`${p}${LAYER_NORMS[1]}.weight`, [H]);
    add(`${p}${LAYER_NORMS[1]}.bias`, [H]);
  }
  if (pooler) {
    add('bert.pooler.dense.weight', [H, H], 'pooler');
    add('bert.pooler.dense.bias', [H], 'pooler');
  }
  if (mlm) {
    add('cls.predictions.bias', [V], 'mlm');
    add('cls.predictions.transform.dense.weight', [H, H], 'mlm');
    add('cls.predictions.transform.dense.bias', [H], 'mlm');
    add('cls.predictions.transform.LayerNorm.weight', [H], 'mlm');
    add('cls.predictions.transform.LayerNorm.bias', [H], 'mlm');
  }
  if (decoder) add('cls.predictions.decoder.weight', [V, H], 'decoder');
  return out;
}

/**
 * Maps a name as found in a checkpoint to its canonical form: adds the `bert.` prefix to bare
 * BertModel names and renames LayerNorm gamma/beta to weight/bias. Other names pass unchanged.
 */
export function canonicalBertName(name: string): string {
  let n = name;
  if (/^(embeddings|encoder|pooler)\./.test(n)) n = `bert.${n}`;
  n = n.replace(/LayerNorm\.gamma$/, 'LayerNorm.weight').replace(/LayerNorm\.beta$/, 'LayerNorm.bias');
  return n;
}

const IGNORED_CANONICAL = new Set([
  'bert.embeddings.position_ids',
  'cls.seq_relationship.weight',
  'cls.seq_relationship.bias',
  'cls.predictions.decoder.bias'
]);

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * Checks a set of named tensors against the config and groups them into BertWeights. Every
 * expected tensor must be present with the expected shape and a floating-point dtype; problems
 * are collected and thrown together in one BertWeightsError that names each tensor with its
 * expected and found shape. The arrays are used as they are (not copied).
 */
export function bertWeightsFromTensors(
  config: BertConfig,
  tensors: Record<string, TensorLike> | Map<string, TensorLike>,
  options: { source?: string } = {}
): BertWeightsResult {
  const source = options.source ?? 'checkpoint';
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const problems: string[] = [];
  const problemTensors: string[] = [];
  const warnings: string[] = [];
  const unexpected: string[] = [];
  const ignored: string[] = [];

  // canonical name → [name as found, tensor]
  const byCanonical = new Map<string, [string, TensorLike]>();
  for (const [found, t] of entries) {
    const c = canonicalBertName(found);
    const prior = byCanonical.get(c);
    if (prior) {
      problems.push(`tensors "${prior[0]}" and "${found}" are both ${c}`);
      problemTensors.push(found);
      continue;
    }
    byCanonical.set(c, [found, t]);
  }

  const expected = expectedBertTensors(config, { pooler: true, mlm: true, decoder: true });
  const expectedNames = new Set(expected.map((e) => e.name));
  for (const [c, [found]] of byCanonical) {
    if (expectedNames.has(c)) continue;
    if (IGNORED_CANONICAL.has(c)) ignored.push(found);
    else unexpected.push(found);
  }
  if (unexpected.length > 0) {
    warnings.push(`${source}: ${unexpected.length} unexpected tensor(s) ignored: ${unexpected.join(', ')}`);
  }

  const presentGroup = (group: ExpectedTensor['group']): boolean =>
    expected.some((e) => e.group === group && byCanonical.has(e.name));
  const hasPooler = presentGroup('pooler');
  const hasMlm = presentGroup('mlm') || byCanonical.has('cls.predictions.decoder.bias');
  const hasDecoder = byCanonical.has('cls.predictions.decoder.weight');

  // A missing cls.predictions.bias may be stored under its alias cls.predictions.decoder.bias.
  if (hasMlm && !byCanonical.has('cls.predictions.bias') && byCanonical.has('cls.predictions.decoder.bias')) {
    byCanonical.set('cls.predictions.bias', byCanonical.get('cls.predictions.decoder.bias')!);
    const i = ignored.indexOf(byCanonical.get('cls.predictions.decoder.bias')![0]);
    if (i >= 0) ignored.splice(i, 1);
  }

  const params = new Map<string, Param>();
  for (const e of expected) {
    if (e.group === 'pooler' && !hasPooler) continue;
    if (e.group === 'mlm' && !hasMlm) continue;
    const hit = byCanonical.get(e.name);
    if (e.group === 'decoder') {
      if (!hit && hasMlm && !config.tie_word_embeddings) {
        problems.push(`missing tensor ${e.name} (expected shape ${fmt(e.shape)}; tie_word_embeddings is false)`);
        problemTensors.push(e.name);
      }
      if (!hit) continue;
    }
    if (!hit) {
      const why =
        e.group === 'pooler'
          ? ' (the pooler is optional, but the checkpoint has only part of it)'
          : e.group === 'mlm'
            ? ' (the MLM head is optional, but the checkpoint has only part of it)'
            : '';
      problems.push(`missing tensor ${e.name} (expected shape ${fmt(e.shape)})${why}`);
      problemTensors.push(e.name);
      continue;
    }
    const [found, t] = hit;
    if (!sameShape(t.shape, e.shape)) {
      problems.push(`tensor ${found}: expected shape ${fmt(e.shape)}, found ${fmt(t.shape)}`);
      problemTensors.push(found);
      continue;
    }
    if (!(t.data instanceof Float32Array)) {
      problems.push(`tensor ${found}: expected a floating-point dtype, found ${t.dtype ?? 'integer data'}`);
      problemTensors.push(found);
      continue;
    }
    params.set(e.name, { data: t.data, shape: t.shape.slice() });
  }

  if (problems.length > 0) {
    throw new BertWeightsError(
      `${source}: ${problems.length} problem(s) with the BERT weights (config: layers ${config.num_hidden_layers}, ` +
        `hidden ${config.hidden_size}, ffn ${config.intermediate_size}, vocab ${config.vocab_size}):\n  ` +
        problems.join('\n  '),
      problemTensors
    );
  }

  const get = (name: string): Param => params.get(name)!;
  const linear = (prefix: string): LinearParams => ({ weight: get(`${prefix}.weight`), bias: get(`${prefix}.bias`) });
  const layers: BertLayerWeights[] = [];
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const p = `bert.encoder.layer.${i}.`;
    layers.push({
      query: linear(`${p}attention.self.query`),
      key: linear(`${p}attention.self.key`),
      value: linear(`${p}attention.self.value`),
      attentionOutput: linear(`${p}attention.output.dense`),
      attentionLayerNorm: linear(`${p}attention.output.LayerNorm`),
      intermediate: linear(`${p}intermediate.dense`),
      output: linear(`${p}output.dense`),
      outputLayerNorm: linear(`${p}output.LayerNorm`)
    });
  }
  const word = get('bert.embeddings.word_embeddings.weight');
  let mlm: BertMlmHeadWeights | null = null;
  if (hasMlm) {
    let decoder: Param | null = params.get('cls.predictions.decoder.weight') ?? null;
    if (decoder && config.tie_word_embeddings) {
      const d = maxAbsDiff(decoder.data, word.data);
      if (d !== 0) {
        warnings.push(
          `${source}: ${byCanonical.get('cls.predictions.decoder.weight')![0]} differs from the word embeddings ` +
            `(max |diff| ${d}) but tie_word_embeddings is true, so the word embeddings are used (as Hugging Face does)`
        );
      }
      decoder = null;
    }
    mlm = {
      transform: linear('cls.predictions.transform.dense'),
      layerNorm: linear('cls.predictions.transform.LayerNorm'),
      bias: get('cls.predictions.bias'),
      decoder
    };
  } else if (hasDecoder) {
    warnings.push(`${source}: cls.predictions.decoder.weight found without the rest of the MLM head; ignored`);
  }
  const weights: BertWeights = {
    config,
    embeddings: {
      word,
      position: get('bert.embeddings.position_embeddings.weight'),
      tokenType: get('bert.embeddings.token_type_embeddings.weight'),
      layerNorm: linear('bert.embeddings.LayerNorm')
    },
    layers,
    pooler: hasPooler ? linear('bert.pooler.dense') : null,
    mlm
  };
  return { weights, warnings, unexpected, ignored };
}

export interface ToTensorsOptions {
  /** write `bert.`-prefixed names (default true; false gives bare BertModel names for the encoder) */
  prefix?: boolean;
  /**
   * also write cls.predictions.decoder.weight when it is tied to the word embeddings (default
   * false: like HF's save_pretrained, tied weights are stored once)
   */
  includeTiedDecoder?: boolean;
}

/** The inverse of bertWeightsFromTensors: HF-named F32 tensors ready for writeSafetensors. */
export function bertWeightsToTensors(
  weights: BertWeights,
  options: ToTensorsOptions = {}
): Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> {
  const { prefix = true, includeTiedDecoder = false } = options;
  const out: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  const put = (name: string, p: Param): void => {
    const n = prefix || !name.startsWith('bert.') ? name : name.slice('bert.'.length);
    out[n] = { dtype: 'F32', shape: p.shape.slice(), data: p.data };
  };
  const putLinear = (name: string, l: LinearParams | LayerNormParams): void => {
    put(`${name}.weight`, l.weight);
    put(`${name}.bias`, l.bias);
  };
  const e = weights.embeddings;
  put('bert.embeddings.word_embeddings.weight', e.word);
  put('bert.embeddings.position_embeddings.weight', e.position);
  put('bert.embeddings.token_type_embeddings.weight', e.tokenType);
  putLinear('bert.embeddings.LayerNorm', e.layerNorm);
  weights.layers.forEach((l, i) => {
    const p = `bert.encoder.layer.${i}.`;
    putLinear(`${p}attention.self.query`, l.query);
    putLinear(`${p}attention.self.key`, l.key);
    putLinear(`${p}attention.self.value`, l.value);
    putLinear(`${p}attention.output.dense`, l.attentionOutput);
    putLinear(`${p}attention.output.LayerNorm`, l.attentionLayerNorm);
    putLinear(`${p}intermediate.dense`, l.intermediate);
    putLinear(`${p}output.dense`, l.output);
    putLinear(`${p}output.LayerNorm`, l.outputLayerNorm);
  });
  if (weights.pooler) putLinear('bert.pooler.dense', weights.pooler);
  if (weights.mlm) {
    put('cls.predictions.bias', weights.mlm.bias);
    putLinear('cls.predictions.transform.dense', weights.mlm.transform);
    putLinear('cls.predictions.transform.LayerNorm', weights.mlm.layerNorm);
    if (weights.mlm.decoder) put('cls.predictions.decoder.weight', weights.mlm.decoder);
    else if (includeTiedDecoder) put('cls.predictions.decoder.weight', e.word);
  }
  return out;
}

/** The matrix the MLM decoder multiplies by: its own weight, or the tied word embeddings. */
export function mlmDecoderWeight(weights: BertWeights): Param {
  return weights.mlm?.decoder ?? weights.embeddings.word;
}
