// The SERVICE's half of a tuning run: from a validated PrivatizedTrainingSet (token ids and class
// indices only) to trained parameters and metrics. It builds a fresh BertModel from the given
// weights (so the caller's loaded model is never changed, even by full fine-tuning), the PEFT
// method, the task head and (RAPT) the reconstruction head, runs `steps` AdamW steps on seeded
// shuffles of the training examples, and scores dev and test (privatized) and the clean test split
// when the set carries one. Losses stay on the GPU and are read every `readEvery` steps.
// Hooks report progress, stop early, and pause between steps; with `devEvery` the dev split is
// also scored every that many steps (and at the last) for a live curve — read-only: the same
// seeds give the same losses and metrics with it or without it. The browser's service worker and the
// CLI's runTune (run.ts) both call it. Browser-safe.

import type { GpuContext } from '../gpu/context';
import { BertModel } from '../model/bert';
import type { BertWeights } from '../model/checkpoint/bert-weights';
import { createPeft, type PeftMethod } from '../peft/method';
import { peftOptionsFor } from './peft-options';
import type { PrivatizedTrainingSet, TrainingSplit } from '../boundary/training-set';
import { SeededRandom } from '../util/seeded-random';
import type { ClassificationMetrics } from './config';
import type { ServiceTuneParams } from './service-params';
import { classificationMetrics, majorityBaseline } from './metrics';
import { RaptTrainer, type StepLosses } from './trainer';
import type { SpecialIds, TaskExample } from './layout';

export { SERVICE_PARAM_FIELDS, checkServiceParams, serviceParamsOf, type ServiceTuneParams } from './service-params';

export interface ServiceTuneInputs {
  gpu: GpuContext;
  /** the frozen encoder's weights (a BertModel is built from them and disposed at the end) */
  weights: BertWeights;
  special: SpecialIds;
}

export interface TuneProgress {
  step: number;
  steps: number;
  taskLoss: number;
  reconLoss: number | null;
  etaSeconds: number;
  /** the losses of every step since the previous report: steps fromStep … step */
  fromStep: number;
  taskLosses: number[];
  reconLosses: number[];
  /** seconds of training so far */
  elapsedSeconds: number;
}

/** The privatized dev split scored during training (TuneHooks.devEvery). */
export interface DevPoint {
  /** the step after whose update it was scored */
  step: number;
  accuracy: number;
  macro_f1: number;
  n: number;
  /** the rate of the training split's majority class on the dev split */
  majority: number;
}

export interface TuneHooks {
  log?: (line: string) => void;
  /** called every `readEvery` steps (and at the last) with the losses of those steps */
  onStep?: (p: TuneProgress) => void;
  /** return true to stop after the current step (the result then reports the steps done) */
  shouldStop?: () => boolean;
  /** return true to pause after the current step; training then awaits waitWhilePaused() */
  isPaused?: () => boolean;
  waitWhilePaused?: () => Promise<void>;
  /** steps between loss readbacks (default 10; each readback waits for the GPU) */
  readEvery?: number;
  /** score the dev split every `devEvery` steps and at the last (unset or 0: never; nothing else changes) */
  devEvery?: number;
  /** called with each of those scores, after the losses of that step were read */
  onDev?: (p: DevPoint) => void;
  /** called once training ends, before evaluation */
  onEvaluate?: () => void;
  /** called once training ends, before evaluation, with the trained method (e.g. to save its state) */
  onTrained?: (method: PeftMethod) => Promise<void>;
}

export interface ServiceTuneOutput {
  metrics: { dev_privatized: ClassificationMetrics; test_privatized: ClassificationMetrics; test_clean: ClassificationMetrics };
  majority_accuracy: number;
  final_task_loss: number;
  final_recon_loss: number | null;
  trainable_parameters: number;
  tokens_per_s: number;
  train_seconds: number;
  /** steps run (less than params.steps when stopped) */
  steps_done: number;
  task_losses: number[];
  recon_losses: number[];
}

/** Metrics for a split that was not sent (the clean test split of private data): n = 0. */
export const NOT_MEASURED: ClassificationMetrics = { accuracy: 0, macro_f1: 0, n: 0 };

