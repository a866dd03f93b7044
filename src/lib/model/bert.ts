// BERT encoder on the WGSL engine, computing exactly what Hugging Face BertModel computes
// (see reference/bert-f64.ts for the step-by-step correspondence), plus the pooler and the
// MLM head (cls.predictions, decoder tied to the word embeddings). Parameters are engine
// tensors named with their Hugging Face names; all of them start frozen (requiresGrad
// false): PEFT methods and full fine-tuning switch on what they train.

import type { GpuContext } from '../gpu/context';
import {
  Tensor,
  tensorFrom,
  keep,
  matmul,
  add,
  gelu,
  tanh,
  layerNorm,
  attention,
  gatherRows,
  concatSeq,
  sliceSeq,
  reshapeMove,
  withView
} from '../engine';
import type { BertConfig } from './checkpoint/bert-config';
import type { BertWeights, LayerNormParams, LinearParams, Param } from './checkpoint/bert-weights';
import type { HookedProjection, LayerHooks } from './layer-hooks';

/** torch.finfo(float32).min: HF's additive value for masked keys. */
export const MASKED = -3.4028234663852886e38;

interface Linear {
  weight: Tensor; // [out, in]
  bias: Tensor; // [out]
}
interface Norm {
  weight: Tensor;
  bias: Tensor;
}
interface Layer {
  query: Linear;
  key: Linear;
  value: Linear;
  attnOut: Linear;
  attnNorm: Norm;
  inter: Linear;
  out: Linear;
  outNorm: Norm;
}

export interface BertInputs {
  /** [B, T] i32 token ids, created with tensorFrom (keeps the CPU copy) */
  inputIds: Tensor;
  /** [B, T] i32 token types (zeros when omitted) */
  tokenTypeIds?: Tensor;
  /** attention mask as 0/1 per token, [B][T] on the CPU (ones when omitted) */
  attentionMask?: ArrayLike<number>[];
  /** soft prompt [P, C] (shared) or [B, P, C], prepended to the word embeddings */
  prompt?: Tensor;
  /** PEFT hooks into every layer: key/value prefixes (prefix tuning), projection deltas (LoRA) */
  hooks?: LayerHooks;
}

export class BertModel {
  readonly config: BertConfig;
  readonly params = new Map<string, Tensor>();
  private wordEmb: Tensor;
  private posEmb: Tensor;
  private typeEmb: Tensor;
  private embNorm: Norm;
  private layers: Layer[] = [];
  private pooler: Linear | null = null;
  private mlmTransform: Linear | null = null;
  private mlmNorm: Norm | null = null;
  private mlmBias: Tensor | null = null;
  private mlmDecoder: Tensor | null = null;

  constructor(
    readonly gpu: GpuContext,
    weights: BertWeights
  ) {
    this.config = weights.config;
    const e = weights.embeddings;
    const p = 'bert.embeddings.';
    this.wordEmb = this.param(p + 'word_embeddings.weight', e.word);
    this.posEmb = this.param(p + 'position_embeddings.weight', e.position);
    this.typeEmb = this.param(p + 'token_type_embeddings.weight', e.tokenType);
    this.embNorm = this.norm(p + 'LayerNorm', e.layerNorm);
    weights.layers.forEach((l, i) => {
      const q = `bert.encoder.layer.${i}.`;
      this.layers.push({
        query: this.linear(q + 'attention.self.query', l.query),
        key: this.linear(q + 'attention.self.key', l.key),
        value: this.linear(q + 'attention.self.value', l.value),
        attnOut: this.linear(q + 'attention.output.dense', l.attentionOutput),
        attnNorm: this.norm(q + 'attention.output.LayerNorm', l.attentionLayerNorm),
        inter: this.linear(q + 'intermediate.dense', l.intermediate),
        out: this.linear(q + 'output.dense', l.output),
        outNorm: this.norm(q + 'output.LayerNorm', l.outputLayerNorm)
      });
    });
    if (weights.pooler) this.pooler = this.linear('bert.pooler.dense', weights.pooler);
    if (weights.mlm) {
      this.mlmTransform = this.linear('cls.predictions.transform.dense', weights.mlm.transform);
      this.mlmNorm = this.norm('cls.predictions.transform.LayerNorm', weights.mlm.layerNorm);
      this.mlmBias = this.param('cls.predictions.bias', weights.mlm.bias);
      this.mlmDecoder = weights.mlm.decoder ? this.param('cls.predictions.decoder.weight', weights.mlm.decoder) : this.wordEmb;
    }
  }

  get hasMlmHead(): boolean {
    return this.mlmTransform !== null;
  }
  get hasPooler(): boolean {
    return this.pooler !== null;
  }
  get wordEmbeddings(): Tensor {
    return this.wordEmb;
  }

  private param(name: string, p: Param): Tensor {
    const t = keep(tensorFrom(this.gpu, p.data, p.shape, name));
    this.params.set(name, t);
    return t;
  }
  private linear(name: string, p: LinearParams): Linear {
    return { weight: this.param(name + '.weight', p.weight), bias: this.param(name + '.bias', p.bias) };
  }
  private norm(name: string, p: LayerNormParams): Norm {
    return { weight: this.param(name + '.weight', p.weight), bias: this.param(name + '.bias', p.bias) };
  }

