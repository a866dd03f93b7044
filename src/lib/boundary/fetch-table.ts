// The client worker's model: only what privatization needs — config.json, the vocabulary
// (vocab.txt or tokenizer.json) and the word embeddings. The embeddings are read with HTTP Range
// requests when the server honours them (header length, header, then the one tensor: a few MB
// of a large checkpoint), and from the whole file otherwise. Sharded checkpoints
// (model.safetensors.index.json) are followed to the shard holding the embeddings.
// Browser-safe (fetch only).

import { parseBertConfig, type BertConfig } from '../model/checkpoint/bert-config';
import { canonicalBertName } from '../model/checkpoint/bert-weights';
import { parseSafetensorsIndex } from '../model/checkpoint/bert-checkpoint';
import { decodeTensorBytes, parseSafetensorsHeader, readHeaderLength, readSafetensorsHeader, type SafetensorsTensorInfo } from '../model/checkpoint/safetensors';
import { BertTokenizer } from '../model/tokenizer';
import { fetchOptionalText, fetchText, ModelFetchError } from '../app/fetch-progress';
import type { EmbeddingTable } from '../privacy/types';
import { privacyTableFrom } from './table';

const WORD = 'bert.embeddings.word_embeddings.weight';

export interface PrivacyModel {
  /** the folder URL, with a trailing slash */
  url: string;
  config: BertConfig;
  tokenizer: BertTokenizer;
  table: EmbeddingTable;
  /** true when the embeddings came by Range requests (not the whole weights file) */
  ranged: boolean;
  /** bytes of weights fetched */
  weightBytes: number;
}

async function get(url: string, init?: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new ModelFetchError(`could not fetch ${url}: ${(e as Error).message}`, url);
  }
  if (!res.ok) throw new ModelFetchError(`could not fetch ${url}: HTTP ${res.status} ${res.statusText}`.trim(), url, res.status);
  return res;
}

/** Bytes [start, end) of url by a Range request; null when the server sent the whole file (its bytes in `whole`). */
async function range(url: string, start: number, end: number): Promise<{ bytes: Uint8Array; total: number } | { whole: Uint8Array }> {
  const res = await get(url, { headers: { Range: `bytes=${start}-${end - 1}` } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (res.status !== 206) return { whole: bytes };
  const m = /\/(\d+)\s*$/.exec(res.headers.get('content-range') ?? '');
  if (!m || bytes.byteLength !== end - start) {
    // A 206 we cannot interpret: fall back to the whole file.
    return { whole: new Uint8Array(await (await get(url)).arrayBuffer()) };
  }
  return { bytes, total: Number(m[1]) };
}

function findWord(tensors: SafetensorsTensorInfo[], source: string): SafetensorsTensorInfo {
  const t = tensors.find((x) => canonicalBertName(x.name) === WORD);
  if (!t) throw new ModelFetchError(`${source} has no word embeddings (${WORD} or embeddings.word_embeddings.weight)`, source);
  return t;
}

/** The word embeddings [V, C] of one safetensors file at url. */
export async function fetchWordEmbeddings(url: string): Promise<{ data: Float32Array; shape: number[]; ranged: boolean; bytes: number }> {
  const first = await range(url, 0, 8);
  if ('whole' in first) {
    const header = readSafetensorsHeader(first.whole, { source: url });
    const t = findWord(header.tensors, url);
    const slice = first.whole.subarray(header.dataStart + t.begin, header.dataStart + t.end);
    return { data: decodeTensorBytes(t, slice, url) as Float32Array, shape: t.shape, ranged: false, bytes: first.whole.byteLength };
  }
  const n = readHeaderLength(first.bytes, first.total, url);
  const h = await range(url, 8, 8 + n);
  if ('whole' in h) return fetchWordEmbeddingsWhole(h.whole, url);
  const header = parseSafetensorsHeader(h.bytes, first.total, url);
  const t = findWord(header.tensors, url);
  const d = await range(url, header.dataStart + t.begin, header.dataStart + t.end);
  if ('whole' in d) return fetchWordEmbeddingsWhole(d.whole, url);
  const data = decodeTensorBytes(t, d.bytes, url);
  if (!(data instanceof Float32Array)) throw new ModelFetchError(`${url}: ${t.name} is ${t.dtype}, not floating point`, url);
  return { data, shape: t.shape, ranged: true, bytes: 8 + n + d.bytes.byteLength };
}

function fetchWordEmbeddingsWhole(whole: Uint8Array, url: string) {
  const header = readSafetensorsHeader(whole, { source: url });
  const t = findWord(header.tensors, url);
  const data = decodeTensorBytes(t, whole.subarray(header.dataStart + t.begin, header.dataStart + t.end), url) as Float32Array;
  return { data, shape: t.shape, ranged: false, bytes: whole.byteLength };
}

/** config.json, the vocabulary and the word embeddings of the model folder at `url`, as a privacy table. */
export async function fetchPrivacyModel(url: string): Promise<PrivacyModel> {
  const base = url.endsWith('/') ? url : url + '/';
  const at = (f: string) => new URL(f, base).href;
  const configText = await fetchText(at('config.json'));
  const config = parseBertConfig(configText, at('config.json'));
  const vocabTxt = await fetchOptionalText(at('vocab.txt'));
  const tokenizerJson = vocabTxt === null ? await fetchOptionalText(at('tokenizer.json')) : null;
  if (vocabTxt === null && tokenizerJson === null)
    throw new ModelFetchError(`${base} has neither vocab.txt nor tokenizer.json (HTTP 404 for both)`, at('vocab.txt'), 404);
  const tokenizer = BertTokenizer.fromHfFiles({ vocabTxt, tokenizerJson, config: configText }, { modelMaxLength: config.max_position_embeddings });

  let weightsUrl = at('model.safetensors');
  let emb: Awaited<ReturnType<typeof fetchWordEmbeddings>>;
  try {
    emb = await fetchWordEmbeddings(weightsUrl);
  } catch (e) {
    if (!(e instanceof ModelFetchError && e.status === 404)) throw e;
    const indexUrl = at('model.safetensors.index.json');
    const index = await fetchOptionalText(indexUrl);
    if (index === null) throw new ModelFetchError(`${base} has neither model.safetensors nor model.safetensors.index.json`, weightsUrl, 404);
    const shards = parseSafetensorsIndex(index, indexUrl);
    let shard: string | undefined;
    for (const [file, names] of shards) if (names.some((n) => canonicalBertName(n) === WORD)) shard = file;
    if (!shard) throw new ModelFetchError(`${indexUrl} lists no shard holding ${WORD}`, indexUrl);
    weightsUrl = at(shard);
    emb = await fetchWordEmbeddings(weightsUrl);
  }
  const [V, C] = emb.shape;
  if (emb.shape.length !== 2 || V !== config.vocab_size || C !== config.hidden_size)
    throw new ModelFetchError(
      `${weightsUrl}: word embeddings have shape [${emb.shape.join(', ')}], config.json says [${config.vocab_size}, ${config.hidden_size}]`,
      weightsUrl
    );
  const table = privacyTableFrom(emb.data, emb.shape, tokenizer, {}, `${weightsUrl} word embeddings`);
  return { url: base, config, tokenizer, table, ranged: emb.ranged, weightBytes: emb.bytes };
}
