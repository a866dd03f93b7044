// Page side of the attack worker: starts it, wraps it with comlink, turns a worker that dies
// (fails to load, throws at top level, or is stopped by the page) into an error outcome instead of
// a hang. Stopping a run means terminating the worker; the next run starts a fresh one.
// Browser only: call from onMount / event handlers, never at import time.

import * as Comlink from 'comlink';
import type { AttackConfig, AttackResult } from '../attacks/config';
import type { AdapterSummary } from '../gpu/device';
import type { AttackOutcome, AttackSources, AttackTunedRun, AttackWorkerApi } from './attack-types';

export interface AttackWorker {
  init(): Promise<AttackOutcome<AdapterSummary>>;
  run(config: AttackConfig, sources: AttackSources, onLog: (line: string) => void, tuned?: AttackTunedRun): Promise<AttackOutcome<AttackResult>>;
  /** Stop the worker now: pending calls answer with `reason`. */
  terminate(reason?: string): void;
}

export function startAttackWorker(): AttackWorker {
  const worker = new Worker(new URL('$lib/workers/attack.worker.ts', import.meta.url), { type: 'module', name: 'rapt-attack' });
  const remote = Comlink.wrap<AttackWorkerApi>(worker);
  let stopped: string | null = null;
  let terminated = false;
  let reject: (e: Error) => void = () => {};
  const dead = new Promise<never>((_, r) => (reject = r));
  dead.catch(() => {});
  const stop = (message: string): void => {
    if (stopped !== null) return;
    stopped = message;
    reject(new Error(message));
  };
  const onError = (ev: ErrorEvent | MessageEvent): void =>
    stop(`the attack worker stopped: ${ev instanceof ErrorEvent ? ev.message || 'the script failed to load' : 'a message could not be decoded'}`);
  worker.addEventListener('error', onError);
  worker.addEventListener('messageerror', onError);

  async function call<T>(fn: () => Promise<AttackOutcome<T>>): Promise<AttackOutcome<T>> {
    if (stopped !== null) return { ok: false, error: { kind: 'internal', message: stopped } };
    try {
      return await Promise.race([fn(), dead]);
    } catch (e) {
      return { ok: false, error: { kind: 'internal', message: stopped ?? (e as Error)?.message ?? String(e) } };
    }
  }

  return {
    init: () => call(() => remote.init()),
    run: (config, sources, onLog, tuned) => call(() => remote.run(config, sources, Comlink.proxy(onLog), tuned)),
    terminate(reason = 'stopped') {
      stop(reason);
      if (terminated) return;
      terminated = true;
      remote[Comlink.releaseProxy]();
      worker.terminate();
    }
  };
}
