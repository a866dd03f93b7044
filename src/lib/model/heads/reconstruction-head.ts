// RAPT's privatized-token reconstruction head (Li, Tan, Liu 2023): from the output states of
// the privatized plain-token positions, predict the original plain tokens.
//   logits [N, V] = GELU(h W₁ᵀ + b₁) W₂ᵀ + b₂,  h: [N, C], W₁: [c, C], W₂: [V, c]
// Two linear maps with hidden size c; the GELU between them keeps the pair from collapsing into
// one rank-c linear map. Used in training only; at inference the head is not run.

import type { GpuContext } from '../../gpu/context';
import { gelu, type Tensor } from '../../engine';
import type { SeededRandom } from '../../util/seeded-random';
import { TrainableLinear } from './linear';

export class ReconstructionHead {
  private readonly down: TrainableLinear;
  private readonly up: TrainableLinear;

  constructor(gpu: GpuContext, hidden: number, readonly reconHidden: number, readonly vocabSize: number, rng: SeededRandom) {
    if (!Number.isInteger(reconHidden) || reconHidden < 1) throw new Error(`reconstruction head: hidden size c must be an integer ≥ 1, got ${reconHidden}`);
    this.down = new TrainableLinear(gpu, hidden, reconHidden, rng, 'recon_head.dense1');
    this.up = new TrainableLinear(gpu, reconHidden, vocabSize, rng, 'recon_head.dense2');
  }

  /** h [N, C] → logits over the vocabulary [N, V] */
  logits(h: Tensor): Tensor {
    return this.up.apply(gelu(this.down.apply(h, 'recon_head.h1'), 'recon_head.act'), 'recon_head.logits');
  }

  get params(): Tensor[] {
    return [...this.down.params, ...this.up.params];
  }

  dispose(): void {
    this.down.dispose();
    this.up.dispose();
  }
}