function examplesOf(s: TrainingSplit, plain?: { privatized: Int32Array[]; original: Int32Array[] }): TaskExample[] {
  return s.ids.map((text, i) => ({ text, label: s.labels[i], ...(plain ? { plain: { privatized: plain.privatized[i], original: plain.original[i] } } : {}) }));
}

/** `set` must have passed assertPrivatizedTrainingSet; `params` checkServiceParams. */
export async function trainOnSet(set: PrivatizedTrainingSet, params: ServiceTuneParams, inputs: ServiceTuneInputs, hooks: TuneHooks = {}): Promise<ServiceTuneOutput> {
  const log = hooks.log ?? (() => {});
  const { gpu } = inputs;
  const numClasses = set.numClasses;
  const model = new BertModel(gpu, inputs.weights);
  let method: ReturnType<typeof createPeft> | null = null;
  let trainer: RaptTrainer | null = null;
  try {
    method = createPeft(gpu, model, peftOptionsFor(params));
    trainer = new RaptTrainer(gpu, model, {
      method,
      head: params.head,
      numClasses,
      labelWordIds: set.verbalizer?.labelWords,
      template: set.verbalizer?.template,
      rapt: params.rapt
        ? { plainTokens: set.plainTokens, lambda: params.lambda, reconHidden: params.reconHidden, ...(params.plainSequence ? { sequence: params.plainSequence } : {}) }
        : null,
      lr: params.lr,
      seed: params.seed,
      maxLength: params.maxLength,
      special: inputs.special,
      weightDecay: params.method === 'full' ? 0.01 : 0
    });
    const budget = trainer.textBudget;
    const longest = Math.max(...set.train.ids.map((r) => r.length));
    if (longest > budget)
      throw new Error(`the training set's texts are up to ${longest} tokens, but this layout keeps ${budget}: the client and the service disagree on the layout`);
    const trainSet = examplesOf(
      set.train,
      set.plainTokens > 0 ? { privatized: set.train.plainPrivatized!, original: set.train.plainOriginal! } : undefined
    );
    const rng = new SeededRandom(params.seed * 31 + 7);
    let order: number[] = [];
    let cursor = 0;
    const nextBatch = (): TaskExample[] => {
      const out: TaskExample[] = [];
      while (out.length < Math.min(params.batchSize, trainSet.length)) {
        if (cursor >= order.length) {
          order = rng.shuffle(trainSet.map((_, i) => i));
          cursor = 0;
        }
        out.push(trainSet[order[cursor++]]);
      }
      return out;
    };
    const taskLosses: number[] = [];
    const reconLosses: number[] = [];
    let trainTokens = 0;
    const tTrain = performance.now();
    let step = 0;
    const readEvery = Math.max(1, Math.floor(hooks.readEvery ?? 10));
    let pending: StepLosses[] = [];
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const fromStep = step - pending.length + 1;
      const windowTask: number[] = [];
      const windowRecon: number[] = [];
      for (const [k, losses] of pending.entries()) {
        const at = fromStep + k;
        const task = (await losses.task.readF32())[0];
        const recon = losses.recon ? (await losses.recon.readF32())[0] : null;
        for (const t of new Set([losses.total, losses.task, losses.recon])) t?.dispose();
        if (!Number.isFinite(task) || (recon !== null && !Number.isFinite(recon))) {
          for (const rest of pending.slice(k + 1)) for (const t of new Set([rest.total, rest.task, rest.recon])) t?.dispose();
          pending = [];
          throw new Error(`training diverged at step ${at} (task loss ${task}, reconstruction loss ${recon}); lower the learning rate (lr ${params.lr})`);
        }
        windowTask.push(task);
        taskLosses.push(task);
        if (recon !== null) {
          windowRecon.push(recon);
          reconLosses.push(recon);
        }
      }
      pending = [];
      const elapsed = (performance.now() - tTrain) / 1000;
      const perStep = elapsed / step;
      const task = taskLosses[taskLosses.length - 1];
      const recon = reconLosses.length ? reconLosses[reconLosses.length - 1] : null;
      const progress: TuneProgress = {
        step,
        steps: params.steps,
        taskLoss: task,
        reconLoss: recon,
        etaSeconds: perStep * (params.steps - step),
        fromStep,
        taskLosses: windowTask,
        reconLosses: windowRecon,
        elapsedSeconds: elapsed
      };
      hooks.onStep?.(progress);
      log(`step ${step}/${params.steps}  task ${task.toFixed(4)}${recon !== null ? `  recon ${recon.toFixed(4)}` : ''}  ETA ${Math.round(progress.etaSeconds)} s`);
    };
    // dev scoring during training: after that step's update, at a loss readback; predict only reads
    const devEvery = Math.max(0, Math.floor(hooks.devEvery ?? 0));
    const devExamples = devEvery > 0 ? examplesOf(set.dev) : [];
    const devMajority = majorityBaseline(set.train.labels, set.dev.labels, numClasses).accuracy;
    const evalBatch = Math.max(params.batchSize, 16);
    const t = trainer;
    let devSeconds = 0;
    let devLast = 0;
    const scoreDev = async (): Promise<void> => {
      const t0 = performance.now();
      const m = classificationMetrics(set.dev.labels, await t.predict(devExamples, evalBatch), numClasses);
      hooks.onDev?.({ step, ...m, majority: devMajority });
      log(`step ${step}/${params.steps}  dev accuracy ${(100 * m.accuracy).toFixed(1)} %  (n = ${m.n})`);
      devLast = step;
      devSeconds += (performance.now() - t0) / 1000;
    };
    let pausedSeconds = 0;
    while (step < params.steps) {
      const batch = nextBatch();
      pending.push(trainer.step(batch));
      step++;
      trainTokens += batch.reduce((n, e) => n + Math.min(e.text.length, budget) + 2 + (e.plain ? e.plain.privatized.length + (params.plainSequence === 'separate' ? 2 : 1) : 0), 0);
      let stop = hooks.shouldStop?.() ?? false;
      const pause = !stop && step < params.steps && (hooks.isPaused?.() ?? false);
      const dev = devEvery > 0 && step % devEvery === 0;
      if (step % readEvery === 0 || step === params.steps || stop || pause || dev) await flush();
      if (dev) await scoreDev();
      if (pause && hooks.waitWhilePaused) {
        const tp = performance.now();
        await hooks.waitWhilePaused();
        pausedSeconds += (performance.now() - tp) / 1000;
        stop = hooks.shouldStop?.() ?? false;
      }
      if (stop) break;
    }
    await flush();
    // the curve ends where training did (the last step, or where it was stopped)
    if (devEvery > 0 && step > 0 && devLast !== step) await scoreDev();
    // scoring dev along the way is not training: tokens/s stays comparable with and without it
    const trainSeconds = (performance.now() - tTrain) / 1000 - pausedSeconds - devSeconds;
    if (method) await hooks.onTrained?.(method);
    hooks.onEvaluate?.();

    // ── evaluation ──
    const score = async (s: TrainingSplit) => classificationMetrics(s.labels, await t.predict(examplesOf(s), evalBatch), numClasses);
    const metrics = {
      dev_privatized: await score(set.dev),
      test_privatized: await score(set.test),
      test_clean: set.cleanTest ? await score(set.cleanTest) : { ...NOT_MEASURED }
    };
    const tail = (xs: number[]) => {
      const k = Math.max(1, Math.ceil(xs.length / 10));
      const part = xs.slice(-k);
      return part.reduce((a, b) => a + b, 0) / part.length;
    };
    return {
      metrics,
      majority_accuracy: majorityBaseline(set.train.labels, set.test.labels, numClasses).accuracy,
      final_task_loss: tail(taskLosses),
      final_recon_loss: reconLosses.length ? tail(reconLosses) : null,
      trainable_parameters: trainer.trainableCount,
      tokens_per_s: trainTokens / trainSeconds,
      train_seconds: trainSeconds,
      steps_done: step,
      task_losses: taskLosses,
      recon_losses: reconLosses
    };
  } finally {
    trainer?.dispose();
    method?.dispose();
    model.dispose();
  }
}
