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
  /** parameters exempt from weight decay (BERT: biases and LayerNorm weights) */
  noDecay?: (t: Tensor) => boolean;
}

export interface AdamWState {
  t: number;
  m: Float32Array[];
  v: Float32Array[];
}

export class AdamW {
  readonly params: Tensor[];
  private m: Tensor[];
  private v: Tensor[];
  private hyper: Tensor;
  private hyperNoDecay: Tensor;
  private decays: boolean[];
  private clip: Tensor;
  private sq: Tensor | null = null;
  t = 0;
  opts: Required<Omit<AdamWOptions, 'noDecay'>>;

  constructor(
    private readonly gpu: GpuContext,
    params: Tensor[],
    opts: AdamWOptions
  ) {
    this.params = params.filter((p) => p.requiresGrad);
    const { noDecay, ...rest } = opts;
    this.opts = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 0, ...rest };
    this.decays = this.params.map((p) => !(noDecay && noDecay(p)));
    this.m = this.params.map((p) => keep(fill(gpu, p.shape, 0, `adam.m:${p.name}`)));
    this.v = this.params.map((p) => keep(fill(gpu, p.shape, 0, `adam.v:${p.name}`)));
    this.hyper = keep(tensorFrom(gpu, new Float32Array(8), [8], 'adam.hyper'));
    this.hyperNoDecay = keep(tensorFrom(gpu, new Float32Array(8), [8], 'adam.hyper_no_decay'));
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
    const h = [lr, beta1, beta2, eps, weightDecay, 1 - beta1 ** this.t, 1 - beta2 ** this.t, maxGradNorm];
    gpu.write(this.hyper.buffer, new Float32Array(h));
    if (this.decays.some((d) => !d)) {
      h[4] = 0;
      gpu.write(this.hyperNoDecay.buffer, new Float32Array(h));
    }
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
        buffers: {
          p: p.buffer,
          g: p.grad.buffer,
          m: this.m[i].buffer,
          v: this.v[i].buffer,
          hyper: (this.decays[i] ? this.hyper : this.hyperNoDecay).buffer,
          clip: this.clip.buffer
        },
        params: { n: p.size, xStride: g.xStride, count: 0 },
        workgroups: g.workgroups
      });
      p.grad.dispose();
      p.grad = null;
    });
  }

  /** Optimizer state for checkpoints. */
  async exportState(): Promise<AdamWState> {
    const m: Float32Array[] = [];
    const v: Float32Array[] = [];
    for (let i = 0; i < this.params.length; i++) {
      m.push(await this.m[i].readF32());
      v.push(await this.v[i].readF32());
    }
    return { t: this.t, m, v };
  }

  importState(state: AdamWState): void {
    if (state.m.length !== this.params.length || state.v.length !== this.params.length)
      throw new Error(`optimizer state has ${state.m.length} tensors, this optimizer ${this.params.length}`);
    this.params.forEach((p, i) => {
      if (state.m[i].length !== p.size || state.v[i].length !== p.size)
        throw new Error(`optimizer state for "${p.name}" has ${state.m[i].length} values, the parameter ${p.size}`);
      this.gpu.write(this.m[i].buffer, state.m[i]);
      this.gpu.write(this.v[i].buffer, state.v[i]);
    });
    this.t = state.t;
  }

  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  dispose(): void {
    this.zeroGrad();
    for (const t of [...this.m, ...this.v, this.hyper, this.hyperNoDecay, this.clip, ...(this.sq ? [this.sq] : [])]) t.dispose();
  }
}
