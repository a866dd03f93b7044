// Runs a sweep: every tuning config not yet finished in runs.jsonl, one after another, then every
// attack config (sweep-attacks.ts) likewise, each result appended as one line the moment it ends;
// then summary.csv, summary.md and chart.svg from every finished run of the sweep, and with attack
// results attacks.csv, attacks.svg and one frontier-<attack>.svg per attack on the tuning task.
// Resuming is running it again: finished runs (kind "tune" / "attack" lines, matched by run key)
// are skipped; a cut-off last line is dropped and its run redone; failed runs
// (kind "error" lines) are tried again. A run that throws is recorded as an error line and the
// sweep goes on; a runner that throws SweepAbort stops it at once (an interruption, nothing more is
// written); an aborted `signal` stops it between runs (the summaries are still written).
// Browser-safe: files go through a SweepStore, runs through the injected `run`.

import type { TuneConfig, TuneResult } from '../rapt/config';
import type { AttackConfig, AttackResult } from '../attacks/config';
import { budgetChartSvg } from './budget-chart';
import { summarizeAttacks, type AttackGroup } from './attack-summary';
import { attackCsv, attackMarkdown } from './attack-tables';
import { attackChartSpec, frontierAttacks, frontierChartSpec } from './attack-charts';
import { lineChartSvg } from './svg-chart';
import { budgetInfo, budgetLabel, labelContext, variantLabel } from './labels';
import { runKey } from './run-key';
import { parseRunsLog, runsLogLine, type AttackRow, type ErrorRow, type TuneRow } from './runs-log';
import { summarize, type SummaryGroup } from './summary';
import { summaryCsv, summaryMarkdown } from './summary-tables';
import type { SweepStore } from './sweep-store';

export const RUNS_FILE = 'runs.jsonl';
export const SUMMARY_CSV = 'summary.csv';
export const SUMMARY_MD = 'summary.md';
export const CHART_SVG = 'chart.svg';
export const ATTACKS_CSV = 'attacks.csv';
export const ATTACKS_SVG = 'attacks.svg';
/** frontier-inversion-nn.svg, frontier-attribute-era.svg, … */
export function frontierFile(attackLabel: string): string {
  return `frontier-${attackLabel.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}.svg`;
}

/** Thrown by a runner to stop the sweep where it is (as if the process had been killed). */
export class SweepAbort extends Error {
  override name = 'SweepAbort';
}

export interface RunSweepOptions {
  /** the runs, in order (expandSweep's output) */
  configs: readonly TuneConfig[];
  store: SweepStore;
  run: (config: TuneConfig) => Promise<TuneResult>;
  /** attack runs, after the tuning runs (sweep-attacks.ts expandAttacks's output) */
  attacks?: readonly AttackConfig[];
  /** required when `attacks` is not empty */
  runAttack?: (config: AttackConfig) => Promise<AttackResult>;
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
  /** every finished attack run of this sweep, in config order */
  attackResults: AttackRow[];
  attackGroups: AttackGroup[];
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
  const attackConfigs = opts.attacks ?? [];
  if (attackConfigs.length > 0 && !opts.runAttack) throw new Error('runSweep: attacks given without runAttack');

  // the runs, unique by key
  const unique = <C>(list: readonly C[]) => {
    const configs: C[] = [];
    const keys: string[] = [];
    const seen = new Set<string>();
    for (const c of list) {
      const k = runKey(c);
      if (seen.has(k)) continue;
      seen.add(k);
      configs.push(c);
      keys.push(k);
    }
    return { configs, keys, seen };
  };
  const tunes = unique(opts.configs);
  const atks = unique(attackConfigs);

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
  const doneAttacks = new Map<string, AttackRow>();
  for (const r of prior.attack) doneAttacks.set(r.key, r);
  const stray = [...done.keys()].filter((k) => !tunes.seen.has(k)).length + [...doneAttacks.keys()].filter((k) => !atks.seen.has(k)).length;
  const todo = [
    ...tunes.configs.map((c, i) => ({ kind: 'tune' as const, config: c as TuneConfig | AttackConfig, key: tunes.keys[i] })).filter((t) => !done.has(t.key)),
    ...atks.configs.map((c, i) => ({ kind: 'attack' as const, config: c as TuneConfig | AttackConfig, key: atks.keys[i] })).filter((t) => !doneAttacks.has(t.key))
  ];
  const total = tunes.configs.length + atks.configs.length;
  const skipped = total - todo.length;
  const what = atks.configs.length > 0 ? `${tunes.configs.length} tuning + ${atks.configs.length} attack runs` : `${total} runs`;
  log(`sweep${opts.title ? ` ${opts.title}` : ''}: ${what}, ${skipped} already finished in ${store.describe(RUNS_FILE)}, ${todo.length} to run`);
  if (stray > 0) log(`${stray} finished run(s) in ${RUNS_FILE} are not in this sweep's grid: kept there, left out of the summary`);

