// One tuning run end to end, on already-loaded inputs (browser-safe; run-node.ts loads them
// from disk for the CLI and sweeps):
//
//   client side   tokenize → privatize text (and RAPT's plain tokens) with the mechanism
//   ─────────────  token ids only cross ──────────────────────────────────────────────
//   service side  PEFT method + task head (+ reconstruction head), `steps` AdamW steps
//   evaluation    dev/test accuracy and macro F1 on privatized inputs, test on clean ones
//
// Training batches are drawn from seeded shuffles of the training examples, epoch by epoch.

import type { GpuContext } from '../gpu/context';
import type { SplitDataset, Example } from '../data/types';
import { BertModel } from '../model/bert';
import type { BertCheckpoint } from '../model/checkpoint/bert-checkpoint';
import type { BertTokenizer } from '../model/tokenizer';
import { createPeft, type PeftMethod } from '../peft/method';
import { peftOptionsFor } from './peft-options';
import { makePrivacyTable } from '../boundary/table';
import { createPrivatizer } from '../boundary/factory';
import type { MechanismSpec, Privatizer } from '../privacy/types';
import { SeededRandom } from '../util/seeded-random';
import { seededSubset } from '../util/seeded-subset';
import type { TuneConfig, TuneResult } from './config';
import { completeTuneConfig } from './check-config';
import { prepareSplit } from './client-prep';
import { classificationMetrics, majorityBaseline } from './metrics';
import { RaptTrainer, type StepLosses } from './trainer';
import { resolveVerbalizer } from './verbalizer';
import type { TaskExample } from './layout';

export interface RunInputs {
  gpu: GpuContext;
  checkpoint: BertCheckpoint;
  tokenizer: BertTokenizer;
  data: SplitDataset;
  /** corpus frequencies per id (SanText+ only) */
  frequencies?: Float64Array;
  /** adapter description for the result */
  adapter: string;
}

export interface RunProgress {
  step: number;
  steps: number;
  taskLoss: number;
  reconLoss: number | null;
  etaSeconds: number;
}

export interface RunHooks {
  log?: (line: string) => void;
  /** called every 10 steps (and at the last) with the latest losses */
  onStep?: (p: RunProgress) => void;
  /** return true to stop after the current step (the result then reports the steps done) */
  shouldStop?: () => boolean;
  /** called once training ends, before evaluation, with the trained method (e.g. to save its state) */
  onTrained?: (method: PeftMethod) => Promise<void>;
}

/** Seed for evaluation subsets: fixed, so every run of a sweep is scored on the same examples. */
const EVAL_SUBSET_SEED = 20230511;


