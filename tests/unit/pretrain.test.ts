// MLM pretraining: packing, BERT's 80/10/10 masking (statistical, fixed seeds, stated
// tolerances), the learning-rate schedule, learning on a small corpus, and exact resume
// from exported state.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BertTokenizer } from '../../src/lib/model/tokenizer';
import { packCorpus, maskBatch, unigramGuess, type MaskingSpec } from '../../src/lib/pretrain/mlm-data';
import { linearWarmupDecay } from '../../src/lib/pretrain/lr-schedule';
import { MlmTrainer, type PretrainSettings } from '../../src/lib/pretrain/mlm-trainer';
import { parseBertConfig } from '../../src/lib/model/checkpoint/bert-config';
import { randomBertWeights } from '../../src/lib/model/random-init';
import { BertModel } from '../../src/lib/model/bert';
import { SeededRandom } from '../../src/lib/util/seeded-random';
import type { GpuContext } from '../../src/lib/gpu/context';
import { getGpu } from './helpers/gpu';

const vocab = readFileSync(join(__dirname, '..', 'fixtures', 'tiny-bert', 'vocab.txt'), 'utf8');
const tok = BertTokenizer.fromVocabText(vocab);
const TEXTS = [
  'Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse,',
  'and nothing particular to interest me on shore, I thought I would sail about a little and see the watery part of the world.',
  'It is a way I have of driving off the spleen and regulating the circulation.',
  'Whenever I find myself growing grim about the mouth; whenever it is a damp, drizzly November in my soul;'
];
const spec = (): MaskingSpec => ({
  maskProb: 0.15,
  maskTokenId: tok.maskTokenId!,
  specialIds: new Set(tok.specialTokenIds),
  vocabSize: tok.vocabSize,
  padId: tok.padTokenId
});

describe('packing', () => {
  it('wraps windows in [CLS] … [SEP], keeps every token in order, pads only the last', () => {
    const packed = packCorpus(tok, TEXTS, 16);
    const stream = TEXTS.flatMap((t, i) => [...(i ? [tok.sepTokenId] : []), ...tok.encode(t, null, { addSpecialTokens: false }).input_ids]);
    const got: number[] = [];
    packed.sequences.forEach((s, k) => {
      expect(s.length).toBe(16);
      expect(s[0]).toBe(tok.clsTokenId);
      const sep = s.lastIndexOf(tok.sepTokenId);
      const body = Array.from(s.subarray(1, k < packed.sequences.length - 1 ? 15 : s.indexOf(tok.padTokenId) > 0 ? s.indexOf(tok.padTokenId) - 1 : 15));
      if (k < packed.sequences.length - 1) expect(s[15]).toBe(tok.sepTokenId);
      expect(sep).toBeGreaterThan(0);
      got.push(...body);
    });
    expect(got).toEqual(stream);
    expect(packed.tokens).toBe(stream.length);
  });
});

describe('masking (seed 3; tolerances are 4 standard deviations)', () => {
  it('chooses 15% of ordinary tokens, replaces 80/10/10, never touches special tokens', () => {
    const r = new SeededRandom(3);
    const seqs = Array.from({ length: 400 }, () => {
      const s = new Int32Array(64);
      s[0] = tok.clsTokenId;
      for (let t = 1; t < 60; t++) s[t] = 5 + r.int(tok.vocabSize - 5);
      s[60] = tok.sepTokenId;
      return s;
    });
    const b = maskBatch(seqs, spec(), new SeededRandom(4));
    let ordinary = 0;
    let chosen = 0;
    let masked = 0;
    let random = 0;
    let kept = 0;
    for (let i = 0; i < b.labels.length; i++) {
      const orig = seqs[Math.floor(i / 64)][i % 64];
      const special = spec().specialIds.has(orig);
      if (!special) ordinary++;
      if (b.labels[i] === -100) {
        expect(b.inputIds[i]).toBe(orig);
        continue;
      }
      expect(special, 'a special token was chosen').toBe(false);
      expect(b.labels[i]).toBe(orig);
      chosen++;
      if (b.inputIds[i] === tok.maskTokenId) masked++;
      else if (b.inputIds[i] === orig) kept++;
      else {
        random++;
        expect(spec().specialIds.has(b.inputIds[i])).toBe(false);
      }
    }
    const p = chosen / ordinary;
    const sd = Math.sqrt((0.15 * 0.85) / ordinary);
    expect(Math.abs(p - 0.15)).toBeLessThan(4 * sd);
    const sdSplit = (q: number) => Math.sqrt((q * (1 - q)) / chosen);
    expect(Math.abs(masked / chosen - 0.8)).toBeLessThan(4 * sdSplit(0.8));
    // "kept" also includes random draws that happened to equal the original (≈ 1/V of 10%)
    expect(Math.abs(random / chosen - 0.1)).toBeLessThan(4 * sdSplit(0.1));
    expect(Math.abs(kept / chosen - 0.1)).toBeLessThan(4 * sdSplit(0.1));
    expect(b.attentionMask.every((row) => row.slice(61).every((m) => m === 0))).toBe(true);
  });

  it('unigram guess is the most frequent ordinary token', () => {
    const a = Int32Array.from([tok.clsTokenId, 7, 7, 9, tok.sepTokenId, 0, 0]);
    expect(unigramGuess([a], spec().specialIds)).toBe(7);
  });
});

