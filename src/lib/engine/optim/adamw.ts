// AdamW over the parameters that require gradients. Frozen tensors get no state.
// One kernel per parameter tensor; hyperparameters are written once per step into a
// small storage buffer, so no uniform changes from step to step. Optional global-norm
// gradient clipping runs on the GPU (no readback).

import type { GpuContext } from '../../gpu/context';
import { Tensor, tensorFrom } from '../tensor';
import { keep } from '../scope';
import { fill } from '../ops/elementwise';
import { linearGrid } from '../ops/launch';

export interface AdamWOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** clip gradients to this global L2 norm (0 = off) */
  maxGradNorm?: number;
}

export class AdamW {
  readonly params: Tensor[];
  private m: Tensor[];
  private v: Tensor[];
  private hyper: Tensor;
  private clip: Tensor;
  private sq: Tensor | null = null;
  t = 0;
  opts: Required<AdamWOptions>;

  constructor(
    private readonly gpu: GpuContext,
    params: Tensor[],
    opts: AdamWOptions
  ) {
    this.params = params.filter((p) => p.requiresGrad);
    this.opts = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 0, ...opts };
    this.m = this.params.map((p) => keep(fill(gpu, p.shape, 0, `adam.m:${p.name}`)));
    this.v = this.params.map((p) => keep(fill(gpu, p.shape, 0, `adam.v:${p.name}`)));
    this.hyper = keep(tensorFrom(gpu, new Float32Array(8), [8], 'adam.hyper'));
    this.clip = keep(fill(gpu, [1], 1, 'adam.clip'));
    if (this.params.length && this.opts.maxGradNorm > 0) this.sq = keep(fill(gpu, [this.params.length], 0, 'adam.sq'));
  }

  /** Number of floats of optimizer state (2 per trainable value). */
  get stateSize(): number {
    return this.m.reduce((s, t) => s + t.size, 0) * 2;
  }

  /** Apply one update from each parameter's .grad, then release the gradients. */
  step(lr = this.opts.lr): void {
    const gpu = this.gpu;
    const { beta1, beta2, eps, weightDecay, maxGradNorm } = this.opts;
    this.t++;
    gpu.write(
      this.hyper.buffer,
      new Float32Array([lr, beta1, beta2, eps, weightDecay, 1 - beta1 ** this.t, 1 - beta2 ** this.t, maxGradNorm])
    );
    if (this.sq) {
      this.params.forEach((p, i) => {
        if (!p.grad) return;
        gpu.dispatch(gpu.kernel('engine/reduce.wgsl', 'sumsq_all'), {
          buffers: { x: p.grad.buffer, out: this.sq!.buffer },
          params: { R: 1, N: p.size, alpha: 1, offset: i },
          workgroups: [1]
        });
      });
      gpu.dispatch(gpu.kernel('engine/adamw.wgsl', 'clip_scale'), {
        buffers: { hyper: this.hyper.buffer, sq: this.sq.buffer, clipOut: this.clip.buffer },
        params: { n: 0, xStride: 0, count: this.params.length },
        workgroups: [1]
      });
    }
    this.params.forEach((p, i) => {
      if (!p.grad) return;
      const g = linearGrid(p.size);
      gpu.dispatch(gpu.kernel('engine/adamw.wgsl', 'step'), {
        buffers: { p: p.buffer, g: p.grad.buffer, m: this.m[i].buffer, v: this.v[i].buffer, hyper: this.hyper.buffer, clip: this.clip.buffer },
        params: { n: p.size, xStride: g.xStride, count: 0 },
        workgroups: g.workgroups
      });
      p.grad.dispose();
      p.grad = null;
    });
  }

  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  dispose(): void {
    this.zeroGrad();
    for (const t of [...this.m, ...this.v, this.hyper, this.clip, ...(this.sq ? [this.sq] : [])]) t.dispose();
  }
}
