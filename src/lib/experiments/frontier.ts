// The privacy–utility frontier of a sweep: tune rows and attack rows of runs.jsonl joined on
// (model, task, mechanism, budget, seed), aggregated over seeds into one curve per method variant
// with one point per budget. x is the chosen attack's success (or, when the sweep holds no attack
// results, the fraction of tokens the privatizer replaced); y is a task metric. Each point carries
// mean ± sample std and n for both axes: y over every seed of the tuning group, x over the seeds
// that have a matching attack row (the join may leave some out; they are listed in `missing`).
// A curve runs from the most private budget to the least, ending at clean text when the sweep has
// it (clean runs join every curve of the same method variant). Pure and browser-safe.

import type { TuneConfig, TuneMechanism } from '../rapt/config';
import { MECHANISMS } from '../boundary/spec';
import { budgetInfo, budgetLabel, labelContext, variantLabel, MECHANISM_NAMES, type BudgetInfo } from './labels';
import { meanStd, SUMMARY_METRICS, type Stat, type ConfigWithoutSeed } from './summary';
import { runKey } from './run-key';
import type { TuneRow } from './runs-log';

/** An attack row of runs.jsonl, as much of it as the frontier reads. */
export interface AttackRow {
  kind: 'attack';
  key?: string;
  attack?: string;
  config: { attack: string; model: string; task: string; mechanism: TuneMechanism; eta?: number; epsilon?: number; seed: number; [k: string]: unknown };
  success: number;
  baseline?: { name: string; value: number };
  [k: string]: unknown;
}

/** The task metrics the y axis can show (ids of SUMMARY_METRICS). */
export const FRONTIER_Y_METRICS = ['test_privatized_accuracy', 'test_clean_accuracy', 'test_privatized_macro_f1', 'dev_privatized_accuracy'] as const;
export type FrontierYMetric = (typeof FRONTIER_Y_METRICS)[number];

export const Y_METRIC_LABELS: Record<FrontierYMetric, string> = {
  test_privatized_accuracy: 'test accuracy, privatized inputs',
  test_clean_accuracy: 'test accuracy, clean inputs (reference)',
  test_privatized_macro_f1: 'test macro-F1, privatized inputs',
  dev_privatized_accuracy: 'dev accuracy, privatized inputs'
};

/** x: an attack's success, or the fallback when the sweep has no attack results. */
export type FrontierX = { kind: 'attack'; attack: string } | { kind: 'replaced' };

export interface FrontierOptions {
  x: FrontierX;
  y: FrontierYMetric;
}

/** One seed of a point: its tuning run and, when joined, its attack run. */
export interface FrontierRun {
  seed: number;
  tuneKey: string;
  /** the y metric of this run (NaN if the row lacks it) */
  y: number;
  /** the x value of this run, null when no attack row matched */
  x: number | null;
  attackKey: string | null;
}

export interface FrontierPoint {
  /** run key of the tuning config without its seed */
  key: string;
  config: ConfigWithoutSeed;
  budget: BudgetInfo;
  budgetLabel: string;
  x: Stat;
  y: Stat;
  /** seeds of the tuning runs, ascending */
  seeds: number[];
  runs: FrontierRun[];
}

export interface FrontierCurve {
  /** run key of the variant (config without seed, budget and mechanism) plus its mechanism */
  key: string;
  label: string;
  /** the privatizing mechanism of the curve ('none' for a curve of clean runs only) */
  mechanism: TuneMechanism;
  /** most private budget first, clean text last; points with no x are left out (see `missing`) */
  points: FrontierPoint[];
}

export interface MissingPoint {
  curve: string;
  budgetLabel: string;
  /** tuning seeds without a matching attack row */
  seeds: number[];
  /** true when no seed matched (the point is not drawn) */
  dropped: boolean;
}

export interface FrontierAxis {
  label: string;
  /** values are fractions in [0, 1], shown as percentages */
  unit: 'fraction';
}

