// Attribute inference: from what the service holds about a text — the frozen model's hidden
// states of the privatized input, or a tuned run's (its soft prompt, prefixes or LoRA updates in
// place: `rapt attack --run DIR`) — predict a sensitive attribute of it (for sotu-party the
// speaker, `president`, or the `era`).
//
//   representation  h̄ = (1/n) Σ_{t=1..n} H[P + t],  H = BERT([prompt] [CLS] y_1 … y_n [SEP]) (text positions only; P prompt positions),
//                   standardised per dimension with the auxiliary mean and standard deviation
//   model           an MLP (mlp.ts) h̄ → class scores, trained with AdamW on auxiliary texts
//                   privatized with the same mechanism and budget (80% of them)
//   selection       on the other 20% (validation): the checkpoint with the best accuracy, or the
//                   majority class when no checkpoint beats it (a competent attacker does not do
//                   worse than guessing the mode)
//   success         accuracy on the user's privatized test texts, next to the majority rate
//
// Browser-safe.

import type { GpuContext } from '../gpu/context';
import { matmul, noGrad, reshapeMove, tensorFrom, tidy } from '../engine';
import type { BertModel } from '../model/bert';
import type { PeftMethod } from '../peft/method';
import { SeededRandom } from '../util/seeded-random';
import type { MaskSpecials } from './mask-inference';
import { accuracy, majorityRate } from './metrics';
import { Mlp, argmax, forEachLogits, trainMlp } from './mlp';

/**
 * Mean-pooled last hidden states over the text positions: [n, C] row-major. With `tuned`, the
 * forward pass runs with that PEFT method's prompt and hooks (the tuned run's states).
 */
export async function pooledStates(
  gpu: GpuContext,
  model: BertModel,
  sp: MaskSpecials,
  seqs: readonly Int32Array[],
  opts: { batchSize?: number; tuned?: PeftMethod } = {}
): Promise<Float32Array> {
  const batchSize = opts.batchSize ?? 32;
  const tuned = opts.tuned;
  const P = tuned?.promptPositions ?? 0;
  const C = model.config.hidden_size;
  const maxLen = model.config.max_position_embeddings - 2 - P;
  const out = new Float32Array(seqs.length * C);
  for (let s0 = 0; s0 < seqs.length; s0 += batchSize) {
    const part = seqs.slice(s0, s0 + batchSize);
    const B = part.length;
    for (const [k, q] of part.entries())
      if (q.length === 0 || q.length > maxLen) throw new Error(`pooled states: sequence ${s0 + k} has ${q.length} tokens (1..${maxLen} allowed)`);
    const T = Math.max(...part.map((q) => q.length)) + 2;
    const ids = new Int32Array(B * T).fill(sp.pad);
    const mask: Uint8Array[] = [];
    const S = P + T;
    const w = new Float32Array(B * S);
    part.forEach((q, b) => {
      ids[b * T] = sp.cls;
      ids.set(q, b * T + 1);
      ids[b * T + q.length + 1] = sp.sep;
      const m = new Uint8Array(T);
      m.fill(1, 0, q.length + 2);
      mask.push(m);
      for (let t = 1; t <= q.length; t++) w[b * S + P + t] = 1 / q.length;
    });
    const pooled = noGrad(() =>
      tidy(() => {
        const { hidden } = model.forward({ inputIds: tensorFrom(gpu, ids, [B, T], 'attr.input_ids'), attentionMask: mask, prompt: tuned?.prompt, hooks: tuned?.hooks });
        return reshapeMove(matmul(tensorFrom(gpu, w, [B, 1, S], 'attr.mean_weights'), hidden, { name: 'attr.pooled' }), [B, C]);
      })
    );
    out.set(await pooled.readF32(), s0 * C);
    pooled.dispose();
  }
  return out;
}

export interface AttributeOptions {
  hidden: number;
  steps: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** fraction of the auxiliary rows held out for model selection (default 0.2) */
  valFraction?: number;
  log?: (s: string) => void;
}

export interface AttributeOutcome {
  /** predicted class per test row */
  predictions: Int32Array;
  selected: 'mlp' | 'majority';
  /** the training step of the selected checkpoint (0 for the majority class) */
  step: number;
  valAccuracy: number;
  valMajority: number;
}

