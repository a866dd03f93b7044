// The service worker's API as the page sees it (src/lib/workers/service.worker.ts implements it,
// src/lib/app/service-client.ts wraps it with comlink). Plain data only: everything here crosses
// postMessage by structured clone. No GPU types, so the page can import it before WebGPU exists.
//
// The service is the language model's side of the client/service boundary (../shared/design.md):
// nothing computed from the user's text reaches it except a PrivatizedBatch (token ids only, made
// by the client worker), and every batch it receives is logged in its BoundaryLog.

import type { AdapterSummary } from '../gpu/device';
import type { BatchMechanism, PrivatizedBatch } from '../boundary/batch';
import type { BoundaryLogExport } from '../boundary/log';
import type { PrivatizedTrainingSet } from '../boundary/training-set';
import type { DevPoint, ServiceTuneOutput, TuneProgress } from '../rapt/service-tune';
import type { ServiceTuneParams } from '../rapt/service-params';

export type { DevPoint, ServiceTuneParams, TuneProgress };

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
  /** the loaded model cannot do what was asked (e.g. pretraining a checkpoint without an MLM head) */
  | 'unsupported'
  /** the built-in training texts could not be fetched or read */
  | 'data'
  /** the arguments of a call are out of range: the message names the argument and its limits */
  | 'invalid'
  /** a message the boundary refused: not a well-formed PrivatizedBatch (e.g. it carried text); the refusal is logged */
  | 'boundary'
  /** anything else (a bug): the message says what */
  | 'internal';

