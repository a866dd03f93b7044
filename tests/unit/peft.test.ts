// Parameter-efficient tuning on the frozen encoder (src/lib/peft): soft prompt, prefix tuning
// (direct and through the reparameterisation MLP), LoRA, and full fine-tuning as the reference.
//
//  forward   GPU hidden states vs the float64 reference (bert-f64.ts with its prompt / prefix /
//            LoRA inputs, prefix-encoder-f64.ts for the MLP); LoRA with B = 0 is bit-identical
//            to the plain model.
//  backward  gradients of L = Σ hidden · W (W a fixed random tensor) w.r.t. each method's
//            tensors vs central finite differences of the float64 reference loss, on a few
//            random coordinates per tensor.
//  training  each method + a linear head on the [CLS] state learns "does token 7 occur in the
//            sequence?" (balanced classes, majority 50%) above a stated accuracy, trains only
//            its own tensors (every model.params value bit-identical afterwards, no gradient,
//            optimizer state only for the method's tensors and the head) — except full
//            fine-tuning, which changes the encoder and is frozen again by dispose().
import { beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/lib/gpu/context';
import { AdamW, Tape, Tensor, backward, crossEntropy, keep, matmul, noGrad, reshapeMove, sliceSeq, tensorFrom, tidy } from '../../src/lib/engine';
import { parseBertConfig } from '../../src/lib/model/checkpoint/bert-config';
import type { BertWeights } from '../../src/lib/model/checkpoint/bert-weights';
import { randomBertWeights } from '../../src/lib/model/random-init';
import { BertModel } from '../../src/lib/model/bert';
import { bertForwardF64, linearF64, type BertF64Inputs } from '../../src/lib/model/reference/bert-f64';
import { createPeft, type PeftMethod, type PeftOptions } from '../../src/lib/peft/method';
import { SoftPrompt } from '../../src/lib/peft/soft-prompt';
import { PrefixTuning } from '../../src/lib/peft/prefix-tuning';
import { LoRA } from '../../src/lib/peft/lora';
import { prefixMlpF64 } from '../../src/lib/peft/reference/prefix-encoder-f64';
import { loadPeftState, PeftStateError, savePeftState } from '../../src/lib/peft/state';
import { readSafetensors, writeSafetensors } from '../../src/lib/model/checkpoint/safetensors';
import { getGpu } from './helpers/gpu';
import { expectClose, randArray, rng } from './helpers/numeric';

// A tiny encoder: 2 layers, hidden 16, 2 heads, vocabulary 64. For the precision tests the
// weights are drawn with std 0.2 (not BERT's 0.02) so that attention is far from uniform and
// prefixes/prompts change the outputs visibly.
const config = (range: number) =>
  parseBertConfig({
    vocab_size: 64,
    hidden_size: 16,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    intermediate_size: 32,
    max_position_embeddings: 32,
    initializer_range: range,
    hidden_act: 'gelu'
  });

let gpu: GpuContext;
let weights: BertWeights;
let model: BertModel;

beforeAll(async () => {
  gpu = await getGpu();
  weights = randomBertWeights(config(0.2), 11);
  model = new BertModel(gpu, weights);
});

const base: PeftOptions = { name: 'prompt', promptLength: 3, loraRank: 2, loraAlpha: 4, seed: 5 };

// A batch of 2 × 7 with padding in the second row.
const IDS = [
  [2, 17, 40, 9, 33, 61, 3],
  [2, 25, 8, 3, 0, 0, 0]
];
const MASK = IDS.map((r, b) => r.map((_, t) => (b === 0 || t < 4 ? 1 : 0)));
const [B, T] = [IDS.length, IDS[0].length];
const C = 16;
const L = 2;

const f64 = async (t: Tensor) => Float64Array.from(await t.readF32());

/** GPU forward (and, with `cotangent`, backward of Σ hidden·W); returns hidden and the grads of `of`. */
async function runGpu(method: PeftMethod | null, cotangent: Float64Array | null, of: Tensor[] = []): Promise<{ hidden: Float64Array; grads: Float64Array[] }> {
  const out = tidy(() => {
    const ids = tensorFrom(gpu, Int32Array.from(IDS.flat()), [B, T], 'input_ids');
    const tape = new Tape();
    const { hidden } = tape.record(() => model.forward({ inputIds: ids, attentionMask: MASK, prompt: method?.prompt, hooks: method?.hooks }));
    if (cotangent) backward(tape, hidden, tensorFrom(gpu, Float32Array.from(cotangent), hidden.shape, 'cotangent'));
    else tape.dispose();
    const grads = of.map((t) => {
      if (!t.grad) throw new Error(`no gradient reached ${t.name}`);
      const g = t.grad;
      t.grad = null;
      return g;
    });
    return { hidden, grads };
  });
  const res = { hidden: await f64(out.hidden), grads: await Promise.all(out.grads.map(f64)) };
  out.hidden.dispose();
  out.grads.forEach((g) => g.dispose());
  return res;
}

const refHidden = (peft: Partial<BertF64Inputs>) => bertForwardF64(weights, { inputIds: IDS, attentionMask: MASK, ...peft }, { mlm: false, pooler: false }).lastHiddenState;
const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);

