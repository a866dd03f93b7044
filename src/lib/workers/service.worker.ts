// The SERVICE worker: the language model side of the client/service boundary (see
// ../shared/design.md). It owns the WebGPU device and the BERT model; the page talks to it through
// comlink (ServiceApi in src/lib/app/service-types.ts). Every method returns an Outcome — a value or
// a ServiceError — so a failure arrives as data the page can show, never as a hang.
//
// Besides loading the built-in model from the site (loadModel), it loads a model from files the user
// picked (loadModelFiles: the File objects arrive by structured clone and are read here, tensor by
// tensor; a failed load leaves the previous model in place), and runs a short masked-LM pretraining
// check on a copy of the loaded model (pretrainProbe, see ./pretrain-probe.ts). GPU work is serialized
// (`exclusive`), so a forward pass never runs in the middle of a load or a training step.
//
// The boundary: this worker never sees the user's text. forward() takes only a PrivatizedBatch
// (token ids made by the CLIENT worker, ../boundary/batch.ts); every message it gets goes through
// ServiceInbox first — assertPrivatizedBatch, ids within the loaded model's vocabulary — and is
// recorded in the BoundaryLog, accepted or refused (a refusal by its error, never its contents);
// boundaryLog() hands the log to the page ("what the service saw"). train() takes a whole tuning
// run's data the same way — a PrivatizedTrainingSet (../boundary/training-set.ts), validated,
// logged, never clean — plus the service's hyper-parameters (checked: no model, task or
// mechanism, no free strings), and tunes a copy of the loaded model (../rapt/service-tune.ts);
// controlTraining() stops, pauses and resumes it between steps; with keepState it returns the
// trained method's tensors (safetensors: the service's parameters, not user data) so the page can
// keep the run for the Attack page. The other calls carry the
// model (a folder URL, or the files the user picked) and the location of the public built-in
// datasets; ./service-args.ts checks that they carry nothing else. The tokenizer here only names
// the ids it received and packs the public training texts of the pretraining check.

import * as Comlink from 'comlink';
import { acquireBrowserDevice } from '../gpu/device-browser';
import type { AcquiredDevice } from '../gpu/device';
import { GpuContext } from '../gpu/context';
import { useViteShaderLoader } from '../gpu/shader-source-vite';
import { BertModel } from '../model/bert';
import { parseBertConfig } from '../model/checkpoint/bert-config';
import { assembleBertCheckpoint } from '../model/checkpoint/bert-checkpoint';
import type { BertWeights } from '../model/checkpoint/bert-weights';
import { loadBertFiles } from '../model/checkpoint/load-files';
import { readSafetensors } from '../model/checkpoint/safetensors';
import { BertTokenizer } from '../model/tokenizer';
import { fetchBytes, fetchOptionalText, fetchText, ModelFetchError } from '../app/fetch-progress';
import { fetchProbeTexts, type ProbeTexts } from '../app/probe-texts';
import { fail, ok, toServiceError } from '../app/service-errors';
import type {
  AdapterSummary,
  FileLoadProgress,
  FileProgressCallback,
  ForwardResult,
  LostCallback,
  ModelInfo,
  Outcome,
  PretrainProbeOptions,
  PretrainProbeResult,
  PretrainStepCallback,
  ProgressCallback,
  ServiceApi,
  ServiceError,
  ServiceTuneParams,
  TrainControl,
  TrainEventCallback,
  TrainOptions,
  TrainOutput,
  TrainState
} from '../app/service-types';
import type { PrivatizedTrainingSet } from '../boundary/training-set';
import { MAX_DEV_EVERY } from '../app/service-types';
import { TuneConfigError } from '../rapt/check-config';
import { trainOnSet } from '../rapt/service-tune';
import { savePeftState } from '../peft/state';
import type { PeftMethod } from '../peft/method';
import { checkServiceParams } from '../rapt/service-params';
import { BoundaryError, type PrivatizedBatch } from '../boundary/batch';
import type { BoundaryLogExport } from '../boundary/log';
import { ServiceInbox, type ModelInput } from './boundary-service';
import { runBatchForward } from './batch-forward';
import { probeSettings, ProbeArgumentError, runPretrainProbe } from './pretrain-probe';
import { checkDisplayName, checkProbeOptions, checkUrl } from './service-args';

