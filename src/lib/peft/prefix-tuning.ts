// Prefix tuning, deep-prompt style (Li & Liang 2021; P-tuning v2, Liu et al. 2022): every
// layer ℓ of the frozen encoder gets P trainable key and value rows that all positions can
// attend to. Through LayerHooks.prefix, BertModel.layer() computes
//
//   K_ℓ = [K_p,ℓ ; X W_kᵀ + b_k]   V_ℓ = [V_p,ℓ ; X W_vᵀ + b_v]     [B, P + S, C]
//   attn = softmax(Q K_ℓᵀ/√d + mask) V_ℓ   (prefix keys always attended; queries stay S rows)
//
// with K_p,ℓ, V_p,ℓ [P, C] shared by the batch (split into heads like any key/value). The
// hidden states keep S positions (no prompt rows), so [CLS] stays at position 0.
//
// Two parameterisations:
//  direct (default): K_p,ℓ and V_p,ℓ are the parameters, 2·L·P·C floats. Two inits:
//    'normal' (default): N(0, 1), P-tuning v2's init without projection (its nn.Embedding of
//      width 2·L·C), the setting the RAPT paper's prefix-tuning runs inherit.
//    'tokens': Li & Liang's "activations of real words": P distinct random vocabulary ids run
//      through the frozen encoder once, and each layer's prefix starts as those tokens' own keys
//      and values there, K_p,ℓ = X_ℓ W_kᵀ + b_k (in-distribution scale and directions).
//    Measured on "does token t occur" (the task of tests/unit/peft.test.ts, batches of 16,
//    lr 0.03–0.1, 128 held-out examples): on the pretrained rapt-mini (40 steps) 98% 'tokens',
//    99% 'normal'; on random std-0.2 encoders (60 steps) seed 3: 95–100% vs 87–96%, seed 4:
//    66–77% vs 95–98%. 'normal' is the more robust start (on a random encoder real-token keys
//    are not meaningful and start close to the keys they compete with), hence the default.
//  reparam: P-tuning v2's prefix projection (its PrefixEncoder with prefix_projection=True),
//      E [P, C] → Linear(C, h) → tanh → Linear(h, 2·L·C) → [P, 2L, C],
//    column block (2ℓ + 0) is K_p,ℓ, (2ℓ + 1) is V_p,ℓ (P-tuning v2's layout: view(P, 2L, C),
//    split in pairs). Parameters: embedding [P, C], mlp.0 weight [h, C] + bias [h], mlp.2
//    weight [2LC, h] + bias [2LC]; PyTorch's default init (nn.Embedding N(0, 1), nn.Linear
//    U(±1/√fan_in) for weight and bias). The MLP output is computed once per forward (at
//    layer 0, cached for the other layers) with engine ops (matmul, tanh, sliceSeq, reshape),
//    so the tape carries gradients back to E and the MLP.
//
// Weight decay: all but the MLP's biases.

import { Tensor, keep, matmul, noGrad, reshapeMove, sliceSeq, tanh, tensorFrom, tidy } from '../engine';
import type { BertModel } from '../model/bert';
import type { LayerHooks } from '../model/layer-hooks';
import { SeededRandom } from '../util/seeded-random';
import type { PeftMethod } from './method';
import { countParameters, positiveInt, sampleTokenIds } from './util';

export interface PrefixTuningOptions {
  prefixLength: number;
  seed: number;
  reparam?: boolean;
  /** hidden width h of the reparameterisation MLP (default: the model's hidden size) */
  reparamHidden?: number;
  /** direct prefixes: 'normal' (default: N(0, 1), P-tuning v2 without projection) or 'tokens' (real-token keys/values) */
  init?: 'tokens' | 'normal';
}

export interface PrefixMlp {
  /** E [P, C] */
  embedding: Tensor;
  /** Linear(C, h): weight [h, C], bias [h] */
  w1: Tensor;
  b1: Tensor;
  /** Linear(h, 2·L·C): weight [2LC, h], bias [2LC] */
  w2: Tensor;
  b2: Tensor;
}

export class PrefixTuning implements PeftMethod {
  readonly name = 'prefix' as const;
  readonly promptPositions = 0;
  readonly prefixLength: number;
  /** direct parameterisation: per layer K_p,ℓ and V_p,ℓ [P, C] (empty with reparam) */
  readonly keys: Tensor[] = [];
  readonly values: Tensor[] = [];
  /** init 'tokens': the vocabulary ids whose keys/values initialised the prefixes (else empty) */
  initIds: number[] = [];
  /** reparameterisation MLP (null without) */
  readonly mlp: PrefixMlp | null = null;
  readonly hooks: LayerHooks;
  private cache: Tensor | null = null;

  constructor(
    readonly model: BertModel,
    opts: PrefixTuningOptions
  ) {
    const P = positiveInt('prefix length', opts.prefixLength);
    this.prefixLength = P;
    const r = new SeededRandom(opts.seed);
    if (opts.reparam) this.mlp = this.initMlp(P, positiveInt('prefix MLP hidden size', opts.reparamHidden ?? model.config.hidden_size), r);
    else if ((opts.init ?? 'normal') === 'normal') this.initNormal(P, r);
    else this.initFromTokens(P, r);
    for (const t of this.trainable) t.requiresGrad = true;
    this.hooks = { prefixLength: P, prefix: (i) => this.prefix(i) };
  }

