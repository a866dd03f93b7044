// Runs a sweep: every config not yet finished in runs.jsonl, one after another, each result
// appended as one line the moment it ends; then summary.csv, summary.md and chart.svg from every
// finished run of the sweep. Resuming is running it again: finished runs (kind "tune" lines,
// matched by run key) are skipped; a cut-off last line is dropped and its run redone; failed runs
// (kind "error" lines) are tried again. A run that throws is recorded as an error line and the
// sweep goes on; a runner that throws SweepAbort stops it at once (an interruption, nothing more is
// written); an aborted `signal` stops it between runs (the summaries are still written).
// Browser-safe: files go through a SweepStore, runs through the injected `run`.

import type { TuneConfig, TuneResult } from '../rapt/config';
import { budgetChartSvg } from './budget-chart';
import { budgetInfo, budgetLabel, labelContext, variantLabel } from './labels';
import { runKey } from './run-key';
import { parseRunsLog, runsLogLine, type ErrorRow, type TuneRow } from './runs-log';
import { summarize, type SummaryGroup } from './summary';
import { summaryCsv, summaryMarkdown } from './summary-tables';
import type { SweepStore } from './sweep-store';

export const RUNS_FILE = 'runs.jsonl';
export const SUMMARY_CSV = 'summary.csv';
export const SUMMARY_MD = 'summary.md';
export const CHART_SVG = 'chart.svg';

/** Thrown by a runner to stop the sweep where it is (as if the process had been killed). */
export class SweepAbort extends Error {
  override name = 'SweepAbort';
}

export interface RunSweepOptions {
  /** the runs, in order (expandSweep's output) */
  configs: readonly TuneConfig[];
  store: SweepStore;
  run: (config: TuneConfig) => Promise<TuneResult>;
  /** progress lines */
  log?: (line: string) => void;
  /** title of summary.md and chart.svg */
  title?: string;
  /** checked before each run: stop after the current one */
  signal?: AbortSignal;
  /** milliseconds, for durations and the ETA (default performance.now / Date.now) */
  now?: () => number;
}

export interface SweepOutcome {
  total: number;
  /** already finished before this call */
  skipped: number;
  /** run by this call, successfully */
  ran: number;
  /** run by this call and failed (an error line each) */
  failed: number;
  failures: { key: string; message: string }[];
  /** stopped early by the signal */
  aborted: boolean;
  /** every finished run of this sweep, in config order */
  results: TuneRow[];
  groups: SummaryGroup[];
  /** files written, as the store describes them */
  files: string[];
}

/** "42s", "5m 12s", "2h 05m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const defaultNow = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export async function runSweep(opts: RunSweepOptions): Promise<SweepOutcome> {
  const { store, run } = opts;
  const log = opts.log ?? (() => {});
  const now = opts.now ?? defaultNow;

  // the runs, unique by key
  const configs: TuneConfig[] = [];
  const keys: string[] = [];
  const wanted = new Set<string>();
  for (const c of opts.configs) {
    const k = runKey(c);
    if (wanted.has(k)) continue;
    wanted.add(k);
    configs.push(c);
    keys.push(k);
  }

  // what runs.jsonl already holds
  const text = (await store.read(RUNS_FILE)) ?? '';
  const prior = parseRunsLog(text, store.describe(RUNS_FILE));
  if (prior.complete !== text) {
    await store.write(RUNS_FILE, prior.complete);
    if (prior.truncated !== null)
      log(`${store.describe(RUNS_FILE)}: dropped a cut-off last line (${prior.truncated.length} characters); its run will run again`);
  }
  const done = new Map<string, TuneRow>();
  for (const r of prior.tune) done.set(r.key, r);
  const stray = [...done.keys()].filter((k) => !wanted.has(k)).length;
  const todo = configs.map((c, i) => ({ config: c, key: keys[i] })).filter((t) => !done.has(t.key));
  const total = configs.length;
  const skipped = total - todo.length;
  log(`sweep${opts.title ? ` ${opts.title}` : ''}: ${total} runs, ${skipped} already finished in ${store.describe(RUNS_FILE)}, ${todo.length} to run`);
  if (stray > 0) log(`${stray} finished run(s) in ${RUNS_FILE} are not in this sweep's grid: kept there, left out of the summary`);

  const ctx = labelContext(configs);
  const durations: number[] = [];
  const failures: { key: string; message: string }[] = [];
  let ran = 0;
  let aborted = false;
  for (let i = 0; i < todo.length; i++) {
    if (opts.signal?.aborted) {
      aborted = true;
      log(`stopped before run ${i + 1}/${todo.length}; run the same command again to resume`);
      break;
    }
    const { config, key } = todo[i];
    const tag = `run ${i + 1}/${todo.length}`;
    log(`${tag} ${key}: ${variantLabel(config, ctx)}, ${budgetLabel(budgetInfo(config))}, seed ${config.seed}`);
    const t0 = now();
    let result: TuneResult;
    try {
      result = await run(config);
      if (typeof result !== 'object' || result === null || typeof result.metrics !== 'object')
        throw new Error(`the runner returned ${JSON.stringify(result)?.slice(0, 80)}, not a TuneResult`);
    } catch (e) {
      if (e instanceof SweepAbort || (e as Error | null)?.name === 'SweepAbort') throw e;
      const message = e instanceof Error ? e.message : String(e);
      const row: ErrorRow = { kind: 'error', key, config, message };
      await store.append(RUNS_FILE, runsLogLine(row));
      failures.push({ key, message });
      durations.push((now() - t0) / 1000);
      log(`${tag} FAILED after ${formatDuration((now() - t0) / 1000)}: ${message}`);
      continue;
    }
    const seconds = (now() - t0) / 1000;
    const row: TuneRow = { ...result, kind: 'tune', key };
    await store.append(RUNS_FILE, runsLogLine(row));
    done.set(key, row);
    ran++;
    durations.push(seconds);
    const left = todo.length - i - 1;
    const eta = left > 0 ? `; ETA ${formatDuration((durations.reduce((a, b) => a + b, 0) / durations.length) * left)} for ${left} more` : '';
    const m = result.metrics;
    log(
      `${tag} done in ${formatDuration(seconds)}: test accuracy ${fmt(m?.test_privatized?.accuracy)} privatized, ${fmt(m?.test_clean?.accuracy)} clean, ` +
        `replaced ${fmt(result.replaced_fraction)}${eta}`
    );
  }

  const results = keys.map((k) => done.get(k)).filter((r): r is TuneRow => r !== undefined);
  const groups = summarize(results);
  await store.write(SUMMARY_CSV, summaryCsv(groups));
  await store.write(SUMMARY_MD, summaryMarkdown(groups, { title: opts.title }));
  await store.write(CHART_SVG, budgetChartSvg(groups, { title: opts.title ? `${opts.title}: test accuracy vs privacy budget` : undefined }));
  const files = [RUNS_FILE, SUMMARY_CSV, SUMMARY_MD, CHART_SVG].map((f) => store.describe(f));
  log(
    `sweep ${aborted ? 'stopped' : 'done'}: ${ran} ran, ${skipped} already finished, ${failures.length} failed, ${results.length}/${total} finished in all; wrote ${files.slice(1).join(', ')}`
  );
  if (failures.length > 0) log(`${failures.length} run(s) failed: their "error" lines are in ${store.describe(RUNS_FILE)}; run the same command again to retry them`);
  return { total, skipped, ran, failed: failures.length, failures, aborted, results, groups, files };
}

function fmt(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(3) : '?';
}