// Forward: f32 GPU vs float64 over 2 layers of hidden 16: 1e-4 absolute (as bert.test.ts;
// measured ≤ 6e-7).
const FWD = { abs: 1e-4, rel: 0 };
// Backward: central differences of the float64 loss with step 1e-4 (truncation O(h²) ~1e-8),
// so what remains is the GPU's f32 rounding; measured ≤ 5e-7 on gradients of size 0.05–1.
// Tolerance 1e-4 + 1e-3 relative.
const GRAD = { abs: 1e-4, rel: 1e-3 };
const FD_STEP = 1e-4;
const COORDS = 5;

/**
 * Central finite differences of loss(params) at COORDS random coordinates of params[k] for
 * every k, against the GPU gradients; params are float64 copies the loss reads.
 */
function checkGrads(what: string, params: Float64Array[], names: string[], gpuGrads: Float64Array[], loss: () => number, seed: number) {
  const r = rng(seed);
  params.forEach((p, k) => {
    const idx = Array.from({ length: COORDS }, () => Math.floor(r() * p.length));
    const fd = idx.map((i) => {
      const keep0 = p[i];
      p[i] = keep0 + FD_STEP;
      const up = loss();
      p[i] = keep0 - FD_STEP;
      const down = loss();
      p[i] = keep0;
      return (up - down) / (2 * FD_STEP);
    });
    const got = idx.map((i) => gpuGrads[k][i]);
    expect(fd.some((g) => Math.abs(g) > 1e-3), `${what} ${names[k]}: finite differences are all ~0 (test not informative)`).toBe(true);
    expectClose(got, fd, GRAD, `${what}: d loss / d ${names[k]} at [${idx.join(', ')}]`);
  });
}