  const ctx = labelContext(tunes.configs);
  // ETA: the mean duration of the runs of the same kind so far (attacks and tuning differ a lot)
  const durations = { tune: [] as number[], attack: [] as number[] };
  const failures: { key: string; message: string }[] = [];
  let ran = 0;
  let aborted = false;
  for (let i = 0; i < todo.length; i++) {
    if (opts.signal?.aborted) {
      aborted = true;
      log(`stopped before run ${i + 1}/${todo.length}; run the same command again to resume`);
      break;
    }
    const { kind, config, key } = todo[i];
    const tag = `run ${i + 1}/${todo.length}`;
    if (kind === 'tune') {
      const c = config as TuneConfig;
      log(`${tag} ${key}: ${variantLabel(c, ctx)}, ${budgetLabel(budgetInfo(c))}, seed ${c.seed}`);
    } else {
      const c = config as AttackConfig;
      log(`${tag} ${key}: attack ${c.attack}${c.attribute ? ` (${c.attribute})` : ''} on ${c.task}, ${budgetLabel(budgetInfo(c))}, seed ${c.seed}`);
    }
    const t0 = now();
    let result: TuneResult | AttackResult;
    try {
      if (kind === 'tune') {
        result = await run(config as TuneConfig);
        if (typeof result !== 'object' || result === null || typeof result.metrics !== 'object')
          throw new Error(`the runner returned ${JSON.stringify(result)?.slice(0, 80)}, not a TuneResult`);
      } else {
        result = await opts.runAttack!(config as AttackConfig);
        if (typeof result !== 'object' || result === null || typeof result.success !== 'number')
          throw new Error(`the attack runner returned ${JSON.stringify(result)?.slice(0, 80)}, not an AttackResult`);
      }
    } catch (e) {
      if (e instanceof SweepAbort || (e as Error | null)?.name === 'SweepAbort') throw e;
      const message = e instanceof Error ? e.message : String(e);
      const row: ErrorRow = { kind: 'error', key, config, message };
      await store.append(RUNS_FILE, runsLogLine(row));
      failures.push({ key, message });
      durations[kind].push((now() - t0) / 1000);
      log(`${tag} FAILED after ${formatDuration((now() - t0) / 1000)}: ${message}`);
      continue;
    }
    const seconds = (now() - t0) / 1000;
    ran++;
    durations[kind].push(seconds);
    let line: string;
    if (kind === 'tune') {
      const row: TuneRow = { ...(result as TuneResult), kind: 'tune', key };
      await store.append(RUNS_FILE, runsLogLine(row));
      done.set(key, row);
      const m = row.metrics;
      line = `test accuracy ${fmt(m?.test_privatized?.accuracy)} privatized, ${fmt(m?.test_clean?.accuracy)} clean, replaced ${fmt(row.replaced_fraction)}`;
    } else {
      const row: AttackRow = { ...(result as AttackResult), kind: 'attack', key };
      await store.append(RUNS_FILE, runsLogLine(row));
      doneAttacks.set(key, row);
      line = `success ${fmt(row.success)} against ${row.baseline?.name ?? 'baseline'} ${fmt(row.baseline?.value)}`;
    }
    log(`${tag} done in ${formatDuration(seconds)}: ${line}${etaText(todo.slice(i + 1), durations)}`);
  }

  const results = tunes.keys.map((k) => done.get(k)).filter((r): r is TuneRow => r !== undefined);
  const attackResults = atks.keys.map((k) => doneAttacks.get(k)).filter((r): r is AttackRow => r !== undefined);
  const groups = summarize(results);
  const attackGroups = summarizeAttacks(attackResults);
  await store.write(SUMMARY_CSV, summaryCsv(groups));
  await store.write(SUMMARY_MD, summaryMarkdown(groups, { title: opts.title }) + attackMarkdown(attackGroups));
  await store.write(CHART_SVG, budgetChartSvg(groups, { title: opts.title ? `${opts.title}: test accuracy vs privacy budget` : undefined }));
  const written = [RUNS_FILE, SUMMARY_CSV, SUMMARY_MD, CHART_SVG];
  if (attackGroups.length > 0) {
    await store.write(ATTACKS_CSV, attackCsv(attackGroups));
    await store.write(ATTACKS_SVG, lineChartSvg(attackChartSpec(attackGroups, { title: opts.title ? `${opts.title}: attack success vs privacy budget` : undefined })));
    written.push(ATTACKS_CSV, ATTACKS_SVG);
    for (const a of frontierAttacks(groups, attackGroups)) {
      const f = frontierFile(a);
      await store.write(f, lineChartSvg(frontierChartSpec(results, attackResults, a, { title: opts.title ? `${opts.title}: task accuracy vs ${a} success` : undefined })));
      written.push(f);
    }
  }
  const files = written.map((f) => store.describe(f));
  const finished = results.length + attackResults.length;
  log(
    `sweep ${aborted ? 'stopped' : 'done'}: ${ran} ran, ${skipped} already finished, ${failures.length} failed, ${finished}/${total} finished in all; wrote ${files.slice(1).join(', ')}`
  );
  if (failures.length > 0) log(`${failures.length} run(s) failed: their "error" lines are in ${store.describe(RUNS_FILE)}; run the same command again to retry them`);
  return { total, skipped, ran, failed: failures.length, failures, aborted, results, groups, attackResults, attackGroups, files };
}

/** "; ETA 5m 12s for 7 more" from the mean duration so far of each kind of run left. */
function etaText(left: readonly { kind: 'tune' | 'attack' }[], durations: Record<'tune' | 'attack', number[]>): string {
  if (left.length === 0) return '';
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  let seconds = 0;
  for (const t of left) {
    const m = mean(durations[t.kind]);
    seconds += Number.isFinite(m) ? m : mean([...durations.tune, ...durations.attack]);
  }
  return `; ETA ${formatDuration(seconds)} for ${left.length} more`;
}

function fmt(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(3) : '?';
}
