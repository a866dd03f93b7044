// LoRA (Hu et al. 2021) on the attention projections of the frozen encoder: for each layer ℓ
// and each target projection (query and value by default, as in the paper),
//
//   y = x W_projᵀ + b_proj + Δ(x),   Δ(x) = (α/r) · (x Aᵀ) Bᵀ
//   x [B, S, C] (the layer input),  A [r, C],  B [C, r],  u = (α/r)·x Aᵀ [B, S, r],  Δ = u Bᵀ
//
// applied through LayerHooks.delta (BertModel.layer adds Δ to the projection). Two batched
// matmuls with shared right operands; the tape gives dA = (α/r)·(dΔ B)ᵀ x and dB = dΔᵀ u.
//
// Initialisation (as the paper and HF peft): B = 0, so Δ = 0 and the model is exactly the
// frozen model at step 0; A ~ U(±1/√C), PyTorch's kaiming_uniform_(a=√5) for a [r, C]
// weight (the init of peft's lora_A). With B = 0 the first gradient reaches B only
// (dA = 0); from then on both move.
//
// No dropout (the encoder runs in inference mode). Weight decay applies to A and B.

import { Tensor, keep, matmul, scale, tensorFrom } from '../engine';
import type { BertModel } from '../model/bert';
import type { HookedProjection, LayerHooks } from '../model/layer-hooks';
import { SeededRandom } from '../util/seeded-random';
import type { PeftMethod } from './method';
import { countParameters, positiveInt } from './util';

export interface LoraOptions {
  rank: number;
  alpha: number;
  seed: number;
  /** projections to adapt (default query and value) */
  targets?: HookedProjection[];
}

export interface LoraAdapter {
  layer: number;
  proj: HookedProjection;
  /** A [r, C] */
  a: Tensor;
  /** B [C, r] */
  b: Tensor;
}

export class LoRA implements PeftMethod {
  readonly name = 'lora' as const;
  readonly promptPositions = 0;
  readonly rank: number;
  readonly alpha: number;
  /** α / r */
  readonly scaling: number;
  readonly adapters: LoraAdapter[] = [];
  readonly hooks: LayerHooks;
  private byKey = new Map<string, LoraAdapter>();

  constructor(
    readonly model: BertModel,
    opts: LoraOptions
  ) {
    const r = positiveInt('LoRA rank', opts.rank);
    if (!Number.isFinite(opts.alpha) || opts.alpha <= 0) throw new Error(`LoRA alpha must be a positive number, got ${opts.alpha}`);
    this.rank = r;
    this.alpha = opts.alpha;
    this.scaling = opts.alpha / r;
    const targets = opts.targets ?? ['query', 'value'];
    const C = model.config.hidden_size;
    const gpu = model.gpu;
    const rand = new SeededRandom(opts.seed);
    const bound = 1 / Math.sqrt(C);
    for (let layer = 0; layer < model.numLayers; layer++) {
      for (const proj of targets) {
        const aData = new Float32Array(r * C).map(() => (2 * rand.next() - 1) * bound);
        const a = keep(tensorFrom(gpu, aData, [r, C], `lora.${layer}.${proj}.A`));
        const b = keep(tensorFrom(gpu, new Float32Array(C * r), [C, r], `lora.${layer}.${proj}.B`));
        a.requiresGrad = true;
        b.requiresGrad = true;
        const ad = { layer, proj, a, b };
        this.adapters.push(ad);
        this.byKey.set(`${layer}.${proj}`, ad);
      }
    }
    this.hooks = { prefixLength: 0, delta: (layer, proj, x) => this.delta(layer, proj, x) };
  }

  /** The adapter of one layer's projection, if it has one. */
  adapter(layer: number, proj: HookedProjection): LoraAdapter | undefined {
    return this.byKey.get(`${layer}.${proj}`);
  }

  /** Δ(x) = (α/r)·(x Aᵀ) Bᵀ [B, S, C], or null when this projection is not adapted. */
  delta(layer: number, proj: HookedProjection, x: Tensor): Tensor | null {
    const ad = this.adapter(layer, proj);
    if (!ad) return null;
    const n = `lora.${layer}.${proj}`;
    const u = scale(matmul(x, ad.a, { transB: true, name: n + '.xA' }), this.scaling, n + '.u');
    return matmul(u, ad.b, { transB: true, name: n + '.delta' });
  }

  get trainable(): Tensor[] {
    return this.adapters.flatMap((ad) => [ad.a, ad.b]);
  }
  get parameterCount(): number {
    return countParameters(this.trainable);
  }
  noDecay(): boolean {
    return false;
  }
  dispose(): void {
    for (const t of this.trainable) t.dispose();
  }
}