describe('forward vs the float64 reference', () => {
  it('soft prompt', async () => {
    const m = createPeft(gpu, model, { ...base, name: 'prompt' }) as SoftPrompt;
    expect(m.promptPositions).toBe(3);
    const prompt = await f64(m.prompt);
    // initialised from the embeddings of 3 distinct, non-padding tokens
    expect(new Set(m.initIds).size).toBe(3);
    expect(m.initIds).not.toContain(0);
    const row1 = weights.embeddings.word.data.subarray(m.initIds[1] * C, (m.initIds[1] + 1) * C);
    expectClose(prompt.subarray(C, 2 * C), row1, { abs: 0, rel: 0 }, 'prompt row 1 = its token embedding');
    const { hidden } = await runGpu(m, null);
    expectClose(hidden, refHidden({ prompt }), FWD, 'hidden with soft prompt');
    m.dispose();
  });

  it('prefix tuning (direct)', async () => {
    const m = createPeft(gpu, model, { ...base, name: 'prefix' }) as PrefixTuning;
    expect(m.promptPositions).toBe(0);
    expect(m.hooks.prefixLength).toBe(3);
    expect(m.parameterCount).toBe(2 * L * 3 * C);
    const prefix = await Promise.all(m.keys.map(async (k, l) => ({ key: await f64(k), value: await f64(m.values[l]) })));
    const { hidden } = await runGpu(m, null);
    const want = refHidden({ prefix });
    expectClose(hidden, want, FWD, 'hidden with prefixes');
    // and the prefix changed the output
    const plain = refHidden({});
    expect(Math.max(...want.map((v, i) => Math.abs(v - plain[i])))).toBeGreaterThan(1e-2);
    m.dispose();
  });

  it("prefix init 'tokens': each layer's prefix is the keys and values of real tokens there", async () => {
    const m = new PrefixTuning(model, { prefixLength: 3, seed: 5, init: 'tokens' });
    expect(new Set(m.initIds).size).toBe(3);
    const ref = bertForwardF64(weights, { inputIds: [m.initIds] }, { mlm: false, pooler: false, outputHiddenStates: true });
    for (let l = 0; l < L; l++) {
      const x = ref.hiddenStates![l]; // layer l's input [1, 3, C]
      expectClose(await m.keys[l].read(), linearF64(x, 3, weights.layers[l].key), FWD, `layer ${l} key prefix`);
      expectClose(await m.values[l].read(), linearF64(x, 3, weights.layers[l].value), FWD, `layer ${l} value prefix`);
    }
    m.dispose();
  });

  it('prefix tuning through the reparameterisation MLP', async () => {
    const m = createPeft(gpu, model, { ...base, name: 'prefix', reparam: true, reparamHidden: 12 }) as PrefixTuning;
    const mlp = m.mlp!;
    expect(m.trainable.map((t) => t.shape)).toEqual([
      [3, C],
      [12, C],
      [12],
      [2 * L * C, 12],
      [2 * L * C]
    ]);
    const p = { embedding: await f64(mlp.embedding), w1: await f64(mlp.w1), b1: await f64(mlp.b1), w2: await f64(mlp.w2), b2: await f64(mlp.b2) };
    const { hidden } = await runGpu(m, null);
    expectClose(hidden, refHidden({ prefix: prefixMlpF64(p, 3, C, 12, L) }), FWD, 'hidden with MLP prefixes');
    m.dispose();
  });

  it('LoRA: B = 0 is exactly the plain model; random B matches the reference', async () => {
    const m = createPeft(gpu, model, { ...base, name: 'lora' }) as LoRA;
    expect(m.adapters.map((a) => `${a.layer}.${a.proj}`)).toEqual(['0.query', '0.value', '1.query', '1.value']);
    const plain = await runGpu(null, null);
    const atInit = await runGpu(m, null);
    const differing = atInit.hidden.reduce((n, v, i) => n + (v === plain.hidden[i] ? 0 : 1), 0);
    expect(differing, 'positions where LoRA with B = 0 differs from the plain model').toBe(0);
    expectClose(plain.hidden, refHidden({}), FWD, 'plain hidden');

    const r = rng(21);
    for (const ad of m.adapters) gpu.write(ad.b.buffer, Float32Array.from(randArray(ad.b.size, r, -0.5, 0.5)));
    const lora = { rank: 2, alpha: 4, layers: [{}, {}] as Record<string, { a: Float64Array; b: Float64Array }>[] };
    for (const ad of m.adapters) lora.layers[ad.layer][ad.proj] = { a: await f64(ad.a), b: await f64(ad.b) };
    const { hidden } = await runGpu(m, null);
    const want = refHidden({ lora });
    expectClose(hidden, want, FWD, 'hidden with LoRA');
    expect(Math.max(...want.map((v, i) => Math.abs(v - plain.hidden[i])))).toBeGreaterThan(1e-2);
    m.dispose();
  });
});

