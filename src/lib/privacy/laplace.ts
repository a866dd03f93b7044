// The Laplace mechanism on token embeddings: clip each embedding to L1 norm ≤ C, add i.i.d.
// Laplace(b) noise per coordinate with b = 2C/ε, then (by default) replace the result by the
// nearest candidate token. Kernel: shaders/privacy/laplace_noise.wgsl.
//
// Calibration: two clipped embeddings differ by at most 2C in L1 norm (the L1 sensitivity of
// the release), so Laplace(2C/ε) per coordinate gives ε-DP per token (ε-LDP). With project =
// false the noisy embeddings themselves are released, snapped to a power-of-two grid (Mironov
// 2012; see the kernel header for what that guarantees in f32 and what it only simulates);
// the result's ids are then −1 at the released positions (there is no token to show) and the
// noisy embeddings are in result.embeddings (rows of pass-through tokens hold their table row).
//
// clip defaults to the largest L1 norm among the candidate embeddings (computed from the
// public table, so it costs no privacy): clipping then never changes a real token.

import type { GpuContext } from '../gpu/context';
import type { Tensor } from '../engine/tensor';
import { EmbeddingMechanism } from './embedding-mechanism';
import { laplaceNoise, snapBound, snapGrid, type NoiseDraw } from './noise';
import type { EmbeddingTable, MechanismSpec } from './types';
import { requirePositive } from './validate';

/** Laplace scale for ε-DP with L1 clipping to clip: b = 2·clip/ε. */
export function laplaceScale(epsilon: number, clip: number): number {
  return (2 * clip) / epsilon;
}

/** The largest L1 norm among the candidate rows of the table. */
export function maxCandidateL1(table: EmbeddingTable): number {
  let best = 0;
  for (const id of table.candidates) {
    let s = 0;
    for (let c = 0; c < table.C; c++) s += Math.abs(table.embeddings[id * table.C + c]);
    best = Math.max(best, s);
  }
  return best;
}

export class LaplacePrivatizer extends EmbeddingMechanism {
  readonly epsilon: number;
  readonly clip: number;
  /** Laplace scale b = 2·clip/ε */
  readonly b: number;
  private readonly projectOutput: boolean;

  constructor(gpu: GpuContext, table: EmbeddingTable, spec: MechanismSpec) {
    super(gpu, table, spec, 'laplace');
    this.epsilon = requirePositive(spec.epsilon, 'epsilon', 'laplace');
    if (spec.clip !== undefined) this.clip = requirePositive(spec.clip, 'clip', 'laplace');
    else {
      this.clip = maxCandidateL1(table);
      if (!(this.clip > 0)) throw new Error('laplace: every candidate embedding is zero; give clip explicitly');
    }
    this.b = laplaceScale(this.epsilon, this.clip);
    this.projectOutput = spec.project ?? true;
  }

  protected get project(): boolean {
    return this.projectOutput;
  }

  /** Λ, the snapping grid of continuous releases */
  get grid(): number {
    return snapGrid(this.b);
  }

  /** B, the clamp bound of continuous releases (clip rounded up to a multiple of Λ) */
  get bound(): number {
    return snapBound(this.clip, this.b);
  }

  protected noise(table: Tensor, ids: Tensor, pos: Tensor, draw: NoiseDraw): Tensor {
    return laplaceNoise(table, ids, pos, draw, { clip: this.clip, b: this.b, snap: !this.projectOutput }, 'laplace.noisy');
  }

  guarantee(): string {
    const base =
      `ε-LDP per token with ε = ${this.epsilon} for embeddings clipped to L1 ≤ C = ${fmt(this.clip)} ` +
      `(Laplace scale b = 2C/ε = ${fmt(this.b)} per coordinate); over a sequence the ε add up position by position`;
    const tail = this.projectOutput
      ? '; the nearest-token step is post-processing. Noise is sampled in f32 (a faithful simulation, not a certified one)'
      : `; continuous release snapped to the grid Λ = ${fmt(this.grid)} on [−B, B], B = ${fmt(this.bound)} (Mironov 2012, approximated in f32: simulated, not certified` +
        (this.epsilon > 16 ? '; for ε > 16 the 23-bit uniforms make some outputs unreachable, so no ε-DP bound holds' : '') +
        ')';
    return this.withSeedNote(base + tail);
  }
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}
