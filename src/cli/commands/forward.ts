// rapt forward --model DIR --texts FILE — BERT forward on a padded batch:
// {input_ids, attention_mask, last_hidden_state, pooler_output, mlm_top5}.
import { loadCheckpoint, openGpu, printJson, readTexts, tokenizerFor } from '../runtime';
import { BertModel } from '../../lib/model/bert';
import { tensorFrom, tidy } from '../../lib/engine';
import { topK } from '../../lib/model/topk';

export async function forward(args: { model?: string; texts?: string }): Promise<void> {
  const items = readTexts(args.texts);
  const ckpt = await loadCheckpoint(args.model);
  const tok = tokenizerFor(ckpt);
  const maxLength = ckpt.config.max_position_embeddings;
  const enc = tok.encodeBatch(items, { padding: 'longest', truncation: 'longest_first', maxLength });
  const B = enc.input_ids.length;
  const T = enc.input_ids[0]?.length ?? 0;
  const gpu = await openGpu();
  const model = new BertModel(gpu, ckpt.weights);
  const out = tidy(() => {
    const ids = tensorFrom(gpu, Int32Array.from(enc.input_ids.flat()), [B, T], 'input_ids');
    const types = tensorFrom(gpu, Int32Array.from(enc.token_type_ids.flat()), [B, T], 'token_type_ids');
    const { hidden } = model.forward({ inputIds: ids, tokenTypeIds: types, attentionMask: enc.attention_mask });
    return {
      hidden,
      pooled: model.hasPooler ? model.pool(hidden) : null,
      logits: model.hasMlmHead ? model.mlmLogits(hidden) : null
    };
  });
  const C = ckpt.config.hidden_size;
  const V = ckpt.config.vocab_size;
  const hidden = await out.hidden.readF32();
  const pooled = out.pooled ? await out.pooled.readF32() : null;
  const logits = out.logits ? await out.logits.readF32() : null;
  const rows = (a: Float32Array, n: number) => Array.from({ length: a.length / n }, (_, i) => Array.from(a.subarray(i * n, (i + 1) * n)));
  printJson({
    input_ids: enc.input_ids,
    attention_mask: enc.attention_mask,
    last_hidden_state: Array.from({ length: B }, (_, b) => rows(hidden.subarray(b * T * C, (b + 1) * T * C), C)),
    pooler_output: pooled ? rows(pooled, C) : null,
    mlm_top5: logits
      ? Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => topK(logits.subarray((b * T + t) * V, (b * T + t + 1) * V), 5)))
      : null
  });
  model.dispose();
  gpu.destroy();
}