export interface Frontier {
  x: FrontierAxis & FrontierX;
  y: FrontierAxis & { metric: FrontierYMetric };
  curves: FrontierCurve[];
  missing: MissingPoint[];
  /** attack rows of the chosen attack that matched no tuning run (other model/task/budget/seed) */
  unmatchedAttacks: { budgetLabel: string; seed: number }[];
  /** mean majority-class test accuracy over the tuning runs (a y reference), null if unknown */
  majority: number | null;
  /** the chosen attack's trivial baseline, mean over its rows (an x reference), null if none */
  attackBaseline: { name: string; value: number } | null;
}

/** Attacks present in the attack rows, with how many rows each, in first-seen order. */
export function attacksPresent(attacks: readonly AttackRow[]): { attack: string; rows: number }[] {
  const counts = new Map<string, number>();
  for (const a of attacks) counts.set(a.config.attack, (counts.get(a.config.attack) ?? 0) + 1);
  return [...counts].map(([attack, rows]) => ({ attack, rows }));
}

/** The join key: model, task, mechanism, budget value, seed. */
export function joinKey(c: { model: string; task: string; mechanism: TuneMechanism; eta?: number; epsilon?: number; seed: number }): string {
  const b = budgetInfo(c);
  return JSON.stringify([c.model, c.task, b.mechanism, b.value, c.seed]);
}

function metric(id: FrontierYMetric) {
  const m = SUMMARY_METRICS.find((s) => s.id === id);
  if (!m) throw new Error(`unknown metric ${id}`);
  return (r: TuneRow): number => {
    try {
      const v = m.get(r);
      return typeof v === 'number' ? v : NaN;
    } catch {
      return NaN;
    }
  };
}

function withoutSeed(c: TuneConfig): ConfigWithoutSeed {
  const { seed: _seed, ...rest } = c;
  return rest;
}

/** The variant without its budget and mechanism (so clean runs meet the privatized ones). */
function baseVariantKey(c: TuneConfig): string {
  const { seed: _s, eta: _e, epsilon: _p, mechanism: _m, ...rest } = c;
  return runKey(rest);
}

const mechRank = (m: TuneMechanism) => (m === 'none' ? MECHANISMS.length : MECHANISMS.indexOf(m));

/** Most private first: by mechanism, then increasing budget (a larger η or ε is less private); clean last. */
function byPrivacy(a: BudgetInfo, b: BudgetInfo): number {
  return mechRank(a.mechanism) - mechRank(b.mechanism) || (a.value ?? 0) - (b.value ?? 0);
}

export function xAxisLabel(x: FrontierX): string {
  return x.kind === 'attack' ? `attack success (${x.attack})` : 'privatization strength (fraction of tokens replaced)';
}

