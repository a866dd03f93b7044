// What the page should show for the ids the service received, computed in float64 on the CPU
// (src/lib/model/reference/bert-f64.ts) from the model folder on disk: the tokens those ids name,
// the hidden-state norm at each position and the masked-LM top 5. Node only (the test side).
import { readFileSync } from 'node:fs';
import { loadBertFolder } from '../../src/lib/model/checkpoint/load-folder-node';
import { bertForwardF64 } from '../../src/lib/model/reference/bert-f64';
import { BertTokenizer } from '../../src/lib/model/tokenizer';
import { hiddenNorms, mlmTopK } from '../../src/lib/app/forward-format';
import type { MlmCandidate } from '../../src/lib/app/service-types';

/** The folder of the model static/models/index.json names as the default (what the home page loads first). */
export function defaultModel(): { name: string; path: string; folder: string } {
  const index = JSON.parse(readFileSync('static/models/index.json', 'utf8')) as { default: string; models: { name: string; path: string }[] };
  const m = index.models.find((x) => x.name === index.default)!;
  return { ...m, folder: `static/models/${m.path}` };
}

export interface Reference {
  tokens: string[];
  norms: number[];
  /** null when the checkpoint has no MLM head */
  top5: MlmCandidate[][] | null;
}

/** The encoder on one unpadded sequence of ids (one segment, no padding). */
export async function referenceOnIds(folder: string, ids: number[]): Promise<Reference> {
  const ck = await loadBertFolder(folder);
  const tok = BertTokenizer.fromHfFiles({ vocabTxt: ck.vocabTxt, config: ck.configText }, { modelMaxLength: ck.config.max_position_embeddings });
  const T = ids.length;
  const out = bertForwardF64(ck.weights, { inputIds: [ids], tokenTypeIds: [ids.map(() => 0)], attentionMask: [ids.map(() => 1)] });
  const name = (id: number): string => tok.idToToken(id) ?? String(id);
  return {
    tokens: ids.map(name),
    norms: hiddenNorms(out.lastHiddenState, 1, T, ck.config.hidden_size, [T])[0],
    top5: out.mlmLogits ? mlmTopK(out.mlmLogits, 1, T, ck.config.vocab_size, [T], name, 5)[0] : null
  };
}
