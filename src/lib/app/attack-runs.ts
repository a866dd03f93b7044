// The Attack page's record of finished attack runs, minus the storage: what one stored run holds,
// how a record read back from IndexedDB is checked, and the two exports — runs.jsonl (one
// `{...AttackResult, kind: "attack", key}` per line, the format `rapt sweep` writes and
// experiments/runs-log.ts reads, so the Frontier page and the sweep tooling can use these runs;
// an attack on a saved Train run carries it as config.run = "browser:<id>" and the run's method
// and budget in details) and a JSON document with a format name and version. Pure: no DOM, no IndexedDB, no GPU.

import type { AttackResult } from '../attacks/config';
import { ATTACK_KINDS } from '../attacks/threat-model';
import type { AttackRow } from '../experiments/runs-log';
import { runKey } from '../experiments/run-key';

/** One finished attack run as this browser keeps it. */
export interface StoredAttackRun {
  /** unique per run (the same config run twice gives two runs with one key) */
  id: string;
  /** ISO time the run finished */
  savedAt: string;
  /** runKey(result.config): the run's identity in runs.jsonl */
  key: string;
  result: AttackResult;
  /** the saved Train run attacked, as the target picker named it (absent: the frozen built-in model; its id is result.config.run) */
  target?: string;
}

export const ATTACK_RUNS_FORMAT = 'rapt-lab/attack-runs';
export const ATTACK_RUNS_VERSION = 1;

/** The JSON export: every run as its runs.jsonl row plus when it was saved. */
export interface AttackRunsExport {
  format: typeof ATTACK_RUNS_FORMAT;
  version: typeof ATTACK_RUNS_VERSION;
  exported_at: string;
  /** target: the saved Train run attacked, as the page named it (its id is config.run) */
  runs: (AttackRow & { saved_at: string; target?: string })[];
}

/** A stored run for a result that just finished. `id` defaults to savedAt plus the key. */
export function storedRun(result: AttackResult, savedAt: Date = new Date(), id?: string): StoredAttackRun {
  const key = runKey(result.config);
  const iso = savedAt.toISOString();
  return { id: id ?? `${iso}-${key}-${Math.random().toString(36).slice(2, 8)}`, savedAt: iso, key, result };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isRate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;

/** Whether a value read back from storage is a run this page can show (older or damaged records are skipped). */
export function isStoredAttackRun(v: unknown): v is StoredAttackRun {
  if (!isObject(v) || typeof v.id !== 'string' || typeof v.savedAt !== 'string' || typeof v.key !== 'string') return false;
  const r = v.result;
  if (!isObject(r) || r.kind !== 'attack' || !(ATTACK_KINDS as readonly unknown[]).includes(r.attack)) return false;
  if (!isObject(r.config) || !isRate(r.success) || !isRate(r.privacy)) return false;
  if (v.target !== undefined && typeof v.target !== 'string') return false;
  const b = r.baseline;
  return isObject(b) && typeof b.name === 'string' && isRate(b.value) && isObject(r.details);
}

/** Newest first; ties by id so the order is stable. */
export function sortRuns(runs: StoredAttackRun[]): StoredAttackRun[] {
  return [...runs].sort((a, b) => (a.savedAt === b.savedAt ? (a.id < b.id ? 1 : -1) : a.savedAt < b.savedAt ? 1 : -1));
}

/** The runs.jsonl row of a stored run. */
export function attackRow(run: StoredAttackRun): AttackRow {
  return { ...run.result, kind: 'attack', key: run.key };
}

/** runs.jsonl text: one row per run, oldest first (the order a sweep appends them), each line ending in a newline. */
export function toRunsJsonl(runs: StoredAttackRun[]): string {
  return sortRuns(runs)
    .reverse()
    .map((r) => JSON.stringify(attackRow(r)) + '\n')
    .join('');
}

/** The JSON export (oldest first). */
export function toExportJson(runs: StoredAttackRun[], exportedAt: Date = new Date()): AttackRunsExport {
  return {
    format: ATTACK_RUNS_FORMAT,
    version: ATTACK_RUNS_VERSION,
    exported_at: exportedAt.toISOString(),
    runs: sortRuns(runs)
      .reverse()
      .map((r) => ({ ...attackRow(r), saved_at: r.savedAt, ...(r.target !== undefined ? { target: r.target } : {}) }))
  };
}

/** "dχ η = 100", "laplace ε = 200" or "no privatization" for a result's config. */
export function budgetLabel(config: Pick<AttackResult['config'], 'mechanism' | 'eta' | 'epsilon'>): string {
  if (config.mechanism === 'none') return 'no privatization';
  if (config.eta !== undefined) return `${config.mechanism === 'dchi' ? 'dχ' : config.mechanism} η = ${config.eta}`;
  return `${config.mechanism} ε = ${config.epsilon}`;
}
