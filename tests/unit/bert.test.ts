// The BERT encoder on the GPU against the float64 reference of Hugging Face BertModel
// (src/lib/model/reference/bert-f64.ts), on a random checkpoint in the HF layout.
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { GpuContext } from '../../src/lib/gpu/context';
import { loadBertFolder } from '../../src/lib/model/checkpoint/load-folder-node';
import type { BertCheckpoint } from '../../src/lib/model/checkpoint/bert-checkpoint';
import { bertForwardF64 } from '../../src/lib/model/reference/bert-f64';
import { BertModel } from '../../src/lib/model/bert';
import { tensorFrom, tidy } from '../../src/lib/engine';
import { getGpu } from './helpers/gpu';
import { expectClose, rng } from './helpers/numeric';

const FIXTURE = join(__dirname, '..', 'fixtures', 'tiny-bert');

let gpu: GpuContext;
let ckpt: BertCheckpoint;
let model: BertModel;

beforeAll(async () => {
  gpu = await getGpu();
  ckpt = await loadBertFolder(FIXTURE);
  model = new BertModel(gpu, ckpt.weights);
});

function batch(B: number, T: number, seed: number) {
  const r = rng(seed);
  const V = ckpt.config.vocab_size;
  const ids: number[][] = [];
  const types: number[][] = [];
  const mask: number[][] = [];
  for (let b = 0; b < B; b++) {
    const len = b === 0 ? T : Math.max(1, Math.floor(T * (0.4 + 0.5 * r())));
    ids.push(Array.from({ length: T }, (_, t) => (t < len ? 5 + Math.floor(r() * (V - 5)) : 0)));
    types.push(Array.from({ length: T }, (_, t) => (t < len && t >= len / 2 ? 1 : 0)));
    mask.push(Array.from({ length: T }, (_, t) => (t < len ? 1 : 0)));
  }
  return { ids, types, mask };
}

describe('BERT forward matches the float64 Hugging Face reference', () => {
  for (const [B, T] of [
    [1, 1],
    [3, 13]
  ]) {
    it(`batch ${B}, length ${T} (with padding)`, async () => {
      const { ids, types, mask } = batch(B, T, 11 + B);
      const ref = bertForwardF64(ckpt.weights, { inputIds: ids, tokenTypeIds: types, attentionMask: mask }, { mlm: true, pooler: true });
      const out = tidy(() => {
        const idT = tensorFrom(gpu, Int32Array.from(ids.flat()), [B, T], 'input_ids');
        const tyT = tensorFrom(gpu, Int32Array.from(types.flat()), [B, T], 'token_type_ids');
        const { hidden } = model.forward({ inputIds: idT, tokenTypeIds: tyT, attentionMask: mask });
        return { hidden, pooled: model.pool(hidden), logits: model.mlmLogits(hidden) };
      });
      const hidden = await out.hidden.read();
      // Padding positions are computed too (HF does the same); compare everything.
      expectClose(hidden, ref.lastHiddenState, { abs: 1e-4, rel: 0 }, 'last_hidden_state');
      expectClose(await out.pooled.read(), ref.poolerOutput!, { abs: 1e-4, rel: 0 }, 'pooler_output');
      expectClose(await out.logits.read(), ref.mlmLogits!, { abs: 1e-4, rel: 1e-4 }, 'mlm logits');
      out.hidden.dispose();
      out.pooled.dispose();
      out.logits.dispose();
    });
  }

  it('rejects sequences longer than max_position_embeddings', () => {
    const T = ckpt.config.max_position_embeddings + 1;
    expect(() =>
      tidy(() => {
        const idT = tensorFrom(gpu, new Int32Array(T).fill(5), [1, T], 'input_ids');
        model.forward({ inputIds: idT });
      })
    ).toThrow(/max_position_embeddings/);
  });
});
