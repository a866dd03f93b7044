// Masked-language-model pretraining on the engine, the same code in Node (rapt pretrain)
// and in the browser: AdamW (weight decay except on biases and LayerNorm weights), linear
// warm-up then linear decay, global-norm gradient clipping, periodic evaluation on
// held-out text, and state that a checkpoint can restore exactly (the batch order and the
// masking are functions of (seed, step), so resuming replays the same data).
//
// Not modelled: dropout (the small models here underfit rather than overfit in the
// budgets we run) and next-sentence prediction (RoBERTa showed it is not needed).

import type { GpuContext } from '../gpu/context';
import { AdamW, Tape, backward, crossEntropy, gatherRows, noGrad, reshapeMove, tensorFrom, tidy, type AdamWState, type Tensor } from '../engine';
import type { BertModel } from '../model/bert';
import { SeededRandom } from '../util/seeded-random';
import { linearWarmupDecay } from './lr-schedule';
import { maskBatch, type MaskedBatch, type MaskingSpec } from './mlm-data';

export interface PretrainSettings {
  steps: number;
  batchSize: number;
  lr: number;
  warmup: number;
  weightDecay: number;
  maxGradNorm: number;
  maskProb: number;
  seed: number;
}

export interface StepReport {
  step: number;
  loss: number;
  lr: number;
  tokens: number;
  ms: number;
}

export interface EvalReport {
  masked_accuracy: number;
  /** accuracy of always guessing the most frequent training token, on the same positions */
  unigram_accuracy: number | null;
  loss: number;
  tokens: number;
}

export class MlmTrainer {
  readonly optimizer: AdamW;
  step = 0;
  tokensSeen = 0;

  constructor(
    readonly gpu: GpuContext,
    readonly model: BertModel,
    readonly train: Int32Array[],
    readonly spec: MaskingSpec,
    readonly settings: PretrainSettings
  ) {
    if (!model.hasMlmHead) throw new Error('pretraining needs a model with an MLM head');
    if (train.length < settings.batchSize) throw new Error(`${train.length} training sequences, fewer than one batch of ${settings.batchSize}`);
    for (const t of model.params.values()) t.requiresGrad = true;
    this.optimizer = new AdamW(gpu, [...model.params.values()], {
      lr: settings.lr,
      weightDecay: settings.weightDecay,
      maxGradNorm: settings.maxGradNorm,
      beta2: 0.999,
      eps: 1e-6,
      noDecay: (t) => t.name.endsWith('.bias') || t.name.includes('LayerNorm')
    });
  }

  get stepsPerEpoch(): number {
    return Math.floor(this.train.length / this.settings.batchSize);
  }

  /** The sequences of batch `step`: epoch e uses a shuffle seeded by (seed, e). */
  private batchAt(step: number): Int32Array[] {
    const per = this.stepsPerEpoch;
    const epoch = Math.floor(step / per);
    if (epoch !== this.cachedEpoch) {
      const order = Array.from(this.train.keys());
      new SeededRandom(this.settings.seed * 1000003 + epoch).shuffle(order);
      this.order = order;
      this.cachedEpoch = epoch;
    }
    const k = step % per;
    const B = this.settings.batchSize;
    return this.order.slice(k * B, (k + 1) * B).map((i) => this.train[i]);
  }
  private order: number[] = [];
  private cachedEpoch = -1;

  private lossOf(batch: MaskedBatch): Tensor {
    const { B, T } = batch;
    const C = this.model.config.hidden_size;
    const ids = tensorFrom(this.gpu, batch.inputIds, [B, T], 'input_ids');
    const { hidden } = this.model.forward({ inputIds: ids, attentionMask: batch.attentionMask });
    const { positions, targets } = maskedTargets(batch);
    const flat = reshapeMove(hidden, [B * T, C]);
    const picked = gatherRows(flat, tensorFrom(this.gpu, Int32Array.from(positions), [positions.length], 'masked_positions'), 'masked_hidden');
    const logits = this.model.mlmLogits(picked);
    return crossEntropy(logits, tensorFrom(this.gpu, Int32Array.from(targets), [targets.length], 'mlm_labels'), 'mlm_loss');
  }