export interface ServiceError {
  kind: ServiceErrorKind;
  message: string;
  /** the error class name, when there was one (e.g. SafetensorsError) */
  name?: string;
  /** the file the problem is about, when the error says (a missing or faulty model file) */
  file?: string;
  /** the tensor the problem is about, when the error says */
  tensor?: string;
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
  /** where it was loaded from: the folder URL, or "files:" + the folder name for user-picked files */
  url: string;
  /** 'builtin' for a folder fetched from the site, 'files' for files the user picked */
  origin: 'builtin' | 'files';
  /** the files that made the model, as picked (relative paths for a folder pick); only for 'files' */
  files?: string[];
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

/** What the service computed for one PrivatizedBatch. Token strings are the service vocabulary's names for the ids it received. */
export interface ForwardResult {
  /** the received (privatized) ids of each sequence as the service's vocabulary names them, without padding */
  tokens: string[][];
  /** the received ids of each sequence, without padding */
  input_ids: number[][];
  /** ‖last_hidden_state[b, t]‖₂ for each unpadded position */
  hidden_norms: number[][];
  /** pooler_output [B][C], or null when the checkpoint has no pooler */
  pooler_output: number[][] | null;
  /** mlm_top5[b][t] = five candidates, best first; null when the checkpoint has no MLM head */
  mlm_top5: MlmCandidate[][][] | null;
  /** padded batch shape [B, T] that ran on the GPU */
  shape: [number, number];
  /** the mechanism the batch says made it (never a seed), and whether a fixed seed was used (NOT PRIVATE) */
  mechanism: BatchMechanism;
  seeded: boolean;
  /** the BoundaryLog entry this batch made (BoundaryLogEntry.seq) */
  logSeq: number;
  /** wall-clock milliseconds for the whole call (boundary check + GPU forward + readback) */
  ms: number;
  timings: { boundaryMs: number; gpuMs: number; readbackMs: number };
}

export type LostCallback = (error: ServiceError) => void;
export type ProgressCallback = (p: LoadProgress) => void;

/** Progress of loadModelFiles: which picked file is being read, and how far. */
export interface FileLoadProgress {
  /** 'read' while the files are read and checked, 'upload' while the weights go to the GPU */
  stage: 'read' | 'upload' | 'done';
  /** the file being read (its relative path for a folder pick); absent for 'upload' and 'done' */
  file?: string;
  /** bytes of `file` read so far, and its size */
  fileLoaded: number;
  fileSize: number;
  /** bytes read so far over all the files the loader reads, and their total */
  loaded: number;
  total: number;
}
export type FileProgressCallback = (p: FileLoadProgress) => void;

/** A short masked-LM pretraining run on a copy of the loaded model (the loaded model is not changed). */
export interface PretrainProbeOptions {
  /** optimisation steps, 1..MAX_PROBE_STEPS */
  steps: number;
  /** sequences per batch, 1..64 */
  batchSize: number;
  /** tokens per sequence including [CLS] and [SEP], 8..the model's max_position_embeddings */
  seqLen: number;
  /** peak learning rate (default 1e-4, no warm-up, linear decay as in `rapt pretrain`) */
  lr?: number;
  /** how many training texts to read from the built-in dataset (default 300) */
  texts?: number;
  /** the site's data folder URL (static/data/), resolved by the page; the worker cannot know the base path */
  dataUrl?: string;
  /** which built-in dataset to read (default: sotu-party when present, else the first) */
  dataset?: string;
  /** masking and batch order seed (default 1) */
  seed?: number;
}

export interface PretrainProbeStep {
  /** 1-based */
  step: number;
  /** mean cross-entropy over the masked positions of this step's batch, read back after the step */
  loss: number;
  /** wall-clock milliseconds of the step, including the loss readback */
  ms: number;
  lr: number;
  /** non-padding tokens in the batch */
  tokens: number;
}
export type PretrainStepCallback = (s: PretrainProbeStep) => void;

export interface PretrainProbeResult {
  losses: number[];
  /** non-padding tokens processed per second over all the steps */
  tokensPerSecond: number;
  steps: PretrainProbeStep[];
  batchSize: number;
  seqLen: number;
  /** the built-in dataset and file the texts came from, how many texts, and the packed sequences */
  dataset: string;
  file: string;
  texts: number;
  sequences: number;
  /** pool buffers in use before the run and after everything was disposed (equal when nothing leaked) */
  liveBuffers: { before: number; after: number };
  /** wall-clock milliseconds of the whole call (texts, copy of the weights, steps, clean-up) */
  ms: number;
}

/** Progress of a training run: losses since the last report, a dev score (TrainOptions.devEvery), or a change of phase. */
export type TrainEvent =
  | ({ phase: 'training' } & TuneProgress)
  | ({ phase: 'dev' } & DevPoint)
  | { phase: 'paused' | 'resumed' | 'evaluating'; step: number; steps: number };
export type TrainEventCallback = (e: TrainEvent) => void;

export interface TrainOptions {
  /** steps between loss readbacks (1..100, default 10): smaller gives a smoother live chart, each readback waits for the GPU */
  readEvery?: number;
  /**
   * score the privatized dev split every this many steps and at the last (0..MAX_DEV_EVERY, default
   * 0 = never), reported as 'dev' events for a live curve; it does not change training
   */
  devEvery?: number;
  /**
   * return the trained method's tensors (`state`, safetensors bytes as peft/state.ts writes them,
   * taken when training ends, before evaluation): the Train page keeps them so the Attack page can
   * attack the tuned model. They are the service's parameters, not the user's data.
   */
  keepState?: boolean;
}

/** What train() returns: the service's half of a TuneResult, and the BoundaryLog entry of the set. */
export interface TrainOutput extends ServiceTuneOutput {
  /** the trained method's tensors as safetensors bytes (only with TrainOptions.keepState) */
  state?: Uint8Array<ArrayBuffer>;
  logSeq: number;
  /** wall-clock milliseconds of the whole call (boundary check, weights copy, training, evaluation) */
  ms: number;
}

export type TrainControl = 'stop' | 'pause' | 'resume';
export type TrainState = 'idle' | 'training' | 'paused' | 'stopping';

/** The largest TrainOptions.devEvery (a run longer than that still gets its last step scored). */
export const MAX_DEV_EVERY = 100_000;

/** The most steps one pretraining check may run (it is a check, not a training run: use `rapt pretrain`). */
export const MAX_PROBE_STEPS = 50;

/** The methods the service worker exposes (comlink turns each return value into a Promise). */
export interface ServiceApi {
  /** Acquire the WebGPU device inside the worker. `onLost` is called (once) if the device goes away later. */
  init(onLost?: LostCallback): Promise<Outcome<AdapterSummary>>;
  /** Fetch config.json, model.safetensors and vocab.txt from the folder `url` and upload the weights. */
  loadModel(url: string, onProgress?: ProgressCallback, name?: string): Promise<Outcome<ModelInfo>>;
  /**
   * Load a model from user-picked files (a folder or several files; File objects cross by structured
   * clone): config.json, model.safetensors (or an index and its shards), vocab.txt or tokenizer.json.
   * On any error the previously loaded model stays loaded and working. `name` is the display name
   * (the folder's name for a folder pick).
   */
  loadModelFiles(files: File[], onProgress?: FileProgressCallback, name?: string): Promise<Outcome<ModelInfo>>;
  /**
   * Run `steps` masked-LM training steps (the same MlmTrainer as `rapt pretrain`) on a separate copy
   * of the loaded model's weights, on texts from a built-in dataset; report each step's loss; then
   * dispose the copy and its optimizer state. The loaded model is not changed.
   */
  pretrainProbe(options: PretrainProbeOptions, onStep?: PretrainStepCallback): Promise<Outcome<PretrainProbeResult>>;
  /**
   * Run the encoder on a PrivatizedBatch (token ids only; made by the client worker) and read back
   * what the page shows. The batch is checked first (assertPrivatizedBatch, ids within the loaded
   * model's vocabulary) and logged, accepted or refused; anything else — a string, an object with
   * a text field, strings among the ids — fails with kind 'boundary' and is logged as a refusal.
   */
  forward(batch: PrivatizedBatch): Promise<Outcome<ForwardResult>>;
  /**
   * Tune a PEFT method (and RAPT's reconstruction head) on a copy of the loaded model with a
   * PrivatizedTrainingSet made by the client worker, then score dev and test. The set is checked
   * first (assertPrivatizedTrainingSet, ids within the vocabulary, privatized only) and logged,
   * accepted or refused; `params` hold only the service's hyper-parameters (no model, task or
   * mechanism). Progress arrives through `onEvent`; controlTraining stops, pauses and resumes.
   */
  train(set: PrivatizedTrainingSet, params: ServiceTuneParams, onEvent?: TrainEventCallback, options?: TrainOptions): Promise<Outcome<TrainOutput>>;
  /** Stop (after the current step; the run is then scored), pause or resume the running train(). */
  controlTraining(action: TrainControl): Promise<Outcome<TrainState>>;
  /** The BoundaryLog: every message forward() received, as the service saw it ("what the service saw"). */
  boundaryLog(): Promise<BoundaryLogExport>;
  /** Debug only: destroy the device to exercise the device-lost path. */
  simulateDeviceLoss(): Promise<void>;
}
