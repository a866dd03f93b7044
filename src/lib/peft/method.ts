// Parameter-efficient tuning methods on a frozen BertModel, behind one interface, and the
// factory that builds them from a run configuration. Every method states what it trains; the
// encoder's own weights stay frozen (requiresGrad false), so the tape records no gradient for
// them and AdamW (which keeps only parameters that require a gradient) gives them no state.
//
//   prompt  soft prompt E_p [P, C] before the word embeddings      (soft-prompt.ts)
//           h = BERT([E_p; E(x)]), S = P + T positions
//   prefix  key/value prefixes K_p,ℓ, V_p,ℓ [P, C] in every layer ℓ (prefix-tuning.ts)
//           K_ℓ = [K_p,ℓ; X W_kᵀ + b_k], V_ℓ = [V_p,ℓ; X W_vᵀ + b_v]
//   lora    W x + (α/r)·B A x on the query and value projections     (lora.ts)
//           A [r, C], B [C, r]
//   full    every encoder weight (the non-PEFT reference)             (full-finetune.ts)
//
// A trainer feeds `prompt` and `hooks` to BertModel.forward, reads the [CLS] state at
// position `promptPositions`, and builds its optimizer over `trainable` (plus its head) with
// `noDecay`. Browser-safe.

import type { GpuContext } from '../gpu/context';
import type { Tensor } from '../engine';
import type { BertModel } from '../model/bert';
import type { LayerHooks } from '../model/layer-hooks';
import type { PeftMethodName } from '../rapt/config';
import { SoftPrompt } from './soft-prompt';
import { PrefixTuning } from './prefix-tuning';
import { LoRA } from './lora';
import { FullFinetune } from './full-finetune';

export type { PeftMethodName };

export interface PeftMethod {
  readonly name: PeftMethodName;
  /** what this method trains (each requiresGrad true while the method lives) */
  readonly trainable: Tensor[];
  /** exempt from weight decay (biases, LayerNorm weights) */
  noDecay(t: Tensor): boolean;
  /** soft prompt [P, C] to prepend (prompt tuning): pass as BertInputs.prompt */
  readonly prompt?: Tensor;
  /** sequence positions prepended to the input (P for prompt tuning, 0 otherwise): [CLS] sits here */
  readonly promptPositions: number;
  /** per-layer hooks (prefix tuning, LoRA): pass as BertInputs.hooks */
  readonly hooks?: LayerHooks;
  /** number of trained floats */
  readonly parameterCount: number;
  /** release the method's tensors (full fine-tuning: freeze the encoder again) */
  dispose(): void;
}

export interface PeftOptions {
  name: PeftMethodName;
  /** soft-prompt length (prompt), prefix length (prefix) */
  promptLength: number;
  /** LoRA rank r */
  loraRank: number;
  /** LoRA scale α (the update is (α/r)·B A x) */
  loraAlpha: number;
  seed: number;
  /** prefix tuning through the reparameterisation MLP (P-tuning v2's prefix projection) */
  reparam?: boolean;
  /** hidden width of that MLP (default: the model's hidden size) */
  reparamHidden?: number;
}

/** Build the method `opts.name` on `model` (whose weights must be frozen, as BertModel leaves them). */
export function createPeft(gpu: GpuContext, model: BertModel, opts: PeftOptions): PeftMethod {
  if (gpu !== model.gpu) throw new Error('createPeft: the model lives on another GPU context');
  switch (opts.name) {
    case 'prompt':
      return new SoftPrompt(model, { promptLength: opts.promptLength, seed: opts.seed });
    case 'prefix':
      return new PrefixTuning(model, { prefixLength: opts.promptLength, seed: opts.seed, reparam: opts.reparam ?? false, reparamHidden: opts.reparamHidden });
    case 'lora':
      return new LoRA(model, { rank: opts.loraRank, alpha: opts.loraAlpha, seed: opts.seed });
    case 'full':
      return new FullFinetune(model);
    default: {
      const never: never = opts.name;
      throw new Error(`createPeft: unknown method ${String(never)} (prompt, prefix, lora or full)`);
    }
  }
}
