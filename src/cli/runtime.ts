// What every CLI command needs: a GPU context in Node, a model folder resolved and loaded,
// JSON output, and errors printed as one clear line with a non-zero exit code.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireNodeDevice } from '../lib/gpu/device-node';
import { useNodeShaderLoader } from '../lib/gpu/shader-source-node';
import { GpuContext } from '../lib/gpu/context';
import type { DeviceRequest } from '../lib/gpu/device';
import { loadBertFolder } from '../lib/model/checkpoint/load-folder-node';
import type { BertCheckpoint } from '../lib/model/checkpoint/bert-checkpoint';
import { BertTokenizer } from '../lib/model/tokenizer';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export class UsageError extends Error {
  override name = 'UsageError';
}

export async function openGpu(req: DeviceRequest = {}): Promise<GpuContext> {
  useNodeShaderLoader();
  return new GpuContext(await acquireNodeDevice({ adapterLimits: true, ...req }));
}

/** `builtin` → the default model named in static/models/index.json; anything else is a folder. */
export function resolveModelDir(arg: string | undefined): string {
  if (!arg) throw new UsageError('--model is required (a Hugging Face BERT folder, or "builtin")');
  if (arg !== 'builtin') return resolve(arg);
  const index = join(REPO_ROOT, 'static', 'models', 'index.json');
  if (!existsSync(index)) throw new UsageError(`no built-in model: ${index} is missing`);
  const models = JSON.parse(readFileSync(index, 'utf8')) as { default?: string; models: { name: string; path: string }[] };
  const name = models.default ?? models.models[0]?.name;
  const entry = models.models.find((m) => m.name === name);
  if (!entry) throw new UsageError(`static/models/index.json names no default model`);
  // `path` is relative to static/models/ (src/lib/app/models-index.ts); a path relative to
  // static/ (e.g. "models/x") is accepted too.
  const rel = entry.path.replace(/^\/+/, '');
  const dir = join(REPO_ROOT, 'static', 'models', rel);
  const legacy = join(REPO_ROOT, 'static', rel);
  return !existsSync(dir) && existsSync(legacy) ? legacy : dir;
}

export async function loadCheckpoint(arg: string | undefined): Promise<BertCheckpoint> {
  return loadBertFolder(resolveModelDir(arg));
}

export function tokenizerFor(ckpt: BertCheckpoint): BertTokenizer {
  if (!ckpt.vocabTxt && !ckpt.tokenizerJson) throw new UsageError(`${ckpt.source} has neither vocab.txt nor tokenizer.json`);
  return BertTokenizer.fromHfFiles({ vocabTxt: ckpt.vocabTxt ?? undefined, tokenizerJson: ckpt.tokenizerJson ?? undefined, config: ckpt.configText });
}

/** Read a JSON array of strings or [text, text_pair] items. */
export function readTexts(file: string | undefined): (string | [string, string])[] {
  if (!file) throw new UsageError('--texts FILE is required (a JSON array of strings or [text, text_pair] pairs)');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`--texts ${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new UsageError(`--texts ${file}: expected a JSON array`);
  return raw.map((item, i) => {
    if (typeof item === 'string') return item;
    if (Array.isArray(item) && item.length === 2 && typeof item[0] === 'string' && typeof item[1] === 'string')
      return [item[0], item[1]] as [string, string];
    throw new UsageError(`--texts ${file}: item ${i} must be a string or a [text, text_pair] pair of strings`);
  });
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}