/** Most sequences one forward pass takes (each line of the page's textarea is one sequence). */
const MAX_SEQUENCES = 16;

/** The one way privatized input enters this worker: validates, logs, unpacks. */
const inbox = new ServiceInbox();

interface Loaded {
  model: BertModel;
  tokenizer: BertTokenizer;
  info: ModelInfo;
}

let acquired: AcquiredDevice | null = null;
let gpu: GpuContext | null = null;
let loaded: Loaded | null = null;
let lostError: ServiceError | null = null;
let onLostCallback: LostCallback | null = null;

function notifyLost(error: ServiceError): void {
  const cb = onLostCallback;
  if (!cb) return;
  // A comlink proxy returns a promise; the page may be gone, so never let this reject unhandled.
  Promise.resolve()
    .then(() => cb(error))
    .catch(() => {});
}

/** Acquire (or re-acquire after a loss) the device, asking for larger buffers when a model needs them. */
async function setupDevice(largestBufferBytes?: number): Promise<GpuContext> {
  useViteShaderLoader();
  const next = await acquireBrowserDevice(largestBufferBytes !== undefined ? { largestBufferBytes } : undefined);
  const ctx = new GpuContext(next);
  acquired = next;
  gpu = ctx;
  lostError = null;
  void next.lost.then((err) => {
    if (gpu !== ctx) return; // a device we replaced on purpose
    lostError = toServiceError(err, 'device-lost');
    if (loaded) {
      // Its buffers went with the device; forget the model so nothing uses them.
      loaded = null;
    }
    console.warn(`[rapt service] ${err.message}`);
    notifyLost(lostError);
  });
  return ctx;
}

function releaseDevice(): void {
  const old = gpu;
  gpu = null;
  acquired = null;
  if (loaded) {
    loaded.model.dispose();
    loaded = null;
  }
  old?.destroy();
}

/** Whether a model whose largest buffer is `largestBufferBytes` needs a new device (none yet, lost, or larger limits). */
function needsNewDevice(largestBufferBytes: number): boolean {
  if (!gpu || lostError) return true;
  const limit = Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize);
  if (largestBufferBytes <= limit) return false;
  const al = acquired!.adapter.limits;
  // Over what the adapter offers: keep this device, and the tensor's own error will say so.
  return largestBufferBytes <= Math.min(al.maxStorageBufferBindingSize, al.maxBufferSize);
}

async function deviceFor(largestBufferBytes: number): Promise<GpuContext> {
  if (gpu && !needsNewDevice(largestBufferBytes)) return gpu;
  if (gpu) releaseDevice(); // lost, or its limits are too small: start over on a fresh device
  return setupDevice(largestBufferBytes);
}

function modelName(url: string): string {
  const parts = new URL(url).pathname.split('/').filter((s) => s.length > 0);
  return decodeURIComponent(parts[parts.length - 1] ?? url);
}

/** Bytes of the largest buffers a model needs: the word embeddings and the MLM logits of a full-length sequence. */
function largestBuffer(weights: BertWeights): number {
  const c = weights.config;
  return 4 * c.vocab_size * Math.max(c.hidden_size, c.max_position_embeddings);
}

/**
 * Upload `weights` and make them the loaded model. The model loaded before stays loaded until the
 * new one is on the GPU, and comes back if the upload fails: when a larger device is needed, its
 * weights are read back first and re-uploaded to the new device on failure. Nothing the user had
 * is lost by a failed load.
 */
