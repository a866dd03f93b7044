import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBertConfig } from '../../src/lib/model/checkpoint/bert-config';
import { bertWeightsFromTensors, type BertWeights, type Param } from '../../src/lib/model/checkpoint/bert-weights';
import { readSafetensors } from '../../src/lib/model/checkpoint/safetensors';
import { bertForwardF64, erf, erfc, geluErf, layerNormF64, FLOAT32_MIN } from '../../src/lib/model/reference/bert-f64';
import { SeededRandom } from '../../src/lib/util/seeded-random';

const FIXTURE = join(__dirname, '..', 'fixtures', 'tiny-bert');

function loadFixture(): BertWeights {
  const config = parseBertConfig(readFileSync(join(FIXTURE, 'config.json'), 'utf8'));
  return bertWeightsFromTensors(config, readSafetensors(readFileSync(join(FIXTURE, 'model.safetensors'))).tensors).weights;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  const d = maxAbsDiff(got, want);
  expect(d, `${what}: max |diff| ${d} > ${tol}`).toBeLessThanOrEqual(tol);
}

/** rows [from, to) of the [B, T, W] array `x` for batch item b */
function rowsOf(x: Float64Array, T: number, W: number, b: number, from: number, to: number): Float64Array {
  return x.slice((b * T + from) * W, (b * T + to) * W);
}

describe('erf, erfc, GELU', () => {
  // Reference values: mpmath at 30 significant digits (mpmath.erf / mpmath.erfc), rounded to 20.
  const ERF: [number, number][] = [
    [0, 0],
    [1e-10, 1.1283791670955125739e-10],
    [0.001, 0.0011283787909692363799],
    [0.1, 0.1124629160182848922],
    [0.5, 0.52049987781304653768],
    [1, 0.84270079294971486934],
    [1.5, 0.96610514647531072707],
    [2, 0.99532226501895273416],
    [2.4999, 0.99959283009966654908], // either side of the series / continued-fraction switch
    [2.5, 0.99959304798255504106],
    [3, 0.99997790950300141456],
    [3.5, 0.99999925690162765859],
    [4, 0.99999998458274209972],
    [5, 0.99999999999846254021],
    [6, 0.99999999999999997848]
  ];

  it('matches known values of erf to 1e-12 (in fact to a few ulp), and is odd', () => {
    let worst = 0;
    for (const [x, want] of ERF) {
      worst = Math.max(worst, Math.abs(erf(x) - want), Math.abs(erf(-x) + want));
      expect(Math.abs(erf(x) - want), `erf(${x})`).toBeLessThan(1e-12);
      expect(Math.abs(erf(-x) + want), `erf(${-x})`).toBeLessThan(1e-12);
    }
    expect(worst, `worst |erf error| ${worst}`).toBeLessThan(1e-15);
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
  });

  it('matches known values of erfc in relative terms far into the tail', () => {
    const ERFC: [number, number][] = [
      [1.5, 0.033894853524689272933],
      [3, 0.000022090496998585441373],
      [5, 1.5374597944280348502e-12],
      [10, 2.088487583762544757e-45],
      [20, 5.3958656116079009289e-176]
    ];
    for (const [x, want] of ERFC) {
      const rel = Math.abs(erfc(x) - want) / want;
      expect(rel, `erfc(${x}) relative error ${rel}`).toBeLessThan(1e-13);
      expect(Math.abs(erfc(-x) - (2 - want)), `erfc(${-x})`).toBeLessThan(1e-15);
    }
    for (const [x, want] of ERF) expect(Math.abs(erfc(x) - (1 - want)), `erfc(${x})`).toBeLessThan(1e-15);
  });

  it('GELU is 0.5·x·(1 + erf(x/√2)), accurate for negative x too', () => {
    const GELU: [number, number][] = [
      [-10, -7.619853024160526066e-23],
      [-5, -1.4332578593959695584e-6],
      [-3, -0.00404969409489028358],
      [-1, -0.15865525393145705141],
      [-0.5, -0.15426876936299344818],
      [0, 0],
      [0.5, 0.34573123063700655182],
      [1, 0.84134474606854294859],
      [3, 2.9959503059051097164]
    ];
    for (const [x, want] of GELU) {
      const rel = want === 0 ? Math.abs(geluErf(x)) : Math.abs(geluErf(x) - want) / Math.abs(want);
      expect(rel, `gelu(${x}) relative error ${rel}`).toBeLessThan(1e-13);
    }
  });
});