  /** K_p,ℓ = X_ℓ W_kᵀ + b_k (and V alike) for the activations X_ℓ of P random real tokens. */
  private initFromTokens(P: number, r: SeededRandom): void {
    const model = this.model;
    const gpu = model.gpu;
    const C = model.config.hidden_size;
    this.initIds = sampleTokenIds(model, P, r);
    const ids = Int32Array.from(this.initIds);
    noGrad(() =>
      tidy(() => {
        const capture: LayerHooks = {
          prefixLength: 0,
          delta: (i, proj, x) => {
            if (proj === 'query') return null;
            const n = `bert.encoder.layer.${i}.attention.self.${proj}`;
            const w = model.params.get(n + '.weight');
            const b = model.params.get(n + '.bias');
            if (!w || !b) throw new Error(`prefix init: the model has no ${n}`);
            const y = keep(reshapeMove(matmul(x, w, { transB: true, bias: b, name: `prefix.${proj}.${i}` }), [P, C]));
            (proj === 'key' ? this.keys : this.values)[i] = y;
            return null;
          }
        };
        model.forward({ inputIds: tensorFrom(gpu, ids, [1, P], 'prefix_init_ids'), hooks: capture });
      })
    );
  }

  private initNormal(P: number, r: SeededRandom): void {
    const C = this.model.config.hidden_size;
    const gpu = this.model.gpu;
    for (let i = 0; i < this.model.numLayers; i++) {
      this.keys.push(keep(tensorFrom(gpu, new Float32Array(P * C).map(() => r.normal()), [P, C], `prefix.key.${i}`)));
      this.values.push(keep(tensorFrom(gpu, new Float32Array(P * C).map(() => r.normal()), [P, C], `prefix.value.${i}`)));
    }
  }

  private initMlp(P: number, h: number, r: SeededRandom): PrefixMlp {
    const gpu = this.model.gpu;
    const C = this.model.config.hidden_size;
    const L = this.model.numLayers;
    const normal = (n: number) => new Float32Array(n).map(() => r.normal());
    const uniform = (n: number, fanIn: number) => {
      const bound = 1 / Math.sqrt(fanIn);
      return new Float32Array(n).map(() => (2 * r.next() - 1) * bound);
    };
    return {
      embedding: keep(tensorFrom(gpu, normal(P * C), [P, C], 'prefix.embedding')),
      w1: keep(tensorFrom(gpu, uniform(h * C, C), [h, C], 'prefix.mlp.0.weight')),
      b1: keep(tensorFrom(gpu, uniform(h, C), [h], 'prefix.mlp.0.bias')),
      w2: keep(tensorFrom(gpu, uniform(2 * L * C * h, h), [2 * L * C, h], 'prefix.mlp.2.weight')),
      b2: keep(tensorFrom(gpu, uniform(2 * L * C, h), [2 * L * C], 'prefix.mlp.2.bias'))
    };
  }

  /** The MLP's output viewed as [P, 2L, C] (reparam only). */
  private encode(m: PrefixMlp): Tensor {
    const P = this.prefixLength;
    const C = this.model.config.hidden_size;
    const hidden = tanh(matmul(m.embedding, m.w1, { transB: true, bias: m.b1, name: 'prefix.mlp.0' }), 'prefix.mlp.1');
    const out = matmul(hidden, m.w2, { transB: true, bias: m.b2, name: 'prefix.mlp.2' });
    return reshapeMove(out, [P, 2 * this.model.numLayers, C]);
  }

  /** Layer i's key and value prefixes, each [P, C]. */
  prefix(i: number): { key: Tensor; value: Tensor } {
    if (i < 0 || i >= this.model.numLayers) throw new Error(`prefix: layer ${i} is outside the model's ${this.model.numLayers} layers`);
    if (!this.mlp) return { key: this.keys[i], value: this.values[i] };
    // BertModel.forward asks for layer 0 first: recompute there, so each forward (and each
    // tape) gets its own MLP output, released with the caller's tidy() scope.
    if (i === 0 || !this.cache || this.cache.isDisposed) this.cache = this.encode(this.mlp);
    const P = this.prefixLength;
    const C = this.model.config.hidden_size;
    const pick = (j: number, n: string) => reshapeMove(sliceSeq(this.cache!, j, 1, n), [P, C]);
    return { key: pick(2 * i, `prefix.key.${i}`), value: pick(2 * i + 1, `prefix.value.${i}`) };
  }

  get trainable(): Tensor[] {
    const m = this.mlp;
    return m ? [m.embedding, m.w1, m.b1, m.w2, m.b2] : [...this.keys, ...this.values];
  }
  get parameterCount(): number {
    return countParameters(this.trainable);
  }
  noDecay(t: Tensor): boolean {
    return this.mlp !== null && (t === this.mlp.b1 || t === this.mlp.b2);
  }
  dispose(): void {
    for (const t of this.trainable) t.dispose();
  }
}
