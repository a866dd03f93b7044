// The service-side RAPT trainer: a frozen encoder with a PEFT method (soft prompt, prefix,
// LoRA, or full fine-tuning as the reference), a task head, and optionally RAPT's
// reconstruction head. One step on a batch of privatized examples:
//
//   loss = CE(task logits, labels) + λ · CE(reconstruction logits at plain positions, original plain ids)
//
// Task logits come from a linear head on [CLS], or from the MLM head at the template's [MASK]
// restricted to the label words (the verbalizer). It sees token ids only (TaskExample).

import type { GpuContext } from '../gpu/context';
import { AdamW, Tape, add, backward, crossEntropy, gatherRows, noGrad, reshapeMove, scale, sliceSeq, tensorFrom, tidy, type Tensor } from '../engine';
import type { BertModel } from '../model/bert';
import { ClassificationHead } from '../model/heads/classification-head';
import { ReconstructionHead } from '../model/heads/reconstruction-head';
import type { PeftMethod } from '../peft/method';
import { SeededRandom } from '../util/seeded-random';
import type { PlainSequence, TaskHeadName } from './config';
import { layoutBatch, layoutPlainBatch, textBudget, type LaidOutBatch, type LayoutOptions, type SpecialIds, type TaskExample } from './layout';

export interface RaptTrainerOptions {
  method: PeftMethod;
  head: TaskHeadName;
  numClasses: number;
  /** verbalizer: one vocabulary id per class */
  labelWordIds?: Int32Array;
  /** verbalizer: template ids with one [MASK] */
  template?: Int32Array;
  /** RAPT reconstruction (null = plain tuning); sequence: where the plain tokens go (config.ts, plainSequence) */
  rapt: { plainTokens: number; lambda: number; reconHidden: number; sequence?: PlainSequence } | null;
  lr: number;
  seed: number;
  maxLength: number;
  special: SpecialIds;
  weightDecay?: number;
  clip?: number;
}

export interface StepLosses {
  total: Tensor;
  task: Tensor;
  recon: Tensor | null;
}

export class RaptTrainer {
  readonly clsHead: ClassificationHead | null;
  readonly reconHead: ReconstructionHead | null;
  readonly optimizer: AdamW;
  private readonly labelWords: Int32Array | null;

  constructor(
    readonly gpu: GpuContext,
    readonly model: BertModel,
    readonly opts: RaptTrainerOptions
  ) {
    const C = model.config.hidden_size;
    const rng = new SeededRandom(opts.seed * 7919 + 17);
    if (opts.head === 'verbalizer') {
      if (!opts.labelWordIds || opts.labelWordIds.length !== opts.numClasses)
        throw new Error(`verbalizer head: need one label word per class (${opts.numClasses}), got ${opts.labelWordIds?.length ?? 0}`);
      if (!opts.template) throw new Error('verbalizer head: a template with [MASK] is required');
      if (!model.hasMlmHead) throw new Error('verbalizer head: this checkpoint has no MLM head; use the [CLS] head');
      this.labelWords = opts.labelWordIds;
      this.clsHead = null;
    } else {
      this.labelWords = null;
      this.clsHead = new ClassificationHead(gpu, C, opts.numClasses, rng, opts.head === 'mean' ? 'mean' : 'cls');
    }
    if (opts.rapt && opts.rapt.plainTokens > 0) {
      if (!(opts.rapt.lambda >= 0) || !Number.isFinite(opts.rapt.lambda)) throw new Error(`RAPT: λ must be a finite number ≥ 0, got ${opts.rapt.lambda}`);
      this.reconHead = new ReconstructionHead(gpu, C, opts.rapt.reconHidden, model.config.vocab_size, rng);
    } else this.reconHead = null;
    const method = opts.method;
    const heads = [...(this.clsHead?.params ?? []), ...(this.reconHead?.params ?? [])];
    const headBias = new Set([this.clsHead?.params[1], ...(this.reconHead ? [this.reconHead.params[1], this.reconHead.params[3]] : [])]);
    this.optimizer = new AdamW(gpu, [...method.trainable, ...heads], {
      lr: opts.lr,
      weightDecay: opts.weightDecay ?? 0,
      maxGradNorm: opts.clip ?? 1,
      noDecay: (t) => headBias.has(t) || method.noDecay(t)
    });
  }

  /** Plain tokens share the text's sequence (RAPT 'joint', the paper's layout). */
  private get jointPlain(): boolean {
    return this.reconHead !== null && (this.opts.rapt!.sequence ?? 'joint') === 'joint';
  }

