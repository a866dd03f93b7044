// One tuning run end to end, on already-loaded inputs (browser-safe; run-node.ts loads them
// from disk for the CLI and sweeps). It is the two halves the browser runs in two workers,
// joined in one process:
//
//   client side   prepareTrainingSet (client-set.ts): tokenize → privatize text (and RAPT's plain
//                 tokens) with the mechanism → a PrivatizedTrainingSet (token ids only)
//   ─────────────  the set crosses the boundary: ServiceInbox validates and logs it ──────────
//   service side  trainOnSet (service-tune.ts): PEFT method + task head (+ reconstruction
//                 head), `steps` AdamW steps; dev/test accuracy and macro F1 on privatized
//                 inputs, test on clean ones
//
// Training batches are drawn from seeded shuffles of the training examples, epoch by epoch.

import type { GpuContext } from '../gpu/context';
import type { SplitDataset } from '../data/types';
import type { BertCheckpoint } from '../model/checkpoint/bert-checkpoint';
import type { BertTokenizer } from '../model/tokenizer';
import { makePrivacyTable } from '../boundary/table';
import { ServiceInbox } from '../workers/boundary-service';
import type { MechanismSpec } from '../privacy/types';
import type { TuneConfig, TuneResult } from './config';
import type { PeftMethod } from '../peft/method';
import { completeTuneConfig } from './check-config';
import { prepareTrainingSet } from './client-set';
import { trainOnSet } from './service-tune';
import { serviceParamsOf } from './service-params';
import { assembleTuneResult } from './result';

export { EVAL_SUBSET_SEED } from './client-set';
export { assembleTuneResult } from './result';

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

/** The privatizer `rapt tune` uses: seeded from the run's seed, so a run is reproducible (and therefore NOT private). */
export function seededSpecFor(config: TuneConfig): MechanismSpec | null {
  if (config.mechanism === 'none') return null;
  return {
    mechanism: config.mechanism,
    ...(config.eta !== undefined ? { eta: config.eta } : {}),
    ...(config.epsilon !== undefined ? { epsilon: config.epsilon } : {}),
    seed: config.seed * 65537 + 3
  };
}

export async function runTune(partial: Partial<TuneConfig>, inputs: RunInputs, hooks: RunHooks = {}): Promise<TuneResult> {
  const config = completeTuneConfig(partial);
  const log = hooks.log ?? (() => {});
  const { gpu, checkpoint, tokenizer: tok, data } = inputs;
  const started = performance.now();
  if (tok.maskTokenId === null) throw new Error('the vocabulary has no [MASK] token');

  // ── client side ──
  const table = makePrivacyTable(checkpoint, tok, inputs.frequencies ? { frequencies: inputs.frequencies } : {});
  const spec = seededSpecFor(config);
  const { set, summary } = await prepareTrainingSet(
    config,
    { gpu, tokenizer: tok, table, maxPositions: checkpoint.config.max_position_embeddings, data, spec, includeCleanTest: true },
    log
  );

  // ── the boundary: the service sees only the set (token ids, class indices) ──
  // In one process on the user's machine the clean baseline (mechanism none) may cross too.
  const inbox = new ServiceInbox({ vocabSize: checkpoint.config.vocab_size });
  const { set: received } = inbox.receiveTrainingSet(set, { allowClean: true });

  // ── service side ──
  const out = await trainOnSet(
    received,
    serviceParamsOf(config),
    { gpu, weights: checkpoint.weights, special: { cls: tok.clsTokenId, sep: tok.sepTokenId, pad: tok.padTokenId, mask: tok.maskTokenId } },
    { log, onStep: hooks.onStep, shouldStop: hooks.shouldStop, onTrained: hooks.onTrained }
  );
  const result = assembleTuneResult(config, summary, out, { adapter: inputs.adapter, wallSeconds: (performance.now() - started) / 1000, seeded: spec !== null });
  log(
    `test accuracy ${(result.metrics.test_privatized.accuracy * 100).toFixed(1)}% privatized, ${(result.metrics.test_clean.accuracy * 100).toFixed(1)}% clean (majority ${(result.majority_accuracy * 100).toFixed(1)}%)`
  );
  return result;
}
