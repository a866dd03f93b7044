// Start the CLIENT worker on the built-in model, for pages that privatize but run no language
// model (Privatize, Overview): feature-detect WebGPU, read static/models/index.json, start the
// worker and load the default model's vocabulary and word embeddings into it. Failures come back
// as data: no WebGPU (show NoWebGPU), or a message. Browser only: call from onMount.

import { asset } from '$app/paths';
import { startClientWorker, type ClientWorker } from '../boundary/start-workers';
import type { ClientModelInfo } from '../boundary/worker-types';
import { modelFolderUrl, parseModelsIndex, type ModelEntry } from './models-index';
import { hasWebGPU } from './service-client';

export type ClientStart =
  | { ok: true; client: ClientWorker; info: ClientModelInfo; entry: ModelEntry }
  | { ok: false; noGpu: { reason: 'no-webgpu' | 'no-adapter'; detail: string } | null; message: string };

export async function startBuiltinClient(): Promise<ClientStart> {
  if (!hasWebGPU()) return { ok: false, noGpu: { reason: 'no-webgpu', detail: 'navigator.gpu is undefined in this browser.' }, message: 'no WebGPU' };
  let entry: ModelEntry;
  let folder: string;
  try {
    const url = asset('/models/index.json');
    const res = await fetch(url);
    if (!res.ok) throw new Error(`could not fetch ${url}: HTTP ${res.status}`);
    const index = parseModelsIndex(await res.json(), url);
    const chosen = index.models.find((m) => m.name === index.default) ?? index.models[0];
    if (!chosen) throw new Error(`${url} lists no models`);
    entry = chosen;
    folder = modelFolderUrl(chosen, new URL(asset('/models/'), location.href).href);
  } catch (e) {
    return { ok: false, noGpu: null, message: (e as Error).message };
  }
  const client = startClientWorker();
  const out = await client.init(folder);
  if (out.ok) return { ok: true, client, info: out.value, entry };
  client.terminate();
  const noGpu = out.error.kind === 'gpu' ? { reason: 'no-adapter' as const, detail: out.error.message } : null;
  return { ok: false, noGpu, message: `${out.error.message} (${out.error.kind})` };
}

/**
 * startBuiltinClient from a component's onMount: hands the outcome to `done` unless the component
 * was destroyed first (then a started worker is terminated), and returns the cleanup that
 * terminates the worker. `current` reads the page's worker at cleanup time.
 */
export function mountBuiltinClient(done: (s: ClientStart) => void, current: () => ClientWorker | null): () => void {
  let stopped = false;
  void startBuiltinClient().then((s) => {
    if (stopped) {
      if (s.ok) s.client.terminate();
      return;
    }
    done(s);
  });
  return () => {
    stopped = true;
    current()?.terminate();
  };
}
