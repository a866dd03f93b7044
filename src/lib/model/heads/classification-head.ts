// Linear classification head on the encoder output, pooled one of two ways:
//   cls:  logits [B, K] = h[:, cls] Wᵀ + b                      (BERT's way)
//   mean: logits [B, K] = (Σ_t w[b, t] h[b, t]) Wᵀ + b,  w = 1/n on the n text positions
// h: [B, S, C], W: [K, C]. The soft prompt, when there is one, sits before [CLS] (cls = prompt
// length); the mean covers the text tokens only (not the prompt, [CLS], RAPT's plain tokens or
// the padding). Mean pooling exists because a small, briefly pretrained encoder's [CLS] state
// barely varies between inputs (see README, "Task heads").

import type { GpuContext } from '../../gpu/context';
import { matmul, reshapeMove, sliceSeq, tensorFrom, type Tensor } from '../../engine';
import type { SeededRandom } from '../../util/seeded-random';
import { TrainableLinear } from './linear';

export type Pooling = 'cls' | 'mean';

export class ClassificationHead {
  private readonly linear: TrainableLinear;

  constructor(gpu: GpuContext, hidden: number, readonly numClasses: number, rng: SeededRandom, readonly pooling: Pooling = 'cls') {
    this.linear = new TrainableLinear(gpu, hidden, numClasses, rng, 'cls_head');
  }

  /**
   * hidden [B, S, C]; clsPosition for 'cls'; textSpans [start, end) per row (indices into the
   * encoder output) for 'mean'.
   */
  logits(hidden: Tensor, clsPosition: number, textSpans?: readonly (readonly [number, number])[]): Tensor {
    const [B, S, C] = hidden.shape;
    let pooled: Tensor;
    if (this.pooling === 'cls') {
      pooled = reshapeMove(sliceSeq(hidden, clsPosition, 1, 'cls_state'), [B, C]);
    } else {
      if (!textSpans || textSpans.length !== B) throw new Error(`mean pooling needs one text span per row (${B}), got ${textSpans?.length ?? 0}`);
      const w = new Float32Array(B * S);
      textSpans.forEach(([a, e], b) => {
        if (!(e > a) || a < 0 || e > S) throw new Error(`mean pooling: row ${b} has an empty or out-of-range text span [${a}, ${e})`);
        for (let t = a; t < e; t++) w[b * S + t] = 1 / (e - a);
      });
      const weights = tensorFrom(hidden.gpu, w, [B, 1, S], 'mean_weights');
      pooled = reshapeMove(matmul(weights, hidden, { name: 'mean_state' }), [B, C]);
    }
    return this.linear.apply(pooled, 'cls_head.logits');
  }

  get params(): Tensor[] {
    return this.linear.params;
  }

  dispose(): void {
    this.linear.dispose();
  }
}