describe('layerNormF64', () => {
  it('has mean 0 and variance var/(var+eps) before the affine part', () => {
    const rng = new SeededRandom(7);
    const rows = 5;
    const dim = 48;
    const x = Float64Array.from({ length: rows * dim }, () => 3 + 10 * rng.normal());
    const unit: { weight: Param; bias: Param } = {
      weight: { data: new Float32Array(dim).fill(1), shape: [dim] },
      bias: { data: new Float32Array(dim), shape: [dim] }
    };
    const eps = 1e-5;
    const y = layerNormF64(x, rows, unit, eps);
    for (let r = 0; r < rows; r++) {
      const row = y.subarray(r * dim, (r + 1) * dim);
      const xr = x.subarray(r * dim, (r + 1) * dim);
      const mean = row.reduce((a, b) => a + b, 0) / dim;
      const v = row.reduce((a, b) => a + (b - mean) ** 2, 0) / dim;
      const xm = xr.reduce((a, b) => a + b, 0) / dim;
      const xv = xr.reduce((a, b) => a + (b - xm) ** 2, 0) / dim;
      expect(Math.abs(mean), `row ${r} mean ${mean}`).toBeLessThan(1e-14);
      expect(Math.abs(v - xv / (xv + eps)), `row ${r} variance ${v}`).toBeLessThan(1e-13);
    }
  });
});

/**
 * A one-layer model with hidden size 2, one head, ffn 2, layer_norm_eps 1, whose every
 * intermediate value has a closed form (worked out in the comments of the test below).
 */
function handModel(): BertWeights {
  // (all values exactly representable in float32, so the float32 weights hold them exactly)
  const config = parseBertConfig({
    vocab_size: 4,
    hidden_size: 2,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    intermediate_size: 2,
    max_position_embeddings: 2,
    type_vocab_size: 1,
    layer_norm_eps: 1
  });
  const p = (shape: number[], values: number[]): Param => ({ shape, data: Float32Array.from(values) });
  const I = (): Param => p([2, 2], [1, 0, 0, 1]);
  const z = (): Param => p([2], [0, 0]);
  const unitLn = () => ({ weight: p([2], [1, 1]), bias: z() });
  return {
    config,
    embeddings: {
      word: p([4, 2], [0, 0, 1, 0, 0, 2, 3, 1]), // id0 [0,0], id1 [1,0], id2 [0,2], id3 [3,1]
      position: p([2, 2], [0.5, 0, 0, 0.5]),
      tokenType: p([1, 2], [0.25, -0.25]),
      layerNorm: unitLn()
    },
    layers: [
      {
        query: { weight: I(), bias: z() },
        key: { weight: I(), bias: z() },
        value: { weight: I(), bias: z() },
        attentionOutput: { weight: I(), bias: z() },
        attentionLayerNorm: unitLn(),
        intermediate: { weight: p([2, 2], [1, 0, 1, 1]), bias: p([2], [0, 0.5]) }, // [out, in]: y = [x0, x0 + x1 + 0.5]
        output: { weight: p([2, 2], [1, 0, 0, -1]), bias: z() },
        outputLayerNorm: { weight: p([2], [2, 1]), bias: p([2], [0.125, -0.125]) }
      }
    ],
    pooler: { weight: p([2, 2], [1, 2, 0, 1]), bias: p([2], [0, 0.25]) }, // [tanh(x + 2y), tanh(y + 0.25)]
    mlm: {
      transform: { weight: I(), bias: z() },
      layerNorm: unitLn(),
      bias: p([4], [0, 0.125, 0.25, 0.375]),
      decoder: null
    }
  };
}

