// Embedding inversion, learned: a model the attacker trains on public auxiliary text that it
// privatizes itself with the same mechanism and budget, then applies to the user's privatized
// text. For position i of a privatized sequence y:
//
//   input   x_i = [E(y_{i−w}); …; E(y_{i+w}); [y_i ∈ X_N]; 1]       E: the public embedding table
//                                                                    (rows outside the text are 0)
//   logits  z_i = GELU(x_i W₁ᵀ + b₁) W₂ᵀ + b₂ + E(y_i) W_sᵀ          over X_N ∪ {KEEP}
//   guess   x̂_i = X_N[argmax z_i], or y_i itself when KEEP wins
//   target  the original x_i when x_i ∈ X_N, else KEEP (outside the output set the best the
//           model can do is keep the observed token)
//
// X_N: the N most frequent privatizable tokens of the auxiliary text. The skip path starts as a
// nearest-neighbour posterior: W_s[x] = α·E(x), b₂[x] = −α‖E(x)‖²/2 + log p(x), so that
// z_i[x] − z_i[x′] = log p(x)/p(x′) − α(‖E(x) − E(y_i)‖² − ‖E(x′) − E(y_i)‖²)/2 at the start
// (a Gaussian-kernel Bayes guess); α is the value on a grid (0 = the prior alone) with the least
// cross-entropy on (part of) the auxiliary training rows. Training (AdamW, cross-entropy) then learns the mechanism's real
// confusions and the context from the window. Browser-safe.

import type { GpuContext } from '../gpu/context';
import type { EmbeddingTable } from '../privacy/types';
import { SeededRandom } from '../util/seeded-random';
import { Mlp, argmax, forEachLogits, trainMlp, type Batch } from './mlp';

export interface LearnedInversionOptions {
  /** the public table (embeddings [V, C]) */
  table: EmbeddingTable;
  /** X_N: output ids */
  outputIds: Int32Array;
  /** p(x) per id (data.ts smoothedPrior) */
  prior: Float64Array;
  /** whether the mechanism acts on an id (other positions pass through and are not trained on) */
  privatized: (id: number) => boolean;
  window: number;
  hidden: number;
  steps: number;
  batchSize: number;
  lr: number;
  seed: number;
  log?: (s: string) => void;
}

/** Positions (sequence, index) of privatizable originals. */
interface Rows {
  seq: Int32Array;
  pos: Int32Array;
}

function rowsOf(seqs: readonly Int32Array[], keep: (id: number) => boolean): Rows {
  const s: number[] = [];
  const p: number[] = [];
  seqs.forEach((q, k) => {
    for (let i = 0; i < q.length; i++)
      if (keep(q[i])) {
        s.push(k);
        p.push(i);
      }
  });
  return { seq: Int32Array.from(s), pos: Int32Array.from(p) };
}

export class LearnedInverter {
  private mlp: Mlp | null = null;
  private readonly index = new Map<number, number>();
  readonly inputs: number;
  /** the α the skip path started from, and the auxiliary training rows used */
  alpha = 0;
  trainRows = 0;
  losses: number[] = [];

  constructor(
    readonly gpu: GpuContext,
    readonly o: LearnedInversionOptions
  ) {
    if (o.outputIds.length === 0) throw new Error('learned inversion: no output tokens');
    o.outputIds.forEach((id, k) => this.index.set(id, k));
    this.inputs = (2 * o.window + 1) * o.table.C + 2;
  }

  get keepClass(): number {
    return this.o.outputIds.length;
  }

  private features(seqs: readonly Int32Array[], r: Rows) {
    const { C, embeddings: E } = this.o.table;
    const w = this.o.window;
    const D = this.inputs;
    return (rows: number[]): Batch => {
      const x = new Float32Array(rows.length * D);
      const skip = new Float32Array(rows.length * C);
      rows.forEach((row, b) => {
        const q = seqs[r.seq[row]];
        const i = r.pos[row];
        for (let j = -w; j <= w; j++) {
          const t = i + j;
          if (t < 0 || t >= q.length) continue;
          x.set(E.subarray(q[t] * C, q[t] * C + C), b * D + (j + w) * C);
        }
        x[b * D + D - 2] = this.index.has(q[i]) ? 1 : 0;
        x[b * D + D - 1] = 1;
        skip.set(E.subarray(q[i] * C, q[i] * C + C), b * C);
      });
      return { x, skip };
    };
  }

