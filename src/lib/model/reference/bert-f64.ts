// Float64 CPU reference of Hugging Face BertModel (+ pooler) and the BertForMaskedLM head, in
// inference mode (dropout is the identity), eager attention. The ground truth the GPU encoder
// is tested against; it favours clarity over speed.
//
// How we know it matches HF: each step below was written against transformers'
// src/transformers/models/bert/modeling_bert.py, class by class (names are the HF ones):
//
//  BertEmbeddings.forward
//    position_ids = arange(T) (the registered `position_ids` buffer sliced to the sequence length,
//    past_key_values_length = 0); token_type_ids default to zeros;
//    embeddings = word_embeddings(input_ids) + token_type_embeddings(token_type_ids)
//                 + position_embeddings(position_ids)        ("absolute" position embeddings)
//    embeddings = LayerNorm(embeddings)                         (eps = config.layer_norm_eps)
//  BertModel.forward → get_extended_attention_mask (modeling_utils.py)
//    extended = attention_mask[:, None, None, :];  extended = (1.0 - extended) * finfo(dtype).min
//    The model's dtype is float32, so the additive mask is (1 - m) · (−3.4028234663852886e38),
//    broadcast over heads and query positions (a key-padding mask). attention_mask defaults to ones.
//  BertSelfAttention.forward (eager)
//    Q, K, V = query/key/value Linear (y = x·Wᵀ + b, W stored [out, in]);
//    transpose_for_scores views [B, T, H] as [B, T, heads, head_dim] → heads are contiguous slices
//    of the hidden dimension (head h owns columns h·d … h·d+d−1);
//    scores = Q·Kᵀ / sqrt(head_dim) + extended_mask;  probs = softmax(scores, dim=−1);
//    context = probs·V, permuted back to [B, T, heads·head_dim].
//    (Newer versions write scores = Q·Kᵀ · head_dim^−0.5 in eager_attention_forward: the same
//    number up to rounding.)
//  BertSelfOutput.forward:   LayerNorm(dense(context) + hidden_states)
//  BertIntermediate.forward: gelu(dense(attention_output))  — ACT2FN["gelu"] is the exact erf GELU
//                            0.5·x·(1 + erf(x/√2)) (GELUActivation → nn.functional.gelu)
//  BertOutput.forward:       LayerNorm(dense(intermediate) + attention_output)
//  BertPooler.forward:       tanh(dense(hidden_states[:, 0]))
//  BertLMPredictionHead (cls.predictions):
//    transform = LayerNorm(gelu(dense(h)));  logits = transform·decoderᵀ + cls.predictions.bias,
//    decoder tied to word_embeddings when config.tie_word_embeddings (the default).
//  nn.LayerNorm: (x − mean) / sqrt(var + eps) · weight + bias, var the biased (population)
//    variance over the hidden dimension.
//
// Differences from running HF in float32: every intermediate is float64 (the weights, float32,
// convert exactly). A fully masked row stays uniform as in HF: adding −3.4e38 absorbs the scores
// in float64 too (the spacing of doubles near 3.4e38 is about 7.6e22). GELU is evaluated as
// 0.5·x·erfc(−x/√2), the same function without the cancellation of 1 + erf for negative x.
//
// Layouts: row-major Float64Array, last_hidden_state [B, T, H], pooler_output [B, H],
// mlm logits [B, T, V], attentions [B, heads, T, T].
//
// Parameter-efficient tuning (optional inputs; none of them is part of HF BertModel, they follow
// the papers and src/lib/peft; S = P + T below):
//  soft prompt (Lester et al. 2021), prompt [P, H] shared by the batch: the word embeddings of
//    the sequence become [prompt; word_embeddings(input_ids)] (S rows); positions run 0…S−1,
//    token types are 0 on the prompt rows; prompt keys are always attended. Outputs cover all S
//    positions (last_hidden_state [B, S, H], the pooler reads position 0, the first prompt row).
//  prefix tuning (Li & Liang 2021; P-tuning v2), per layer ℓ key/value prefixes Kₚ,ℓ, Vₚ,ℓ [Pk, H]:
//    K_ℓ = [Kₚ,ℓ; X W_kᵀ + b_k],  V_ℓ = [Vₚ,ℓ; X W_vᵀ + b_v]  ([B, Pk + S, H]); prefix keys are
//    always attended; queries (and every output) stay the S sequence positions. The prefixes are
//    the same for every example and are split into heads like any key/value (head h owns
//    columns h·d … h·d+d−1). attentions are then [B, heads, S, Pk + S].
//  LoRA (Hu et al. 2021), per layer and projection (query/key/value) A [r, H], B [H, r]:
//    y = x W_projᵀ + b + (α/r) · (x Aᵀ) Bᵀ, for every row x of the layer input.