async function install(
  weights: BertWeights,
  tokenizer: BertTokenizer,
  describe: (model: BertModel) => ModelInfo
): Promise<ModelInfo> {
  const largest = largestBuffer(weights);
  const previous = loaded;
  const backup = previous && needsNewDevice(largest) ? { weights: await previous.model.toWeights(), previous } : null;
  const restore = async (ctx: GpuContext | null): Promise<void> => {
    if (!backup || loaded || lostError) return;
    try {
      const target = ctx ?? (await setupDevice(largestBuffer(backup.weights)));
      loaded = { ...backup.previous, model: new BertModel(target, backup.weights) };
      await target.sync();
    } catch (again) {
      console.warn(`[rapt service] could not restore ${backup.previous.info.name}: ${(again as Error).message}`);
    }
  };
  let ctx: GpuContext;
  try {
    ctx = await deviceFor(largest); // releases the old device (and the loaded model) when it must
  } catch (e) {
    await restore(null);
    throw e;
  }
  let model: BertModel | null = null;
  try {
    model = new BertModel(ctx, weights);
    await ctx.sync();
  } catch (e) {
    model?.dispose();
    await restore(ctx);
    throw e;
  }
  const info = describe(model);
  const old = loaded;
  loaded = { model, tokenizer, info };
  inbox.setVocabSize(model.config.vocab_size);
  if (old && old.model !== model) old.model.dispose();
  return info;
}

/** One GPU job at a time: a forward pass never interleaves with a load or a training step. */
let queue: Promise<unknown> = Promise.resolve();
function exclusive<T>(job: () => Promise<T>): Promise<T> {
  const run = queue.then(job, job);
  queue = run.catch(() => {});
  return run;
}

/** A callback across the comlink boundary that can neither block nor reject the caller (the page may be gone). */
function detached<A>(cb: ((a: A) => void) | undefined): (a: A) => void {
  return (a) => {
    if (!cb) return;
    Promise.resolve()
      .then(() => cb(a))
      .catch(() => {});
  };
}

/** How loadBertFiles names a picked file in its progress reports and errors. */
function displayPath(f: File): string {
  const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath;
  return rel && rel.length > 0 ? rel : f.name;
}

/**
 * Turns loadBertFiles' running totals into per-file progress: a report for file F at running total
 * L means F holds L minus the bytes of the files finished before it.
 */
function perFileProgress(files: File[], report: (p: FileLoadProgress) => void): (p: { file: string; loaded: number; total: number }) => void {
  const sizes = new Map(files.map((f) => [displayPath(f), f.size]));
  let finished = 0;
  let current: string | null = null;
  let currentStart = 0;
  return (p) => {
    if (p.file !== current) {
      if (current !== null) finished = currentStart + (sizes.get(current) ?? 0);
      current = p.file;
      currentStart = finished;
    }
    const size = sizes.get(p.file) ?? 0;
    report({ stage: 'read', file: p.file, fileLoaded: Math.min(size, Math.max(0, p.loaded - currentStart)), fileSize: size, loaded: p.loaded, total: p.total });
  };
}

