// The in-browser pretraining check: a few masked-LM steps of the same MlmTrainer that
// `rapt pretrain` runs, on a SEPARATE BertModel built from the loaded model's weights (read back
// with toWeights), so the model the page uses is never touched. Everything the run allocates
// (the copy, its gradients, the AdamW state) is disposed before it returns, and the pool's live
// buffer count before and after is reported so a leak would show.

import type { GpuContext } from '../gpu/context';
import { BertModel } from '../model/bert';
import type { BertTokenizer } from '../model/tokenizer';
import { packCorpus, type MaskingSpec } from '../pretrain/mlm-data';
import { MlmTrainer, type PretrainSettings } from '../pretrain/mlm-trainer';
import { MAX_PROBE_STEPS, type PretrainProbeOptions, type PretrainProbeResult, type PretrainProbeStep } from '../app/service-types';
import type { ProbeTexts } from '../app/probe-texts';

export const MAX_PROBE_BATCH = 64;
export const MIN_PROBE_SEQ = 8;
export const DEFAULT_PROBE_LR = 1e-4;

/** Thrown for arguments out of range; the message names the argument and the limits. */
export class ProbeArgumentError extends Error {
  override name = 'ProbeArgumentError';
}

function checkInt(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new ProbeArgumentError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return v;
}

/** Validates the options against the model; returns the settings with defaults filled in. */
export function probeSettings(
  o: Partial<PretrainProbeOptions>,
  maxPositions: number
): { steps: number; batchSize: number; seqLen: number; lr: number; seed: number; texts: number } {
  const steps = checkInt('steps', o.steps, 1, MAX_PROBE_STEPS);
  const batchSize = checkInt('batchSize', o.batchSize, 1, MAX_PROBE_BATCH);
  const seqLen = checkInt(`seqLen (this model has max_position_embeddings ${maxPositions})`, o.seqLen, MIN_PROBE_SEQ, maxPositions);
  const lr = o.lr ?? DEFAULT_PROBE_LR;
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0 || lr > 1) throw new ProbeArgumentError(`lr must be a number from 0 to 1, got ${lr}`);
  const seed = o.seed === undefined ? 1 : checkInt('seed', o.seed, 0, 2 ** 31 - 1);
  const texts = o.texts === undefined ? 300 : checkInt('texts', o.texts, 1, 10_000);
  return { steps, batchSize, seqLen, lr, seed, texts };
}

export async function runPretrainProbe(
  gpu: GpuContext,
  source: BertModel,
  tokenizer: BertTokenizer,
  data: ProbeTexts,
  settings: ReturnType<typeof probeSettings>,
  onStep: (s: PretrainProbeStep) => void
): Promise<Omit<PretrainProbeResult, 'ms'>> {
  const { steps, batchSize, seqLen } = settings;
  if (tokenizer.maskTokenId === null) throw new Error('the tokenizer has no [MASK] token, so no position can be masked');
  const packed = packCorpus(tokenizer, data.texts, seqLen);
  if (packed.sequences.length < batchSize)
    throw new ProbeArgumentError(
      `${data.texts.length} texts of ${data.file} pack into ${packed.sequences.length} sequences of ${seqLen} tokens, ` +
        `fewer than one batch of ${batchSize}: lower the batch size or the sequence length`
    );
  const specialIds = new Set(tokenizer.specialTokenIds);
  const spec: MaskingSpec = {
    maskProb: 0.15,
    maskTokenId: tokenizer.maskTokenId,
    specialIds,
    vocabSize: Math.min(tokenizer.vocabSize, source.config.vocab_size),
    padId: tokenizer.padTokenId
  };
  const trainSettings: PretrainSettings = {
    steps,
    batchSize,
    lr: settings.lr,
    warmup: 0,
    weightDecay: 0.01,
    maxGradNorm: 1,
    maskProb: spec.maskProb,
    seed: settings.seed
  };

  await gpu.sync();
  const before = gpu.stats().liveBuffers;
  const weights = await source.toWeights();
  const reports: PretrainProbeStep[] = [];
  let tokens = 0;
  let trainMs = 0;
  let model: BertModel | null = null;
  let trainer: MlmTrainer | null = null;
  try {
    model = new BertModel(gpu, weights);
    trainer = new MlmTrainer(gpu, model, packed.sequences, spec, trainSettings);
    for (let s = 0; s < steps; s++) {
      const t0 = performance.now();
      const out = trainer.trainStep();
      let loss: number;
      try {
        loss = (await out.loss.readF32())[0];
      } finally {
        out.loss.dispose();
      }
      const ms = performance.now() - t0;
      tokens += out.tokens;
      trainMs += ms;
      const report: PretrainProbeStep = { step: s + 1, loss, ms, lr: out.lr, tokens: out.tokens };
      reports.push(report);
      onStep(report);
    }
  } finally {
    trainer?.dispose();
    model?.dispose();
  }
  await gpu.sync();
  const after = gpu.stats().liveBuffers;
  return {
    losses: reports.map((r) => r.loss),
    tokensPerSecond: trainMs > 0 ? tokens / (trainMs / 1000) : 0,
    steps: reports,
    batchSize,
    seqLen,
    dataset: data.dataset,
    file: data.file,
    texts: data.texts.length,
    sequences: packed.sequences.length,
    liveBuffers: { before, after }
  };
}
