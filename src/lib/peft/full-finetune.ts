// Full fine-tuning, the non-PEFT reference: every tensor in model.params (embeddings, all
// layers, and the pooler / MLM head when the checkpoint has them) requires a gradient while
// this object lives, so the tape reaches all of them and AdamW keeps state for all of them.
// Parameters the loss does not use (e.g. the MLM head under a classification loss) get no
// gradient; AdamW then skips them.
//
// Weight decay follows BERT / HF Trainer: no decay for biases and LayerNorm weights (names
// ending in ".bias", or with "LayerNorm." in them), decay for every other matrix and the
// embedding tables.
//
// dispose() freezes the model again (requiresGrad false, gradients released). It does NOT
// restore the weights: full fine-tuning changes the model in place; reload it for a fresh run.

import type { Tensor } from '../engine';
import type { BertModel } from '../model/bert';
import type { PeftMethod } from './method';
import { countParameters } from './util';

export class FullFinetune implements PeftMethod {
  readonly name = 'full' as const;
  readonly promptPositions = 0;
  readonly trainable: Tensor[];
  private exempt = new Set<Tensor>();

  constructor(readonly model: BertModel) {
    this.trainable = [...model.params.values()];
    for (const [name, t] of model.params) {
      if (t.requiresGrad) throw new Error(`full fine-tuning: ${name} already requires a gradient (another full fine-tuning is active?)`);
      if (name.endsWith('.bias') || name.includes('LayerNorm.')) this.exempt.add(t);
    }
    for (const t of this.trainable) t.requiresGrad = true;
  }

  get parameterCount(): number {
    return countParameters(this.trainable);
  }
  noDecay(t: Tensor): boolean {
    return this.exempt.has(t);
  }
  dispose(): void {
    for (const t of this.trainable) {
      t.requiresGrad = false;
      if (t.grad) {
        t.grad.dispose();
        t.grad = null;
      }
    }
  }
}
