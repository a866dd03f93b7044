// pt-step and fwd benchmarks on a randomly initialised BERT of a standard size.
//   pt-step: one prompt-tuning step (forward, backward to the soft prompt and a 2-class head
//            on position 0, AdamW update; frozen encoder).
//   fwd:     encoder forward only (last_hidden_state) on `sequence` tokens, no prompt, no MLM head.
// Timing: each step is followed by a GPU sync; median over `steps` after `warmup` steps.

import type { GpuContext } from '../gpu/context';
import { parseBertConfig } from '../model/checkpoint/bert-config';
import { randomBertWeights } from '../model/random-init';
import { BertModel } from '../model/bert';
import { PromptClassifier } from '../peft/prompt-classifier';
import { tensorFrom, tidy, noGrad } from '../engine';
import { SeededRandom } from '../util/seeded-random';
import { BENCH_CONFIGS, median, type BenchResult } from './configs';

export async function runModelBench(
  gpu: GpuContext,
  benchmark: 'pt-step' | 'fwd',
  configName: 'tiny' | 'small',
  opts: { steps: number; warmup: number; profile?: boolean; log?: (s: string) => void }
): Promise<BenchResult> {
  const c = BENCH_CONFIGS[configName];
  const config = parseBertConfig({
    vocab_size: c.vocab,
    hidden_size: c.hidden,
    num_hidden_layers: c.layers,
    num_attention_heads: c.heads,
    intermediate_size: c.ffn,
    max_position_embeddings: 512,
    hidden_act: 'gelu'
  });
  const model = new BertModel(gpu, randomBertWeights(config, 1, { mlm: false }));
  const r = new SeededRandom(2);
  const tokens = benchmark === 'pt-step' ? c.sequence - c.prompt : c.sequence;
  const ids = Array.from({ length: c.batch }, () => Array.from({ length: tokens }, () => 5 + r.int(c.vocab - 5)));
  const labels = Array.from({ length: c.batch }, (_, i) => i % 2);
  let clf: PromptClassifier | null = null;
  if (benchmark === 'pt-step') clf = new PromptClassifier(gpu, model, { promptLength: c.prompt, numClasses: 2, lr: 1e-3, seed: 3 });
  gpu.pool.resetPeak();
  const step = () => {
    if (clf) clf.step({ inputIds: ids, labels }).dispose();
    else
      noGrad(() =>
        tidy(() => {
          const t = tensorFrom(gpu, Int32Array.from(ids.flat()), [c.batch, tokens], 'input_ids');
          model.forward({ inputIds: t });
        })
      );
  };
  const times: number[] = [];
  for (let i = 0; i < opts.warmup + opts.steps; i++) {
    const t0 = performance.now();
    step();
    await gpu.sync();
    const ms = performance.now() - t0;
    if (i >= opts.warmup) times.push(ms);
    opts.log?.(`${benchmark} ${configName}: step ${i + 1}/${opts.warmup + opts.steps} ${ms.toFixed(1)} ms${i < opts.warmup ? ' (warm-up)' : ''}`);
  }
  const peak = gpu.pool.snapshot().peakLiveBytes;
  let profile: BenchResult['profile'];
  if (opts.profile && gpu.startProfiling()) {
    step();
    profile = (await gpu.stopProfiling()).map((p) => ({ ...p, ms: round(p.ms, 3) }));
  }
  clf?.dispose();
  model.dispose();
  const ms = median(times);
  const s = gpu.summary;
  return {
    benchmark,
    config: configName,
    ms_per_step_median: round(ms, 2),
    tokens_per_s: round((c.batch * c.sequence) / (ms / 1000), 1),
    peak_bytes: peak,
    adapter: [s.vendor, s.architecture, s.description].filter(Boolean).join(' / '),
    steps: times.length,
    ms_per_step_all: times.map((t) => round(t, 1)),
    ...(profile ? { profile } : {})
  };
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}