/**
 * Train on auxiliary features [nAux, C] with labels, predict test features [nTest, C].
 * See the header for the selection rule.
 */
export async function attributeInference(
  gpu: GpuContext,
  C: number,
  aux: Float32Array,
  auxLabels: Int32Array,
  test: Float32Array,
  numClasses: number,
  o: AttributeOptions
): Promise<AttributeOutcome> {
  const nAux = auxLabels.length;
  const nTest = test.length / C;
  if (aux.length !== nAux * C) throw new Error(`attribute inference: ${aux.length / C} auxiliary rows for ${nAux} labels`);
  if (nAux < 2) throw new Error(`attribute inference: need at least 2 auxiliary texts, got ${nAux}`);
  const log = o.log ?? (() => {});
  // standardise with auxiliary statistics
  const mean = new Float64Array(C);
  const sd = new Float64Array(C);
  for (let r = 0; r < nAux; r++) for (let c = 0; c < C; c++) mean[c] += aux[r * C + c] / nAux;
  for (let r = 0; r < nAux; r++) for (let c = 0; c < C; c++) sd[c] += (aux[r * C + c] - mean[c]) ** 2 / nAux;
  for (let c = 0; c < C; c++) sd[c] = Math.sqrt(sd[c]) || 1;
  const norm = (x: Float32Array) => Float32Array.from(x, (v, i) => (v - mean[i % C]) / sd[i % C]);
  const A = norm(aux);
  const X = norm(test);
  // fit / validation split
  const rng = new SeededRandom(o.seed * 69069 + 5);
  const order = rng.shuffle(Array.from({ length: nAux }, (_, i) => i));
  const nVal = Math.max(1, Math.round(nAux * (o.valFraction ?? 0.2)));
  const valRows = order.slice(0, nVal);
  const fitRows = order.slice(nVal);
  const fitLabels = Int32Array.from(fitRows, (r) => auxLabels[r]);
  const valLabels = Int32Array.from(valRows, (r) => auxLabels[r]);
  const rowsOf = (src: Float32Array, map: number[] | null) => (rows: number[]) => {
    const x = new Float32Array(rows.length * C);
    rows.forEach((r, b) => {
      const s = map ? map[r] : r;
      x.set(src.subarray(s * C, s * C + C), b * C);
    });
    return { x };
  };
  const mode = majorityRate(fitLabels, valLabels, numClasses);
  const modeAll = majorityRate(auxLabels, [], numClasses).label;
  const mlp = new Mlp(gpu, { inputs: C, hidden: o.hidden, outputs: numClasses }, rng, 'attribute_mlp');
  let best: AttributeOutcome = {
    predictions: new Int32Array(nTest).fill(modeAll),
    selected: 'majority',
    step: 0,
    valAccuracy: mode.rate,
    valMajority: mode.rate
  };
  try {
    const predict = async (src: Float32Array, map: number[] | null, n: number) => {
      const p = new Int32Array(n);
      await forEachLogits(mlp, n, rowsOf(src, map), 512, (z, r) => (p[r] = argmax(z)));
      return p;
    };
    await trainMlp(mlp, fitRows.length, rowsOf(A, fitRows), fitLabels, {
      steps: o.steps,
      batchSize: o.batchSize,
      lr: o.lr,
      seed: o.seed * 13 + 1,
      weightDecay: 0.01,
      every: Math.max(1, Math.floor(o.steps / 10)),
      onCheckpoint: async (step, loss) => {
        const va = accuracy(valLabels, await predict(A, valRows, valRows.length));
        log(`attribute: step ${step}/${o.steps}  loss ${loss.toFixed(4)}  validation accuracy ${(va * 100).toFixed(1)}% (majority ${(mode.rate * 100).toFixed(1)}%)`);
        if (va > best.valAccuracy) best = { predictions: await predict(X, null, nTest), selected: 'mlp', step, valAccuracy: va, valMajority: mode.rate };
      }
    });
  } finally {
    mlp.dispose();
  }
  return best;
}