  /** Layout options for training (plain tokens on, when they share the text's sequence) or inference (off). */
  layout(training: boolean): LayoutOptions {
    return {
      maxPositions: this.model.config.max_position_embeddings,
      promptPositions: this.opts.method.promptPositions,
      plainTokens: training && this.jointPlain ? this.opts.rapt!.plainTokens : 0,
      template: this.opts.head === 'verbalizer' ? this.opts.template : undefined,
      maxLength: this.opts.maxLength
    };
  }

  /** Most text tokens kept per example (the tighter of training and inference layouts). */
  get textBudget(): number {
    return textBudget(this.layout(true));
  }

  /** Trainable values: the method's and the heads'. */
  get trainableCount(): number {
    return this.optimizer.params.reduce((n, t) => n + t.size, 0);
  }

  private encode(lb: Pick<LaidOutBatch, 'B' | 'T' | 'inputIds' | 'attentionMask'>): Tensor {
    const ids = tensorFrom(this.gpu, lb.inputIds, [lb.B, lb.T], 'input_ids');
    const { hidden } = this.model.forward({ inputIds: ids, attentionMask: lb.attentionMask, prompt: this.opts.method.prompt, hooks: this.opts.method.hooks });
    return hidden;
  }

  private taskLogits(hidden: Tensor, lb: LaidOutBatch): Tensor {
    if (this.clsHead) return this.clsHead.logits(hidden, lb.clsPosition, lb.textSpans);
    const [B, S, C] = hidden.shape;
    const flat = hidden.reshape([B * S, C], 'hidden_flat');
    const pos = Int32Array.from(lb.maskPositions.map((p, b) => b * S + p));
    const picked = gatherRows(flat, tensorFrom(this.gpu, pos, [B], 'mask_positions'), 'mask_states');
    flat.dispose();
    return this.model.mlmLogitsFor(picked, tensorFrom(this.gpu, this.labelWords!, [this.labelWords!.length], 'label_words'));
  }

  /** One optimisation step. The returned tensors are owned by the caller (read, then dispose). */
  step(examples: readonly TaskExample[]): StepLosses {
    return tidy(() => {
      const lb = layoutBatch(examples, this.layout(true), this.opts.special);
      const tape = new Tape();
      let recon: Tensor | null = null;
      let task!: Tensor;
      const total = tape.record(() => {
        const hidden = this.encode(lb);
        const labels = tensorFrom(this.gpu, Int32Array.from(examples.map((e) => e.label)), [lb.B], 'labels');
        task = crossEntropy(this.taskLogits(hidden, lb), labels, 'task_loss');
        if (!this.reconHead) return task;
        const m = this.opts.rapt!.plainTokens;
        const C = hidden.dim(2);
        // 'separate': the plain tokens run through the encoder (same prompt / hooks) as their own rows
        const pb = this.jointPlain
          ? null
          : layoutPlainBatch(examples, m, this.opts.method.promptPositions, this.model.config.max_position_embeddings, this.opts.special);
        const plainHidden = pb ? this.encode(pb) : hidden;
        const states = reshapeMove(sliceSeq(plainHidden, pb ? pb.plainStart : lb.plainStart, m, 'plain_states'), [lb.B * m, C]);
        const targets = new Int32Array(lb.B * m);
        examples.forEach((e, b) => targets.set(e.plain!.original, b * m));
        recon = crossEntropy(this.reconHead.logits(states), tensorFrom(this.gpu, targets, [lb.B * m], 'plain_targets'), 'recon_loss');
        return add(task, scale(recon, this.opts.rapt!.lambda, 'lambda_recon'), 'loss');
      });
      backward(tape, total);
      this.optimizer.step();
      return { total, task, recon };
    });
  }

  /** Class scores [B, K] for a batch at inference (no plain tokens, head unused). */
  scores(examples: readonly TaskExample[]): Tensor {
    return noGrad(() =>
      tidy(() => {
        const lb = layoutBatch(examples, this.layout(false), this.opts.special);
        return this.taskLogits(this.encode(lb), lb);
      })
    );
  }

  /** Predicted class per example, in batches of `batchSize`. */
  async predict(examples: readonly TaskExample[], batchSize: number): Promise<Int32Array> {
    const out = new Int32Array(examples.length);
    const K = this.opts.numClasses;
    for (let i = 0; i < examples.length; i += batchSize) {
      const part = examples.slice(i, i + batchSize);
      const s = this.scores(part);
      const v = await s.readF32();
      s.dispose();
      for (let b = 0; b < part.length; b++) {
        let best = 0;
        for (let k = 1; k < K; k++) if (v[b * K + k] > v[b * K + best]) best = k;
        out[i + b] = best;
      }
    }
    return out;
  }

  dispose(): void {
    this.optimizer.dispose();
    this.clsHead?.dispose();
    this.reconHead?.dispose();
  }
}
