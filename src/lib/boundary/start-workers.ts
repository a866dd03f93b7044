// Page side of the boundary workers: start them, wrap them with comlink, and make a worker that
// crashes (fails to load, throws at top level) fail pending calls instead of hanging them.
// Browser only: call from onMount / $effect, never at import time.
import * as Comlink from 'comlink';
import type { MechanismSpec } from '../privacy/types';
import type { NeighbourhoodRequest } from './client';
import type { BoundaryOutcome, BoundaryServiceApi, ClientWorkerApi, PrepareTrainingRequest } from './worker-types';

interface Guarded<T> {
  remote: Comlink.Remote<T>;
  /** run a call, rejecting if the worker dies first */
  call<R>(fn: () => Promise<R>): Promise<R>;
  /** the same, with any failure returned as an Outcome */
  outcome<R>(fn: () => Promise<BoundaryOutcome<R>>): Promise<BoundaryOutcome<R>>;
  terminate(): void;
}

function guard<T>(worker: Worker, label: string): Guarded<T> {
  const remote = Comlink.wrap<T>(worker);
  let crashed: Error | null = null;
  let reject: (e: Error) => void = () => {};
  const crash = new Promise<never>((_, r) => (reject = r));
  crash.catch(() => {});
  const onError = (ev: ErrorEvent | MessageEvent): void => {
    const detail = ev instanceof ErrorEvent ? ev.message || 'the script failed to load' : 'a message could not be decoded';
    crashed = new Error(`the ${label} worker stopped: ${detail}`);
    reject(crashed);
  };
  worker.addEventListener('error', onError);
  worker.addEventListener('messageerror', onError);
  const call = <R>(fn: () => Promise<R>): Promise<R> => (crashed ? Promise.reject(crashed) : Promise.race([fn(), crash]));
  return {
    remote,
    call,
    async outcome<R>(fn: () => Promise<BoundaryOutcome<R>>): Promise<BoundaryOutcome<R>> {
      try {
        return await call(fn);
      } catch (e) {
        return { ok: false, error: { kind: 'internal', message: (e as Error)?.message ?? String(e) } };
      }
    },
    terminate() {
      remote[Comlink.releaseProxy]();
      worker.terminate();
    }
  };
}

export interface ClientWorker extends ClientWorkerApi {
  terminate(): void;
}

export interface BoundaryService extends BoundaryServiceApi {
  terminate(): void;
}

/** The CLIENT worker: the one place in the browser that holds raw text; it privatizes it. */
export function startClientWorker(): ClientWorker {
  const worker = new Worker(new URL('$lib/workers/client.worker.ts', import.meta.url), { type: 'module', name: 'rapt-client' });
  const g = guard<ClientWorkerApi>(worker, 'client');
  return {
    init: (url: string) => g.outcome(() => g.remote.init(url)),
    initFiles: (files: File[], name?: string) => g.outcome(() => g.remote.initFiles(files, name)),
    privatize: (texts: string[], spec: MechanismSpec) => g.outcome(() => g.remote.privatize(texts, spec)),
    neighbourhood: (id: number, spec: MechanismSpec, req?: NeighbourhoodRequest) => g.outcome(() => g.remote.neighbourhood(id, spec, req)),
    prepareTraining: (request: PrepareTrainingRequest) => g.outcome(() => g.remote.prepareTraining(request)),
    terminate: g.terminate
  };
}

/** A service-side worker that validates, logs and records everything it receives (the boundary test route). */
export function startBoundaryTestService(): BoundaryService {
  const worker = new Worker(new URL('$lib/workers/boundary-test-service.worker.ts', import.meta.url), {
    type: 'module',
    name: 'rapt-boundary-service'
  });
  const g = guard<BoundaryServiceApi>(worker, 'service');
  return {
    setVocabSize: (v: number) => g.call(() => g.remote.setVocabSize(v)),
    receive: (batch: unknown) => g.outcome(() => g.remote.receive(batch)),
    log: () => g.call(() => g.remote.log()),
    received: () => g.call(() => g.remote.received()),
    clear: () => g.call(() => g.remote.clear()),
    terminate: g.terminate
  };
}
