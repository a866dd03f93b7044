// What the Models / Data page keeps of a model the user checked (./imported-models.ts), decided
// without a browser: which of the picked files the loaders need (the rest of a folder — README,
// optimizer states, other formats — is not kept), the model's summary (layers, hidden size, heads,
// vocabulary, parameters, bytes kept), a name no kept model has yet, and the message when the
// browser's storage refuses the files. GPU-free and DOM-free (Files are only read for name and size).

import { CONFIG_FILE, TOKENIZER_FILE, VOCAB_FILE, WEIGHTS_FILE, WEIGHTS_INDEX_FILE } from '../model/checkpoint/bert-checkpoint';
import type { ModelInfo } from './service-types';
import { formatBytes } from './forward-format';

export interface ModelSummary {
  layers: number;
  hidden: number;
  heads: number;
  vocabSize: number;
  maxPositions: number;
  parameters: number;
  /** bytes of the files kept */
  bytes: number;
}

/** A picked file as far as these decisions go. */
export interface NamedSize {
  name: string;
  size: number;
}

/**
 * The files the loaders read (../model/checkpoint/load-files.ts), in a stable order: config.json,
 * vocab.txt and/or tokenizer.json, and model.safetensors — or, when there is none, the index and
 * the shards it names (`indexShards`, from parseSafetensorsIndex; null when there is no index).
 */
export function modelFilesToKeep<F extends NamedSize>(files: readonly F[], indexShards: readonly string[] | null = null): F[] {
  const byName = new Map(files.map((f) => [f.name, f]));
  const names = [CONFIG_FILE, VOCAB_FILE, TOKENIZER_FILE];
  if (byName.has(WEIGHTS_FILE)) names.push(WEIGHTS_FILE);
  else if (byName.has(WEIGHTS_INDEX_FILE)) names.push(WEIGHTS_INDEX_FILE, ...[...(indexShards ?? [])].sort());
  return names.map((n) => byName.get(n)).filter((f): f is F => f !== undefined);
}

/** The summary of a checked model (the service's ModelInfo) and the files kept of it. */
export function summaryOfModel(info: ModelInfo, kept: readonly NamedSize[]): ModelSummary {
  return {
    layers: info.layers,
    hidden: info.hidden,
    heads: info.heads,
    vocabSize: info.vocabSize,
    maxPositions: info.maxPositions,
    parameters: info.parameterCount,
    bytes: kept.reduce((n, f) => n + f.size, 0)
  };
}

/** "2 layers, hidden 32, 4 heads, vocabulary 1,000, 98,304 parameters, 217.3 KiB" */
export function describeSummary(s: ModelSummary): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return `${s.layers} layer${s.layers === 1 ? '' : 's'}, hidden ${s.hidden}, ${s.heads} head${s.heads === 1 ? '' : 's'}, vocabulary ${n(s.vocabSize)}, ${n(s.parameters)} parameters, ${formatBytes(s.bytes)}`;
}

/** Longest name kept (the service's display-name limit is 200). */
export const MAX_MODEL_NAME = 80;

/**
 * The name to keep a model under: `wanted` trimmed (or "imported model" when empty), shortened to
 * MAX_MODEL_NAME, and, when a kept model already has it, with " (2)", " (3)", … added.
 */
export function uniqueModelName(wanted: string, taken: readonly string[]): string {
  const base = (wanted.trim() || 'imported model').slice(0, MAX_MODEL_NAME);
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) {
    const candidate = `${base} (${i})`;
    if (!used.has(candidate)) return candidate;
  }
}

/** Whether an error is the browser's storage being full (IndexedDB's QuotaExceededError, directly or as the cause). */
export function isQuotaError(e: unknown): boolean {
  const err = e as { name?: unknown; message?: unknown; cause?: unknown } | null;
  if (!err || typeof err !== 'object') return false;
  if (err.name === 'QuotaExceededError') return true;
  if (typeof err.message === 'string' && /quota/i.test(err.message)) return true;
  return err.cause !== undefined && err.cause !== e && isQuotaError(err.cause);
}

/** What to tell the user when a checked model could not be kept; it stays usable in this tab. */
export function keepFailureMessage(name: string, bytes: number, e: unknown): string {
  const why = isQuotaError(e)
    ? `this browser's storage for the site is full (${formatBytes(bytes)} did not fit): delete kept models or datasets you no longer need, or free disk space, and check the folder again`
    : `the browser's storage refused it (${(e as Error)?.message ?? String(e)})`;
  return `Could not keep ${JSON.stringify(name)} in this browser: ${why}. It can still be picked on the Train page until this tab is closed or reloaded.`;
}
