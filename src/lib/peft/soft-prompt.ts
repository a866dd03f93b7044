// Prompt tuning (Lester, Al-Rfou & Constant 2021): P trainable vectors E_p [P, C] take the
// place of word embeddings in front of every input; the encoder stays frozen.
//
//   e = LayerNorm([E_p; E_word(x)] + E_pos(0 … P+T−1) + E_type(0 on prompt rows, else types))
//   h = encoder(e)  [B, P + T, C];  the [CLS] token now sits at position P (promptPositions)
//
// Gradient: ∂L/∂E_p = Σ_b ∂L/∂e_in[b, 0:P] (concatSeq's backward sums over the batch).
//
// Initialisation, default 'vocab': each prompt row is a copy of the embedding of a distinct
// random vocabulary token (never the padding id). Lester et al. found sampled-vocabulary init
// clearly better than random uniform init, especially for smaller models: the prompt starts
// on the manifold the frozen encoder was trained on (right norm, right directions after the
// embedding LayerNorm), instead of as an out-of-distribution vector the encoder has never
// seen. 'normal' (std 0.02, BERT's initializer_range scale) is kept as an option; it is what
// PromptClassifier (the pt-step benchmark) uses.
//
// Weight decay applies to the prompt (noDecay false), as HF Trainer would.

import { Tensor, gatherRows, keep, noGrad, tensorFrom, tidy } from '../engine';
import type { BertModel } from '../model/bert';
import { SeededRandom } from '../util/seeded-random';
import type { PeftMethod } from './method';
import { positiveInt, sampleTokenIds } from './util';

export interface SoftPromptOptions {
  promptLength: number;
  seed: number;
  /** 'vocab' (default): copies of random token embeddings; 'normal': N(0, 0.02²) */
  init?: 'vocab' | 'normal';
}

export class SoftPrompt implements PeftMethod {
  readonly name = 'prompt' as const;
  readonly prompt: Tensor;
  readonly promptPositions: number;
  /** the vocabulary ids whose embeddings initialised the prompt (empty for 'normal') */
  readonly initIds: number[];

  constructor(
    readonly model: BertModel,
    opts: SoftPromptOptions
  ) {
    const P = positiveInt('prompt length', opts.promptLength);
    const C = model.config.hidden_size;
    const r = new SeededRandom(opts.seed);
    const gpu = model.gpu;
    if ((opts.init ?? 'vocab') === 'vocab') {
      this.initIds = sampleTokenIds(model, P, r);
      const ids = Int32Array.from(this.initIds);
      // gatherRows of [P] ids gives [P, C]: a copy, not a view of the embedding table
      this.prompt = keep(noGrad(() => tidy(() => gatherRows(model.wordEmbeddings, tensorFrom(gpu, ids, [P], 'prompt_init_ids'), 'soft_prompt'))));
    } else {
      this.initIds = [];
      const p = new Float32Array(P * C).map(() => 0.02 * r.normal());
      this.prompt = keep(tensorFrom(gpu, p, [P, C], 'soft_prompt'));
    }
    this.prompt.requiresGrad = true;
    this.promptPositions = P;
  }

  get trainable(): Tensor[] {
    return [this.prompt];
  }
  get parameterCount(): number {
    return this.prompt.size;
  }
  noDecay(): boolean {
    return false;
  }
  dispose(): void {
    this.prompt.dispose();
  }
}
