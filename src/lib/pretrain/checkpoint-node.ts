// Pretraining checkpoints on disk (Node). A model folder in the Hugging Face layout
// (config.json, model.safetensors with HF names, vocab.txt) plus, for resuming,
// checkpoint/optimizer.safetensors (AdamW moments) and checkpoint/state.json (step,
// tokens seen, settings). Files are written to a temporary name and renamed, so an
// interruption never leaves a half-written checkpoint.

import { mkdirSync, renameSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { bertConfigToJson } from '../model/checkpoint/bert-config';
import { bertWeightsToTensors, type BertWeights } from '../model/checkpoint/bert-weights';
import { readSafetensors, writeSafetensors } from '../model/checkpoint/safetensors';
import type { AdamWState } from '../engine';

function atomicWrite(path: string, data: string | Uint8Array): void {
  const tmp = path + '.tmp';
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export function saveModelFolder(dir: string, weights: BertWeights, vocabTxt: string, metadata: Record<string, string> = {}): void {
  mkdirSync(dir, { recursive: true });
  atomicWrite(join(dir, 'config.json'), bertConfigToJson(weights.config));
  atomicWrite(join(dir, 'model.safetensors'), writeSafetensors(bertWeightsToTensors(weights), { format: 'pt', ...metadata }));
  atomicWrite(join(dir, 'vocab.txt'), vocabTxt);
}

export interface ResumeState {
  step: number;
  tokensSeen: number;
  wallSeconds: number;
  settings: unknown;
}

export function saveTrainingState(dir: string, state: ResumeState, optimizer: AdamWState, paramNames: string[]): void {
  const ck = join(dir, 'checkpoint');
  mkdirSync(ck, { recursive: true });
  const tensors: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  paramNames.forEach((n, i) => {
    tensors[`m.${n}`] = { dtype: 'F32', shape: [optimizer.m[i].length], data: optimizer.m[i] };
    tensors[`v.${n}`] = { dtype: 'F32', shape: [optimizer.v[i].length], data: optimizer.v[i] };
  });
  atomicWrite(join(ck, 'optimizer.safetensors'), writeSafetensors(tensors, { t: String(optimizer.t) }));
  atomicWrite(join(ck, 'state.json'), JSON.stringify(state, null, 2) + '\n');
}

export function loadTrainingState(dir: string, paramNames: string[]): { state: ResumeState; optimizer: AdamWState } | null {
  const ck = join(dir, 'checkpoint');
  if (!existsSync(join(ck, 'state.json'))) return null;
  const state = JSON.parse(readFileSync(join(ck, 'state.json'), 'utf8')) as ResumeState;
  const file = readSafetensors(readFileSync(join(ck, 'optimizer.safetensors')), { source: join(ck, 'optimizer.safetensors') });
  const t = Number(file.metadata?.t ?? NaN);
  if (!Number.isFinite(t)) throw new Error(`${ck}/optimizer.safetensors has no step count`);
  const m: Float32Array[] = [];
  const v: Float32Array[] = [];
  for (const n of paramNames) {
    const mm = file.tensors[`m.${n}`];
    const vv = file.tensors[`v.${n}`];
    if (!mm || !vv) throw new Error(`${ck}/optimizer.safetensors lacks the state of ${n}`);
    m.push(mm.data as Float32Array);
    v.push(vv.data as Float32Array);
  }
  return { state, optimizer: { t, m, v } };
}