describe('bertForwardF64: a one-layer, hidden-2 model checked by hand', () => {
  const w = handModel();
  const s = Math.SQRT1_2;
  // LayerNorm of a 2-vector [a, b] with eps = 1: centred ±d with d = (a − b)/2, variance d², so
  // LN([a, b]) = [d, −d] / sqrt(d² + 1), then the affine part.
  const ln = (a: number, b: number): [number, number] => {
    const d = (a - b) / 2;
    const k = Math.sqrt(d * d + 1);
    return [d / k, -d / k];
  };

  /** expected outputs for token 0 (first=true) / token 1 given the post-attention residual coefficient */
  function tokenOutputs(c: number): { hidden: [number, number] } {
    // a = [c, −c];  intermediate (W = [[1,0],[1,1]], b = [0, 0.5]): [c, 0.5];  GELU
    // output dense (W = diag(1, −1)): [gelu(c), −gelu(0.5)];  + residual a;  LN(eps 1) · [2, 1] + [0.125, −0.125]
    const [n0, n1] = ln(geluErf(c) + c, -geluErf(0.5) - c);
    return { hidden: [2 * n0 + 0.125, n1 - 0.125] };
  }

  it('computes embeddings, attention, FFN, LayerNorm, pooler and MLM logits as derived', () => {
    // Embeddings of input [1, 2] (token type 0, positions 0 and 1):
    //   e0 = [1,0] + [0.5,0] + [0.25,−0.25] = [1.75, −0.25] → centred [1, −1], var 1 → h0 = [s, −s], s = 1/√2
    //   e1 = [0,2] + [0,0.5] + [0.25,−0.25] = [0.25, 2.25] → centred [−1, 1]        → h1 = [−s, s]
    // Attention (Q = K = V = I, head_dim 2): q0·k0/√2 = 1/√2, q0·k1/√2 = −1/√2, so
    //   p0 − p1 = σ(√2) − σ(−√2) = tanh(1/√2) =: τ and context0 = p0·h0 + p1·h1 = τ·h0 (h1 = −h0).
    // Output dense I + residual: (1 + τ)·h0 = (1 + τ)s·[1, −1] → LN(eps 1) → a0 = [c, −c],
    //   c = (1 + τ)s / sqrt(((1 + τ)s)² + 1); by symmetry a1 = [−c, c].
    const tau = Math.tanh(s);
    const c = ((1 + tau) * s) / Math.sqrt(((1 + tau) * s) ** 2 + 1);
    const t0 = tokenOutputs(c).hidden;
    const t1 = tokenOutputs(-c).hidden;

    const out = bertForwardF64(w, { inputIds: [[1, 2]] }, { outputHiddenStates: true, outputAttentions: true });
    expectClose(out.hiddenStates![0], [s, -s, -s, s], 1e-15, 'embedding output');
    const sig = 1 / (1 + Math.exp(-Math.SQRT2));
    expectClose(out.attentions![0], [sig, 1 - sig, 1 - sig, sig], 1e-15, 'attention probabilities');
    expectClose(out.lastHiddenState, [...t0, ...t1], 1e-14, 'last_hidden_state');

    // Pooler: tanh(W·h[0] + b) with W = [[1,2],[0,1]], b = [0, 0.25]
    const [x, y] = t0;
    expectClose(out.poolerOutput!, [Math.tanh(x + 2 * y), Math.tanh(y + 0.25)], 1e-15, 'pooler_output');

    // MLM: transform I → GELU → LN(eps 1) → t; logits = t · word_embeddingsᵀ + bias
    const logits = (h: [number, number]): number[] => {
      const [u0, u1] = ln(geluErf(h[0]), geluErf(h[1]));
      return [0, u0 + 0.125, 2 * u1 + 0.25, 3 * u0 + u1 + 0.375];
    };
    expectClose(out.mlmLogits!, [...logits(t0), ...logits(t1)], 1e-14, 'mlm logits');
  });

  it('applies the attention mask as (1 − m)·finfo(float32).min on the keys', () => {
    // Mask [1, 0]: token 0 attends only to itself → context0 = h0, residual 2·h0 = 2s·[1, −1],
    // so c = 2s / sqrt(4s² + 1) = √2/√3.
    const c = Math.SQRT2 / Math.sqrt(3);
    const out = bertForwardF64(w, { inputIds: [[1, 2]], attentionMask: [[1, 0]] }, { outputAttentions: true });
    expectClose(rowsOf(out.lastHiddenState, 2, 2, 0, 0, 1), tokenOutputs(c).hidden, 1e-14, 'masked token 0');
    // both query rows put zero weight on the masked key
    expectClose(out.attentions![0], [1, 0, 1, 0], 0, 'attention probabilities with a masked key');
    // and token 0 equals the same model run on the one-token sequence
    const alone = bertForwardF64(w, { inputIds: [[1]] });
    expectClose(rowsOf(out.lastHiddenState, 2, 2, 0, 0, 1), alone.lastHiddenState, 0, 'vs one-token run');
    expect(FLOAT32_MIN).toBe(-3.4028234663852886e38);
  });

  it('a fully masked row attends uniformly, as HF does in float32', () => {
    const out = bertForwardF64(w, { inputIds: [[1, 2]], attentionMask: [[0, 0]] }, { outputAttentions: true });
    expectClose(out.attentions![0], [0.5, 0.5, 0.5, 0.5], 0, 'uniform attention');
  });
});