import type { BertWeights, LayerNormParams, LinearParams } from '../checkpoint/bert-weights';

/** torch.finfo(torch.float32).min, the additive mask value HF uses for a float32 model. */
export const FLOAT32_MIN = -3.4028234663852886e38;

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π
const ONE_OVER_SQRT_PI = 0.5641895835477563; // 1/√π

/**
 * erfc(x) for x ≥ 1.5 by its continued fraction (Abramowitz & Stegun 7.1.14)
 *   erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
 * evaluated with the modified Lentz algorithm to relative accuracy ~1e-16.
 */
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x; // b0
  let c = f;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    c = x + a / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (Math.exp(-x * x) * ONE_OVER_SQRT_PI) / f;
}

/**
 * erf(x) for |x| < 2.5 by the series of positive terms (A&S 7.1.6)
 *   erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3·5···(2n+1))
 * which has no cancellation (unlike the alternating Maclaurin series).
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 0; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 3);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** The error function in float64, accurate to about 1e-16 (tested against known values). */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) return erfSeries(x);
  if (ax > 6.5) return Math.sign(x); // erfc(6.5) < 4e-20
  const r = 1 - erfcContinuedFraction(ax);
  return x < 0 ? -r : r;
}

/**
 * The complementary error function 1 − erf(x), accurate in relative terms (about 1e-15) for
 * positive x too: the continued fraction from |x| ≥ 1.5 (about 90 terms there), 1 − erf below.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 1.5) return x > 27.3 ? 0 : erfcContinuedFraction(x);
  if (x <= -1.5) return x < -6.5 ? 2 : 2 - erfcContinuedFraction(-x);
  return 1 - erfSeries(x);
}

/** Exact (erf) GELU: 0.5·x·(1 + erf(x/√2)), computed as 0.5·x·erfc(−x/√2). */
export function geluErf(x: number): number {
  return 0.5 * x * erfc(-x * Math.SQRT1_2);
}

/** y[r, o] = Σᵢ x[r, i]·W[o, i] + b[o], W stored [out, in] like torch.nn.Linear. */
export function linearF64(x: Float64Array, rows: number, p: LinearParams): Float64Array {
  const [out, inp] = p.weight.shape;
  if (x.length !== rows * inp) {
    throw new Error(`linearF64: input has ${x.length} values, expected ${rows} × ${inp}`);
  }
  const w = p.weight.data;
  const b = p.bias.data;
  const y = new Float64Array(rows * out);
  for (let r = 0; r < rows; r++) {
    const xo = r * inp;
    for (let o = 0; o < out; o++) {
      const wo = o * inp;
      let s = 0;
      for (let i = 0; i < inp; i++) s += x[xo + i] * w[wo + i];
      y[r * out + o] = s + b[o];
    }
  }
  return y;
}

/** LayerNorm over the last dimension (size dim) of each of `rows` rows, biased variance. */
export function layerNormF64(x: Float64Array, rows: number, p: LayerNormParams, eps: number): Float64Array {
  const dim = p.weight.shape[0];
  const w = p.weight.data;
  const b = p.bias.data;
  const y = new Float64Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let mean = 0;
    for (let i = 0; i < dim; i++) mean += x[o + i];
    mean /= dim;
    let v = 0;
    for (let i = 0; i < dim; i++) v += (x[o + i] - mean) ** 2;
    v /= dim;
    const inv = 1 / Math.sqrt(v + eps);
    for (let i = 0; i < dim; i++) y[o + i] = (x[o + i] - mean) * inv * w[i] + b[i];
  }
  return y;
}

/** Softmax of `row` in place (max subtracted first). */
export function softmaxInPlace(row: Float64Array): void {
  let m = -Infinity;
  for (let i = 0; i < row.length; i++) m = Math.max(m, row[i]);
  let s = 0;
  for (let i = 0; i < row.length; i++) {
    row[i] = Math.exp(row[i] - m);
    s += row[i];
  }
  for (let i = 0; i < row.length; i++) row[i] /= s;
}

