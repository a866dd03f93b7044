// The CLIENT worker: the one place in the browser that holds the user's raw text (see
// ../shared/design.md, "The boundary"). It loads only what privatization needs — the vocabulary
// and the word embeddings (fetch-table.ts: HTTP Range when the server allows it) — acquires its
// own WebGPU device for the noise and nearest-token kernels, and turns texts into a
// PrivatizedBatch (token ids only; see ../boundary/batch.ts) plus per-token details. For a model
// the user picked as files (initFiles), it reads the same files the service loaded, so both sides
// share one vocabulary and the ids it sends are ids of the service's model.
// The page hands the batch to the service worker and keeps the details for its own display;
// nothing in this worker talks to the service. neighbourhood() answers the Privatize page's
// questions about one of the user's tokens (its embedding neighbourhood, N_w/S_w) here too,
// because the token id came from the user's text.
// For the Train page it also prepares a whole tuning run's data (prepareTraining): it fetches a
// built-in dataset (or splits the one the user imported, which the page hands over: the same
// split as `rapt tune` on a file), tokenizes and privatizes its examples and RAPT's plain tokens
// (../rapt/client-set.ts), and returns a PrivatizedTrainingSet (ids and class indices only).
// The page hands the batch or set to the service worker and keeps the details for its own
// display; nothing in this worker talks to the service.

import * as Comlink from 'comlink';
import { acquireBrowserDevice } from '../gpu/device-browser';
import { GpuContext } from '../gpu/context';
import { useViteShaderLoader } from '../gpu/shader-source-vite';
import { PrivacyClient, PrivatizeInputError, type NeighbourhoodRequest, type PrivatizeOutput, type TokenNeighbourhood } from '../boundary/client';
import { availableMechanisms } from '../boundary/factory';
import { fetchPrivacyModel } from '../boundary/fetch-table';
import { makePrivacyTable } from '../boundary/table';
import { loadBertFiles } from '../model/checkpoint/load-files';
import { BertTokenizer } from '../model/tokenizer';
import type { BertConfig } from '../model/checkpoint/bert-config';
import type { EmbeddingTable } from '../privacy/types';
import { MechanismSpecError } from '../boundary/spec';
import { BoundaryError } from '../boundary/batch';
import type { BoundaryFailure, BoundaryOutcome, ClientModelInfo, ClientWorkerApi, PrepareTrainingRequest, PreparedTraining } from '../boundary/worker-types';
import type { MechanismSpec } from '../privacy/types';
import { fetchBuiltinDataset } from '../data/fetch-builtin';
import { BuiltinDataError } from '../data/builtin';
import type { Dataset, SplitDataset } from '../data/types';
import { ImportedSplitError, splitImported } from '../data/imported-split';
import { CLEAN_TEST_IMPORTED } from '../app/dataset-ref';
import { completeTuneConfig, TuneConfigError } from '../rapt/check-config';
import { prepareTrainingSet } from '../rapt/client-set';

let gpu: GpuContext | null = null;
let client: PrivacyClient | null = null;
let lost: string | null = null;
/** the loaded model's max_position_embeddings (the layout's limit) */
let maxPositions = 0;
/** datasets fetched so far, by data folder and name */
const datasets = new Map<string, SplitDataset>();

function failure(e: unknown, fallback: BoundaryFailure['kind'] = 'internal'): { ok: false; error: BoundaryFailure } {
  const err = e as Error;
  const kind: BoundaryFailure['kind'] =
    e instanceof PrivatizeInputError || e instanceof MechanismSpecError || e instanceof TuneConfigError || e instanceof ImportedSplitError
      ? 'input'
      : e instanceof BoundaryError
        ? 'boundary'
        : e instanceof BuiltinDataError
          ? 'model'
          : fallback;
  return { ok: false, error: { kind, message: err?.message ?? String(e), name: err?.name } };
}

/** One privatization at a time (they share the device and the cached privatizer). */
let queue: Promise<unknown> = Promise.resolve();
function exclusive<T>(job: () => Promise<T>): Promise<T> {
  const run = queue.then(job, job);
  queue = run.catch(() => {});
  return run;
}

/** What install() needs: the table, its tokenizer, and how the page should describe where it came from. */
interface TableSource {
  url: string;
  config: BertConfig;
  tokenizer: BertTokenizer;
  table: EmbeddingTable;
  ranged: boolean;
  weightBytes: number;
}

/** Replace the loaded table: a fresh device sized for it, and a PrivacyClient on it. */
async function install(model: TableSource, t0: number): Promise<BoundaryOutcome<ClientModelInfo>> {
  try {
    useViteShaderLoader();
    client?.dispose();
    client = null;
    gpu?.destroy();
    gpu = null;
    const acquired = await acquireBrowserDevice({ largestBufferBytes: 4 * model.table.V * model.table.C });
    const ctx = new GpuContext(acquired);
    gpu = ctx;
    lost = null;
    void acquired.lost.then((err) => {
      if (gpu !== ctx) return;
      lost = err.message;
      client = null;
    });
    client = new PrivacyClient(ctx, model.table, model.tokenizer, { maxLength: model.config.max_position_embeddings });
    maxPositions = model.config.max_position_embeddings;
    const a = ctx.summary;
    return {
      ok: true,
      value: {
        url: model.url,
        V: model.table.V,
        C: model.table.C,
        candidates: model.table.candidates.length,
        maxPositions: model.config.max_position_embeddings,
        ranged: model.ranged,
        weightBytes: model.weightBytes,
        mechanisms: availableMechanisms(),
        adapter: [a.vendor, a.architecture, a.description].filter((s) => s).join(' · ') || 'WebGPU adapter',
        ms: performance.now() - t0
      }
    };
  } catch (e) {
    return failure(e, 'gpu');
  }
}

