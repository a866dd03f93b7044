// Prompt tuning with a linear classification head: a soft prompt of P trainable
// vectors before the word embeddings of a frozen BERT, and a linear head on the output
// state at position 0. One training step = forward, backward to the prompt and head
// only (the encoder's weights get no gradients and no optimizer state), AdamW update.
// This is the `pt-step` benchmark configuration and the base the RAPT trainer builds on.

import type { GpuContext } from '../gpu/context';
import { AdamW, Tape, Tensor, backward, crossEntropy, keep, matmul, noGrad, reshapeMove, sliceSeq, tensorFrom, tidy } from '../engine';
import type { BertModel } from '../model/bert';
import { SeededRandom } from '../util/seeded-random';

export interface PromptClassifierOptions {
  promptLength: number;
  numClasses: number;
  lr: number;
  seed: number;
  weightDecay?: number;
}

export interface Batch {
  /** [B][T] token ids (already padded) */
  inputIds: number[][];
  attentionMask?: number[][];
  labels: number[];
}

export class PromptClassifier {
  readonly prompt: Tensor;
  readonly headWeight: Tensor;
  readonly headBias: Tensor;
  readonly optimizer: AdamW;

  constructor(
    readonly gpu: GpuContext,
    readonly model: BertModel,
    readonly opts: PromptClassifierOptions
  ) {
    const C = model.config.hidden_size;
    const r = new SeededRandom(opts.seed);
    // Initialise the prompt from word embeddings' scale (std 0.02 like the LM's init).
    const p = new Float32Array(opts.promptLength * C).map(() => 0.02 * r.normal());
    const w = new Float32Array(opts.numClasses * C).map(() => 0.02 * r.normal());
    this.prompt = keep(tensorFrom(gpu, p, [opts.promptLength, C], 'soft_prompt'));
    this.headWeight = keep(tensorFrom(gpu, w, [opts.numClasses, C], 'head.weight'));
    this.headBias = keep(tensorFrom(gpu, new Float32Array(opts.numClasses), [opts.numClasses], 'head.bias'));
    for (const t of this.trainable) t.requiresGrad = true;
    this.optimizer = new AdamW(gpu, this.trainable, { lr: opts.lr, weightDecay: opts.weightDecay ?? 0 });
  }

  get trainable(): Tensor[] {
    return [this.prompt, this.headWeight, this.headBias];
  }

  private logits(ids: Tensor, mask: number[][] | undefined): Tensor {
    const { hidden } = this.model.forward({ inputIds: ids, attentionMask: mask, prompt: this.prompt });
    const [B, , C] = hidden.shape;
    const first = reshapeMove(sliceSeq(hidden, 0, 1, 'pos0'), [B, C]);
    return matmul(first, this.headWeight, { transB: true, bias: this.headBias, name: 'head.logits' });
  }

  private idsTensor(batch: Batch): Tensor {
    const B = batch.inputIds.length;
    const T = batch.inputIds[0]?.length ?? 0;
    return tensorFrom(this.gpu, Int32Array.from(batch.inputIds.flat()), [B, T], 'input_ids');
  }

  /**
   * One training step. Returns the loss as a [1] GPU tensor the caller owns (read it only
   * when needed: reading forces a sync).
   */
  step(batch: Batch): Tensor {
    return tidy(() => {
      const tape = new Tape();
      const labels = tensorFrom(this.gpu, Int32Array.from(batch.labels), [batch.labels.length], 'labels');
      const loss = tape.record(() => crossEntropy(this.logits(this.idsTensor(batch), batch.attentionMask), labels, 'task_loss'));
      backward(tape, loss);
      this.optimizer.step();
      return loss;
    });
  }

  /** Class scores [B, numClasses] without recording. */
  predict(batch: Batch): Tensor {
    return noGrad(() => tidy(() => this.logits(this.idsTensor(batch), batch.attentionMask)));
  }

  dispose(): void {
    this.optimizer.dispose();
    for (const t of this.trainable) t.dispose();
  }
}
