// A sweep's attack results grouped by attack config minus the seed, with mean ± sample standard
// deviation over the seeds of the attack's success, its baseline's, privacy (1 − success) and the
// success excluding stop words (token attacks). Groups come sorted by attack (in the order the runs
// first appear), then by budget (clean first, then each mechanism by increasing budget), the same
// budget order as summary.ts. Browser-safe.

import type { AttackConfig, AttackResult } from '../attacks/config';
import type { AttackKind } from '../attacks/threat-model';
import { MECHANISMS } from '../boundary/spec';
import { budgetInfo, budgetLabel, type BudgetInfo } from './labels';
import { runKey } from './run-key';
import { meanStd, type Stat } from './summary';

export interface AttackSummaryMetric {
  id: string;
  label: string;
  get: (r: AttackResult) => number;
}

/** Where each token attack keeps its recovery rates in `details` (`{overall, excluding_stop_words}`). */
const DETAIL_KEY: Partial<Record<AttackKind, string>> = { 'inversion-nn': 'bayes', 'inversion-learned': 'learned', mask: 'mask' };

function detailRate(r: AttackResult, key: string | undefined, field: 'overall' | 'excluding_stop_words'): number {
  if (!key) return NaN;
  const d = (r.details as Record<string, unknown> | undefined)?.[key] as Record<string, unknown> | undefined;
  const v = d?.[field];
  return typeof v === 'number' ? v : NaN;
}

export const ATTACK_SUMMARY_METRICS: readonly AttackSummaryMetric[] = [
  { id: 'success', label: 'success', get: (r) => r.success },
  { id: 'baseline', label: 'baseline', get: (r) => r.baseline.value },
  { id: 'privacy', label: 'privacy (1 − success)', get: (r) => r.privacy },
  { id: 'success_excluding_stop_words', label: 'success, no stop words', get: (r) => detailRate(r, DETAIL_KEY[r.attack], 'excluding_stop_words') },
  { id: 'baseline_excluding_stop_words', label: 'baseline, no stop words', get: (r) => detailRate(r, 'identity', 'excluding_stop_words') },
  { id: 'wall_seconds', label: 'wall (s)', get: (r) => r.wall_seconds }
];

export type AttackConfigWithoutSeed = Omit<AttackConfig, 'seed'>;

export interface AttackGroup {
  /** run key of the attack config without its seed */
  key: string;
  config: AttackConfigWithoutSeed;
  attack: AttackKind;
  task: string;
  /** "inversion-nn", or "attribute (era)" */
  label: string;
  /** the baseline's name (identity, majority) */
  baselineName: string;
  budget: BudgetInfo;
  budgetLabel: string;
  seeds: number[];
  /** by ATTACK_SUMMARY_METRICS id */
  stats: Record<string, Stat>;
}

/** "inversion-learned", "attribute (era)"; with `withTask`, the task in brackets too. */
export function attackLabel(c: Pick<AttackConfig, 'attack' | 'task' | 'attribute'>, withTask = false): string {
  const parts = [c.attack === 'attribute' && c.attribute ? `attribute (${c.attribute})` : c.attack];
  if (withTask) parts.push(`on ${c.task}`);
  return parts.join(' ');
}

function value(m: AttackSummaryMetric, r: AttackResult): number {
  try {
    const v = m.get(r);
    return typeof v === 'number' ? v : NaN;
  } catch {
    return NaN;
  }
}

/** Group finished attack runs by config minus seed (a run seen twice, by its key, counts once: the last). */
export function summarizeAttacks(rows: readonly (AttackResult & { key?: string })[]): AttackGroup[] {
  const byRun = new Map<string, AttackResult>();
  for (const r of rows) byRun.set(r.key ?? runKey(r.config), r);
  const runs = [...byRun.values()];
  const severalTasks = new Set(runs.map((r) => r.config.task)).size > 1;
  const groups = new Map<string, { config: AttackConfig; runs: AttackResult[] }>();
  const attackOrder = new Map<string, number>();
  for (const r of runs) {
    const { seed: _seed, ...rest } = r.config;
    const k = runKey(rest);
    const g = groups.get(k);
    if (g) g.runs.push(r);
    else groups.set(k, { config: r.config, runs: [r] });
    const a = attackLabel(r.config, true);
    if (!attackOrder.has(a)) attackOrder.set(a, attackOrder.size);
  }
  const out: AttackGroup[] = [];
  for (const [key, g] of groups) {
    const { seed: _seed, ...config } = g.config;
    const budget = budgetInfo(g.config);
    const stats: Record<string, Stat> = {};
    for (const m of ATTACK_SUMMARY_METRICS) stats[m.id] = meanStd(g.runs.map((r) => value(m, r)));
    out.push({
      key,
      config,
      attack: g.config.attack,
      task: g.config.task,
      label: attackLabel(g.config, severalTasks),
      baselineName: g.runs[0].baseline?.name ?? 'baseline',
      budget,
      budgetLabel: budgetLabel(budget),
      seeds: g.runs.map((r) => r.config.seed).sort((a, b) => a - b),
      stats
    });
  }
  const mechRank = (b: BudgetInfo) => (b.mechanism === 'none' ? -1 : MECHANISMS.indexOf(b.mechanism));
  return out.sort(
    (a, b) =>
      attackOrder.get(attackLabel(a.config, true))! - attackOrder.get(attackLabel(b.config, true))! ||
      mechRank(a.budget) - mechRank(b.budget) ||
      (a.budget.value ?? 0) - (b.budget.value ?? 0)
  );
}