/** One LoRA update: A [r, H] and B [H, r], both row-major. */
export interface BertF64LoraPair {
  a: ArrayLike<number>;
  b: ArrayLike<number>;
}

export type BertF64Projection = 'query' | 'key' | 'value';

export interface BertF64Lora {
  /** r */
  rank: number;
  /** α (the update is scaled by α/r) */
  alpha: number;
  /** one entry per layer; a missing projection has no update */
  layers: Partial<Record<BertF64Projection, BertF64LoraPair>>[];
}

export interface BertF64Inputs {
  /** [B][T] token ids */
  inputIds: number[][];
  /** [B][T]; zeros when omitted */
  tokenTypeIds?: number[][];
  /** [B][T], 1 = attend, 0 = padding; ones when omitted */
  attentionMask?: number[][];
  /** soft prompt, row-major [P, H], shared by the batch (see the header comment) */
  prompt?: ArrayLike<number>;
  /** prefix tuning: one entry per layer, key and value prefixes each row-major [Pk, H] */
  prefix?: { key: ArrayLike<number>; value: ArrayLike<number> }[];
  /** LoRA updates of the projections */
  lora?: BertF64Lora;
}

export interface BertF64Options {
  /** compute the MLM logits (default: when the weights have an MLM head) */
  mlm?: boolean;
  /** compute the pooler output (default: when the weights have a pooler) */
  pooler?: boolean;
  /** also return the embedding output and every layer's output */
  outputHiddenStates?: boolean;
  /** also return every layer's attention probabilities */
  outputAttentions?: boolean;
}

export interface BertF64Outputs {
  batch: number;
  /** sequence positions of the outputs: soft-prompt rows + tokens */
  seq: number;
  hidden: number;
  vocab: number;
  /** [B, T, H] (T counts the soft-prompt rows when there is a prompt) */
  lastHiddenState: Float64Array;
  /** [B, H], or null when not computed */
  poolerOutput: Float64Array | null;
  /** [B, T, V], or null when not computed */
  mlmLogits: Float64Array | null;
  /** with outputHiddenStates: embedding output then each layer's output, each [B, T, H] */
  hiddenStates?: Float64Array[];
  /** with outputAttentions: each layer's probabilities [B, heads, T, Pk + T] (Pk = prefix length, 0 without) */
  attentions?: Float64Array[];
}

function checkMatrix(name: string, m: number[][], B: number, T: number, limit: number | null): void {
  if (m.length !== B) throw new Error(`bertForwardF64: ${name} has ${m.length} rows, input_ids has ${B}`);
  m.forEach((row, b) => {
    if (row.length !== T) throw new Error(`bertForwardF64: ${name}[${b}] has length ${row.length}, expected ${T}`);
    if (limit !== null) {
      row.forEach((v, t) => {
        if (!Number.isInteger(v) || v < 0 || v >= limit) {
          throw new Error(`bertForwardF64: ${name}[${b}][${t}] = ${v} is outside [0, ${limit})`);
        }
      });
    }
  });
}