  /** Number of float parameters. */
  get parameterCount(): number {
    let n = 0;
    for (const t of this.params.values()) n += t.size;
    return n;
  }

  /** Build the additive key mask [B, P + T] (prompt positions always attend). */
  additiveMask(B: number, T: number, mask: ArrayLike<number>[] | undefined, promptLen = 0): Tensor {
    const S = promptLen + T;
    const m = new Float32Array(B * S);
    if (mask) {
      if (mask.length !== B) throw new Error(`attention mask has ${mask.length} rows for a batch of ${B}`);
      for (let b = 0; b < B; b++) {
        if (mask[b].length !== T) throw new Error(`attention mask row ${b} has length ${mask[b].length}, expected ${T}`);
        for (let t = 0; t < T; t++) m[b * S + promptLen + t] = mask[b][t] ? 0 : MASKED;
      }
    }
    return tensorFrom(this.gpu, m, [B, S], 'mask');
  }

  /** Embedding output [B, P + T, C]: LayerNorm(word (with prompt) + position + token type). */
  embed(inputs: BertInputs): Tensor {
    const ids = inputs.inputIds;
    const [B, T] = ids.shape;
    const P = inputs.prompt ? (inputs.prompt.rank === 2 ? inputs.prompt.dim(0) : inputs.prompt.dim(1)) : 0;
    const S = P + T;
    const cfg = this.config;
    if (S > cfg.max_position_embeddings)
      throw new Error(`sequence of ${S} tokens (${P} prompt + ${T}) exceeds max_position_embeddings ${cfg.max_position_embeddings}`);
    let words = gatherRows(this.wordEmb, ids, 'emb.word');
    if (inputs.prompt) words = concatSeq(inputs.prompt, words, 'emb.with_prompt');
    const posIds = new Int32Array(B * S);
    for (let b = 0; b < B; b++) for (let s = 0; s < S; s++) posIds[b * S + s] = s;
    const pos = gatherRows(this.posEmb, tensorFrom(this.gpu, posIds, [B, S], 'position_ids'), 'emb.pos');
    const typeIds = new Int32Array(B * S);
    if (inputs.tokenTypeIds) {
      const host = inputs.tokenTypeIds.host;
      if (!host) throw new Error('tokenTypeIds need their CPU copy (create them with tensorFrom)');
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) typeIds[b * S + P + t] = host[b * T + t];
    }
    const types = gatherRows(this.typeEmb, tensorFrom(this.gpu, typeIds, [B, S], 'token_type_ids'), 'emb.type');
    const sum = add(add(words, pos, 'emb.sum1'), types, 'emb.sum');
    return layerNorm(sum, this.embNorm.weight, this.embNorm.bias, cfg.layer_norm_eps, 'emb.norm');
  }

  private dense(x: Tensor, l: Linear, name: string): Tensor {
    return matmul(x, l.weight, { transB: true, bias: l.bias, name });
  }

  /**
   * One post-LN transformer block. `hooks` (PEFT) may prepend key/value prefixes and add
   * low-rank updates to the projections; `mask` then covers the prefix positions too.
   */
  layer(i: number, h: Tensor, mask: Tensor | null, hooks?: LayerHooks): Tensor {
    const l = this.layers[i];
    const eps = this.config.layer_norm_eps;
    const n = `l${i}`;
    const proj = (lin: Linear, which: HookedProjection, name: string): Tensor => {
      const y = this.dense(h, lin, name);
      const d = hooks?.delta?.(i, which, h);
      return d ? add(y, d, name + '+delta') : y;
    };
    const q = proj(l.query, 'query', n + '.q');
    let k = proj(l.key, 'key', n + '.k');
    let v = proj(l.value, 'value', n + '.v');
    if (hooks?.prefix && hooks.prefixLength > 0) {
      const pre = hooks.prefix(i);
      k = concatSeq(pre.key, k, n + '.k_prefixed');
      v = concatSeq(pre.value, v, n + '.v_prefixed');
    }
    const ctx = attention(q, k, v, mask, this.config.num_attention_heads, n + '.attn');
    const a = layerNorm(add(this.dense(ctx, l.attnOut, n + '.attn_out'), h, n + '.res1'), l.attnNorm.weight, l.attnNorm.bias, eps, n + '.ln1');
    const f = gelu(this.dense(a, l.inter, n + '.ffn1'), n + '.gelu');
    return layerNorm(add(this.dense(f, l.out, n + '.ffn2'), a, n + '.res2'), l.outNorm.weight, l.outNorm.bias, eps, n + '.ln2');
  }

  get numLayers(): number {
    return this.layers.length;
  }

  /** last_hidden_state [B, P + T, C] (prefix positions are keys only). Intermediates are released by the caller's tidy(). */
  forward(inputs: BertInputs): { hidden: Tensor; mask: Tensor } {
    const [B, T] = inputs.inputIds.shape;
    const P = inputs.prompt ? (inputs.prompt.rank === 2 ? inputs.prompt.dim(0) : inputs.prompt.dim(1)) : 0;
    // Keys are [prefix; prompt; tokens]: prefix and prompt positions are always attended.
    const K = inputs.hooks?.prefix ? inputs.hooks.prefixLength : 0;
    const mask = this.additiveMask(B, T, inputs.attentionMask, K + P);
    let h = this.embed(inputs);
    for (let i = 0; i < this.layers.length; i++) h = this.layer(i, h, mask, inputs.hooks);
    return { hidden: h, mask };
  }

  /** pooler_output [B, C] = tanh(dense(h[:, 0])). */
  pool(hidden: Tensor): Tensor {
    if (!this.pooler) throw new Error('this checkpoint has no pooler (bert.pooler.dense)');
    const [B, , C] = hidden.shape;
    const first = reshapeMove(sliceSeq(hidden, 0, 1, 'cls'), [B, C]);
    return tanh(this.dense(first, this.pooler, 'pooler'), 'pooled');
  }

  private mlmParts() {
    if (!this.mlmTransform || !this.mlmNorm || !this.mlmBias || !this.mlmDecoder)
      throw new Error('this checkpoint has no MLM head (cls.predictions.*)');
    return { transform: this.mlmTransform, norm: this.mlmNorm, bias: this.mlmBias, decoder: this.mlmDecoder };
  }

  /** The MLM head's transform: LayerNorm(GELU(dense(h))) for hidden states [..., C]. */
  mlmTransformed(hidden: Tensor): Tensor {
    const m = this.mlmParts();
    return layerNorm(gelu(this.dense(hidden, m.transform, 'mlm.dense')), m.norm.weight, m.norm.bias, this.config.layer_norm_eps, 'mlm.norm');
  }

  /** MLM logits [..., V] for hidden states [..., C]. */
  mlmLogits(hidden: Tensor): Tensor {
    const m = this.mlmParts();
    return matmul(this.mlmTransformed(hidden), m.decoder, { transB: true, bias: m.bias, name: 'mlm.logits' });
  }

  /**
   * MLM logits restricted to some vocabulary ids (a verbalizer's label words): [N, K] for
   * hidden [N, C] and ids [K] (i32, from tensorFrom). Equal to mlmLogits(hidden)[:, ids].
   */
  mlmLogitsFor(hidden: Tensor, ids: Tensor): Tensor {
    const m = this.mlmParts();
    const K = ids.size;
    const rows = gatherRows(m.decoder, ids, 'mlm.label_rows');
    const b = withView(m.bias, [m.bias.size, 1], (v) => gatherRows(v, ids, 'mlm.label_bias'));
    const bias = reshapeMove(b, [K]);
    return matmul(this.mlmTransformed(hidden), rows, { transB: true, bias, name: 'mlm.label_logits' });
  }

  /** Read every parameter back into a BertWeights (for saving in the Hugging Face layout). */
  async toWeights(): Promise<BertWeights> {
    const get = async (name: string): Promise<Param> => {
      const t = this.params.get(name);
      if (!t) throw new Error(`parameter ${name} is missing`);
      return { data: await t.readF32(), shape: [...t.shape] };
    };
    const lin = async (n: string): Promise<LinearParams> => ({ weight: await get(n + '.weight'), bias: await get(n + '.bias') });
    const p = 'bert.embeddings.';
    const layers = [];
    for (let i = 0; i < this.layers.length; i++) {
      const q = `bert.encoder.layer.${i}.`;
      layers.push({
        query: await lin(q + 'attention.self.query'),
        key: await lin(q + 'attention.self.key'),
        value: await lin(q + 'attention.self.value'),
        attentionOutput: await lin(q + 'attention.output.dense'),
        attentionLayerNorm: await lin(q + 'attention.output.LayerNorm'),
        intermediate: await lin(q + 'intermediate.dense'),
        output: await lin(q + 'output.dense'),
        outputLayerNorm: await lin(q + 'output.LayerNorm')
      });
    }
    return {
      config: this.config,
      embeddings: {
        word: await get(p + 'word_embeddings.weight'),
        position: await get(p + 'position_embeddings.weight'),
        tokenType: await get(p + 'token_type_embeddings.weight'),
        layerNorm: await lin(p + 'LayerNorm')
      },
      layers,
      pooler: this.pooler ? await lin('bert.pooler.dense') : null,
      mlm: this.mlmTransform
        ? {
            transform: await lin('cls.predictions.transform.dense'),
            layerNorm: await lin('cls.predictions.transform.LayerNorm'),
            bias: await get('cls.predictions.bias'),
            decoder: this.params.has('cls.predictions.decoder.weight') ? await get('cls.predictions.decoder.weight') : null
          }
        : null
    };
  }

  dispose(): void {
    for (const t of this.params.values()) t.dispose();
    this.params.clear();
  }
}