async function loadModelFromUrl(url: string, report: ProgressCallback, name?: string): Promise<Outcome<ModelInfo>> {
  const t0 = performance.now();
  try {
    const base = url.endsWith('/') ? url : url + '/';
    const configUrl = new URL('config.json', base).href;
    const weightsUrl = new URL('model.safetensors', base).href;
    const vocabUrl = new URL('vocab.txt', base).href;

    report({ stage: 'config', loaded: 0, total: 1, file: 'config.json' });
    const configText = await fetchText(configUrl);
    const config = parseBertConfig(configText, configUrl);
    report({ stage: 'config', loaded: 1, total: 1, file: 'config.json' });

    const bytes = await fetchBytes(weightsUrl, (p) => report({ stage: 'weights', ...p, file: 'model.safetensors' }));

    report({ stage: 'vocab', loaded: 0, total: 1, file: 'vocab.txt' });
    const vocabTxt = await fetchOptionalText(vocabUrl);
    const tokenizerJson = vocabTxt === null ? await fetchOptionalText(new URL('tokenizer.json', base).href) : null;
    if (vocabTxt === null && tokenizerJson === null)
      throw new ModelFetchError(`${base} has neither vocab.txt nor tokenizer.json (HTTP 404 for both)`, vocabUrl, 404);
    report({ stage: 'vocab', loaded: 1, total: 1, file: vocabTxt !== null ? 'vocab.txt' : 'tokenizer.json' });

    const contents = readSafetensors(bytes, { source: weightsUrl });
    const checkpoint = assembleBertCheckpoint({
      source: base,
      configText,
      configSource: configUrl,
      tensors: contents.tensors,
      weightsSource: weightsUrl,
      metadata: contents.metadata,
      vocabTxt,
      tokenizerJson
    });
    const tokenizer = BertTokenizer.fromHfFiles(
      { vocabTxt, tokenizerJson, config: configText },
      { modelMaxLength: config.max_position_embeddings }
    );

    report({ stage: 'upload', loaded: 0, total: 1 });
    const info = await install(checkpoint.weights, tokenizer, (model) => ({
      url: base,
      origin: 'builtin',
      name: name ?? modelName(base),
      layers: config.num_hidden_layers,
      hidden: config.hidden_size,
      heads: config.num_attention_heads,
      intermediate: config.intermediate_size,
      vocabSize: config.vocab_size,
      maxPositions: config.max_position_embeddings,
      parameterCount: model.parameterCount,
      weightBytes: bytes.byteLength,
      hasPooler: model.hasPooler,
      hasMlmHead: model.hasMlmHead,
      warnings: checkpoint.warnings,
      loadMs: performance.now() - t0
    }));
    report({ stage: 'upload', loaded: 1, total: 1 });
    report({ stage: 'done', loaded: 1, total: 1 });
    return ok(info);
  } catch (e) {
    if (lostError) return fail(lostError);
    return fail(toServiceError(e, 'model'));
  }
}

async function loadModelFromFiles(files: File[], report: FileProgressCallback, name?: string): Promise<Outcome<ModelInfo>> {
  const t0 = performance.now();
  if (!Array.isArray(files) || files.some((f) => !(f instanceof File)))
    return fail({ kind: 'invalid', message: 'loadModelFiles expects an array of File objects' });
  try {
    const checkpoint = await loadBertFiles(files, perFileProgress(files, report));
    const config = checkpoint.config;
    const tokenizer = BertTokenizer.fromHfFiles(
      { vocabTxt: checkpoint.vocabTxt, tokenizerJson: checkpoint.tokenizerJson, config: checkpoint.configText },
      { modelMaxLength: config.max_position_embeddings }
    );
    const total = files.reduce((a, f) => a + f.size, 0);
    report({ stage: 'upload', fileLoaded: 0, fileSize: 0, loaded: total, total });
    const paths = files.map(displayPath);
    const display = name && name.trim().length > 0 ? name.trim() : 'your model';
    const info = await install(checkpoint.weights, tokenizer, (model) => ({
      url: `files:${display}`,
      origin: 'files',
      files: paths,
      name: display,
      layers: config.num_hidden_layers,
      hidden: config.hidden_size,
      heads: config.num_attention_heads,
      intermediate: config.intermediate_size,
      vocabSize: config.vocab_size,
      maxPositions: config.max_position_embeddings,
      parameterCount: model.parameterCount,
      weightBytes: files.filter((f) => f.name.endsWith('.safetensors')).reduce((a, f) => a + f.size, 0),
      hasPooler: model.hasPooler,
      hasMlmHead: model.hasMlmHead,
      warnings: checkpoint.warnings,
      loadMs: performance.now() - t0
    }));
    report({ stage: 'done', fileLoaded: 0, fileSize: 0, loaded: total, total });
    return ok(info);
  } catch (e) {
    if (lostError) return fail(lostError);
    return fail(toServiceError(e, 'model'));
  }
}

