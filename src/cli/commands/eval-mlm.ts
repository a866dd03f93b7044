// rapt eval-mlm --model DIR|builtin [--split dev|test] [--seq 128] [--batch 32] [--limit N sequences]
// Masked-token accuracy on held-out text next to the unigram baseline's:
// {masked_accuracy, unigram_accuracy, tokens}.
import { REPO_ROOT, UsageError, loadCheckpoint, openGpu, printJson, tokenizerFor } from '../runtime';
import { BertModel } from '../../lib/model/bert';
import { buildHeldOutCorpus, buildPretrainCorpus } from '../../lib/data/pretrain-corpus-node';
import { packCorpus, unigramGuess } from '../../lib/pretrain/mlm-data';
import { evaluateMlm } from '../../lib/pretrain/mlm-trainer';

export const EVAL_MLM_OPTIONS = {
  model: { type: 'string' },
  split: { type: 'string' },
  seq: { type: 'string' },
  batch: { type: 'string' },
  seed: { type: 'string' },
  limit: { type: 'string' }
} as const;

export async function evalMlm(a: Record<string, string | boolean | undefined>): Promise<void> {
  const split = (a.split ?? 'test') as string;
  if (split !== 'dev' && split !== 'test') throw new UsageError(`--split must be dev or test, got ${split}`);
  const ckpt = await loadCheckpoint(a.model as string | undefined);
  const tok = tokenizerFor(ckpt);
  if (tok.maskTokenId === null) throw new UsageError(`${ckpt.source} has no [MASK] token`);
  const seqLen = Number(a.seq ?? Math.min(128, ckpt.config.max_position_embeddings));
  const batch = Number(a.batch ?? 32);
  if (!Number.isInteger(seqLen) || seqLen < 8 || seqLen > ckpt.config.max_position_embeddings)
    throw new UsageError(`--seq must be an integer in [8, ${ckpt.config.max_position_embeddings}]`);
  const specialIds = new Set(tok.specialTokenIds);
  const train = packCorpus(tok, buildPretrainCorpus(REPO_ROOT).flatMap((c) => c.texts), seqLen);
  const held = packCorpus(tok, buildHeldOutCorpus(REPO_ROOT, split).flatMap((c) => c.texts), seqLen);
  const limit = a.limit === undefined ? held.sequences.length : Number(a.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, got ${a.limit}`);
  const seqs = held.sequences.slice(0, limit);
  const gpu = await openGpu();
  const model = new BertModel(gpu, ckpt.weights);
  const r = await evaluateMlm(
    gpu,
    model,
    seqs,
    { maskProb: 0.15, maskTokenId: tok.maskTokenId, specialIds, vocabSize: tok.vocabSize, padId: tok.padTokenId },
    batch,
    Number(a.seed ?? 12345),
    unigramGuess(train.sequences, specialIds)
  );
  printJson({ masked_accuracy: r.masked_accuracy, unigram_accuracy: r.unigram_accuracy, tokens: r.tokens, loss: r.loss, split, model: ckpt.source });
  model.dispose();
  gpu.destroy();
}