  /** One optimisation step. Returns the loss tensor (read it only when you log). */
  trainStep(): { loss: Tensor; tokens: number; lr: number } {
    const s = this.settings;
    const batch = maskBatch(this.batchAt(this.step), this.spec, new SeededRandom(s.seed * 7919 + this.step));
    const lr = linearWarmupDecay(this.step, s.lr, s.warmup, s.steps);
    const loss = tidy(() => {
      const tape = new Tape();
      const l = tape.record(() => this.lossOf(batch));
      backward(tape, l);
      this.optimizer.step(lr);
      return l;
    });
    const tokens = batch.attentionMask.reduce((a, r) => a + r.reduce((x, y) => x + y, 0), 0);
    this.step++;
    this.tokensSeen += tokens;
    return { loss, tokens, lr };
  }

  /**
   * Masked-token accuracy and loss on held-out sequences, with masking fixed by `seed`
   * (the same positions every time, so evaluations are comparable across steps).
   */
  async evaluate(seqs: Int32Array[], batchSize: number, seed: number, unigram?: number): Promise<EvalReport> {
    return evaluateMlm(this.gpu, this.model, seqs, this.spec, batchSize, seed, unigram);
  }

  async exportState(): Promise<{ step: number; tokensSeen: number; optimizer: AdamWState }> {
    return { step: this.step, tokensSeen: this.tokensSeen, optimizer: await this.optimizer.exportState() };
  }

  importState(state: { step: number; tokensSeen: number; optimizer: AdamWState }): void {
    this.optimizer.importState(state.optimizer);
    this.step = state.step;
    this.tokensSeen = state.tokensSeen;
  }

  dispose(): void {
    this.optimizer.dispose();
    for (const t of this.model.params.values()) t.requiresGrad = false;
  }
}

/** Masked accuracy of `model` on `seqs` (argmax over the vocabulary at each masked position). */
export async function evaluateMlm(
  gpu: GpuContext,
  model: BertModel,
  seqs: Int32Array[],
  spec: MaskingSpec,
  batchSize: number,
  seed: number,
  unigram?: number
): Promise<EvalReport> {
  const rng = new SeededRandom(seed);
  let unigramCorrect = 0;
  let correct = 0;
  let total = 0;
  let lossSum = 0;
  const V = model.config.vocab_size;
  const C = model.config.hidden_size;
  for (let i = 0; i < seqs.length; i += batchSize) {
    const batch = maskBatch(seqs.slice(i, i + batchSize), spec, rng);
    const { positions, targets } = maskedTargets(batch);
    const out = noGrad(() =>
      tidy(() => {
        const ids = tensorFrom(gpu, batch.inputIds, [batch.B, batch.T], 'input_ids');
        const { hidden } = model.forward({ inputIds: ids, attentionMask: batch.attentionMask });
        const flat = reshapeMove(hidden, [batch.B * batch.T, C]);
        const picked = gatherRows(flat, tensorFrom(gpu, Int32Array.from(positions), [positions.length], 'masked_positions'));
        const logits = model.mlmLogits(picked);
        const loss = crossEntropy(logits, tensorFrom(gpu, Int32Array.from(targets), [targets.length], 'labels'));
        return { logits, loss };
      })
    );
    const logits = await out.logits.readF32();
    lossSum += (await out.loss.readF32())[0] * targets.length;
    out.logits.dispose();
    out.loss.dispose();
    for (let r = 0; r < targets.length; r++) {
      let best = 0;
      let bestV = -Infinity;
      for (let v = 0; v < V; v++) {
        const x = logits[r * V + v];
        if (x > bestV) {
          bestV = x;
          best = v;
        }
      }
      if (best === targets[r]) correct++;
      if (targets[r] === unigram) unigramCorrect++;
    }
    total += targets.length;
  }
  return {
    masked_accuracy: total ? correct / total : 0,
    unigram_accuracy: unigram === undefined ? null : total ? unigramCorrect / total : 0,
    loss: total ? lossSum / total : 0,
    tokens: total
  };
}

/** Flat positions of the predicted tokens in a masked batch and their original ids. */
function maskedTargets(batch: MaskedBatch): { positions: number[]; targets: number[] } {
  const positions: number[] = [];
  const targets: number[] = [];
  batch.labels.forEach((l, i) => {
    if (l >= 0) {
      positions.push(i);
      targets.push(l);
    }
  });
  return { positions, targets };
}