async function pretrainProbe(options: PretrainProbeOptions, onStep: PretrainStepCallback): Promise<Outcome<PretrainProbeResult>> {
  const t0 = performance.now();
  if (lostError) return fail(lostError);
  if (!loaded || !gpu) return fail({ kind: 'no-model', message: 'no model is loaded yet: call loadModel first' });
  const { model, tokenizer, info } = loaded;
  const ctx = gpu;
  if (!model.hasMlmHead)
    return fail({
      kind: 'unsupported',
      message:
        `${info.name} has no masked-LM head (its checkpoint holds no cls.predictions.* tensors), so it cannot be ` +
        'trained with the masked-language-model objective. Load a BertForMaskedLM checkpoint (one with ' +
        'cls.predictions.transform.dense, cls.predictions.transform.LayerNorm and cls.predictions.bias) to run this check.'
    });
  if (tokenizer.maskTokenId === null)
    return fail({ kind: 'unsupported', message: `${info.name}'s vocabulary has no [MASK] token, so no position can be masked` });
  const opts: Partial<PretrainProbeOptions> = options ?? {};
  let settings: ReturnType<typeof probeSettings>;
  try {
    settings = probeSettings(opts, model.config.max_position_embeddings);
  } catch (e) {
    return fail({ kind: 'invalid', message: (e as Error).message, name: (e as Error).name });
  }
  let data: ProbeTexts;
  try {
    const dataUrl = opts.dataUrl ?? new URL('/data/', self.location.origin).href;
    data = await fetchProbeTexts(dataUrl, settings.texts, opts.dataset);
  } catch (e) {
    return fail(toServiceError(e, 'data'));
  }
  try {
    const result = await runPretrainProbe(ctx, model, tokenizer, data, settings, onStep);
    return ok({ ...result, ms: performance.now() - t0 });
  } catch (e) {
    if (lostError || ctx.lost) return fail(lostError ?? toServiceError(ctx.lost));
    if (e instanceof ProbeArgumentError) return fail({ kind: 'invalid', message: e.message, name: e.name });
    return fail(toServiceError(e));
  }
}

/** A failure of a call's arguments (not a batch): kind 'invalid', naming the argument. */
function invalid<T>(e: unknown): Outcome<T> {
  const err = e as Error;
  return fail({ kind: 'invalid', message: err?.message ?? String(e), name: err?.name });
}

/**
 * The boundary: validate and log `message` (ServiceInbox). Returns the model input, or the
 * refusal as a ServiceError of kind 'boundary' (already in the log).
 */
function admit(message: unknown): { input: ModelInput } | { error: ServiceError } {
  try {
    return { input: inbox.receive(message) };
  } catch (e) {
    if (e instanceof BoundaryError) return { error: { kind: 'boundary', message: e.message, name: e.name } };
    return { error: toServiceError(e) };
  }
}

async function forward(message: unknown): Promise<Outcome<ForwardResult>> {
  const t0 = performance.now();
  // Every message is checked and logged first, whatever state the model is in: the log is what crossed.
  const admitted = admit(message);
  if ('error' in admitted) return fail(admitted.error);
  const input = admitted.input;
  if (lostError) return fail(lostError);
  if (!loaded || !gpu) return fail({ kind: 'no-model', message: 'no model is loaded yet: call loadModel first' });
  const [B, T] = input.shape;
  if (B > MAX_SEQUENCES) return fail({ kind: 'invalid', message: `forward takes at most ${MAX_SEQUENCES} sequences at once, got ${B}` });
  const { model, tokenizer } = loaded;
  const maxT = model.config.max_position_embeddings;
  if (T > maxT)
    return fail({ kind: 'invalid', message: `the batch's sequences are ${T} tokens long; ${loaded.info.name} takes at most ${maxT} (max_position_embeddings)` });
  const ctx = gpu;
  const t1 = performance.now();
  try {
    const out = await runBatchForward(ctx, model, tokenizer, input);
    const result: ForwardResult = {
      ...out,
      mechanism: input.mechanism,
      seeded: input.seeded,
      logSeq: input.entry.seq,
      ms: 0,
      timings: { boundaryMs: t1 - t0, ...out.timings }
    };
    result.ms = performance.now() - t0;
    return ok(result);
  } catch (e) {
    if (lostError || ctx.lost) return fail(lostError ?? toServiceError(ctx.lost));
    return fail(toServiceError(e));
  }
}

/** The running train() call, for controlTraining(). */
let training: { stop: boolean; paused: boolean; resume: (() => void) | null; step: number; steps: number } | null = null;

