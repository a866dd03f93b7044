// The ATTACK worker: a simulation of the adversary on PUBLIC data. It holds no user text, and it
// never talks to the client or the service worker. It loads the built-in model and the built-in
// datasets from the site (./attack-inputs.ts), acquires its own WebGPU device, and plays both
// roles of the threat model (src/lib/attacks/threat-model.ts): the user, privatizing the public
// test texts with the chosen mechanism and budget, and the attacker, who sees only the privatized
// ids and trains on the public train split (src/lib/attacks/run.ts, runAttackCore). The noise is
// seeded from config.seed, so a run is a reproducible simulation, not a private one.
// A saved Train run can be the target (config.run = "browser:<id>"): the page hands its TuneResult
// and trained tensors over; the attribute attack reads that run's hidden states, a token attack
// attacks the run's privatized text (its setting, checked against the config) and not its tensors,
// as `rapt attack --run DIR` does (the run's config checked by rapt/saved-run.ts).
// One run at a time; the page stops a run by terminating this worker and starting a fresh one.

import * as Comlink from 'comlink';
import { acquireBrowserDevice } from '../gpu/device-browser';
import { GpuContext } from '../gpu/context';
import { AdapterUnavailableError, DeviceLostError, WebGPUUnavailableError } from '../gpu/errors';
import { useViteShaderLoader } from '../gpu/shader-source-vite';
import { AttackConfigError, completeAttackConfig, type AttackConfig, type AttackResult } from '../attacks/config';
import { runAttackCore } from '../attacks/run';
import type { SplitDataset } from '../data/types';
import type { TuneConfig } from '../rapt/config';
import { MechanismSpecError } from '../boundary/spec';
import type { AdapterSummary } from '../gpu/device';
import type { AttackError, AttackOutcome, AttackSources, AttackTunedRun, AttackWorkerApi } from '../app/attack-types';
import { savedRunConfig } from '../rapt/saved-run';
import { fetchBuiltinTask, fetchModel, trainFrequencies, type LoadedModel } from './attack-inputs';

let gpu: GpuContext | null = null;
let model: LoadedModel | null = null;
const datasets = new Map<string, SplitDataset>();
const frequencies = new Map<string, Float64Array>();

const MODEL_ERRORS = new Set(['SafetensorsError', 'BertConfigError', 'BertWeightsError', 'CheckpointFolderError', 'TokenizerError', 'ModelFetchError', 'PeftStateError']);

function toError(e: unknown, fallback: AttackError['kind'] = 'internal'): AttackError {
  const err = e instanceof Error ? e : new Error(String(e));
  const kind: AttackError['kind'] =
    e instanceof WebGPUUnavailableError
      ? 'no-webgpu'
      : e instanceof AdapterUnavailableError
        ? 'no-adapter'
        : e instanceof DeviceLostError
          ? 'device-lost'
          : e instanceof AttackConfigError || e instanceof MechanismSpecError
            ? 'config'
            : MODEL_ERRORS.has(err.name)
              ? 'model'
              : err.name === 'BuiltinDataError'
                ? 'data'
                : fallback;
  return { kind, message: err.message || String(e) };
}

/** This worker's device, re-acquired when lost or when a model needs larger buffers. */
async function device(largestBufferBytes = 0): Promise<GpuContext> {
  if (gpu && !gpu.lost) {
    const l = gpu.device.limits;
    if (largestBufferBytes <= Math.min(l.maxStorageBufferBindingSize, l.maxBufferSize)) return gpu;
    gpu.destroy();
  }
  useViteShaderLoader();
  const acquired = await acquireBrowserDevice(largestBufferBytes ? { largestBufferBytes } : undefined);
  gpu = new GpuContext(acquired);
  return gpu;
}

async function init(): Promise<AttackOutcome<AdapterSummary>> {
  try {
    return { ok: true, value: (await device()).summary };
  } catch (e) {
    return { ok: false, error: toError(e) };
  }
}

let busy = false;

async function run(partial: AttackConfig, sources: AttackSources, onLog: (line: string) => void, tunedRun?: AttackTunedRun): Promise<AttackOutcome<AttackResult>> {
  if (busy) return { ok: false, error: { kind: 'internal', message: 'an attack is already running in this worker' } };
  busy = true;
  // A log line must never block or fail the run (the page may be gone).
  const log = (line: string): void => void Promise.resolve().then(() => onLog(line)).catch(() => {});
  let stage: AttackError['kind'] = 'config';
  try {
    const config = completeAttackConfig(partial);
    let tuned: { config: TuneConfig; state: Uint8Array; source: string } | undefined;
    if (config.run !== undefined) {
      if (!tunedRun || !(tunedRun.state instanceof Uint8Array)) throw new AttackConfigError(`run ${config.run}: its saved result and trained tensors were not given`);
      tuned = { config: savedRunConfig(tunedRun.result, `saved run ${config.run}`), state: tunedRun.state, source: `the trained tensors of ${config.run}` };
    } else if (tunedRun) throw new AttackConfigError('a trained run was given without config.run');
    if (config.model !== 'builtin' && config.model !== tuned?.config.model)
      throw new AttackConfigError(`the Attack page runs on the built-in model or a saved run's model, not ${JSON.stringify(config.model)}`);
    stage = 'model';
    if (!model || model.url !== sources.modelUrl) {
      log(`loading ${tuned ? `the run's model (${tuned.config.model})` : 'the built-in model'} from ${sources.modelUrl}`);
      const t0 = performance.now();
      model = await fetchModel(sources.modelUrl);
      log(`model loaded (${model.checkpoint.config.num_hidden_layers} layers, hidden ${model.checkpoint.config.hidden_size}, vocabulary ${model.checkpoint.config.vocab_size}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    stage = 'data';
    const dataKey = `${sources.dataUrl}#${config.task}`;
    let data = datasets.get(dataKey);
    if (!data) {
      log(`loading the public dataset ${config.task} (train, dev, test; checked against index.json)`);
      data = await fetchBuiltinTask(sources.dataUrl, config.task);
      datasets.set(dataKey, data);
      log(`dataset ${config.task}: ${data.splits.train.examples.length} train, ${data.splits.test.examples.length} test texts`);
    }
    let freq: Float64Array | undefined;
    if (config.mechanism === 'santext+') {
      freq = frequencies.get(dataKey);
      if (!freq) {
        freq = trainFrequencies(model.tokenizer, model.checkpoint.config.vocab_size, data);
        frequencies.set(dataKey, freq);
      }
      log('santext+: token frequencies counted over the public train split');
    }
    stage = 'internal';
    const c = model.checkpoint.config;
    const ctx = await device(4 * c.vocab_size * Math.max(c.hidden_size, c.max_position_embeddings));
    const a = ctx.summary;
    const adapter = a.description || a.architecture || a.vendor || 'WebGPU adapter';
    log(`${config.attack}: running on ${adapter}`);
    const result = await runAttackCore(config, { gpu: ctx, checkpoint: model.checkpoint, tokenizer: model.tokenizer, data, frequencies: freq, adapter, tuned }, { log });
    return { ok: true, value: result };
  } catch (e) {
    return { ok: false, error: toError(e, stage) };
  } finally {
    busy = false;
  }
}

const api: AttackWorkerApi = { init, run };
Comlink.expose(api);
