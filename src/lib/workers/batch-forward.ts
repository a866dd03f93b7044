// The service's forward pass on one PrivatizedBatch that ServiceInbox accepted: the encoder on
// its ids (one segment, the batch's attention mask), then the pooler and the masked-LM head when
// the checkpoint has them, read back as what the page shows (per-token hidden-state norms, top-5
// MLM candidates). Token strings come from the service's own vocabulary, for the ids it received.
// Every tensor made here is disposed before it returns.

import type { GpuContext } from '../gpu/context';
import { tensorFrom, tidy, type Tensor } from '../engine';
import type { BertModel } from '../model/bert';
import type { BertTokenizer } from '../model/tokenizer';
import { hiddenNorms, mlmTopK, toRows, unpaddedLength } from '../app/forward-format';
import type { ForwardResult } from '../app/service-types';
import type { ModelInput } from './boundary-service';

export type BatchForwardOutput = Omit<ForwardResult, 'ms' | 'timings' | 'logSeq' | 'mechanism' | 'seeded'> & {
  timings: { gpuMs: number; readbackMs: number };
};

export async function runBatchForward(ctx: GpuContext, model: BertModel, tokenizer: BertTokenizer, input: ModelInput): Promise<BatchForwardOutput> {
  const [B, T] = input.shape;
  const C = model.config.hidden_size;
  const lengths = input.attentionMask.map(unpaddedLength);
  const t1 = performance.now();

  const out = tidy(() => {
    const inputIds = tensorFrom(ctx, input.inputIds, [B, T], 'input_ids');
    const tokenTypeIds = tensorFrom(ctx, input.tokenTypeIds, [B, T], 'token_type_ids');
    const { hidden } = model.forward({ inputIds, tokenTypeIds, attentionMask: input.attentionMask });
    const pooled = model.hasPooler ? model.pool(hidden) : null;
    const logits = model.hasMlmHead ? model.mlmLogits(hidden) : null;
    return { hidden, pooled, logits };
  });
  const owned: Tensor[] = [out.hidden, out.pooled, out.logits].filter((t): t is Tensor => t !== null);
  let hiddenData: Float32Array;
  let pooledData: Float32Array | null = null;
  let logitsData: Float32Array | null = null;
  let t2: number;
  try {
    await ctx.sync();
    t2 = performance.now();
    hiddenData = await out.hidden.readF32();
    if (out.pooled) pooledData = await out.pooled.readF32();
    if (out.logits) logitsData = await out.logits.readF32();
  } finally {
    for (const t of owned) t.dispose();
  }
  const t3 = performance.now();

  const V = out.logits ? out.logits.dim(-1) : 0;
  const idToToken = (id: number): string => tokenizer.idToToken(id) ?? `[${id}]`;
  const rows = Array.from({ length: B }, (_, b) => Array.from(input.inputIds.subarray(b * T, b * T + lengths[b])));
  return {
    tokens: rows.map((r) => r.map(idToToken)),
    input_ids: rows,
    hidden_norms: hiddenNorms(hiddenData, B, T, C, lengths),
    pooler_output: pooledData ? toRows(pooledData, B, C) : null,
    mlm_top5: logitsData ? mlmTopK(logitsData, B, T, V, lengths, idToToken, 5) : null,
    shape: [B, T],
    timings: { gpuMs: t2 - t1, readbackMs: t3 - t2 }
  };
}