describe('learning-rate schedule', () => {
  it('warms up linearly, peaks, then decays linearly to 0', () => {
    expect(linearWarmupDecay(0, 1, 10, 100)).toBeCloseTo(0.1);
    expect(linearWarmupDecay(9, 1, 10, 100)).toBeCloseTo(1);
    expect(linearWarmupDecay(10, 1, 10, 100)).toBeCloseTo(1);
    expect(linearWarmupDecay(55, 1, 10, 100)).toBeCloseTo(0.5);
    expect(linearWarmupDecay(100, 1, 10, 100)).toBe(0);
  });
});

describe('trainer', () => {
  let gpu: GpuContext;
  beforeAll(async () => {
    gpu = await getGpu();
  });
  const config = () =>
    parseBertConfig({ vocab_size: tok.vocabSize, hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64, max_position_embeddings: 32, hidden_act: 'gelu' });
  const settings = (steps: number): PretrainSettings => ({ steps, batchSize: 4, lr: 3e-3, warmup: 2, weightDecay: 0.01, maxGradNorm: 1, maskProb: 0.15, seed: 5 });
  const seqs = () => packCorpus(tok, [...TEXTS, ...TEXTS], 16).sequences;

  it('learns: the loss on a small corpus falls', async () => {
    const model = new BertModel(gpu, randomBertWeights(config(), 1));
    const tr = new MlmTrainer(gpu, model, seqs(), spec(), settings(60));
    const first = await tr.evaluate(seqs(), 4, 9);
    for (let i = 0; i < 60; i++) tr.trainStep().loss.dispose();
    const last = await tr.evaluate(seqs(), 4, 9);
    expect(last.loss).toBeLessThan(first.loss - 1);
    tr.dispose();
    model.dispose();
  });

  it('resumes exactly: 3 + 3 steps through exported state equal 6 straight steps', async () => {
    const run = async (split: boolean) => {
      let model = new BertModel(gpu, randomBertWeights(config(), 2));
      let tr = new MlmTrainer(gpu, model, seqs(), spec(), settings(6));
      for (let i = 0; i < 3; i++) tr.trainStep().loss.dispose();
      if (split) {
        const weights = await model.toWeights();
        const state = await tr.exportState();
        tr.dispose();
        model.dispose();
        model = new BertModel(gpu, weights);
        tr = new MlmTrainer(gpu, model, seqs(), spec(), settings(6));
        tr.importState(state);
      }
      for (let i = 0; i < 3; i++) tr.trainStep().loss.dispose();
      const w = await model.toWeights();
      tr.dispose();
      model.dispose();
      return w;
    };
    const a = await run(false);
    const b = await run(true);
    expect(Buffer.from(b.layers[0].query.weight.data.buffer).equals(Buffer.from(a.layers[0].query.weight.data.buffer))).toBe(true);
    expect(Buffer.from(b.embeddings.word.data.buffer).equals(Buffer.from(a.embeddings.word.data.buffer))).toBe(true);
    expect(Buffer.from(b.mlm!.bias.data.buffer).equals(Buffer.from(a.mlm!.bias.data.buffer))).toBe(true);
  });
});
