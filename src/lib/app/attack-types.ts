// The attack worker's interface (src/lib/workers/attack.worker.ts), shared by the worker and the
// page-side wrapper (attack-client.ts). Every call answers with an outcome — a value or an error
// the page can show — never a hang. GPU-free types only.

import type { AttackConfig, AttackResult } from '../attacks/config';
import type { AdapterSummary } from '../gpu/device';

export type AttackErrorKind = 'no-webgpu' | 'no-adapter' | 'device-lost' | 'config' | 'model' | 'data' | 'internal';

export interface AttackError {
  kind: AttackErrorKind;
  message: string;
}

export type AttackOutcome<T> = { ok: true; value: T } | { ok: false; error: AttackError };

/** Where the public inputs live (absolute URLs: the worker resolves nothing against the page). */
export interface AttackSources {
  /** the built-in model's folder (for a trained run: its model's folder) */
  modelUrl: string;
  /** the built-in data folder (holding index.json) */
  dataUrl: string;
}

/**
 * A saved Train run to attack (config.run = "browser:<id>"): its TuneResult (the worker checks its
 * config as `rapt attack --run` checks run.json) and its trained tensors (safetensors bytes).
 * sources.modelUrl must then be the folder of the run's model.
 */
export interface AttackTunedRun {
  result: unknown;
  state: Uint8Array;
}

export interface AttackWorkerApi {
  /** Acquire this worker's own WebGPU device; the adapter it got. */
  init(): Promise<AttackOutcome<AdapterSummary>>;
  /**
   * Run one attack on the public built-in model and data (or, with `tuned`, the attribute attack
   * on that trained run's hidden states); `onLog` gets every progress line.
   */
  run(config: AttackConfig, sources: AttackSources, onLog: (line: string) => void, tuned?: AttackTunedRun): Promise<AttackOutcome<AttackResult>>;
}
