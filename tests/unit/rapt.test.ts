// The RAPT service side (src/lib/rapt) and its user-side data preparation:
//
//  layout     where [CLS], the plain tokens, the text and the template's [MASK] land; plain
//             tokens as their own sequence (plainSequence 'separate')
//  metrics    accuracy / macro F1 / majority against hand-computed values
//  config     defaults and errors naming the field (and the CLI flags)
//  verbalizer MLM logits restricted to label words equal the full MLM logits' columns
//  client     token ids only leave prepareSplit (no strings anywhere); η → ∞ changes nothing,
//             tiny η changes most tokens; plain tokens are drawn from the real vocabulary
//  trainer    the reconstruction loss falls when plain tokens are learnable; the frozen encoder
//             is bit-identical after RAPT training; the mean head learns a keyword task; with
//             plainSequence 'separate' the task loss is computed on exactly the inference layout
//  end to end runTune on the built-in model and spam: clean prompt tuning beats the majority
//             class; a d_χ run reports its replaced fraction and that it was seeded
import { beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { GpuContext } from '../../src/lib/gpu/context';
import { noGrad, tensorFrom, tidy } from '../../src/lib/engine';
import { BertModel } from '../../src/lib/model/bert';
import { loadBertFolder } from '../../src/lib/model/checkpoint/load-folder-node';
import type { BertCheckpoint } from '../../src/lib/model/checkpoint/bert-checkpoint';
import { BertTokenizer } from '../../src/lib/model/tokenizer';
import { createPeft } from '../../src/lib/peft/method';
import { makePrivacyTable } from '../../src/lib/boundary/table';
import { createPrivatizer } from '../../src/lib/boundary/factory';
import { layoutBatch, layoutPlainBatch, textBudget, type TaskExample } from '../../src/lib/rapt/layout';
import { classificationMetrics, majorityBaseline } from '../../src/lib/rapt/metrics';
import { completeTuneConfig, TuneConfigError } from '../../src/lib/rapt/check-config';
import { resolveVerbalizer } from '../../src/lib/rapt/verbalizer';
import { prepareSplit } from '../../src/lib/rapt/client-prep';
import { RaptTrainer } from '../../src/lib/rapt/trainer';
import { runTune } from '../../src/lib/rapt/run';
import { tuneConfigFromArgs } from '../../src/cli/commands/tune';
import { loadTaskNode } from '../../src/lib/data/task-node';
import type { Example, SplitDataset } from '../../src/lib/data/types';
import { SeededRandom } from '../../src/lib/util/seeded-random';
import { getGpu } from './helpers/gpu';

const REPO = resolve(__dirname, '..', '..');
const SP = { cls: 2, sep: 3, pad: 0, mask: 4 };

describe('layout', () => {
  const ex = (n: number, m = 0): TaskExample => ({
    text: Int32Array.from({ length: n }, (_, i) => 10 + i),
    label: 0,
    ...(m ? { plain: { privatized: new Int32Array(m).fill(7), original: new Int32Array(m).fill(8) } } : {})
  });

  it('places [CLS], plain tokens, text, template and padding', () => {
    const template = Int32Array.from([20, 4, 21]);
    const lb = layoutBatch([ex(3, 2), ex(1, 2)], { maxPositions: 64, promptPositions: 5, plainTokens: 2, template, maxLength: 10 }, SP);
    expect(lb.T).toBe(1 + 2 + 1 + 3 + 1 + 3 + 1);
    expect(Array.from(lb.inputIds.slice(0, lb.T))).toEqual([2, 7, 7, 3, 10, 11, 12, 3, 20, 4, 21, 3]);
    expect(Array.from(lb.inputIds.slice(lb.T))).toEqual([2, 7, 7, 3, 10, 3, 20, 4, 21, 3, 0, 0]);
    expect(lb.clsPosition).toBe(5);
    expect(lb.plainStart).toBe(6);
    expect(lb.textSpans).toEqual([
      [9, 12],
      [9, 10]
    ]);
    // [MASK] index in the encoder output = prompt + its index in the row
    expect(lb.maskPositions).toEqual([5 + 9, 5 + 7]);
    expect(Array.from(lb.attentionMask[1])).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
  });

  it('cuts text to the budget and refuses what cannot fit', () => {
    const o = { maxPositions: 16, promptPositions: 4, plainTokens: 3, maxLength: 100 };
    expect(textBudget(o)).toBe(16 - 4 - 2 - 4);
    const lb = layoutBatch([ex(20, 3)], o, SP);
    expect(lb.T).toBe(16 - 4);
    expect(() => textBudget({ ...o, plainTokens: 10 })).toThrow(/no room for text/);
    expect(() => layoutBatch([ex(3, 2)], o, SP)).toThrow(/needs 3 plain tokens/);
    expect(() => layoutBatch([ex(0)], { ...o, plainTokens: 0 }, SP)).toThrow(/no text tokens/);
    expect(() => layoutBatch([ex(2)], { ...o, plainTokens: 0, template: Int32Array.from([4, 4]) }, SP)).toThrow(/exactly one \[MASK\]/);
  });
});

describe('plain tokens as their own sequence', () => {
  const ex = (m: number): TaskExample => ({
    text: Int32Array.from([10, 11]),
    label: 0,
    plain: { privatized: Int32Array.from({ length: m }, (_, i) => 50 + i), original: new Int32Array(m).fill(8) }
  });
  it('lays out [CLS] plain [SEP] per row after the prompt, and refuses what cannot fit', () => {
    const pb = layoutPlainBatch([ex(3), ex(3)], 3, 4, 64, SP);
    expect(pb.T).toBe(5);
    expect(Array.from(pb.inputIds)).toEqual([2, 50, 51, 52, 3, 2, 50, 51, 52, 3]);
    expect(pb.plainStart).toBe(5);
    expect(pb.attentionMask.map((r) => Array.from(r))).toEqual([[1, 1, 1, 1, 1], [1, 1, 1, 1, 1]]);
    expect(() => layoutPlainBatch([ex(3), ex(2)], 3, 4, 64, SP)).toThrow(/example 1 needs 3 plain tokens/);
    expect(() => layoutPlainBatch([ex(3)], 3, 60, 64, SP)).toThrow(/no room for the plain tokens/);
    expect(() => layoutPlainBatch([], 3, 0, 64, SP)).toThrow(/empty batch/);
  });
  it('the text keeps the whole budget when the plain tokens do not share its sequence', () => {
    const o = { maxPositions: 64, promptPositions: 8, plainTokens: 16, maxLength: 100 };
    expect(textBudget({ ...o, plainTokens: 0 }) - textBudget(o)).toBe(17);
  });
});

describe('metrics', () => {
  it('accuracy, macro F1 and the majority baseline match hand-computed values', () => {
    // gold 0 0 0 1 1 2; predicted 0 0 1 1 0 0
    const m = classificationMetrics([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 0, 0], 3);
    expect(m.accuracy).toBeCloseTo(3 / 6, 12);
    // class 0: tp 2 fp 2 fn 1 → 4/7; class 1: tp 1 fp 1 fn 1 → 1/2; class 2: tp 0 fn 1 → 0
    expect(m.macro_f1).toBeCloseTo((4 / 7 + 1 / 2 + 0) / 3, 12);
    expect(majorityBaseline([1, 1, 0], [1, 0, 0, 1], 2)).toEqual({ label: 1, accuracy: 0.5 });
    expect(() => classificationMetrics([0], [0, 1], 2)).toThrow(/2 predictions for 1 labels/);
  });
});

describe('tune config', () => {
  it('fills defaults and names the bad field', () => {
    const c = completeTuneConfig({ model: 'builtin', task: 'spam' });
    expect(c.method).toBe('prompt');
    expect(c.mechanism).toBe('none');
    expect(() => completeTuneConfig({ model: 'builtin', task: 'spam', mechanism: 'dchi' })).toThrow(/eta \(the dchi budget\) must be a finite number > 0/);
    expect(() => completeTuneConfig({ model: 'builtin', task: 'spam', mechanism: 'dchi', eta: -1 })).toThrow(TuneConfigError);
    expect(() => completeTuneConfig({ model: 'builtin', task: 'spam', mechanism: 'dchi', epsilon: 3 })).toThrow(/dchi takes eta, not epsilon/);
    expect(() => completeTuneConfig({ model: 'builtin', task: 'spam', mechanism: 'none', eta: 3 })).toThrow(/takes no budget/);
    expect(() => completeTuneConfig({ model: 'builtin', task: 'spam', lr: Number.NaN })).toThrow(/lr must be a finite number > 0/);
    expect(() => completeTuneConfig({ model: 'builtin', task: 'spam', rapt: true, plainTokens: 0 })).toThrow(/plainTokens must be an integer ≥ 1/);
    expect(() => completeTuneConfig({ model: 'builtin', task: 'spam', steps: 2.5 })).toThrow(/steps must be an integer/);
    expect(() => completeTuneConfig({ model: 'builtin', task: 'spam', ...({ lamda: 1 } as object) })).toThrow(/unknown field "lamda"/);
    // the prefix reparameterisation: prefix only, a positive width, and absent (not a default) when unset
    expect(completeTuneConfig({ model: 'builtin', task: 'spam', method: 'prefix', prefixHidden: 64 }).prefixHidden).toBe(64);
    expect('prefixHidden' in completeTuneConfig({ model: 'builtin', task: 'spam', method: 'prefix' })).toBe(false);
    expect(() => completeTuneConfig({ model: 'builtin', task: 'spam', method: 'prompt', prefixHidden: 64 })).toThrow(/prefixHidden .* is for method prefix, not prompt/);
    expect(() => completeTuneConfig({ model: 'builtin', task: 'spam', method: 'prefix', prefixHidden: 0 })).toThrow(/prefixHidden must be an integer ≥ 1/);
    expect(completeTuneConfig({ model: 'builtin', task: 'spam', rapt: true, plainSequence: 'separate' }).plainSequence).toBe('separate');
    expect('plainSequence' in completeTuneConfig({ model: 'builtin', task: 'spam', rapt: true })).toBe(false);
    // ignored without RAPT, like plainTokens and λ
    expect(completeTuneConfig({ model: 'builtin', task: 'spam', plainSequence: 'separate' }).rapt).toBe(false);
    expect(() => completeTuneConfig({ model: 'builtin', task: 'spam', rapt: true, plainSequence: 'beside' as 'joint' })).toThrow(/plainSequence must be joint or separate, got "beside"/);
  });

  it('maps CLI flags onto the config', () => {
    const c = tuneConfigFromArgs({ model: 'builtin', task: 'spam', mechanism: 'dchi', eta: '50', rapt: true, 'plain-tokens': '10', lambda: '0.5', batch: '8' });
    expect(c).toMatchObject({ mechanism: 'dchi', eta: 50, rapt: true, plainTokens: 10, lambda: 0.5, batchSize: 8 });
    expect(tuneConfigFromArgs({ model: 'builtin', task: 'spam', method: 'prefix', 'prefix-hidden': '32' }).prefixHidden).toBe(32);
    expect(tuneConfigFromArgs({ model: 'builtin', task: 'spam', rapt: true, 'plain-sequence': 'separate' }).plainSequence).toBe('separate');
    expect(() => tuneConfigFromArgs({ model: 'builtin', task: 'spam', steps: 'ten' })).toThrow(/--steps must be a number/);
    expect(() => tuneConfigFromArgs({ task: 'spam' })).toThrow(/--model/);
  });
});

describe('RAPT on the engine (tiny fixture model)', () => {
  let gpu: GpuContext;
  let ckpt: BertCheckpoint;
  let tok: BertTokenizer;
  beforeAll(async () => {
    gpu = await getGpu();
    ckpt = await loadBertFolder(resolve(REPO, 'tests/fixtures/tiny-bert'));
    tok = BertTokenizer.fromVocabText(ckpt.vocabTxt!, { doLowerCase: true });
  });

  it('MLM logits for label words equal the columns of the full MLM logits', async () => {
    const model = new BertModel(gpu, ckpt.weights);
    const ids = Int32Array.from([5, 17, 400, 999]);
    const [fullT, partT] = noGrad(() =>
      tidy(() => {
        const h = tensorFrom(gpu, Float32Array.from({ length: 3 * 32 }, (_, i) => Math.sin(i)), [3, 32], 'h');
        return [model.mlmLogits(h), model.mlmLogitsFor(h, tensorFrom(gpu, ids, [4], 'ids'))];
      })
    );
    const full = await fullT.readF32();
    const part = await partT.readF32();
    fullT.dispose();
    partT.dispose();
    for (let r = 0; r < 3; r++) for (let k = 0; k < 4; k++) expect(part[r * 4 + k]).toBeCloseTo(full[r * 1000 + ids[k]], 4);
    model.dispose();
  });

  it('the verbalizer needs single-token label words', () => {
    expect(() => resolveVerbalizer('mine', ['zzzunknownword', 'b'], tok)).toThrow(/not a single token/);
  });

  /** Texts of fixture-vocabulary words; label 1 iff the keyword occurs. */
  function keywordExamples(n: number, seed: number): Example[] {
    const r = new SeededRandom(seed);
    const words = ['the', 'of', 'and', 'to', 'in', 'is', 'was', 'he', 'for', 'it', 'with', 'as', 'his', 'on', 'be', 'at'].filter((w) => tok.tokenToId(w) !== undefined);
    const keyword = words.pop()!;
    return Array.from({ length: n }, (_, i) => {
      const label = i % 2;
      const t = Array.from({ length: 6 }, () => words[r.int(words.length)]);
      if (label) t[r.int(6)] = keyword;
      return { text: t.join(' '), label: String(label), attrs: {} };
    });
  }

  it('the client sends token ids only; η → ∞ changes nothing and a tiny η changes most tokens', async () => {
    const table = makePrivacyTable(ckpt, tok);
    const exs = keywordExamples(12, 1);
    const base = { tokenizer: tok, labels: ['0', '1'], textBudget: 20, plainTokens: 4, candidates: table.candidates, seed: 5 };
    const walk = (v: unknown, path: string): void => {
      expect(typeof v, `${path} is a string`).not.toBe('string');
      if (v instanceof Int32Array || typeof v === 'number') return;
      if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    };
    const loose = createPrivatizer(gpu, table, { mechanism: 'dchi', eta: 1e9, seed: 1 });
    const same = await prepareSplit(exs, { ...base, privatizer: loose }, true);
    walk(same.privatized, 'privatized');
    expect(same.replaced).toBe(0);
    same.privatized.forEach((e, i) => expect(Array.from(e.text)).toEqual(Array.from(same.clean[i].text)));
    const cand = new Set(table.candidates);
    for (const e of same.privatized) {
      expect(e.plain!.original.length).toBe(4);
      for (const id of e.plain!.original) expect(cand.has(id)).toBe(true);
    }
    const tight = createPrivatizer(gpu, table, { mechanism: 'dchi', eta: 1e-3, seed: 1 });
    const noisy = await prepareSplit(exs, { ...base, privatizer: tight }, true);
    expect(noisy.replaced / noisy.tokens).toBeGreaterThan(0.8);
    const plainChanged = noisy.privatized.filter((e) => e.plain!.privatized.some((x, j) => x !== e.plain!.original[j])).length;
    expect(plainChanged).toBeGreaterThan(6);
    loose.dispose();
    tight.dispose();
  });

  it('RAPT training: reconstruction loss falls, the encoder stays bit-identical, the mean head learns', async () => {
    const model = new BertModel(gpu, ckpt.weights);
    const before = new Map<string, Float32Array>();
    for (const [n, t] of model.params) before.set(n, await t.readF32());
    const method = createPeft(gpu, model, { name: 'prompt', promptLength: 4, loraRank: 4, loraAlpha: 8, seed: 1 });
    const trainer = new RaptTrainer(gpu, model, {
      method,
      head: 'mean',
      numClasses: 2,
      rapt: { plainTokens: 6, lambda: 1, reconHidden: 16 },
      lr: 0.02,
      seed: 1,
      maxLength: 16,
      special: { cls: tok.clsTokenId, sep: tok.sepTokenId, pad: tok.padTokenId, mask: tok.maskTokenId! }
    });
    const table = makePrivacyTable(ckpt, tok);
    const prep = { tokenizer: tok, privatizer: null, labels: ['0', '1'], textBudget: trainer.textBudget, plainTokens: 6, candidates: table.candidates.slice(0, 30), seed: 3 };
    const train = await prepareSplit(keywordExamples(64, 2), prep, true);
    const test = await prepareSplit(keywordExamples(64, 3), prep, false);
    const recon: number[] = [];
    for (let s = 0; s < 60; s++) {
      const batch = train.privatized.slice((s * 16) % 64, ((s * 16) % 64) + 16);
      const l = trainer.step(batch);
      recon.push((await l.recon!.readF32())[0]);
      for (const t of new Set([l.total, l.task, l.recon])) t?.dispose();
    }
    const head = recon.slice(0, 5).reduce((a, b) => a + b) / 5;
    const tail = recon.slice(-5).reduce((a, b) => a + b) / 5;
    // ln(1000) ≈ 6.9 at the start; 30 candidate plain tokens are learnable (tolerance: half).
    expect(head).toBeGreaterThan(6);
    expect(tail).toBeLessThan(head / 2);
    const pred = await trainer.predict(test.privatized, 32);
    const acc = classificationMetrics(test.privatized.map((e) => e.label), pred, 2).accuracy;
    expect(acc).toBeGreaterThan(0.75); // balanced classes: majority 0.5
    for (const [n, t] of model.params) expect(await t.readF32(), n).toEqual(before.get(n));
    trainer.dispose();
    method.dispose();
    model.dispose();
  }, 120_000);

  /** Mean cross-entropy of class scores [B, K] against labels, in float64. */
  function crossEntropyOf(scores: Float32Array, labels: number[], K: number): number {
    let sum = 0;
    labels.forEach((y, b) => {
      const row = Array.from(scores.slice(b * K, b * K + K));
      const mx = Math.max(...row);
      const lse = mx + Math.log(row.reduce((a, v) => a + Math.exp(v - mx), 0));
      sum += lse - row[y];
    });
    return sum / labels.length;
  }

  async function firstStep(sequence: 'joint' | 'separate', lambda = 1): Promise<{ task: number; recon: number; inference: number; prompt: Float32Array }> {
    const model = new BertModel(gpu, ckpt.weights);
    const method = createPeft(gpu, model, { name: 'prompt', promptLength: 3, loraRank: 4, loraAlpha: 8, seed: 1 });
    const trainer = new RaptTrainer(gpu, model, {
      method,
      head: 'mean',
      numClasses: 2,
      rapt: { plainTokens: 5, lambda, reconHidden: 8, sequence },
      lr: 0.05,
      seed: 1,
      maxLength: 12,
      special: { cls: tok.clsTokenId, sep: tok.sepTokenId, pad: tok.padTokenId, mask: tok.maskTokenId! }
    });
    const r = new SeededRandom(4);
    const batch: TaskExample[] = Array.from({ length: 6 }, (_, i) => ({
      text: Int32Array.from({ length: 3 + (i % 4) }, () => 5 + r.int(900)),
      label: i % 2,
      plain: { privatized: Int32Array.from({ length: 5 }, () => 5 + r.int(900)), original: Int32Array.from({ length: 5 }, () => 5 + r.int(900)) }
    }));
    const s = trainer.scores(batch);
    const inference = crossEntropyOf(await s.readF32(), batch.map((e) => e.label), 2);
    s.dispose();
    const l = trainer.step(batch);
    const task = (await l.task.readF32())[0];
    const recon = (await l.recon!.readF32())[0];
    for (const t of new Set([l.total, l.task, l.recon])) t?.dispose();
    const prompt = await method.trainable[0].readF32();
    trainer.dispose();
    method.dispose();
    model.dispose();
    return { task, recon, inference, prompt };
  }

  it("'separate' trains the task on the inference layout; 'joint' (plain tokens in the text's sequence) does not", async () => {
    const sep = await firstStep('separate');
    // the task loss of the training step is the loss of the very inputs inference sees (float32 tolerance)
    expect(Math.abs(sep.task - sep.inference)).toBeLessThan(1e-5);
    expect(sep.recon).toBeGreaterThan(Math.log(1000) - 1); // untrained head: ≈ ln V
    // the reconstruction gradient reaches the soft prompt through the plain tokens' own sequence
    const taskOnly = await firstStep('separate', 0);
    expect(taskOnly.prompt.some((v, i) => Math.abs(v - sep.prompt[i]) > 1e-7)).toBe(true);
    const joint = await firstStep('joint');
    // same initial parameters (same seeds), but the plain tokens are in the task's context
    expect(Math.abs(joint.inference - sep.inference)).toBeLessThan(1e-6);
    expect(Math.abs(joint.task - joint.inference)).toBeGreaterThan(1e-4);
  }, 120_000);
});

describe('runTune end to end on the built-in model', () => {
  let gpu: GpuContext;
  let inputs: { gpu: GpuContext; checkpoint: BertCheckpoint; tokenizer: BertTokenizer; data: SplitDataset; adapter: string };
  beforeAll(async () => {
    gpu = await getGpu();
    const checkpoint = await loadBertFolder(resolve(REPO, 'static/models/rapt-mini'));
    inputs = { gpu, checkpoint, tokenizer: BertTokenizer.fromVocabText(checkpoint.vocabTxt!, { doLowerCase: true }), data: await loadTaskNode(REPO, 'spam'), adapter: 'test' };
  });

  it('clean prompt tuning on spam beats the majority class; a d_χ run reports what it replaced', async () => {
    const common = { model: 'builtin', task: 'spam', method: 'prompt' as const, steps: 60, trainLimit: 300, evalLimit: 160, maxLength: 32, lr: 0.01, seed: 1 };
    const clean = await runTune(common, inputs);
    expect(clean.replaced_fraction).toBe(0);
    expect(clean.seeded_not_private).toBe(false);
    expect(clean.metrics.test_clean.n).toBe(160);
    // majority ≈ 0.66 on this subset; threshold: 4 points above it
    expect(clean.metrics.test_clean.accuracy).toBeGreaterThan(clean.majority_accuracy + 0.04);
    const priv = await runTune({ ...common, steps: 5, mechanism: 'dchi', eta: 100, rapt: true, plainTokens: 10 }, inputs);
    expect(priv.replaced_fraction).toBeGreaterThan(0.1);
    expect(priv.replaced_fraction).toBeLessThan(0.9);
    expect(priv.seeded_not_private).toBe(true);
    expect(priv.final_recon_loss).not.toBeNull();
    expect(priv.trainable_parameters).toBeGreaterThan(clean.trainable_parameters);
  }, 300_000);
});