describe('backward vs central finite differences of the float64 loss Σ hidden · W', () => {
  it('soft prompt', async () => {
    const m = createPeft(gpu, model, { ...base, name: 'prompt' }) as SoftPrompt;
    const prompt = await f64(m.prompt);
    const W = randArray(B * (3 + T) * C, rng(31));
    const { grads } = await runGpu(m, W, [m.prompt]);
    checkGrads('soft prompt', [prompt], ['prompt'], grads, () => dot(refHidden({ prompt }), W), 32);
    m.dispose();
  });

  it('prefix tuning (direct)', async () => {
    const m = createPeft(gpu, model, { ...base, name: 'prefix' }) as PrefixTuning;
    const prefix = await Promise.all(m.keys.map(async (k, l) => ({ key: await f64(k), value: await f64(m.values[l]) })));
    const W = randArray(B * T * C, rng(41));
    const { grads } = await runGpu(m, W, m.trainable);
    // trainable order: keys of every layer, then values
    const params = [...prefix.map((p) => p.key), ...prefix.map((p) => p.value)];
    checkGrads('prefix', params, ['key.0', 'key.1', 'value.0', 'value.1'], grads, () => dot(refHidden({ prefix }), W), 42);
    m.dispose();
  });

  it('prefix tuning through the reparameterisation MLP', async () => {
    const h = 12;
    const m = createPeft(gpu, model, { ...base, name: 'prefix', reparam: true, reparamHidden: h }) as PrefixTuning;
    const mlp = m.mlp!;
    const p = { embedding: await f64(mlp.embedding), w1: await f64(mlp.w1), b1: await f64(mlp.b1), w2: await f64(mlp.w2), b2: await f64(mlp.b2) };
    const W = randArray(B * T * C, rng(51));
    const { grads } = await runGpu(m, W, m.trainable);
    const loss = () => dot(refHidden({ prefix: prefixMlpF64(p, 3, C, h, L) }), W);
    checkGrads('prefix MLP', [p.embedding, p.w1, p.b1, p.w2, p.b2], ['embedding', 'mlp.0.weight', 'mlp.0.bias', 'mlp.2.weight', 'mlp.2.bias'], grads, loss, 52);
    m.dispose();
  });

  it('LoRA A and B (B random, so that A gets a gradient too)', async () => {
    const m = createPeft(gpu, model, { ...base, name: 'lora' }) as LoRA;
    const r = rng(61);
    for (const ad of m.adapters) gpu.write(ad.b.buffer, Float32Array.from(randArray(ad.b.size, r, -0.5, 0.5)));
    const lora = { rank: 2, alpha: 4, layers: [{}, {}] as Record<string, { a: Float64Array; b: Float64Array }>[] };
    const params: Float64Array[] = [];
    const names: string[] = [];
    for (const ad of m.adapters) {
      const pair = { a: await f64(ad.a), b: await f64(ad.b) };
      lora.layers[ad.layer][ad.proj] = pair;
      params.push(pair.a, pair.b);
      names.push(`${ad.layer}.${ad.proj}.A`, `${ad.layer}.${ad.proj}.B`);
    }
    const W = randArray(B * T * C, rng(62));
    const { grads } = await runGpu(m, W, m.trainable);
    checkGrads('LoRA', params, names, grads, () => dot(refHidden({ lora }), W), 63);
    m.dispose();
  });
});

// ---------------------------------------------------------------- training on a synthetic task

// "Does token 7 occur?": [CLS] + 6 tokens drawn from 5…63 + [SEP]; half the examples contain 7
// (at a random position), the others never do. Majority accuracy is 50% on the balanced
// evaluation set.
const TRIGGER = 7;
const TASK_T = 8;
function taskBatch(n: number, r: () => number): { ids: number[][]; labels: number[] } {
  const ids: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const body = Array.from({ length: TASK_T - 2 }, () => {
      let t: number;
      do t = 5 + Math.floor(r() * 59);
      while (t === TRIGGER);
      return t;
    });
    if (label) body[Math.floor(r() * body.length)] = TRIGGER;
    ids.push([2, ...body, 3]);
    labels.push(label);
  }
  return { ids, labels };
}

interface Trained {
  accuracy: number;
  optimizerParams: Tensor[];
  /** live GPU buffers after the first and after the last step (nothing may pile up) */
  live: [number, number];
}

/**
 * Train method + head (linear [2, C] on the [CLS] state, at promptPositions) with AdamW for
 * `steps` batches of 16, then measure accuracy on 128 held-out examples.
 */
