// What a Hugging Face BERT folder holds once loaded, and the steps shared by the Node loader
// (load-folder-node.ts) and the browser loader (load-files.ts): file names, the sharded-index
// format, and assembling config + tensors + vocabulary into one BertCheckpoint.
// Browser-safe: no Node built-ins.

import { parseBertConfig, type BertConfig } from './bert-config';
import { bertWeightsFromTensors, type BertWeights } from './bert-weights';
import type { LoadedTensor } from './safetensors';

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';
export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';
export const VOCAB_FILE = 'vocab.txt';
export const TOKENIZER_FILE = 'tokenizer.json';
/** weight files we recognise but cannot read, named in the error when they are all there is */
export const UNSUPPORTED_WEIGHT_FILES = ['pytorch_model.bin', 'tf_model.h5', 'flax_model.msgpack'];

export const FOLDER_LAYOUT_HELP =
  'a Hugging Face BERT folder needs config.json, model.safetensors (or model.safetensors.index.json ' +
  'with its shards) and vocab.txt or tokenizer.json';

export class CheckpointFolderError extends Error {
  override name = 'CheckpointFolderError';
  constructor(
    message: string,
    /** the file the problem is about */
    readonly file: string
  ) {
    super(message);
  }
}

export interface BertCheckpoint {
  /** where it came from (folder path, or a description of the picked files) */
  source: string;
  config: BertConfig;
  /** config.json as read */
  configText: string;
  weights: BertWeights;
  /** safetensors `__metadata__` (of the first shard when sharded), or null */
  metadata: Record<string, string> | null;
  /** vocab.txt text, raw; null when absent */
  vocabTxt: string | null;
  /** tokenizer.json text, raw; null when absent */
  tokenizerJson: string | null;
  warnings: string[];
  /** tensors in the file that are not BERT parameters */
  unexpected: string[];
  /** known tensors that are not used (NSP head, position_ids buffer) */
  ignored: string[];
}

/** Parses model.safetensors.index.json: shard file name → tensor names it should hold. */
export function parseSafetensorsIndex(text: string, source = WEIGHTS_INDEX_FILE): Map<string, string[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CheckpointFolderError(`${source}: not valid JSON: ${(e as Error).message}`, source);
  }
  const map = (raw as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new CheckpointFolderError(`${source}: missing the "weight_map" object (tensor name → shard file)`, source);
  }
  const shards = new Map<string, string[]>();
  for (const [name, file] of Object.entries(map as Record<string, unknown>)) {
    if (typeof file !== 'string' || file.includes('/') || file.includes('\\') || file === '..') {
      throw new CheckpointFolderError(
        `${source}: weight_map["${name}"] must be a file name in the same folder, found ${JSON.stringify(file)}`,
        source
      );
    }
    const list = shards.get(file) ?? [];
    list.push(name);
    shards.set(file, list);
  }
  if (shards.size === 0) throw new CheckpointFolderError(`${source}: weight_map is empty`, source);
  return shards;
}

/**
 * Merges the tensors of several shards, checking each tensor the index names is in its shard and
 * no tensor appears twice.
 */
export function mergeShards(
  shards: { file: string; tensors: Record<string, LoadedTensor>; expected?: string[] }[],
  indexSource = WEIGHTS_INDEX_FILE
): Record<string, LoadedTensor> {
  const merged: Record<string, LoadedTensor> = {};
  const from: Record<string, string> = {};
  for (const s of shards) {
    for (const name of s.expected ?? []) {
      if (!(name in s.tensors)) {
        throw new CheckpointFolderError(`${indexSource}: says tensor "${name}" is in ${s.file}, but it is not there`, s.file);
      }
    }
    for (const [name, t] of Object.entries(s.tensors)) {
      if (name in merged) {
        throw new CheckpointFolderError(`tensor "${name}" is in both ${from[name]} and ${s.file}`, s.file);
      }
      merged[name] = t;
      from[name] = s.file;
    }
  }
  return merged;
}

/** Parses the config, checks the tensors against it, and gathers everything into a BertCheckpoint. */
export function assembleBertCheckpoint(parts: {
  source: string;
  configText: string;
  configSource?: string;
  tensors: Record<string, LoadedTensor>;
  weightsSource?: string;
  metadata: Record<string, string> | null;
  vocabTxt: string | null;
  tokenizerJson: string | null;
}): BertCheckpoint {
  if (parts.vocabTxt === null && parts.tokenizerJson === null) {
    throw new CheckpointFolderError(
      `${parts.source}: no ${VOCAB_FILE} or ${TOKENIZER_FILE} found (${FOLDER_LAYOUT_HELP})`,
      VOCAB_FILE
    );
  }
  const config = parseBertConfig(parts.configText, parts.configSource ?? CONFIG_FILE);
  const { weights, warnings, unexpected, ignored } = bertWeightsFromTensors(config, parts.tensors, {
    source: parts.weightsSource ?? WEIGHTS_FILE
  });
  return {
    source: parts.source,
    config,
    configText: parts.configText,
    weights,
    metadata: parts.metadata,
    vocabTxt: parts.vocabTxt,
    tokenizerJson: parts.tokenizerJson,
    warnings,
    unexpected,
    ignored
  };
}