  /** Choose α for the nearest-neighbour start on up to 4000 rows by cross-entropy (see the header). */
  private chooseAlpha(priv: readonly Int32Array[], target: Int32Array, r: Rows, rng: SeededRandom): number {
    const { C, embeddings: E } = this.o.table;
    const out = this.o.outputIds;
    const M = out.length;
    const sample = rng.shuffle(Array.from({ length: r.seq.length }, (_, i) => i)).slice(0, 4000);
    const sq = Float64Array.from(out, (x) => {
      let s = 0;
      for (let c = 0; c < C; c++) s += E[x * C + c] ** 2;
      return s;
    });
    const meanSq = sq.reduce((a, b) => a + b, 0) / M || 1;
    const logp = Float64Array.from(out, (x) => Math.log(this.o.prior[x] || 1e-12));
    let keepMass = 1;
    for (const x of out) keepMass -= this.o.prior[x];
    const logKeep = Math.log(Math.max(keepMass, 1e-6));
    const dots = sample.map((row) => {
      const y = priv[r.seq[row]][r.pos[row]];
      const d = new Float64Array(M);
      for (let k = 0; k < M; k++) {
        let s = 0;
        const xo = out[k] * C,
          yo = y * C;
        for (let c = 0; c < C; c++) s += E[xo + c] * E[yo + c];
        d[k] = s;
      }
      return d;
    });
    // the α whose start has the least cross-entropy (a calibrated start: an over-confident
    // nearest-neighbour rule would leave logit gaps that training cannot close)
    let best = { alpha: 0, loss: Infinity };
    for (const e of [-Infinity, ...Array.from({ length: 13 }, (_, k) => k - 2)]) {
      const alpha = e === -Infinity ? 0 : 10 ** (e / 2) / meanSq;
      let loss = 0;
      const z = new Float64Array(M + 1);
      sample.forEach((row, n) => {
        const d = dots[n];
        let mx = logKeep;
        z[M] = logKeep;
        for (let k = 0; k < M; k++) {
          z[k] = alpha * (d[k] - sq[k] / 2) + logp[k];
          if (z[k] > mx) mx = z[k];
        }
        let se = 0;
        for (let k = 0; k <= M; k++) se += Math.exp(z[k] - mx);
        loss += mx + Math.log(se) - z[target[row]];
      });
      if (loss < best.loss) best = { alpha, loss };
    }
    return best.alpha;
  }

  /** Train on auxiliary text: privatized sequences and their originals. */
  async train(privatized: readonly Int32Array[], originals: readonly Int32Array[]): Promise<void> {
    const log = this.o.log ?? (() => {});
    const { C, embeddings: E } = this.o.table;
    const r = rowsOf(originals, this.o.privatized);
    if (r.seq.length === 0) throw new Error('learned inversion: the auxiliary text has no privatizable tokens to train on');
    this.trainRows = r.seq.length;
    const target = Int32Array.from(r.seq, (s, k) => this.index.get(originals[s][r.pos[k]]) ?? this.keepClass);
    const rng = new SeededRandom(this.o.seed * 48271 + 1);
    this.alpha = this.chooseAlpha(privatized, target, r, rng);
    const out = this.o.outputIds;
    const M = out.length;
    const skipWeight = new Float32Array((M + 1) * C);
    const outBias = new Float32Array(M + 1);
    let keepMass = 1;
    out.forEach((x, k) => {
      let s = 0;
      for (let c = 0; c < C; c++) {
        skipWeight[k * C + c] = this.alpha * E[x * C + c];
        s += E[x * C + c] ** 2;
      }
      outBias[k] = -this.alpha * s / 2 + Math.log(this.o.prior[x] || 1e-12);
      keepMass -= this.o.prior[x];
    });
    outBias[M] = Math.log(Math.max(keepMass, 1e-6));
    this.mlp?.dispose();
    this.mlp = new Mlp(this.gpu, { inputs: this.inputs, hidden: this.o.hidden, outputs: M + 1, skip: C }, rng, 'inversion_mlp', { skipWeight, outBias });
    log(`inversion-learned: ${r.seq.length} auxiliary positions, ${M} output tokens + keep, start α = ${this.alpha.toPrecision(3)}`);
    this.losses = await trainMlp(this.mlp, r.seq.length, this.features(privatized, r), target, {
      steps: this.o.steps,
      batchSize: this.o.batchSize,
      lr: this.o.lr,
      seed: this.o.seed * 7 + 3,
      onCheckpoint: (step, loss) => log(`inversion-learned: step ${step}/${this.o.steps}  loss ${loss.toFixed(4)}`)
    });
  }

  /** Guesses for each privatized sequence (non-privatizable observations are kept). */
  async predict(privatized: readonly Int32Array[]): Promise<Int32Array[]> {
    if (!this.mlp) throw new Error('learned inversion: predict() before train()');
    const guesses = privatized.map((q) => q.slice());
    const r = rowsOf(privatized, this.o.privatized);
    await forEachLogits(this.mlp, r.seq.length, this.features(privatized, r), 1024, (z, row) => {
      const k = argmax(z);
      if (k !== this.keepClass) guesses[r.seq[row]][r.pos[row]] = this.o.outputIds[k];
    });
    return guesses;
  }

  dispose(): void {
    this.mlp?.dispose();
    this.mlp = null;
  }
}
