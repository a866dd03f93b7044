// A trainable dense layer y = x Wᵀ + b (W [out, in], b [out]) for task and reconstruction
// heads, initialised like BERT (W ~ N(0, 0.02²), b = 0) from a seeded generator.

import type { GpuContext } from '../../gpu/context';
import { keep, matmul, tensorFrom, type Tensor } from '../../engine';
import type { SeededRandom } from '../../util/seeded-random';

export class TrainableLinear {
  readonly weight: Tensor;
  readonly bias: Tensor;

  constructor(gpu: GpuContext, inFeatures: number, outFeatures: number, rng: SeededRandom, name: string) {
    const w = new Float32Array(outFeatures * inFeatures);
    for (let i = 0; i < w.length; i++) w[i] = 0.02 * rng.normal();
    this.weight = keep(tensorFrom(gpu, w, [outFeatures, inFeatures], name + '.weight'));
    this.bias = keep(tensorFrom(gpu, new Float32Array(outFeatures), [outFeatures], name + '.bias'));
    this.weight.requiresGrad = true;
    this.bias.requiresGrad = true;
  }

  /** x [..., in] → [..., out] */
  apply(x: Tensor, name: string): Tensor {
    return matmul(x, this.weight, { transB: true, bias: this.bias, name });
  }

  get params(): Tensor[] {
    return [this.weight, this.bias];
  }

  dispose(): void {
    this.weight.dispose();
    this.bias.dispose();
  }
}
