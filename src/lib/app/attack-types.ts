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
  /** the built-in model's folder */
  modelUrl: string;
  /** the built-in data folder (holding index.json) */
  dataUrl: string;
}

export interface AttackWorkerApi {
  /** Acquire this worker's own WebGPU device; the adapter it got. */
  init(): Promise<AttackOutcome<AdapterSummary>>;
  /** Run one attack on the public built-in model and data; `onLog` gets every progress line. */
  run(config: AttackConfig, sources: AttackSources, onLog: (line: string) => void): Promise<AttackOutcome<AttackResult>>;
}
