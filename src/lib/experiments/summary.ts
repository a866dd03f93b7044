// The sweep's results grouped by config minus the seed, with mean ± sample standard deviation
// (n − 1 in the denominator) over the seeds of each group. Groups come sorted by budget (clean
// first, then each mechanism by increasing budget) and, within a budget, in the order their
// variants first appear. Formatting lives in summary-tables.ts. Browser-safe.

import type { TuneConfig, TuneResult } from '../rapt/config';
import { MECHANISMS } from '../boundary/spec';
import { budgetInfo, budgetLabel, labelContext, variantLabel, type BudgetInfo } from './labels';
import { runKey } from './run-key';

export interface SummaryMetric {
  id: string;
  /** column title in the Markdown table */
  label: string;
  get: (r: TuneResult) => number;
  /** decimals in the Markdown table */
  digits: number;
}

/** The metrics summarised, in column order. `inTable: false` ones appear only in the CSV. */
export const SUMMARY_METRICS: readonly (SummaryMetric & { inTable: boolean })[] = [
  { id: 'test_privatized_accuracy', label: 'test acc (privatized)', get: (r) => r.metrics.test_privatized.accuracy, digits: 3, inTable: true },
  // a clean test split that was not sent (n = 0: private data, or the browser's default) is no value, not 0
  { id: 'test_clean_accuracy', label: 'test acc (clean)', get: (r) => (r.metrics.test_clean.n > 0 ? r.metrics.test_clean.accuracy : NaN), digits: 3, inTable: true },
  { id: 'test_privatized_macro_f1', label: 'macro-F1 (privatized)', get: (r) => r.metrics.test_privatized.macro_f1, digits: 3, inTable: true },
  { id: 'replaced_fraction', label: 'replaced', get: (r) => r.replaced_fraction, digits: 3, inTable: true },
  { id: 'wall_seconds', label: 'wall (s)', get: (r) => r.wall_seconds, digits: 1, inTable: true },
  { id: 'dev_privatized_accuracy', label: 'dev acc (privatized)', get: (r) => r.metrics.dev_privatized.accuracy, digits: 3, inTable: false },
  { id: 'majority_accuracy', label: 'majority acc', get: (r) => r.majority_accuracy, digits: 3, inTable: false }
];

export interface Stat {
  mean: number;
  /** sample standard deviation; null with fewer than 2 values */
  std: number | null;
  /** finite values averaged */
  n: number;
}

/** Mean and sample standard deviation of the finite values (NaN mean when there are none). */
export function meanStd(xs: readonly number[]): Stat {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x));
  const n = v.length;
  if (n === 0) return { mean: NaN, std: null, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, std: null, n };
  const ss = v.reduce((a, b) => a + (b - mean) * (b - mean), 0);
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}

export type ConfigWithoutSeed = Omit<TuneConfig, 'seed'>;

export interface SummaryGroup {
  /** run key of the config without its seed */
  key: string;
  config: ConfigWithoutSeed;
  /** key of the config without seed and budget value: one chart series */
  variantKey: string;
  variant: string;
  budget: BudgetInfo;
  budgetLabel: string;
  seeds: number[];
  /** by SUMMARY_METRICS id */
  stats: Record<string, Stat>;
}

function withoutSeed(c: TuneConfig): ConfigWithoutSeed {
  const { seed: _seed, ...rest } = c;
  return rest;
}

function variantOf(c: TuneConfig): Partial<TuneConfig> {
  const { seed: _s, eta: _e, epsilon: _p, ...rest } = c;
  return rest;
}

/** Group finished runs by config minus seed (a run seen twice, by its key, counts once: the last). */
export function summarize(rows: readonly (TuneResult & { key?: string })[]): SummaryGroup[] {
  const byRun = new Map<string, TuneResult>();
  for (const r of rows) byRun.set(r.key ?? runKey(r.config), r);
  const runs = [...byRun.values()];
  const ctx = labelContext(runs.map((r) => r.config));
  const groups = new Map<string, { config: TuneConfig; runs: TuneResult[] }>();
  for (const r of runs) {
    const k = runKey(withoutSeed(r.config));
    const g = groups.get(k);
    if (g) g.runs.push(r);
    else groups.set(k, { config: r.config, runs: [r] });
  }
  const variantOrder = new Map<string, number>();
  const out: SummaryGroup[] = [];
  for (const [key, g] of groups) {
    const variantKey = runKey(variantOf(g.config));
    if (!variantOrder.has(variantKey)) variantOrder.set(variantKey, variantOrder.size);
    const budget = budgetInfo(g.config);
    const stats: Record<string, Stat> = {};
    for (const m of SUMMARY_METRICS) stats[m.id] = meanStd(g.runs.map((r) => metricValue(m, r)));
    out.push({
      key,
      config: withoutSeed(g.config),
      variantKey,
      variant: variantLabel(g.config, ctx),
      budget,
      budgetLabel: budgetLabel(budget),
      seeds: g.runs.map((r) => r.config.seed).sort((a, b) => a - b),
      stats
    });
  }
  const mechRank = (b: BudgetInfo) => (b.mechanism === 'none' ? -1 : MECHANISMS.indexOf(b.mechanism));
  return out.sort(
    (a, b) =>
      mechRank(a.budget) - mechRank(b.budget) ||
      (a.budget.value ?? 0) - (b.budget.value ?? 0) ||
      variantOrder.get(a.variantKey)! - variantOrder.get(b.variantKey)!
  );
}

/** A metric of one result; NaN when the result lacks it (a row from an older or partial writer). */
function metricValue(m: SummaryMetric, r: TuneResult): number {
  try {
    const v = m.get(r);
    return typeof v === 'number' ? v : NaN;
  } catch {
    return NaN;
  }
}