async function train(m: PeftMethod, mdl: BertModel, steps: number, lr: number, seed: number): Promise<Trained> {
  const r = rng(seed);
  const hr = rng(seed + 1);
  const head = keep(tensorFrom(gpu, Float32Array.from({ length: 2 * 32 }, () => 0.02 * (2 * hr() - 1)), [2, 32], 'head.weight'));
  const headBias = keep(tensorFrom(gpu, new Float32Array(2), [2], 'head.bias'));
  head.requiresGrad = headBias.requiresGrad = true;
  const opt = new AdamW(gpu, [...m.trainable, head, headBias], { lr, weightDecay: 0.01, noDecay: (t) => t === headBias || m.noDecay(t) });
  const logits = (ids: number[][]) => {
    const idT = tensorFrom(gpu, Int32Array.from(ids.flat()), [ids.length, TASK_T], 'input_ids');
    const { hidden } = mdl.forward({ inputIds: idT, prompt: m.prompt, hooks: m.hooks });
    const cls = reshapeMove(sliceSeq(hidden, m.promptPositions, 1, 'cls'), [ids.length, 32]);
    return matmul(cls, head, { transB: true, bias: headBias, name: 'logits' });
  };
  const live: [number, number] = [0, 0];
  for (let s = 0; s < steps; s++) {
    const { ids, labels } = taskBatch(16, r);
    tidy(() => {
      const tape = new Tape();
      const y = tensorFrom(gpu, Int32Array.from(labels), [labels.length], 'labels');
      const loss = tape.record(() => crossEntropy(logits(ids), y, 'loss'));
      backward(tape, loss);
      opt.step();
    });
    if (s === 0) live[0] = gpu.stats().liveBuffers;
    if (s === steps - 1) live[1] = gpu.stats().liveBuffers;
  }
  const evalSet = taskBatch(128, rng(999));
  const scores = noGrad(() => tidy(() => logits(evalSet.ids)));
  const s = await scores.readF32();
  scores.dispose();
  let correct = 0;
  evalSet.labels.forEach((lab, i) => (correct += (s[2 * i + 1] > s[2 * i] ? 1 : 0) === lab ? 1 : 0));
  const optimizerParams = [...opt.params];
  opt.dispose();
  head.dispose();
  headBias.dispose();
  return { accuracy: correct / evalSet.labels.length, optimizerParams, live };
}

async function snapshot(mdl: BertModel): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const [name, t] of mdl.params) out.set(name, Buffer.from((await t.readF32()).buffer));
  return out;
}

describe('each method trains only its own tensors and learns a synthetic task', () => {
  // A random encoder, hidden 32, 2 layers, 4 heads, vocabulary 64, weights std 0.2 (seed 3).
  // With BERT's std 0.02 a random encoder barely mixes tokens (attention is near uniform and
  // the attention output ~1% of the residual), so prompt and prefix tuning — which can only
  // steer the frozen mixing — stay at 50% there while LoRA and full fine-tuning reach 100%.
  // At std 0.2 the head alone (no method) reaches 65% after the same 60 steps; measured
  // with these seeds: prompt 99%, prefix 91%, prefix (reparam) 100%, LoRA 100%, full 100%.
  const taskConfig = parseBertConfig({
    vocab_size: 64,
    hidden_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    intermediate_size: 64,
    max_position_embeddings: 32,
    initializer_range: 0.2,
    hidden_act: 'gelu'
  });
  const taskWeights = randomBertWeights(taskConfig, 3);
  const STEPS = 60;
  const THRESHOLD = 0.8; // held-out accuracy on 128 examples; majority is 0.5
  const cases: [PeftOptions, number][] = [
    [{ ...base, name: 'prompt', promptLength: 4 }, 3e-2],
    [{ ...base, name: 'prefix', promptLength: 4 }, 5e-2],
    [{ ...base, name: 'prefix', promptLength: 4, reparam: true }, 1e-2],
    [{ ...base, name: 'lora', loraRank: 4, loraAlpha: 8 }, 1e-2],
    [{ ...base, name: 'full' }, 3e-3]
  ];
  for (const [opts, lr] of cases) {
    it(`${opts.name}${opts.reparam ? ' (reparam)' : ''}: lr ${lr}, ${STEPS} steps, accuracy > ${THRESHOLD}`, async () => {
      const mdl = new BertModel(gpu, taskWeights);
      const before = await snapshot(mdl);
      const m = createPeft(gpu, mdl, { ...opts, seed: 7 });
      expect(m.parameterCount).toBe(m.trainable.reduce((n, t) => n + t.size, 0));
      for (const t of m.trainable) expect(t.requiresGrad, `${t.name} trainable`).toBe(true);
      const { accuracy, optimizerParams, live } = await train(m, mdl, STEPS, lr, 100);
      expect(live[1], 'live GPU buffers after the last step vs after the first').toBe(live[0]);
      const after = await snapshot(mdl);
      const mine = new Set(m.trainable);
      // optimizer state: exactly the method's tensors plus the head (weight and bias)
      expect(optimizerParams.length).toBe(m.trainable.length + 2);
      expect(optimizerParams.slice(0, -2).every((t) => mine.has(t))).toBe(true);
      if (opts.name === 'full') {
        const changed = [...before].filter(([n, b]) => !b.equals(after.get(n)!)).map(([n]) => n);
        expect(changed).toContain('bert.encoder.layer.0.attention.self.query.weight');
        expect(changed).toContain('bert.embeddings.word_embeddings.weight');
        m.dispose();
        for (const [name, t] of mdl.params) expect(t.requiresGrad || t.grad !== null, `${name} frozen again`).toBe(false);
      } else {
        for (const [name, t] of mdl.params) {
          expect(t.requiresGrad, `${name} stays frozen`).toBe(false);
          expect(t.grad, `${name} got a gradient`).toBeNull();
          expect(optimizerParams.includes(t), `${name} has optimizer state`).toBe(false);
          expect(before.get(name)!.equals(after.get(name)!), `${name} changed`).toBe(true);
        }
        m.dispose();
      }
      mdl.dispose();
      expect(accuracy, `held-out accuracy of ${opts.name}`).toBeGreaterThan(THRESHOLD);
    });
  }
});

