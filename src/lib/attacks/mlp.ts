// The attack models' building block, on the engine: a one-hidden-layer perceptron with an
// optional linear skip path from a second input,
//     logits = GELU(x W₁ᵀ + b₁) W₂ᵀ + b₂ (+ s W_sᵀ),   x: [n, d], s: [n, d_s]
// trained with AdamW on softmax cross-entropy, in minibatches drawn by a seeded generator.
// Inputs are built on the CPU per batch (features(rows) → Float32Array) so large training sets
// never sit on the GPU at once. Browser-safe.

import type { GpuContext } from '../gpu/context';
import { AdamW, Tape, add, backward, crossEntropy, gelu, keep, matmul, noGrad, tensorFrom, tidy, type Tensor } from '../engine';
import { TrainableLinear } from '../model/heads/linear';
import { SeededRandom } from '../util/seeded-random';

export interface MlpShape {
  inputs: number;
  hidden: number;
  outputs: number;
  /** width of the skip input (0 = no skip path) */
  skip?: number;
}

export interface Batch {
  x: Float32Array;
  skip?: Float32Array;
}

export class Mlp {
  readonly l1: TrainableLinear;
  readonly l2: TrainableLinear;
  readonly skipW: Tensor | null;

  constructor(
    readonly gpu: GpuContext,
    readonly shape: MlpShape,
    rng: SeededRandom,
    name: string,
    init?: { skipWeight?: Float32Array; outBias?: Float32Array }
  ) {
    this.l1 = new TrainableLinear(gpu, shape.inputs, shape.hidden, rng, name + '.dense1');
    this.l2 = new TrainableLinear(gpu, shape.hidden, shape.outputs, rng, name + '.dense2');
    if (init?.outBias) {
      if (init.outBias.length !== shape.outputs) throw new Error(`${name}: output bias has ${init.outBias.length} values for ${shape.outputs} outputs`);
      gpu.write(this.l2.bias.buffer, init.outBias);
    }
    if (shape.skip) {
      const w = init?.skipWeight ?? new Float32Array(shape.outputs * shape.skip);
      if (w.length !== shape.outputs * shape.skip) throw new Error(`${name}: skip weight has ${w.length} values, expected ${shape.outputs}·${shape.skip}`);
      this.skipW = keep(tensorFrom(gpu, w, [shape.outputs, shape.skip], name + '.skip'));
      this.skipW.requiresGrad = true;
    } else this.skipW = null;
  }

  get params(): Tensor[] {
    return [...this.l1.params, ...this.l2.params, ...(this.skipW ? [this.skipW] : [])];
  }

  /** logits [n, outputs] for a batch of n rows */
  logits(b: Batch, n: number): Tensor {
    const x = tensorFrom(this.gpu, b.x, [n, this.shape.inputs], 'mlp.x');
    let y = this.l2.apply(gelu(this.l1.apply(x, 'mlp.h1'), 'mlp.act'), 'mlp.out');
    if (this.skipW) {
      if (!b.skip) throw new Error('mlp: this model has a skip path and needs its input');
      const s = tensorFrom(this.gpu, b.skip, [n, this.shape.skip!], 'mlp.skip_in');
      y = add(y, matmul(s, this.skipW, { transB: true, name: 'mlp.skip_out' }), 'mlp.logits');
    }
    return y;
  }

  dispose(): void {
    this.l1.dispose();
    this.l2.dispose();
    this.skipW?.dispose();
  }
}

export interface TrainOptions {
  steps: number;
  batchSize: number;
  lr: number;
  seed: number;
  weightDecay?: number;
  /** called every `every` steps (and after the last) with the step and the mean loss since the last checkpoint */
  onCheckpoint?: (step: number, loss: number) => Promise<void> | void;
  every?: number;
}

/**
 * Train `mlp` on rows 0..n−1: features(rows) builds a batch, targets[r] is row r's class.
 * Returns the loss per step (each step carries the mean of its checkpoint interval).
 */
export async function trainMlp(mlp: Mlp, n: number, features: (rows: number[]) => Batch, targets: Int32Array, o: TrainOptions): Promise<number[]> {
  if (n === 0) throw new Error('trainMlp: no training rows');
  const opt = new AdamW(mlp.gpu, mlp.params, { lr: o.lr, weightDecay: o.weightDecay ?? 0, maxGradNorm: 1 });
  const rng = new SeededRandom(o.seed);
  const losses: number[] = [];
  let order: number[] = [];
  let cursor = 0;
  const every = o.every ?? Math.max(1, Math.floor(o.steps / 5));
  // the loss is summed on the GPU and read once per checkpoint (no sync per step)
  let sum: Tensor | null = null;
  let sinceN = 0;
  try {
    for (let step = 1; step <= o.steps; step++) {
      const rows: number[] = [];
      while (rows.length < Math.min(o.batchSize, n)) {
        if (cursor >= order.length) {
          order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
          cursor = 0;
        }
        rows.push(order[cursor++]);
      }
      const batch = features(rows);
      const y = Int32Array.from(rows, (r) => targets[r]);
      const prev: Tensor | null = sum;
      sum = keep(
        tidy(() => {
          const tape = new Tape();
          const l = tape.record(() => crossEntropy(mlp.logits(batch, rows.length), tensorFrom(mlp.gpu, y, [rows.length], 'mlp.targets'), 'mlp.loss'));
          backward(tape, l);
          opt.step();
          return noGrad(() => (prev ? add(prev, l, 'mlp.loss_sum') : l));
        })
      );
      if (prev && prev !== sum) prev.dispose();
      sinceN++;
      if (step % every === 0 || step === o.steps) {
        const v = (await sum.readF32())[0] / sinceN;
        sum.dispose();
        sum = null;
        if (!Number.isFinite(v)) throw new Error(`attack model training diverged by step ${step} (mean loss ${v}); lower lr (${o.lr})`);
        for (let k = 0; k < sinceN; k++) losses.push(v);
        sinceN = 0;
        await o.onCheckpoint?.(step, v);
      }
    }
  } finally {
    sum?.dispose();
    opt.dispose();
  }
  return losses;
}

/** Logits of rows 0..n−1 in chunks, reduced on the CPU by `reduce(rowLogits, row)`. */
export async function forEachLogits(mlp: Mlp, n: number, features: (rows: number[]) => Batch, chunk: number, reduce: (logits: Float32Array, row: number) => void): Promise<void> {
  const K = mlp.shape.outputs;
  for (let r0 = 0; r0 < n; r0 += chunk) {
    const rows = Array.from({ length: Math.min(chunk, n - r0) }, (_, i) => r0 + i);
    const t = noGrad(() => tidy(() => mlp.logits(features(rows), rows.length)));
    const v = await t.readF32();
    t.dispose();
    rows.forEach((r, i) => reduce(v.subarray(i * K, (i + 1) * K), r));
  }
}

/** Index of the largest value (lowest index on ties). */
export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}
