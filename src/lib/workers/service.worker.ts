// The SERVICE worker: the language model side of the client/service boundary (see
// ../shared/design.md). It owns the WebGPU device and the BERT model; the page talks to it through
// comlink (ServiceApi in src/lib/app/service-types.ts). Every method returns an Outcome — a value or
// a ServiceError — so a failure arrives as data the page can show, never as a hang.
//
// For now the texts are tokenized here; a later issue moves raw text to a separate client worker
// that privatizes it first, and this worker will only ever see token ids.

import * as Comlink from 'comlink';
import { acquireBrowserDevice } from '../gpu/device-browser';
import type { AcquiredDevice } from '../gpu/device';
import { GpuContext } from '../gpu/context';
import { useViteShaderLoader } from '../gpu/shader-source-vite';
import { tensorFrom, tidy, type Tensor } from '../engine';
import { BertModel } from '../model/bert';
import { parseBertConfig } from '../model/checkpoint/bert-config';
import { assembleBertCheckpoint } from '../model/checkpoint/bert-checkpoint';
import { readSafetensors } from '../model/checkpoint/safetensors';
import { BertTokenizer } from '../model/tokenizer';
import { fetchBytes, fetchOptionalText, fetchText, ModelFetchError } from '../app/fetch-progress';
import { hiddenNorms, mlmTopK, toRows, unpaddedLength } from '../app/forward-format';
import { fail, ok, toServiceError } from '../app/service-errors';
import type {
  AdapterSummary,
  ForwardResult,
  LostCallback,
  ModelInfo,
  Outcome,
  ProgressCallback,
  ServiceApi,
  ServiceError
} from '../app/service-types';

/** Longest batch the page may send at once (each line of the textarea is one sequence). */
const MAX_TEXTS = 16;

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

async function deviceFor(largestBufferBytes: number): Promise<GpuContext> {
  if (gpu && !lostError) {
    const limit = Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize);
    if (largestBufferBytes <= limit) return gpu;
    const al = acquired!.adapter.limits;
    if (largestBufferBytes > Math.min(al.maxStorageBufferBindingSize, al.maxBufferSize)) return gpu; // the tensor's own error will say so
    releaseDevice();
  } else if (gpu) {
    // Lost: start over on a fresh device.
    releaseDevice();
  }
  return setupDevice(largestBufferBytes);
}

function modelName(url: string): string {
  const parts = new URL(url).pathname.split('/').filter((s) => s.length > 0);
  return decodeURIComponent(parts[parts.length - 1] ?? url);
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

  async loadModel(url: string, onProgress?: ProgressCallback, name?: string): Promise<Outcome<ModelInfo>> {
    const t0 = performance.now();
    const report: ProgressCallback = (p) => {
      if (!onProgress) return;
      Promise.resolve()
        .then(() => onProgress(p))
        .catch(() => {});
    };
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
      // The largest buffers: the word embeddings and the MLM logits of a full-length sequence.
      const largest = 4 * config.vocab_size * Math.max(config.hidden_size, config.max_position_embeddings);
      const ctx = await deviceFor(largest);
      if (loaded) {
        loaded.model.dispose();
        loaded = null;
      }
      const model = new BertModel(ctx, checkpoint.weights);
      await ctx.sync();
      report({ stage: 'upload', loaded: 1, total: 1 });

      const info: ModelInfo = {
        url: base,
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
      };
      loaded = { model, tokenizer, info };
      report({ stage: 'done', loaded: 1, total: 1 });
      return ok(info);
    } catch (e) {
      if (lostError) return fail(lostError);
      return fail(toServiceError(e, 'model'));
    }
  },

  async forward(texts: string[]): Promise<Outcome<ForwardResult>> {
    if (lostError) return fail(lostError);
    if (!loaded || !gpu) return fail({ kind: 'no-model', message: 'no model is loaded yet: call loadModel first' });
    if (!Array.isArray(texts) || texts.length === 0 || texts.some((t) => typeof t !== 'string'))
      return fail({ kind: 'internal', message: 'forward expects a non-empty array of strings' });
    if (texts.length > MAX_TEXTS)
      return fail({ kind: 'internal', message: `forward takes at most ${MAX_TEXTS} texts at once, got ${texts.length}` });
    const { model, tokenizer } = loaded;
    const ctx = gpu;
    const t0 = performance.now();
    try {
      const maxLength = model.config.max_position_embeddings;
      const enc = tokenizer.encodeBatch(texts, { padding: 'longest', truncation: true, maxLength });
      const B = enc.input_ids.length;
      const T = enc.input_ids[0].length;
      const C = model.config.hidden_size;
      const lengths = enc.attention_mask.map(unpaddedLength);
      const ids = Int32Array.from(enc.input_ids.flat());
      const types = Int32Array.from(enc.token_type_ids.flat());
      const t1 = performance.now();

      const out = tidy(() => {
        const inputIds = tensorFrom(ctx, ids, [B, T], 'input_ids');
        const tokenTypeIds = tensorFrom(ctx, types, [B, T], 'token_type_ids');
        const { hidden } = model.forward({ inputIds, tokenTypeIds, attentionMask: enc.attention_mask });
        const pooled = model.hasPooler ? model.pool(hidden) : null;
        const logits = model.hasMlmHead ? model.mlmLogits(hidden) : null;
        return { hidden, pooled, logits };
      });
      const owned: Tensor[] = [out.hidden, out.pooled, out.logits].filter((t): t is Tensor => t !== null);
      let hiddenData: Float32Array;
      let pooledData: Float32Array | null = null;
      let logitsData: Float32Array | null = null;
      let t2: number;
      try {
        await ctx.sync();
        t2 = performance.now();
        hiddenData = await out.hidden.readF32();
        if (out.pooled) pooledData = await out.pooled.readF32();
        if (out.logits) logitsData = await out.logits.readF32();
      } finally {
        for (const t of owned) t.dispose();
      }
      const t3 = performance.now();

      const V = out.logits ? out.logits.dim(-1) : 0;
      const idToToken = (id: number): string => tokenizer.idToToken(id) ?? `[${id}]`;
      const result: ForwardResult = {
        tokens: enc.input_ids.map((row, b) => row.slice(0, lengths[b]).map(idToToken)),
        input_ids: enc.input_ids.map((row, b) => row.slice(0, lengths[b])),
        hidden_norms: hiddenNorms(hiddenData, B, T, C, lengths),
        pooler_output: pooledData ? toRows(pooledData, B, C) : null,
        mlm_top5: logitsData ? mlmTopK(logitsData, B, T, V, lengths, idToToken, 5) : null,
        shape: [B, T],
        ms: 0,
        timings: { tokenizeMs: t1 - t0, gpuMs: t2 - t1, readbackMs: t3 - t2 }
      };
      result.ms = performance.now() - t0;
      return ok(result);
    } catch (e) {
      if (lostError || ctx.lost) return fail(lostError ?? toServiceError(ctx.lost));
      return fail(toServiceError(e));
    }
  },

  async simulateDeviceLoss(): Promise<void> {
    // destroy() resolves device.lost with reason "destroyed": the same path a driver reset takes.
    gpu?.device.destroy();
  }
};

Comlink.expose(api);
