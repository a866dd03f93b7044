// What the attack worker loads from the site, all of it public: the built-in model (a Hugging Face
// BERT folder: config.json, model.safetensors, vocab.txt or tokenizer.json) as a full checkpoint,
// and a built-in dataset (static/data/index.json and its three split files, each checked against
// the index's sha256). SanText+ also needs token frequencies: here they are counted over the
// task's public train split (the CLI counts the whole built-in pretraining corpus instead).
// Browser-safe (fetch only, no GPU).

import { fetchBytes, fetchOptionalText, fetchText, ModelFetchError, type ByteProgress } from '../app/fetch-progress';
import { parseBertConfig } from '../model/checkpoint/bert-config';
import { assembleBertCheckpoint, type BertCheckpoint } from '../model/checkpoint/bert-checkpoint';
import { readSafetensors } from '../model/checkpoint/safetensors';
import { BertTokenizer } from '../model/tokenizer';
import { BuiltinDataError, findBuiltin, loadBuiltin, parseBuiltinIndex, splitFile, verifyBuiltinFile } from '../data/builtin';
import { SPLIT_NAMES, type SplitDataset, type SplitName } from '../data/types';

export interface LoadedModel {
  url: string;
  checkpoint: BertCheckpoint;
  tokenizer: BertTokenizer;
}

/** The model folder at `url`, as a checkpoint and its tokenizer. */
export async function fetchModel(url: string, onBytes?: (p: ByteProgress) => void): Promise<LoadedModel> {
  const base = url.endsWith('/') ? url : url + '/';
  const at = (f: string) => new URL(f, base).href;
  const configText = await fetchText(at('config.json'));
  const config = parseBertConfig(configText, at('config.json'));
  const bytes = await fetchBytes(at('model.safetensors'), onBytes);
  const vocabTxt = await fetchOptionalText(at('vocab.txt'));
  const tokenizerJson = vocabTxt === null ? await fetchOptionalText(at('tokenizer.json')) : null;
  if (vocabTxt === null && tokenizerJson === null)
    throw new ModelFetchError(`${base} has neither vocab.txt nor tokenizer.json (HTTP 404 for both)`, at('vocab.txt'), 404);
  const contents = readSafetensors(bytes, { source: at('model.safetensors') });
  const checkpoint = assembleBertCheckpoint({
    source: base,
    configText,
    configSource: at('config.json'),
    tensors: contents.tensors,
    weightsSource: at('model.safetensors'),
    metadata: contents.metadata,
    vocabTxt,
    tokenizerJson
  });
  const tokenizer = BertTokenizer.fromHfFiles({ vocabTxt, tokenizerJson, config: configText }, { modelMaxLength: config.max_position_embeddings });
  return { url: base, checkpoint, tokenizer };
}

async function getText(url: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new BuiltinDataError(url, null, `could not be fetched: ${(e as Error).message}`);
  }
  if (!res.ok) throw new BuiltinDataError(url, null, `could not be fetched: HTTP ${res.status} ${res.statusText}`.trim());
  return res.text();
}

/** The built-in dataset `name` from the data folder `dataUrl`, every split verified against the index. */
export async function fetchBuiltinTask(dataUrl: string, name: string): Promise<SplitDataset> {
  const base = dataUrl.endsWith('/') ? dataUrl : dataUrl + '/';
  const indexUrl = new URL('index.json', base).href;
  const entry = findBuiltin(parseBuiltinIndex(await getText(indexUrl), indexUrl), name);
  const texts = {} as Record<SplitName, string>;
  for (const split of SPLIT_NAMES) {
    const ref = splitFile(entry, split);
    const text = await getText(new URL(ref.path, base).href);
    await verifyBuiltinFile(ref, text);
    texts[split] = text;
  }
  return loadBuiltin(entry, texts);
}

/** Token counts over the task's train split (SanText+ calls the least frequent tokens sensitive). */
export function trainFrequencies(tok: BertTokenizer, V: number, data: SplitDataset): Float64Array {
  const f = new Float64Array(V);
  for (const e of data.splits.train.examples)
    for (const id of tok.encode(e.text, null, { addSpecialTokens: false, truncation: false }).input_ids) if (id < V) f[id]++;
  return f;
}