describe('bertForwardF64 on the tiny-bert fixture', () => {
  const w = loadFixture();
  const H = w.config.hidden_size;
  const V = w.config.vocab_size;

  it('matches golden values from an independent float64 NumPy implementation of modeling_bert.py', () => {
    // Computed once with a NumPy transcription of BertModel/BertForMaskedLM (eager attention,
    // float32 min mask, math.erf GELU) on the fixture weights; it agreed with this reference to
    // 9e-16 over all outputs.
    const inputs = {
      inputIds: [
        [2, 300, 401, 55, 3, 0, 0],
        [2, 17, 999, 250, 12, 600, 3]
      ],
      tokenTypeIds: [
        [0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 1, 1, 1, 1]
      ],
      attentionMask: [
        [1, 1, 1, 1, 1, 0, 0],
        [1, 1, 1, 1, 1, 1, 1]
      ]
    };
    const out = bertForwardF64(w, inputs);
    const T = 7;
    expectClose(
      rowsOf(out.lastHiddenState, T, H, 1, 3, 4).subarray(0, 4),
      [-0.043894504463472664, 0.6363096540176812, 0.053630877563171836, -1.7056493755445767],
      1e-12,
      'last_hidden_state[1, 3, :4]'
    );
    expectClose(out.poolerOutput!.subarray(0, 4), [-0.03759736541282726, 0.11102760054624611, -0.020746783198324698, 0.0035668403536685675], 1e-12, 'pooler_output[0, :4]');
    expectClose(
      rowsOf(out.mlmLogits!, T, V, 0, 2, 3).subarray(0, 4),
      [0.01596830040216446, 0.04510774435393058, -0.035267238006647134, -0.043208461368265616],
      1e-12,
      'logits[0, 2, :4]'
    );
    expectClose(
      rowsOf(out.mlmLogits!, T, V, 1, 6, 7).subarray(996),
      [-0.18126039014378992, -0.10656873560801686, -0.32580447911144145, -0.05043304428109592],
      1e-12,
      'logits[1, 6, 996:]'
    );
  });

  it('padding does not change the outputs at non-padding positions', () => {
    const ids = [2, 512, 77, 901, 3];
    const plain = bertForwardF64(w, { inputIds: [ids] });
    const padded = bertForwardF64(w, { inputIds: [[...ids, 0, 0, 0]], attentionMask: [[1, 1, 1, 1, 1, 0, 0, 0]] });
    // whatever sits in the padding positions (ids, token types) must not matter either
    const junk = bertForwardF64(w, {
      inputIds: [[...ids, 999, 5, 42]],
      tokenTypeIds: [[0, 0, 0, 0, 0, 1, 1, 0]],
      attentionMask: [[1, 1, 1, 1, 1, 0, 0, 0]]
    });
    for (const [name, other] of [
      ['padded', padded],
      ['junk padding', junk]
    ] as const) {
      expectClose(rowsOf(other.lastHiddenState, 8, H, 0, 0, 5), plain.lastHiddenState, 1e-13, `${name}: last_hidden_state`);
      expectClose(other.poolerOutput!, plain.poolerOutput!, 1e-13, `${name}: pooler_output`);
      expectClose(rowsOf(other.mlmLogits!, 8, V, 0, 0, 5), plain.mlmLogits!, 1e-13, `${name}: logits`);
    }
  });

  it('treats batch items independently', () => {
    const a = [2, 10, 20, 30, 3];
    const b = [2, 700, 3, 0, 0];
    const maskB = [1, 1, 1, 0, 0];
    const both = bertForwardF64(w, { inputIds: [a, b], attentionMask: [[1, 1, 1, 1, 1], maskB] });
    const onlyA = bertForwardF64(w, { inputIds: [a] });
    const onlyB = bertForwardF64(w, { inputIds: [b], attentionMask: [maskB] });
    expectClose(both.lastHiddenState.subarray(0, 5 * H), onlyA.lastHiddenState, 0, 'item 0');
    expectClose(both.lastHiddenState.subarray(5 * H), onlyB.lastHiddenState, 0, 'item 1');
  });

  it('ends each layer with a LayerNorm: unit affine gives mean 0, variance ≈ 1 per position', () => {
    const last = w.layers[w.layers.length - 1];
    const unit: BertWeights = {
      ...w,
      layers: [
        ...w.layers.slice(0, -1),
        {
          ...last,
          outputLayerNorm: {
            weight: { data: new Float32Array(H).fill(1), shape: [H] },
            bias: { data: new Float32Array(H), shape: [H] }
          }
        }
      ]
    };
    const out = bertForwardF64(unit, { inputIds: [[2, 5, 6, 7, 8, 3]] });
    for (let t = 0; t < 6; t++) {
      const row = out.lastHiddenState.subarray(t * H, (t + 1) * H);
      const mean = row.reduce((a, b) => a + b, 0) / H;
      const v = row.reduce((a, b) => a + (b - mean) ** 2, 0) / H;
      expect(Math.abs(mean), `position ${t} mean ${mean}`).toBeLessThan(1e-14);
      expect(Math.abs(v - 1), `position ${t} variance ${v}`).toBeLessThan(1e-9);
    }
  });

  it('attention rows are distributions with zero weight on padding', () => {
    const out = bertForwardF64(w, { inputIds: [[2, 9, 3, 0]], attentionMask: [[1, 1, 1, 0]] }, { outputAttentions: true, mlm: false, pooler: false });
    expect(out.mlmLogits).toBeNull();
    expect(out.poolerOutput).toBeNull();
    expect(out.attentions).toHaveLength(2);
    const T = 4;
    for (const probs of out.attentions!) {
      for (let r = 0; r < probs.length / T; r++) {
        const row = probs.subarray(r * T, (r + 1) * T);
        expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-15);
        expect(row[3]).toBe(0);
      }
    }
  });

  it('rejects inputs that HF would reject', () => {
    expect(() => bertForwardF64(w, { inputIds: [[2, 1000]] })).toThrow('input_ids[0][1] = 1000 is outside [0, 1000)');
    expect(() => bertForwardF64(w, { inputIds: [new Array(65).fill(1)] })).toThrow('sequence length 65 exceeds max_position_embeddings 64');
    expect(() => bertForwardF64(w, { inputIds: [[1, 2]], tokenTypeIds: [[0, 2]] })).toThrow('token_type_ids[0][1] = 2 is outside [0, 2)');
    expect(() => bertForwardF64(w, { inputIds: [[1, 2], [1]] })).toThrow('input_ids[1] has length 1, expected 2');
  });
});