/** HF BertModel (+ pooler, + MLM head) forward in float64. See the header comment. */
export function bertForwardF64(weights: BertWeights, inputs: BertF64Inputs, options: BertF64Options = {}): BertF64Outputs {
  const cfg = weights.config;
  const H = cfg.hidden_size;
  const V = cfg.vocab_size;
  const nHeads = cfg.num_attention_heads;
  const d = H / nHeads;
  const eps = cfg.layer_norm_eps;
  const B = inputs.inputIds.length;
  if (B === 0) throw new Error('bertForwardF64: empty batch');
  const T = inputs.inputIds[0].length;
  if (T === 0) throw new Error('bertForwardF64: empty sequence');
  if (T > cfg.max_position_embeddings) {
    throw new Error(`bertForwardF64: sequence length ${T} exceeds max_position_embeddings ${cfg.max_position_embeddings}`);
  }
  checkMatrix('input_ids', inputs.inputIds, B, T, V);
  const tokenTypes = inputs.tokenTypeIds ?? inputs.inputIds.map((r) => r.map(() => 0));
  checkMatrix('token_type_ids', tokenTypes, B, T, cfg.type_vocab_size);
  const mask = inputs.attentionMask ?? inputs.inputIds.map((r) => r.map(() => 1));
  checkMatrix('attention_mask', mask, B, T, null);

  const wantMlm = options.mlm ?? weights.mlm !== null;
  const wantPooler = options.pooler ?? weights.pooler !== null;
  if (wantMlm && !weights.mlm) throw new Error('bertForwardF64: MLM logits requested but the weights have no MLM head');
  if (wantPooler && !weights.pooler) throw new Error('bertForwardF64: pooler output requested but the weights have no pooler');

  // --- PEFT inputs (sizes checked; see the header comment)
  const promptRows = inputs.prompt ? inputs.prompt.length / H : 0;
  if (!Number.isInteger(promptRows)) throw new Error(`bertForwardF64: prompt has ${inputs.prompt!.length} values, not a multiple of hidden ${H}`);
  const Pk = inputs.prefix && inputs.prefix.length > 0 ? inputs.prefix[0].key.length / H : 0;
  if (inputs.prefix) {
    if (inputs.prefix.length !== weights.layers.length)
      throw new Error(`bertForwardF64: prefix has ${inputs.prefix.length} layers, the model ${weights.layers.length}`);
    inputs.prefix.forEach((p, l) => {
      if (p.key.length !== Pk * H || p.value.length !== Pk * H || !Number.isInteger(Pk))
        throw new Error(`bertForwardF64: prefix of layer ${l} has ${p.key.length} key and ${p.value.length} value values, expected ${Pk} × ${H}`);
    });
  }
  const lora = inputs.lora;
  if (lora) {
    if (lora.layers.length !== weights.layers.length)
      throw new Error(`bertForwardF64: lora has ${lora.layers.length} layers, the model ${weights.layers.length}`);
    lora.layers.forEach((l, i) => {
      for (const [proj, pair] of Object.entries(l)) {
        if (pair && (pair.a.length !== lora.rank * H || pair.b.length !== H * lora.rank))
          throw new Error(`bertForwardF64: lora ${proj} of layer ${i}: A has ${pair.a.length}, B ${pair.b.length} values, expected ${lora.rank} × ${H} each`);
      }
    });
  }
  const S = promptRows + T; // sequence positions (queries and outputs)
  if (S > cfg.max_position_embeddings) {
    throw new Error(`bertForwardF64: ${promptRows} prompt + ${T} tokens exceed max_position_embeddings ${cfg.max_position_embeddings}`);
  }
  const Sk = Pk + S; // key positions: [prefix; prompt; tokens]

  const rows = B * S;
  // --- embeddings
  const word = weights.embeddings.word.data;
  const pos = weights.embeddings.position.data;
  const typ = weights.embeddings.tokenType.data;
  const emb = new Float64Array(rows * H);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      const o = (b * S + s) * H;
      const pi = s * H;
      if (s < promptRows) {
        // prompt row s: its vector in place of a word embedding, token type 0
        for (let i = 0; i < H; i++) emb[o + i] = inputs.prompt![s * H + i] + typ[i] + pos[pi + i];
      } else {
        const t = s - promptRows;
        const wi = inputs.inputIds[b][t] * H;
        const ti = tokenTypes[b][t] * H;
        for (let i = 0; i < H; i++) emb[o + i] = word[wi + i] + typ[ti + i] + pos[pi + i];
      }
    }
  }
  let h = layerNormF64(emb, rows, weights.embeddings.layerNorm, eps);
  const hiddenStates: Float64Array[] = [h];
  const attentions: Float64Array[] = [];

  // --- additive key mask, [B, Pk + S]: prefix and prompt keys always attended
  const maskAdd = new Float64Array(B * Sk);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) maskAdd[b * Sk + Pk + promptRows + t] = (1 - mask[b][t]) * FLOAT32_MIN;

  // y = x Wᵀ + b, plus the LoRA update (α/r) · (x Aᵀ) Bᵀ when there is one
  const project = (x: Float64Array, p: LinearParams, li: number, which: BertF64Projection): Float64Array => {
    const y = linearF64(x, rows, p);
    const pair = lora?.layers[li][which];
    if (!lora || !pair) return y;
    const r = lora.rank;
    const s = lora.alpha / r;
    const u = new Float64Array(r);
    for (let row = 0; row < rows; row++) {
      for (let j = 0; j < r; j++) {
        let acc = 0;
        for (let i = 0; i < H; i++) acc += x[row * H + i] * pair.a[j * H + i];
        u[j] = acc;
      }
      for (let o = 0; o < H; o++) {
        let acc = 0;
        for (let j = 0; j < r; j++) acc += pair.b[o * r + j] * u[j];
        y[row * H + o] += s * acc;
      }
    }
    return y;
  };

  const scale = Math.sqrt(d);
  weights.layers.forEach((layer, li) => {
    const q = project(h, layer.query, li, 'query');
    const k = project(h, layer.key, li, 'key');
    const v = project(h, layer.value, li, 'value');
    const pre = inputs.prefix?.[li];
    // key/value row s of example b: the prefix for s < Pk, else the projection of position s − Pk
    const keyAt = (b: number, s: number, j: number) => (s < Pk ? pre!.key[s * H + j] : k[(b * S + s - Pk) * H + j]);
    const valueAt = (b: number, s: number, j: number) => (s < Pk ? pre!.value[s * H + j] : v[(b * S + s - Pk) * H + j]);
    const ctx = new Float64Array(rows * H);
    const probsAll = options.outputAttentions ? new Float64Array(B * nHeads * S * Sk) : null;
    const row = new Float64Array(Sk);
    for (let b = 0; b < B; b++) {
      for (let hd = 0; hd < nHeads; hd++) {
        const off = hd * d;
        for (let t = 0; t < S; t++) {
          const qo = (b * S + t) * H + off;
          for (let s = 0; s < Sk; s++) {
            let dot = 0;
            for (let j = 0; j < d; j++) dot += q[qo + j] * keyAt(b, s, off + j);
            row[s] = dot / scale + maskAdd[b * Sk + s];
          }
          softmaxInPlace(row);
          if (probsAll) probsAll.set(row, ((b * nHeads + hd) * S + t) * Sk);
          for (let j = 0; j < d; j++) {
            let acc = 0;
            for (let s = 0; s < Sk; s++) acc += row[s] * valueAt(b, s, off + j);
            ctx[qo + j] = acc;
          }
        }
      }
    }
    if (probsAll) attentions.push(probsAll);
    // BertSelfOutput
    const attnDense = linearF64(ctx, rows, layer.attentionOutput);
    for (let i = 0; i < attnDense.length; i++) attnDense[i] += h[i];
    const attnOut = layerNormF64(attnDense, rows, layer.attentionLayerNorm, eps);
    // BertIntermediate
    const inter = linearF64(attnOut, rows, layer.intermediate);
    for (let i = 0; i < inter.length; i++) inter[i] = geluErf(inter[i]);
    // BertOutput
    const outDense = linearF64(inter, rows, layer.output);
    for (let i = 0; i < outDense.length; i++) outDense[i] += attnOut[i];
    h = layerNormF64(outDense, rows, layer.outputLayerNorm, eps);
    hiddenStates.push(h);
  });

  // --- pooler
  let poolerOutput: Float64Array | null = null;
  if (wantPooler && weights.pooler) {
    const first = new Float64Array(B * H);
    for (let b = 0; b < B; b++) first.set(h.subarray(b * S * H, b * S * H + H), b * H);
    poolerOutput = linearF64(first, B, weights.pooler).map(Math.tanh);
  }

  // --- MLM head
  let mlmLogits: Float64Array | null = null;
  if (wantMlm && weights.mlm) {
    const head = weights.mlm;
    const tr = linearF64(h, rows, head.transform);
    for (let i = 0; i < tr.length; i++) tr[i] = geluErf(tr[i]);
    const normed = layerNormF64(tr, rows, head.layerNorm, eps);
    const decoder = head.decoder ?? weights.embeddings.word;
    mlmLogits = linearF64(normed, rows, { weight: decoder, bias: head.bias });
  }

  const out: BertF64Outputs = { batch: B, seq: S, hidden: H, vocab: V, lastHiddenState: h, poolerOutput, mlmLogits };
  if (options.outputHiddenStates) out.hiddenStates = hiddenStates;
  if (options.outputAttentions) out.attentions = attentions;
  return out;
}