export async function runTune(partial: Partial<TuneConfig>, inputs: RunInputs, hooks: RunHooks = {}): Promise<TuneResult> {
  const config = completeTuneConfig(partial);
  const log = hooks.log ?? (() => {});
  const { gpu, checkpoint, tokenizer: tok, data } = inputs;
  const started = performance.now();
  const numClasses = data.labels.length;
  if (numClasses < 2) throw new Error(`task ${config.task} has ${numClasses} label(s); classification needs at least 2`);

  const model = new BertModel(gpu, checkpoint.weights);
  const method = createPeft(gpu, model, peftOptionsFor(config));
  const verbalizer = config.head === 'verbalizer' ? resolveVerbalizer(config.task, data.labels, tok) : null;
  if (tok.maskTokenId === null) throw new Error('the vocabulary has no [MASK] token');
  const trainer = new RaptTrainer(gpu, model, {
    method,
    head: config.head,
    numClasses,
    labelWordIds: verbalizer?.labelWordIds,
    template: verbalizer?.templateIds,
    rapt: config.rapt ? { plainTokens: config.plainTokens, lambda: config.lambda, reconHidden: config.reconHidden } : null,
    lr: config.lr,
    seed: config.seed,
    maxLength: config.maxLength,
    special: { cls: tok.clsTokenId, sep: tok.sepTokenId, pad: tok.padTokenId, mask: tok.maskTokenId },
    weightDecay: config.method === 'full' ? 0.01 : 0
  });
  let privatizer: Privatizer | null = null;
  try {
    // ── client side ──
    const table = makePrivacyTable(checkpoint, tok, inputs.frequencies ? { frequencies: inputs.frequencies } : {});
    if (config.mechanism !== 'none') {
      const spec: MechanismSpec = { mechanism: config.mechanism, ...(config.eta !== undefined ? { eta: config.eta } : {}), ...(config.epsilon !== undefined ? { epsilon: config.epsilon } : {}), seed: config.seed * 65537 + 3 };
      privatizer = createPrivatizer(gpu, table, spec);
    }
    const prep = { tokenizer: tok, privatizer, labels: data.labels, textBudget: trainer.textBudget, plainTokens: config.plainTokens, candidates: table.candidates, seed: config.seed };
    const trainEx = seededSubset(data.splits.train.examples, config.trainLimit, config.seed);
    const t0 = performance.now();
    const train = await prepareSplit(trainEx, prep, config.rapt);
    const dev = await prepareSplit(seededSubset(data.splits.dev.examples, config.evalLimit, EVAL_SUBSET_SEED), prep, false);
    const test = await prepareSplit(seededSubset(data.splits.test.examples, config.evalLimit, EVAL_SUBSET_SEED + 1), prep, false);
    const replaced = train.replaced + dev.replaced + test.replaced;
    const tokens = train.tokens + dev.tokens + test.tokens;
    log(
      `client: ${trainEx.length} train / ${dev.clean.length} dev / ${test.clean.length} test examples tokenized` +
        (privatizer ? ` and privatized with ${config.mechanism} (${((100 * replaced) / tokens).toFixed(1)}% of tokens replaced)` : ' (clean: no privatization)') +
        ` in ${((performance.now() - t0) / 1000).toFixed(1)} s`
    );

    // ── service side: only `train.privatized` (token ids) is used from here on ──
    const trainSet: TaskExample[] = train.privatized;
    const rng = new SeededRandom(config.seed * 31 + 7);
    let order: number[] = [];
    let cursor = 0;
    const nextBatch = (): TaskExample[] => {
      const out: TaskExample[] = [];
      while (out.length < Math.min(config.batchSize, trainSet.length)) {
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
    // Losses stay on the GPU and are read every READ_EVERY steps (one sync per window, not per
    // step, so the next steps are encoded while the GPU works).
    const READ_EVERY = 10;
    let pending: StepLosses[] = [];
    const flush = async (): Promise<void> => {
      for (const [k, losses] of pending.entries()) {
        const at = step - pending.length + k + 1;
        const task = (await losses.task.readF32())[0];
        const recon = losses.recon ? (await losses.recon.readF32())[0] : null;
        for (const t of new Set([losses.total, losses.task, losses.recon])) t?.dispose();
        if (!Number.isFinite(task) || (recon !== null && !Number.isFinite(recon))) {
          for (const rest of pending.slice(k + 1)) for (const t of new Set([rest.total, rest.task, rest.recon])) t?.dispose();
          pending = [];
          throw new Error(`training diverged at step ${at} (task loss ${task}, reconstruction loss ${recon}); lower the learning rate (lr ${config.lr})`);
        }
        taskLosses.push(task);
        if (recon !== null) reconLosses.push(recon);
      }
      pending = [];
      const perStep = (performance.now() - tTrain) / 1000 / step;
      const task = taskLosses[taskLosses.length - 1];
      const recon = reconLosses.length ? reconLosses[reconLosses.length - 1] : null;
      const progress = { step, steps: config.steps, taskLoss: task, reconLoss: recon, etaSeconds: perStep * (config.steps - step) };
      hooks.onStep?.(progress);
      log(`step ${step}/${config.steps}  task ${task.toFixed(4)}${recon !== null ? `  recon ${recon.toFixed(4)}` : ''}  ETA ${Math.round(progress.etaSeconds)} s`);
    };
    while (step < config.steps) {
      const batch = nextBatch();
      pending.push(trainer.step(batch));
      step++;
      trainTokens += batch.reduce((n, e) => n + e.text.length + 2 + (e.plain ? e.plain.privatized.length + 1 : 0), 0);
      const stop = hooks.shouldStop?.() ?? false;
      if (step % READ_EVERY === 0 || step === config.steps || stop) await flush();
      if (stop) break;
    }
    const trainSeconds = (performance.now() - tTrain) / 1000;
    await hooks.onTrained?.(method);

    // ── evaluation ──
    const evalBatch = Math.max(config.batchSize, 16);
    const score = async (ex: TaskExample[]) => classificationMetrics(ex.map((e) => e.label), await trainer.predict(ex, evalBatch), numClasses);
    const metrics = {
      dev_privatized: await score(dev.privatized),
      test_privatized: await score(test.privatized),
      test_clean: await score(test.clean)
    };
    const tail = (xs: number[]) => {
      const k = Math.max(1, Math.ceil(xs.length / 10));
      const part = xs.slice(-k);
      return part.reduce((a, b) => a + b, 0) / part.length;
    };
    const result: TuneResult = {
      kind: 'tune',
      config: { ...config, steps: config.steps },
      metrics,
      replaced_fraction: tokens ? replaced / tokens : 0,
      majority_accuracy: majorityBaseline(train.clean.map((e) => e.label), test.clean.map((e) => e.label), numClasses).accuracy,
      final_task_loss: tail(taskLosses),
      final_recon_loss: reconLosses.length ? tail(reconLosses) : null,
      trainable_parameters: trainer.trainableCount,
      wall_seconds: (performance.now() - started) / 1000,
      tokens_per_s: trainTokens / trainSeconds,
      adapter: inputs.adapter,
      seeded_not_private: privatizer !== null
    };
    if (step < config.steps) (result as TuneResult & { stopped_at: number }).stopped_at = step;
    log(
      `test accuracy ${(metrics.test_privatized.accuracy * 100).toFixed(1)}% privatized, ${(metrics.test_clean.accuracy * 100).toFixed(1)}% clean (majority ${(result.majority_accuracy * 100).toFixed(1)}%)`
    );
    return result;
  } finally {
    privatizer?.dispose();
    trainer.dispose();
    method.dispose();
    model.dispose();
  }
}
