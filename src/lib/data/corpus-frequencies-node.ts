// Token counts over the built-in pretraining corpus (train splits + Moby Dick), for SanText+,
// which calls the least frequent fraction w of the vocabulary sensitive. Node only.

import type { BertTokenizer } from '../model/tokenizer';
import { buildPretrainCorpus } from './pretrain-corpus-node';

export function corpusFrequencies(tok: BertTokenizer, V: number, root: string): Float64Array {
  const f = new Float64Array(V);
  for (const src of buildPretrainCorpus(root))
    for (const t of src.texts) for (const id of tok.encode(t, null, { addSpecialTokens: false, truncation: false }).input_ids) if (id < V) f[id]++;
  return f;
}
