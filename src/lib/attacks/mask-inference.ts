// Mask-token inference: the pretrained masked language model fills in each position of the
// privatized text from its privatized context. For position i of privatized sequence y:
//
//   input   [CLS] y_1 … y_{i−1} [MASK] y_{i+1} … y_n [SEP]     (one sequence per masked position)
//   guess   x̂_i = argmax_v MLM(input)[i + 1, v]                (top-1 over the whole vocabulary)
//   success x̂_i = x_i, the original token
//
// With no privatization this is the MLM's own top-1 accuracy at single masked positions. The
// frozen pretrained model needs no training: the attacker uses the public model as it is.
//
// An adversary who also knows the mechanism (the threat model) does better than the MLM alone: it
// keeps the observed privatized token y_i as evidence and takes the posterior mode
//
//   x̂_i = argmax_x  softmax(MLM(input)[i + 1])_x · P̂(y_i | x)
//
// over y_i and the candidate set, with P̂ the Monte Carlo transition estimate of inversion-nn.ts
// (TransitionLikelihood). With no privatization P(y | x) = [x = y], so x̂_i = y_i = x_i. run.ts
// reports this as the mask attack's success and the MLM-only guess next to it. `visit` receives
// each site's logits over the vocabulary for that.
// Browser-safe.

import type { GpuContext } from '../gpu/context';
import { gatherRows, noGrad, tensorFrom, tidy } from '../engine';
import type { BertModel } from '../model/bert';
import { argmax } from './mlp';

export interface MaskSpecials {
  cls: number;
  sep: number;
  pad: number;
  mask: number;
}

/** A position to mask: sequence index and token index. */
export type MaskSite = [number, number];

/** Top-1 MLM guess at each site (rows of `batchSize` sequences, one site each). */
export async function maskInference(
  gpu: GpuContext,
  model: BertModel,
  sp: MaskSpecials,
  privatized: readonly Int32Array[],
  sites: readonly MaskSite[],
  batchSize = 32,
  log: (s: string) => void = () => {},
  visit?: (site: number, logits: Float32Array) => void
): Promise<Int32Array> {
  if (!model.hasMlmHead) throw new Error('mask inference needs a checkpoint with an MLM head (cls.predictions.*)');
  const maxLen = model.config.max_position_embeddings - 2;
  const V = model.config.vocab_size;
  const out = new Int32Array(sites.length);
  let lastLog = 0;
  for (let s0 = 0; s0 < sites.length; s0 += batchSize) {
    const part = sites.slice(s0, s0 + batchSize);
    const rows = part.map(([s, i]) => {
      const q = privatized[s];
      if (q.length > maxLen) throw new Error(`mask inference: sequence ${s} has ${q.length} tokens; the model takes ${maxLen} between [CLS] and [SEP]`);
      if (i < 0 || i >= q.length) throw new Error(`mask inference: site ${i} is outside sequence ${s} (${q.length} tokens)`);
      const r = [sp.cls, ...q, sp.sep];
      r[i + 1] = sp.mask;
      return r;
    });
    const B = rows.length;
    const T = Math.max(...rows.map((r) => r.length));
    const ids = new Int32Array(B * T).fill(sp.pad);
    const mask: Uint8Array[] = [];
    rows.forEach((r, b) => {
      ids.set(r, b * T);
      const m = new Uint8Array(T);
      m.fill(1, 0, r.length);
      mask.push(m);
    });
    const at = Int32Array.from(part, ([, i], b) => b * T + i + 1);
    const logits = noGrad(() =>
      tidy(() => {
        const { hidden } = model.forward({ inputIds: tensorFrom(gpu, ids, [B, T], 'mask.input_ids'), attentionMask: mask });
        const C = hidden.dim(2);
        const flat = hidden.reshape([B * T, C], 'mask.hidden_flat');
        return model.mlmLogits(gatherRows(flat, tensorFrom(gpu, at, [B], 'mask.sites'), 'mask.states'));
      })
    );
    const z = await logits.readF32();
    logits.dispose();
    for (let b = 0; b < B; b++) {
      const row = z.subarray(b * V, (b + 1) * V);
      out[s0 + b] = argmax(row);
      visit?.(s0 + b, row);
    }
    if (s0 + B - lastLog >= 256 || s0 + B === sites.length) {
      lastLog = s0 + B;
      log(`mask: ${s0 + B}/${sites.length} positions`);
    }
  }
  return out;
}
