// The service worker's API as the page sees it (src/lib/workers/service.worker.ts implements it,
// src/lib/app/service-client.ts wraps it with comlink). Plain data only: everything here crosses
// postMessage by structured clone. No GPU types, so the page can import it before WebGPU exists.

import type { AdapterSummary } from '../gpu/device';

export type { AdapterSummary };

/** Why the service cannot (or can no longer) run. */
export type ServiceErrorKind =
  /** navigator.gpu is missing (browser without WebGPU, or WebGPU switched off) */
  | 'no-webgpu'
  /** navigator.gpu exists but no adapter or device was offered (blocklist, --disable-gpu, no fallback) */
  | 'no-adapter'
  /** the device went away (driver reset, GPU removed, destroyed); reload the model to continue */
  | 'device-lost'
  /** the model files could not be fetched or are not a valid BERT folder */
  | 'model'
  /** a call that needs a model came before loadModel finished */
  | 'no-model'
  /** anything else (a bug): the message says what */
  | 'internal';

export interface ServiceError {
  kind: ServiceErrorKind;
  message: string;
  /** the error class name, when there was one (e.g. SafetensorsError) */
  name?: string;
}

/** A call either succeeds with a value or fails with a ServiceError; it never throws across the boundary. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ServiceError };

export type LoadStage = 'config' | 'weights' | 'vocab' | 'upload' | 'done';

export interface LoadProgress {
  stage: LoadStage;
  /** bytes (weights) or steps done; for other stages 0 or 1 */
  loaded: number;
  /** total bytes, or 0 when the server did not say (no Content-Length) */
  total: number;
  /** the file being read, when there is one */
  file?: string;
}

export interface ModelInfo {
  /** where it was loaded from (the folder URL) */
  url: string;
  /** a display name: the folder's last path segment unless the page passes one */
  name: string;
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  vocabSize: number;
  maxPositions: number;
  parameterCount: number;
  /** model.safetensors size in bytes */
  weightBytes: number;
  hasPooler: boolean;
  hasMlmHead: boolean;
  /** notes from the checkpoint loader (unexpected tensors, untied decoder…) */
  warnings: string[];
  loadMs: number;
}

/** [token id, token, logit] */
export type MlmCandidate = [number, string, number];

export interface ForwardResult {
  /** tokens of each text, without padding */
  tokens: string[][];
  /** ids of each text, without padding */
  input_ids: number[][];
  /** ‖last_hidden_state[b, t]‖₂ for each unpadded position */
  hidden_norms: number[][];
  /** pooler_output [B][C], or null when the checkpoint has no pooler */
  pooler_output: number[][] | null;
  /** mlm_top5[b][t] = five candidates, best first; null when the checkpoint has no MLM head */
  mlm_top5: MlmCandidate[][][] | null;
  /** padded batch shape [B, T] that ran on the GPU */
  shape: [number, number];
  /** wall-clock milliseconds for the whole call (tokenize + GPU forward + readback) */
  ms: number;
  timings: { tokenizeMs: number; gpuMs: number; readbackMs: number };
}

export type LostCallback = (error: ServiceError) => void;
export type ProgressCallback = (p: LoadProgress) => void;

/** The methods the service worker exposes (comlink turns each return value into a Promise). */
export interface ServiceApi {
  /** Acquire the WebGPU device inside the worker. `onLost` is called (once) if the device goes away later. */
  init(onLost?: LostCallback): Promise<Outcome<AdapterSummary>>;
  /** Fetch config.json, model.safetensors and vocab.txt from the folder `url` and upload the weights. */
  loadModel(url: string, onProgress?: ProgressCallback, name?: string): Promise<Outcome<ModelInfo>>;
  /** Tokenize `texts` (one sequence each), run the encoder, and read back what the page shows. */
  forward(texts: string[]): Promise<Outcome<ForwardResult>>;
  /** Debug only: destroy the device to exercise the device-lost path. */
  simulateDeviceLoss(): Promise<void>;
}
