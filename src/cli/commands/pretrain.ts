// rapt pretrain — masked-language-model pretraining of a BERT on the built-in corpus
// (train splits of static/data plus Moby Dick), with checkpoints and exact resume.
// Writes a Hugging Face BERT folder to --out, a JSON line per logged step/eval to
// --out/train-log.jsonl, and --out/pretrain-report.json at the end.

import { existsSync, readFileSync, appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import os from 'node:os';
import { REPO_ROOT, UsageError, openGpu } from '../runtime';
import { BertTokenizer } from '../../lib/model/tokenizer';
import { parseBertConfig } from '../../lib/model/checkpoint/bert-config';
import { randomBertWeights } from '../../lib/model/random-init';
import { loadBertFolder } from '../../lib/model/checkpoint/load-folder-node';
import { BertModel } from '../../lib/model/bert';
import { buildHeldOutCorpus, buildPretrainCorpus } from '../../lib/data/pretrain-corpus-node';
import { packCorpus, unigramGuess, type MaskingSpec } from '../../lib/pretrain/mlm-data';
import { MlmTrainer, type PretrainSettings } from '../../lib/pretrain/mlm-trainer';
import { loadTrainingState, saveModelFolder, saveTrainingState } from '../../lib/pretrain/checkpoint-node';

export const PRETRAIN_OPTIONS = {
  out: { type: 'string' },
  vocab: { type: 'string' },
  layers: { type: 'string' },
  hidden: { type: 'string' },
  heads: { type: 'string' },
  ffn: { type: 'string' },
  seq: { type: 'string' },
  batch: { type: 'string' },
  steps: { type: 'string' },
  lr: { type: 'string' },
  warmup: { type: 'string' },
  'weight-decay': { type: 'string' },
  clip: { type: 'string' },
  'eval-every': { type: 'string' },
  'eval-seqs': { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'log-every': { type: 'string' },
  seed: { type: 'string' },
  'stop-at': { type: 'string' },
  resume: { type: 'boolean' },
  'init-from': { type: 'string' }
} as const;

function num(v: unknown, name: string, def: number, opts: { int?: boolean; min?: number } = {}): number {
  if (v === undefined) return def;
  const x = Number(v);
  if (!Number.isFinite(x) || (opts.int && !Number.isInteger(x)) || (opts.min !== undefined && x < opts.min))
    throw new UsageError(`--${name} must be ${opts.int ? 'an integer' : 'a number'}${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}, got ${v}`);
  return x;
}

export async function pretrain(a: Record<string, string | boolean | undefined>): Promise<void> {
  if (!a.out) throw new UsageError('--out DIR is required (the model folder to write)');
  const out = resolve(String(a.out));
  const vocabPath = a.vocab ? resolve(String(a.vocab)) : join(out, 'vocab.txt');
  if (!existsSync(vocabPath))
    throw new UsageError(`no vocabulary at ${vocabPath}: train one first (npx tsx scripts/train-vocab.ts --out ${vocabPath}) or pass --vocab FILE`);
  const vocabTxt = readFileSync(vocabPath, 'utf8');
  const tok = BertTokenizer.fromVocabText(vocabTxt, { doLowerCase: true });
  const seqLen = num(a.seq, 'seq', 64, { int: true, min: 8 });
  const settings: PretrainSettings = {
    steps: num(a.steps, 'steps', 2000, { int: true, min: 1 }),
    batchSize: num(a.batch, 'batch', 32, { int: true, min: 1 }),
    lr: num(a.lr, 'lr', 1e-3, { min: 0 }),
    warmup: num(a.warmup, 'warmup', 100, { int: true, min: 0 }),
    weightDecay: num(a['weight-decay'], 'weight-decay', 0.01, { min: 0 }),
    maxGradNorm: num(a.clip, 'clip', 1, { min: 0 }),
    maskProb: 0.15,
    seed: num(a.seed, 'seed', 1, { int: true, min: 0 })
  };
  const evalEvery = num(a['eval-every'], 'eval-every', 200, { int: true, min: 1 });
  const evalSeqs = num(a['eval-seqs'], 'eval-seqs', 256, { int: true, min: 1 });
  const ckEvery = num(a['checkpoint-every'], 'checkpoint-every', 50, { int: true, min: 1 });
  const logEvery = num(a['log-every'], 'log-every', 10, { int: true, min: 1 });
  // --stop-at N: follow the schedule of --steps but end after step N (a shorter run that is
  // still exactly reproducible: the schedule, batch order and masking depend on --steps and --seed).
  const stopAt = Math.min(settings.steps, num(a['stop-at'], 'stop-at', settings.steps, { int: true, min: 1 }));
  const log = (s: string) => process.stderr.write(s + '\n');

  const hasCheckpoint = existsSync(join(out, 'checkpoint', 'state.json'));
  if (hasCheckpoint && !a.resume) throw new UsageError(`${out} already holds a pretraining checkpoint: pass --resume to continue it, or choose another --out`);
  if (a.resume && !hasCheckpoint) throw new UsageError(`--resume: ${out}/checkpoint/state.json not found`);
  // --init-from DIR: start from another pretrained folder's weights (same vocabulary) with a
  // fresh optimizer and schedule — continued pretraining. Its architecture wins over the flags.
  const initFrom = a['init-from'] ? resolve(String(a['init-from'])) : null;
  if (initFrom && hasCheckpoint && !a.resume)
    throw new UsageError('--init-from starts a new run, but --out already holds a checkpoint: add --resume to continue that run, or choose another --out');
  if (initFrom && !hasCheckpoint) {
    const initVocab = join(initFrom, 'vocab.txt');
    if (!existsSync(initVocab)) throw new UsageError(`--init-from: ${initVocab} not found`);
    if (readFileSync(initVocab, 'utf8') !== vocabTxt) throw new UsageError(`--init-from: ${initVocab} differs from the vocabulary ${vocabPath}`);
  }

  // Data: train splits + Moby Dick for training; dev splits held out for evaluation.
  const t0 = performance.now();
  const corpus = buildPretrainCorpus(REPO_ROOT);
  const train = packCorpus(tok, corpus.flatMap((c) => c.texts), seqLen);
  const held = packCorpus(tok, buildHeldOutCorpus(REPO_ROOT, 'dev').flatMap((c) => c.texts), seqLen);
  const evalSet = held.sequences.slice(0, evalSeqs);
  log(`rapt pretrain: ${train.sequences.length} training sequences (${train.tokens} tokens) of ${seqLen}; ${evalSet.length} held-out sequences; tokenized in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const specialIds = new Set(tok.specialTokenIds);
  const spec: MaskingSpec = { maskProb: settings.maskProb, maskTokenId: tok.maskTokenId!, specialIds, vocabSize: tok.vocabSize, padId: tok.padTokenId };
  if (tok.maskTokenId === null) throw new UsageError(`${vocabPath} has no [MASK] token`);
  const unigram = unigramGuess(train.sequences, specialIds);

  const config = parseBertConfig({
    vocab_size: tok.vocabSize,
    hidden_size: num(a.hidden, 'hidden', 128, { int: true, min: 4 }),
    num_hidden_layers: num(a.layers, 'layers', 2, { int: true, min: 1 }),
    num_attention_heads: num(a.heads, 'heads', 2, { int: true, min: 1 }),
    intermediate_size: num(a.ffn, 'ffn', 512, { int: true, min: 4 }),
    max_position_embeddings: Math.max(128, seqLen),
    hidden_act: 'gelu',
    architectures: ['BertForMaskedLM']
  });
  const gpu = await openGpu();
  const weights = hasCheckpoint
    ? (await loadBertFolder(out)).weights
    : initFrom
      ? (await loadBertFolder(initFrom)).weights
      : randomBertWeights(config, settings.seed);
  if (initFrom && !hasCheckpoint) log(`rapt pretrain: starting from the weights in ${initFrom}`);
  const model = new BertModel(gpu, weights);
  const trainer = new MlmTrainer(gpu, model, train.sequences, spec, settings);
  const names = [...model.params.keys()];
  let wallBefore = 0;
  if (hasCheckpoint) {
    const saved = loadTrainingState(out, names)!;
    trainer.importState({ step: saved.state.step, tokensSeen: saved.state.tokensSeen, optimizer: saved.optimizer });
    wallBefore = saved.state.wallSeconds;
    log(`rapt pretrain: resumed at step ${saved.state.step} (${saved.state.tokensSeen} tokens seen)`);
  }
  mkdirSync(out, { recursive: true });
  const logFile = join(out, 'train-log.jsonl');
  const record = (o: object) => appendFileSync(logFile, JSON.stringify(o) + '\n');
  const started = performance.now();
  const wall = () => wallBefore + (performance.now() - started) / 1000;
  const checkpoint = async () => {
    saveModelFolder(out, await model.toWeights(), vocabTxt, { step: String(trainer.step) });
    saveTrainingState(out, { step: trainer.step, tokensSeen: trainer.tokensSeen, wallSeconds: wall(), settings: { ...settings, seqLen } }, await trainer.optimizer.exportState(), names);
  };
  let stop = false;
  const onSignal = () => {
    if (stop) process.exit(130);
    stop = true;
    log('rapt pretrain: interrupted — saving a checkpoint after this step (Ctrl-C again to quit now)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let windowTokens = 0;
  let windowStart = performance.now();
  const firstStep = trainer.step;
  while (trainer.step < stopAt && !stop) {
    const { loss, tokens, lr } = trainer.trainStep();
    windowTokens += tokens;
    const step = trainer.step;
    if (step % logEvery === 0 || step === stopAt) {
      const l = (await loss.readF32())[0];
      const secs = (performance.now() - windowStart) / 1000;
      const tps = windowTokens / secs;
      const perStep = (performance.now() - started) / 1000 / (step - firstStep);
      const eta = perStep * (stopAt - step);
      log(`step ${step}/${stopAt}  loss ${l.toFixed(4)}  lr ${lr.toExponential(2)}  ${tps.toFixed(0)} tokens/s  ETA ${fmtTime(eta)}`);
      record({ kind: 'train', step, loss: l, lr, tokens_per_s: tps, tokens_seen: trainer.tokensSeen, wall_s: wall() });
      windowTokens = 0;
      windowStart = performance.now();
    }
    loss.dispose();
    if (step % evalEvery === 0 || step === stopAt) {
      const ev = await trainer.evaluate(evalSet, settings.batchSize, 12345, unigram);
      log(`eval @ ${step}: masked accuracy ${(ev.masked_accuracy * 100).toFixed(2)}% (unigram ${(ev.unigram_accuracy! * 100).toFixed(2)}%), loss ${ev.loss.toFixed(4)}`);
      record({ kind: 'eval', step, ...ev, wall_s: wall() });
    }
    if (step % ckEvery === 0 || step === stopAt || stop) await checkpoint();
  }
  if (stop) {
    log(`rapt pretrain: checkpoint saved at step ${trainer.step}; continue with --resume`);
    gpu.destroy();
    process.exit(130);
  }
  const final = await trainer.evaluate(held.sequences, settings.batchSize, 12345, unigram);
  const report = {
    command: `rapt pretrain ${process.argv.slice(3).join(' ')}`,
    config: weights.config,
    init_from: initFrom,
    settings: { ...settings, seqLen },
    stopped_at: trainer.step,
    corpus: corpus.map((c) => ({ name: c.name, texts: c.texts.length })),
    train_sequences: train.sequences.length,
    train_tokens: train.tokens,
    tokens_seen: trainer.tokensSeen,
    wall_seconds: Math.round(wall()),
    machine: { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? '', adapter: gpu.summary.description || gpu.summary.architecture },
    held_out_dev: final
  };
  writeFileSync(join(out, 'pretrain-report.json'), JSON.stringify(report, null, 2) + '\n');
  log(`done: dev masked accuracy ${(final.masked_accuracy * 100).toFixed(2)}% vs unigram ${(final.unigram_accuracy! * 100).toFixed(2)}%`);
  process.stdout.write(JSON.stringify({ out, ...report.held_out_dev, tokens_seen: trainer.tokensSeen, wall_seconds: report.wall_seconds }) + '\n');
  trainer.dispose();
  model.dispose();
  gpu.destroy();
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
}
