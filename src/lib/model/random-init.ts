// Random BERT weights initialised like Hugging Face (normal(0, initializer_range) for
// matrices and embeddings, zero biases, LayerNorm weight 1 and bias 0), from a seed.
// Used by benchmarks and as the starting point of pretraining.

import { SeededRandom } from '../util/seeded-random';
import type { BertConfig } from './checkpoint/bert-config';
import type { BertWeights, LinearParams, LayerNormParams, Param } from './checkpoint/bert-weights';

export function randomBertWeights(config: BertConfig, seed: number, opts: { pooler?: boolean; mlm?: boolean } = {}): BertWeights {
  const r = new SeededRandom(seed);
  const std = config.initializer_range;
  const normal = (shape: number[]): Param => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = std * r.normal();
    return { data, shape };
  };
  const constant = (shape: number[], v: number): Param => ({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(v), shape });
  const linear = (out: number, inp: number): LinearParams => ({ weight: normal([out, inp]), bias: constant([out], 0) });
  const norm = (n: number): LayerNormParams => ({ weight: constant([n], 1), bias: constant([n], 0) });
  const H = config.hidden_size;
  const F = config.intermediate_size;
  const word = normal([config.vocab_size, H]);
  // HF zeroes the padding row of the word embeddings (nn.Embedding padding_idx).
  word.data.fill(0, config.pad_token_id * H, (config.pad_token_id + 1) * H);
  return {
    config,
    embeddings: {
      word,
      position: normal([config.max_position_embeddings, H]),
      tokenType: normal([config.type_vocab_size, H]),
      layerNorm: norm(H)
    },
    layers: Array.from({ length: config.num_hidden_layers }, () => ({
      query: linear(H, H),
      key: linear(H, H),
      value: linear(H, H),
      attentionOutput: linear(H, H),
      attentionLayerNorm: norm(H),
      intermediate: linear(F, H),
      output: linear(H, F),
      outputLayerNorm: norm(H)
    })),
    pooler: opts.pooler === false ? null : linear(H, H),
    mlm:
      opts.mlm === false
        ? null
        : { transform: linear(H, H), layerNorm: norm(H), bias: constant([config.vocab_size], 0), decoder: null }
  };
}