/** Join and aggregate. Tuning rows seen twice (by key) count once: the last, as in summarize(). */
export function buildFrontier(tuneRows: readonly TuneRow[], attackRows: readonly AttackRow[], opts: FrontierOptions): Frontier {
  const byKey = new Map<string, TuneRow>();
  for (const r of tuneRows) byKey.set(r.key ?? runKey(r.config), r);
  const runs = [...byKey.values()];
  const yOf = metric(opts.y);

  // attack rows of the chosen attack by join key (the last row wins)
  const chosen = opts.x.kind === 'attack' ? attackRows.filter((a) => a.config.attack === (opts.x as { attack: string }).attack) : [];
  const attackBy = new Map<string, AttackRow>();
  for (const a of chosen) attackBy.set(joinKey(a.config), a);
  const used = new Set<string>();

  // tuning groups: config without seed
  const groups = new Map<string, TuneRow[]>();
  for (const r of runs) {
    const k = runKey(withoutSeed(r.config));
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }

  const ctx = labelContext(runs.map((r) => r.config));
  const mechanisms = new Set(runs.map((r) => r.config.mechanism).filter((m) => m !== 'none'));
  // curves: one per (base variant, privatizing mechanism); clean groups join each curve of their base
  const curves = new Map<string, FrontierCurve>();
  const curveOrder: string[] = [];
  const missing: MissingPoint[] = [];

  const pending: { base: string; mech: TuneMechanism; config: TuneConfig; point: FrontierPoint }[] = [];
  for (const [key, rows] of groups) {
    const config = rows[0].config;
    const budget = budgetInfo(config);
    const pointRuns: FrontierRun[] = rows
      .map((r) => {
        if (opts.x.kind === 'replaced') {
          const v = typeof r.replaced_fraction === 'number' ? r.replaced_fraction : null;
          return { seed: r.config.seed, tuneKey: r.key, y: yOf(r), x: v, attackKey: null };
        }
        const jk = joinKey(r.config);
        const a = attackBy.get(jk);
        if (a) used.add(jk);
        return {
          seed: r.config.seed,
          tuneKey: r.key,
          y: yOf(r),
          x: a && typeof a.success === 'number' ? a.success : null,
          attackKey: a ? (a.key ?? runKey(a.config)) : null
        };
      })
      .sort((a, b) => a.seed - b.seed);
    const point: FrontierPoint = {
      key,
      config: withoutSeed(config),
      budget,
      budgetLabel: budgetLabel(budget),
      x: meanStd(pointRuns.filter((r) => r.x !== null).map((r) => r.x as number)),
      y: meanStd(pointRuns.map((r) => r.y)),
      seeds: pointRuns.map((r) => r.seed),
      runs: pointRuns
    };
    pending.push({ base: baseVariantKey(config), mech: config.mechanism, config, point });
  }

  const curveLabel = (c: TuneConfig, mech: TuneMechanism): string => {
    // variantLabel names clean runs "…, clean": the frontier's curves span budgets, so drop it
    const base = variantLabel({ ...c, mechanism: 'none' }, ctx).replace(', clean', '');
    return mech !== 'none' && mechanisms.size > 1 ? `${base} · ${MECHANISM_NAMES[mech]}` : base;
  };

  for (const p of pending) {
    if (p.mech === 'none') continue;
    const ck = `${p.base}/${p.mech}`;
    let curve = curves.get(ck);
    if (!curve) {
      curve = { key: ck, label: curveLabel(p.config, p.mech), mechanism: p.mech, points: [] };
      curves.set(ck, curve);
      curveOrder.push(ck);
    }
    curve.points.push(p.point);
  }
  // clean points: onto each curve of their base variant, or a curve of their own
  for (const p of pending.filter((q) => q.mech === 'none')) {
    const targets = curveOrder.filter((k) => k.startsWith(`${p.base}/`));
    if (targets.length === 0) {
      const ck = `${p.base}/none`;
      if (!curves.has(ck)) {
        curves.set(ck, { key: ck, label: curveLabel(p.config, 'none'), mechanism: 'none', points: [] });
        curveOrder.push(ck);
      }
      curves.get(ck)!.points.push(p.point);
    } else for (const k of targets) curves.get(k)!.points.push(p.point);
  }

  const out: FrontierCurve[] = [];
  for (const k of curveOrder) {
    const c = curves.get(k)!;
    c.points.sort((a, b) => byPrivacy(a.budget, b.budget));
    for (const pt of c.points) {
      const lacking = pt.runs.filter((r) => r.x === null).map((r) => r.seed);
      if (lacking.length > 0) missing.push({ curve: c.label, budgetLabel: pt.budgetLabel, seeds: lacking, dropped: pt.x.n === 0 });
    }
    c.points = c.points.filter((pt) => pt.x.n > 0);
    out.push(c);
  }

  const unmatchedAttacks = chosen
    .filter((a) => !used.has(joinKey(a.config)))
    .map((a) => ({ budgetLabel: budgetLabel(budgetInfo(a.config)), seed: a.config.seed }));
  const majority = meanStd(runs.map((r) => r.majority_accuracy));
  const baselines = chosen.filter((a) => a.baseline && typeof a.baseline.value === 'number');
  const attackBaseline =
    baselines.length > 0 ? { name: baselines[0].baseline!.name, value: meanStd(baselines.map((a) => a.baseline!.value)).mean } : null;

  return {
    x: { ...opts.x, label: xAxisLabel(opts.x), unit: 'fraction' },
    y: { metric: opts.y, label: Y_METRIC_LABELS[opts.y], unit: 'fraction' },
    curves: out,
    missing,
    unmatchedAttacks,
    majority: majority.n > 0 ? majority.mean : null,
    attackBaseline
  };
}
