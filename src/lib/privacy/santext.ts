// SanText and SanText+ (Yue, Du, Wang, Li, Sun & Chow, "Differential Privacy for Text
// Analytics via Natural Text Sanitization", ACL Findings 2021): exponential mechanisms over the
// vocabulary with utility −‖E(x) − E(y)‖₂, sampled on the GPU by Gumbel-max
// (shaders/privacy/expmech.wgsl). Definitions, sources and closed forms: expmech-ref.ts.
//
//   SanText:  every candidate token x is replaced by y ~ P(y | x) ∝ exp(−ε·d(x, y)/2) over all
//             candidates y (y = x included).
//   SanText+: the ⌊w·N⌋ least frequent candidates are sensitive (S). A sensitive x is always
//             replaced by y ~ P(y | x) ∝ exp(−ε·d(x, y)/2), y ∈ S; a non-sensitive x is replaced
//             the same way with probability p (a Philox coin per position, stream "keep") and
//             kept otherwise. Defaults (the authors' code): ε = 15, p = 0.2, w = 0.5; ε = 15
//             for SanText too.
// Non-candidate tokens ([CLS], [SEP], …) pass through unchanged.

import type { GpuContext } from '../gpu/context';
import { ExpMechPrivatizer, DistanceSampler, coin, requireProbability, type Draw } from './expmech';
import { sensitiveSet, sortedCandidates } from './expmech-ref';
import type { EmbeddingTable, MechanismSpec } from './types';

/** The authors' defaults (run_SanText.py: --epsilon 15, --p 0.2, --sensitive_word_percentage 0.5). */
export const SANTEXT_PLUS_DEFAULTS = { epsilon: 15, p: 0.2, w: 0.5 } as const;
export const SANTEXT_DEFAULT_EPSILON = 15;

export class SanTextPrivatizer extends ExpMechPrivatizer {
  private readonly sampler: DistanceSampler;

  constructor(gpu: GpuContext, table: EmbeddingTable, spec: MechanismSpec) {
    super(gpu, table, spec, 'santext', SANTEXT_DEFAULT_EPSILON);
    this.sampler = new DistanceSampler(gpu, table, sortedCandidates(table), 'santext');
  }

  protected sample(x: Int32Array, pos: Uint32Array, draw: Draw): Promise<Int32Array> {
    return this.sampler.sample(x, pos, this.epsilon, draw);
  }

  guarantee(): string {
    return this.withSeedNote(
      `ε·d(x, x′)-privacy per token with ε = ${this.epsilon} (SanText's exponential mechanism, utility −‖E(x) − E(y)‖₂): ` +
        `for any tokens x, x′ and output y, P(y | x) ≤ exp(ε·‖E(x) − E(x′)‖₂)·P(y | x′); bounds add up over the positions of a sequence. ` +
        `Sampled in f32 by Gumbel-max with 23-bit uniforms (a faithful simulation, not a certified implementation)`
    );
  }

  override dispose(): void {
    if (this.disposed) return;
    super.dispose();
    this.sampler.dispose();
  }
}

export class SanTextPlusPrivatizer extends ExpMechPrivatizer {
  readonly p: number;
  readonly w: number;
  /** the sensitive candidates (sorted ids) */
  readonly sensitive: Int32Array;
  private readonly isSensitive: Uint8Array;
  private readonly sampler: DistanceSampler | null;

  constructor(gpu: GpuContext, table: EmbeddingTable, spec: MechanismSpec) {
    super(gpu, table, spec, 'santext+', SANTEXT_PLUS_DEFAULTS.epsilon);
    this.p = requireProbability(spec.p, SANTEXT_PLUS_DEFAULTS.p, 'p', 'santext+');
    this.w = requireProbability(spec.w, SANTEXT_PLUS_DEFAULTS.w, 'w', 'santext+');
    this.sensitive = sensitiveSet(table, this.w);
    this.isSensitive = new Uint8Array(table.V);
    for (const id of this.sensitive) this.isSensitive[id] = 1;
    this.sampler = this.sensitive.length > 0 ? new DistanceSampler(gpu, table, this.sensitive, 'santext+') : null;
  }

  protected async sample(x: Int32Array, pos: Uint32Array, draw: Draw): Promise<Int32Array> {
    const out = Int32Array.from(x);
    if (!this.sampler) return out;
    const pick: number[] = [];
    for (let k = 0; k < x.length; k++) if (this.isSensitive[x[k]] === 1 || coin(draw, pos[k]) <= this.p) pick.push(k);
    if (pick.length === 0) return out;
    const y = await this.sampler.sample(
      Int32Array.from(pick, (k) => x[k]),
      Uint32Array.from(pick, (k) => pos[k]),
      this.epsilon,
      draw
    );
    pick.forEach((k, j) => (out[k] = y[j]));
    return out;
  }

  guarantee(): string {
    if (this.sensitive.length === 0)
      return this.withSeedNote(`SanText+ with w = ${this.w}: no token is sensitive, so every token is kept (no privacy)`);
    return this.withSeedNote(
      `SanText+ with ε = ${this.epsilon}, p = ${this.p}, w = ${this.w}: the ${this.sensitive.length} least frequent candidates are sensitive; ` +
        `every sensitive token is replaced by a sensitive token y with P(y | x) ∝ exp(−ε·‖E(x) − E(y)‖₂/2), so for sensitive x, x′ ` +
        `P(y | x) ≤ exp(ε·‖E(x) − E(x′)‖₂)·P(y | x′); a non-sensitive token is kept with probability ${1 - this.p}, which reveals it ` +
        `(non-sensitive words get no formal protection). Sampled in f32 by Gumbel-max (a faithful simulation, not a certified implementation)`
    );
  }

  override dispose(): void {
    if (this.disposed) return;
    super.dispose();
    this.sampler?.dispose();
  }
}