async function train(message: unknown, params: unknown, report: TrainEventCallback, options: TrainOptions | undefined): Promise<Outcome<TrainOutput>> {
  const t0 = performance.now();
  // The boundary first, whatever state the model is in: the log is what crossed.
  let set: PrivatizedTrainingSet;
  let seq: number;
  try {
    const received = inbox.receiveTrainingSet(message);
    set = received.set;
    seq = received.entry.seq;
  } catch (e) {
    if (e instanceof BoundaryError) return fail({ kind: 'boundary', message: e.message, name: e.name });
    return fail(toServiceError(e));
  }
  if (lostError) return fail(lostError);
  if (!loaded || !gpu) return fail({ kind: 'no-model', message: 'no model is loaded yet: call loadModel first' });
  let p: ServiceTuneParams;
  let readEvery = 10;
  let devEvery = 0;
  let keepState = false;
  try {
    p = checkServiceParams(params, set.plainTokens);
    if (options !== undefined) {
      if (typeof options !== 'object' || options === null || Object.keys(options).some((k) => k !== 'readEvery' && k !== 'devEvery' && k !== 'keepState'))
        throw new TuneConfigError('train options must be { readEvery?, devEvery?, keepState? }');
      if (options.keepState !== undefined) {
        if (typeof options.keepState !== 'boolean') throw new TuneConfigError(`keepState must be true or false, got ${String(options.keepState)}`);
        keepState = options.keepState;
      }
      if (options.readEvery !== undefined) {
        if (!Number.isInteger(options.readEvery) || options.readEvery < 1 || options.readEvery > 100)
          throw new TuneConfigError(`readEvery must be a whole number in [1, 100], got ${String(options.readEvery)}`);
        readEvery = options.readEvery;
      }
      if (options.devEvery !== undefined) {
        if (!Number.isInteger(options.devEvery) || options.devEvery < 0 || options.devEvery > MAX_DEV_EVERY)
          throw new TuneConfigError(`devEvery must be a whole number in [0, ${MAX_DEV_EVERY}] (0: no dev scores during training), got ${String(options.devEvery)}`);
        devEvery = options.devEvery;
      }
    }
  } catch (e) {
    return invalid(e);
  }
  const { model, tokenizer, info } = loaded;
  if (tokenizer.maskTokenId === null) return fail({ kind: 'unsupported', message: `${info.name}'s vocabulary has no [MASK] token` });
  if (p.head === 'verbalizer' && !set.verbalizer)
    return fail({ kind: 'invalid', message: 'the verbalizer head needs the template and label-word ids in the training set' });
  if (p.head === 'verbalizer' && !model.hasMlmHead)
    return fail({ kind: 'unsupported', message: `${info.name} has no masked-LM head, so the verbalizer head cannot read label words: use the mean or [CLS] head` });
  const ctx = gpu;
  const state = { stop: false, paused: false, resume: null as (() => void) | null, step: 0, steps: p.steps };
  training = state;
  let trainedState: Uint8Array<ArrayBuffer> | null = null;
  try {
    // A copy of the weights: training never changes the loaded model (full fine-tuning would).
    const weights = await model.toWeights();
    const out = await trainOnSet(
      set,
      p,
      { gpu: ctx, weights, special: { cls: tokenizer.clsTokenId, sep: tokenizer.sepTokenId, pad: tokenizer.padTokenId, mask: tokenizer.maskTokenId } },
      {
        readEvery,
        devEvery,
        onDev: (point) => report({ phase: 'dev', ...point }),
        onStep: (progress) => {
          state.step = progress.step;
          report({ phase: 'training', ...progress });
        },
        shouldStop: () => state.stop,
        isPaused: () => state.paused,
        waitWhilePaused: () =>
          new Promise<void>((resolve) => {
            if (!state.paused || state.stop) return resolve();
            report({ phase: 'paused', step: state.step, steps: state.steps });
            state.resume = () => {
              state.resume = null;
              report({ phase: 'resumed', step: state.step, steps: state.steps });
              resolve();
            };
          }),
        onEvaluate: () => report({ phase: 'evaluating', step: state.step, steps: state.steps }),
        // the trained tensors, read back before evaluation (the method is disposed after it)
        ...(keepState ? { onTrained: async (method: PeftMethod) => void (trainedState = await savePeftState(method, { model: info.name })) } : {})
      }
    );
    return ok({ ...out, ...(trainedState ? { state: trainedState } : {}), logSeq: seq, ms: performance.now() - t0 });
  } catch (e) {
    if (lostError || ctx.lost) return fail(lostError ?? toServiceError(ctx.lost));
    if (e instanceof TuneConfigError) return invalid(e);
    return fail(toServiceError(e));
  } finally {
    training = null;
  }
}