async function init(modelUrl: string): Promise<BoundaryOutcome<ClientModelInfo>> {
  const t0 = performance.now();
  let model;
  try {
    model = await fetchPrivacyModel(modelUrl);
  } catch (e) {
    return failure(e, 'model');
  }
  return install(model, t0);
}

async function initFiles(files: File[], name?: string): Promise<BoundaryOutcome<ClientModelInfo>> {
  const t0 = performance.now();
  if (!Array.isArray(files) || files.some((f) => !(f instanceof File)))
    return { ok: false, error: { kind: 'input', message: 'initFiles expects an array of File objects' } };
  let model: TableSource;
  try {
    const ckpt = await loadBertFiles(files);
    const tokenizer = BertTokenizer.fromHfFiles(
      { vocabTxt: ckpt.vocabTxt, tokenizerJson: ckpt.tokenizerJson, config: ckpt.configText },
      { modelMaxLength: ckpt.config.max_position_embeddings }
    );
    const display = name && name.trim().length > 0 ? name.trim() : 'your model';
    model = {
      url: `files:${display}`,
      config: ckpt.config,
      tokenizer,
      table: makePrivacyTable(ckpt, tokenizer),
      ranged: false,
      weightBytes: files.filter((f) => f.name.endsWith('.safetensors')).reduce((n, f) => n + f.size, 0)
    };
  } catch (e) {
    return failure(e, 'model');
  }
  return install(model, t0);
}

async function privatize(texts: string[], spec: MechanismSpec): Promise<BoundaryOutcome<PrivatizeOutput>> {
  if (lost) return { ok: false, error: { kind: 'gpu', message: `the client worker's GPU device was lost (${lost}): call init again` } };
  if (!client) return { ok: false, error: { kind: 'input', message: 'no model loaded in the client worker yet: call init(modelUrl) first' } };
  const c = client;
  try {
    return { ok: true, value: await c.privatize(texts, spec) };
  } catch (e) {
    return failure(e);
  }
}

async function neighbourhood(id: number, spec: MechanismSpec, req?: NeighbourhoodRequest): Promise<BoundaryOutcome<TokenNeighbourhood>> {
  if (lost) return { ok: false, error: { kind: 'gpu', message: `the client worker's GPU device was lost (${lost}): call init again` } };
  if (!client) return { ok: false, error: { kind: 'input', message: 'no model loaded in the client worker yet: call init(modelUrl) first' } };
  const c = client;
  try {
    return { ok: true, value: await c.neighbourhood(id, spec, req) };
  } catch (e) {
    return failure(e);
  }
}

/** An imported dataset as the page handed it over: the shape the split and the tokenizer read. */
function checkImported(d: unknown): Dataset {
  const x = d as Partial<Dataset> | null;
  if (typeof x !== 'object' || x === null || typeof x.name !== 'string' || !Array.isArray(x.examples) || !Array.isArray(x.labels) || !Array.isArray(x.attributes))
    throw new ImportedSplitError('the imported dataset must be { name, examples, labels, attributes } as the Models / Data page keeps it');
  if (x.examples.some((e) => typeof e?.text !== 'string' || typeof e?.label !== 'string' || typeof e?.attrs !== 'object' || e.attrs === null))
    throw new ImportedSplitError(`imported dataset "${x.name}": every example needs a text, a label and attrs; re-import it on Models / Data`);
  return x as Dataset;
}

async function prepareTraining(request: PrepareTrainingRequest): Promise<BoundaryOutcome<PreparedTraining>> {
  if (lost) return { ok: false, error: { kind: 'gpu', message: `the client worker's GPU device was lost (${lost}): call init again` } };
  if (!client) return { ok: false, error: { kind: 'input', message: 'no model loaded in the client worker yet: call init(modelUrl) first' } };
  const c = client;
  try {
    if (typeof request !== 'object' || request === null) throw new TuneConfigError('prepareTraining expects { dataUrl, config, spec, includeCleanTest }');
    const config = completeTuneConfig(request.config);
    if (config.mechanism === 'none')
      throw new TuneConfigError('mechanism none (clean text) cannot cross to the service: the service accepts privatized training sets only');
    let data: SplitDataset;
    if (request.imported !== undefined) {
      if (request.includeCleanTest === true) throw new TuneConfigError(CLEAN_TEST_IMPORTED);
      data = splitImported(checkImported(request.imported));
    } else {
      const key = `${request.dataUrl}\n${config.task}`;
      const cached = datasets.get(key) ?? (await fetchBuiltinDataset(request.dataUrl, config.task));
      datasets.set(key, cached);
      data = cached;
    }
    const prepared = await prepareTrainingSet(config, {
      gpu: c.gpu,
      tokenizer: c.tokenizer,
      table: c.table,
      maxPositions,
      data,
      spec: request.spec,
      includeCleanTest: request.includeCleanTest === true
    });
    return { ok: true, value: prepared };
  } catch (e) {
    return failure(e);
  }
}

const api: ClientWorkerApi = {
  init: (modelUrl) => exclusive(() => init(modelUrl)),
  initFiles: (files, name) => exclusive(() => initFiles(files, name)),
  privatize: (texts, spec) => exclusive(() => privatize(texts, spec)),
  neighbourhood: (id, spec, req) => exclusive(() => neighbourhood(id, spec, req)),
  prepareTraining: (request) => exclusive(() => prepareTraining(request))
};

Comlink.expose(api);
