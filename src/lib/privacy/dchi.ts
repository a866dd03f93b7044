// d_χ text-to-text privatization (Feyisetan, Balle, Drake & Diethe 2020, as RAPT uses it):
// each candidate token's embedding E(x) gets noise z with density ∝ exp(−η‖z‖) and is
// replaced by the nearest candidate token (Euclidean). Kernel: shaders/privacy/dchi_noise.wgsl.

import type { GpuContext } from '../gpu/context';
import type { Tensor } from '../engine/tensor';
import { EmbeddingMechanism } from './embedding-mechanism';
import { dchiNoise, type NoiseDraw } from './noise';
import type { EmbeddingTable, MechanismSpec } from './types';
import { requirePositive } from './validate';

export class DchiPrivatizer extends EmbeddingMechanism {
  readonly eta: number;

  constructor(gpu: GpuContext, table: EmbeddingTable, spec: MechanismSpec) {
    super(gpu, table, spec, 'dchi');
    this.eta = requirePositive(spec.eta, 'eta', 'dchi');
  }

  protected get project(): boolean {
    return true;
  }

  protected noise(table: Tensor, ids: Tensor, pos: Tensor, draw: NoiseDraw): Tensor {
    return dchiNoise(table, ids, pos, draw, this.eta, 'dchi.noisy');
  }

  guarantee(): string {
    return this.withSeedNote(
      `η·d(x, x′)-privacy per token (metric local DP) with η = ${this.eta}: for any two tokens x, x′ and any output y, ` +
        `P(y | x) ≤ exp(η·‖E(x) − E(x′)‖₂)·P(y | x′); the nearest-token step is post-processing, and over a sequence the ` +
        `bounds add up position by position. Noise is sampled in f32 (a faithful simulation of the continuous mechanism, not a certified one)`
    );
  }
}