function controlTraining(action: TrainControl): Outcome<TrainState> {
  if (action !== 'stop' && action !== 'pause' && action !== 'resume')
    return fail({ kind: 'invalid', message: 'controlTraining takes "stop", "pause" or "resume"' });
  const t = training;
  if (!t) return ok('idle');
  if (action === 'stop') {
    t.stop = true;
    t.paused = false;
    t.resume?.();
    return ok('stopping');
  }
  if (action === 'pause') {
    if (!t.stop) t.paused = true;
    return ok(t.stop ? 'stopping' : 'paused');
  }
  t.paused = false;
  t.resume?.();
  return ok(t.stop ? 'stopping' : 'training');
}

const api: ServiceApi = {
  async init(onLost?: LostCallback): Promise<Outcome<AdapterSummary>> {
    if (onLost) onLostCallback = onLost;
    try {
      const ctx = gpu && !lostError ? gpu : await deviceFor(0);
      return ok(ctx.summary);
    } catch (e) {
      return fail(toServiceError(e));
    }
  },

  loadModel(url: string, onProgress?: ProgressCallback, name?: string): Promise<Outcome<ModelInfo>> {
    let folder: string;
    try {
      folder = checkUrl(url, 'loadModel: url', self.location.href).href;
      checkDisplayName(name, 'loadModel: name');
    } catch (e) {
      return Promise.resolve(invalid(e));
    }
    return exclusive(() => loadModelFromUrl(folder, detached(onProgress), name));
  },

  loadModelFiles(files: File[], onProgress?: FileProgressCallback, name?: string): Promise<Outcome<ModelInfo>> {
    try {
      checkDisplayName(name, 'loadModelFiles: name');
    } catch (e) {
      return Promise.resolve(invalid(e));
    }
    return exclusive(() => loadModelFromFiles(files, detached(onProgress), name));
  },

  pretrainProbe(options: PretrainProbeOptions, onStep?: PretrainStepCallback): Promise<Outcome<PretrainProbeResult>> {
    let checked: PretrainProbeOptions;
    try {
      checked = checkProbeOptions(options, self.location.origin) as PretrainProbeOptions;
    } catch (e) {
      return Promise.resolve(invalid(e));
    }
    return exclusive(() => pretrainProbe(checked, detached(onStep)));
  },

  forward(batch: PrivatizedBatch): Promise<Outcome<ForwardResult>> {
    // Typed as a PrivatizedBatch for the page; checked as the unknown it is (it came by postMessage).
    const message: unknown = batch;
    return exclusive(() => forward(message));
  },

  train(set: PrivatizedTrainingSet, params: ServiceTuneParams, onEvent?: TrainEventCallback, options?: TrainOptions): Promise<Outcome<TrainOutput>> {
    // Typed for the page; checked as the unknowns they are (they came by postMessage).
    const message: unknown = set;
    const args: unknown = params;
    return exclusive(() => train(message, args, detached(onEvent), options));
  },

  async controlTraining(action: TrainControl): Promise<Outcome<TrainState>> {
    // Not exclusive: it must reach a run that holds the GPU queue.
    return controlTraining(action);
  },

  async boundaryLog(): Promise<BoundaryLogExport> {
    return inbox.log.toJSON();
  },

  async simulateDeviceLoss(): Promise<void> {
    // destroy() resolves device.lost with reason "destroyed": the same path a driver reset takes.
    gpu?.device.destroy();
  }
};

Comlink.expose(api);