describe("saving and loading a method's trained tensors (rapt tune --save, rapt attack --run)", () => {
  const methods: PeftOptions[] = [
    { ...base, name: 'prompt' },
    { ...base, name: 'prefix' },
    { ...base, name: 'prefix', reparam: true, reparamHidden: 8 },
    { ...base, name: 'lora' }
  ];
  for (const opts of methods)
    it(`${opts.name}${opts.reparam ? ' (reparam)' : ''}: a fresh method with another seed, loaded, holds the saved values bit for bit`, async () => {
      const a = createPeft(gpu, model, opts);
      const b = createPeft(gpu, model, { ...opts, seed: opts.seed + 1 });
      try {
        // make a's tensors differ from any initialisation (LoRA's B starts at 0)
        const r = rng(3);
        for (const t of a.trainable) gpu.write(t.buffer, Float32Array.from(randArray(t.size, r)));
        const bytes = await savePeftState(a);
        expect(readSafetensors(bytes).metadata?.peft_method).toBe(opts.name);
        const before = await Promise.all(b.trainable.map((t) => t.readF32()));
        loadPeftState(b, bytes);
        for (const [i, t] of b.trainable.entries()) {
          const got = await t.readF32();
          expect(Array.from(got)).toEqual(Array.from(await a.trainable[i].readF32()));
          expect(Array.from(got)).not.toEqual(Array.from(before[i]));
        }
      } finally {
        a.dispose();
        b.dispose();
      }
    });

  it('refuses a state of another method, another shape, or not a safetensors file, naming the file', async () => {
    const prompt = createPeft(gpu, model, { ...base, name: 'prompt' });
    const longer = createPeft(gpu, model, { ...base, name: 'prompt', promptLength: 4 });
    const lora = createPeft(gpu, model, { ...base, name: 'lora' });
    try {
      const bytes = await savePeftState(prompt);
      expect(() => loadPeftState(lora, bytes, 'run/peft.safetensors')).toThrow(/^run\/peft\.safetensors holds a prompt state, not lora/);
      expect(() => loadPeftState(longer, bytes, 'x')).toThrow(/^x: soft_prompt is \[3, 16\], the method's is \[4, 16\]/);
      expect(() => loadPeftState(prompt, new Uint8Array([1, 2, 3]), 'bad.safetensors')).toThrow(PeftStateError);
      // a file without the metadata, with the wrong tensors
      const other = writeSafetensors({ 'lora.0.query.A': { dtype: 'F32', shape: [1], data: new Float32Array(1) } });
      expect(() => loadPeftState(prompt, other, 'y')).toThrow(/^y does not match this prompt configuration: missing soft_prompt; unexpected lora\.0\.query\.A;/);
    } finally {
      prompt.dispose();
      longer.dispose();
      lora.dispose();
    }
  });
});
