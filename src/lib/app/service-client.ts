// Page side of the service worker: starts it, wraps it with comlink, and makes sure a worker that
// crashes (fails to load, throws at top level) turns pending calls into errors instead of hangs.
// Browser only: call from onMount / $effect, never at import time.

import * as Comlink from 'comlink';
import type { PrivatizedBatch } from '../boundary/batch';
import type { BoundaryLogExport } from '../boundary/log';
import type { PrivatizedTrainingSet } from '../boundary/training-set';
import type {
  AdapterSummary,
  FileLoadProgress,
  ForwardResult,
  LoadProgress,
  ModelInfo,
  Outcome,
  PretrainProbeOptions,
  PretrainProbeResult,
  PretrainProbeStep,
  ServiceApi,
  ServiceError,
  ServiceTuneParams,
  TrainControl,
  TrainEvent,
  TrainOptions,
  TrainOutput,
  TrainState
} from './service-types';

export interface ServiceClient {
  init(onLost: (e: ServiceError) => void): Promise<Outcome<AdapterSummary>>;
  loadModel(url: string, onProgress: (p: LoadProgress) => void, name?: string): Promise<Outcome<ModelInfo>>;
  /** Files go to the worker by structured clone (a File is a handle: its bytes are read there). */
  loadModelFiles(files: File[], onProgress: (p: FileLoadProgress) => void, name?: string): Promise<Outcome<ModelInfo>>;
  pretrainProbe(options: PretrainProbeOptions, onStep: (s: PretrainProbeStep) => void): Promise<Outcome<PretrainProbeResult>>;
  /** A PrivatizedBatch from the client worker (token ids only); anything else is refused, and logged as refused. */
  forward(batch: PrivatizedBatch): Promise<Outcome<ForwardResult>>;
  /** A PrivatizedTrainingSet from the client worker, and the service's hyper-parameters. */
  train(set: PrivatizedTrainingSet, params: ServiceTuneParams, onEvent: (e: TrainEvent) => void, options?: TrainOptions): Promise<Outcome<TrainOutput>>;
  controlTraining(action: TrainControl): Promise<Outcome<TrainState>>;
  /** What the service saw: its BoundaryLog. */
  boundaryLog(): Promise<Outcome<BoundaryLogExport>>;
  simulateDeviceLoss(): Promise<void>;
  terminate(): void;
}

export function startServiceWorker(): ServiceClient {
  const worker = new Worker(new URL('$lib/workers/service.worker.ts', import.meta.url), {
    type: 'module',
    name: 'rapt-service'
  });
  const remote = Comlink.wrap<ServiceApi>(worker);
  let crashed: ServiceError | null = null;
  let rejectCrash: (e: ServiceError) => void = () => {};
  const crash = new Promise<never>((_, reject) => {
    rejectCrash = reject;
  });
  crash.catch(() => {});
  const onError = (ev: ErrorEvent | MessageEvent): void => {
    const detail = ev instanceof ErrorEvent ? ev.message || 'the script failed to load' : 'a message could not be decoded';
    crashed = { kind: 'internal', message: `the service worker stopped: ${detail}` };
    rejectCrash(crashed);
  };
  worker.addEventListener('error', onError);
  worker.addEventListener('messageerror', onError);

  async function call<T>(fn: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
    if (crashed) return { ok: false, error: crashed };
    try {
      return await Promise.race([fn(), crash]);
    } catch (e) {
      if (crashed) return { ok: false, error: crashed };
      return { ok: false, error: { kind: 'internal', message: (e as Error)?.message ?? String(e) } };
    }
  }

  return {
    init: (onLost) => call(() => remote.init(Comlink.proxy(onLost))),
    loadModel: (url, onProgress, name) => call(() => remote.loadModel(url, Comlink.proxy(onProgress), name)),
    loadModelFiles: (files, onProgress, name) => call(() => remote.loadModelFiles(files, Comlink.proxy(onProgress), name)),
    pretrainProbe: (options, onStep) => call(() => remote.pretrainProbe(options, Comlink.proxy(onStep))),
    forward: (batch) => call(() => remote.forward(batch)),
    train: (set, params, onEvent, options) => call(() => remote.train(set, params, Comlink.proxy(onEvent), options)),
    controlTraining: (action) => call(() => remote.controlTraining(action)),
    boundaryLog: () => call(async () => ({ ok: true, value: await remote.boundaryLog() })),
    simulateDeviceLoss: () => remote.simulateDeviceLoss(),
    terminate: () => {
      remote[Comlink.releaseProxy]();
      worker.terminate();
    }
  };
}

/** navigator.gpu, checked at call time (no GPU* globals at import). */
export function hasWebGPU(): boolean {
  return typeof navigator !== 'undefined' && 'gpu' in navigator && (navigator as { gpu?: unknown }).gpu != null;
}
