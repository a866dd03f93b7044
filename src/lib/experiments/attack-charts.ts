// The attack charts of a sweep, as LineChartSpecs for svg-chart.ts:
//   attacks.svg             attack success (%) against the privacy budget, one line per attack,
//                           its baseline (identity guess / majority class) as a line of its own,
//                           clean-text success as dashed reference lines;
//   frontier-<attack>.svg   the headline picture: task accuracy on privatized test inputs (%)
//                           against that attack's success (%), one curve per method (prompt,
//                           prompt + RAPT, …) through every budget of the sweep, clean included,
//                           each point labelled with its budget; error bars ± std on both axes.
// The frontier joins tuning and attack runs per seed with frontier.ts, as the Frontier page does.
// Browser-safe.

import { BUDGET_SYMBOL, MECHANISM_NAMES, type BudgetInfo } from './labels';
import type { SummaryGroup } from './summary';
import { attackLabel, type AttackGroup } from './attack-summary';
import type { ChartBaseline, ChartSeries, LineChartSpec } from './svg-chart';
import { buildFrontier } from './frontier';
import type { AttackRow, TuneRow } from './runs-log';

const pct = (v: number | null) => (v === null ? null : v * 100);

/** "η=80", "clean". */
export function shortBudget(b: BudgetInfo): string {
  return b.name === null ? 'clean' : `${BUDGET_SYMBOL[b.name]}=${b.value}`;
}

function budgetAxisLabel(budgets: readonly BudgetInfo[]): string {
  const priv = budgets.filter((b) => b.name !== null);
  const names = new Set(priv.map((b) => b.name));
  const mechs = new Set(priv.map((b) => b.mechanism));
  if (names.size !== 1) return 'privacy budget (η or ε; larger = less private)';
  const n = [...names][0]!;
  return `privacy budget ${BUDGET_SYMBOL[n]} (${mechs.size === 1 ? MECHANISM_NAMES[[...mechs][0]] + ', ' : ''}larger = less private)`;
}

/** attacks.svg: success against budget, per attack, with each attack's baseline. */
export function attackChartSpec(groups: readonly AttackGroup[], opts: { title?: string } = {}): LineChartSpec {
  const series = new Map<string, ChartSeries>();
  const baselineSeries = new Map<string, ChartSeries>();
  const baselines: ChartBaseline[] = [];
  for (const g of groups) {
    const s = g.stats.success;
    if (s.n === 0) continue;
    if (g.budget.value === null) {
      baselines.push({ label: `${g.label}, clean text`, y: s.mean * 100, err: pct(s.std) });
      continue;
    }
    let line = series.get(g.label);
    if (!line) series.set(g.label, (line = { label: g.label, points: [] }));
    line.points.push({ x: g.budget.value, y: s.mean * 100, err: pct(s.std) });
    // one baseline line per (task, baseline, budget): the first attack's (token attacks share the identity guess's scored positions, except mask's sample)
    const name = g.baselineName === 'identity' ? 'identity guess' : g.baselineName === 'majority' ? 'majority class' : g.baselineName;
    const bl = `${name} (${g.task}${g.config.attribute ? `, ${g.config.attribute}` : ''})`;
    let b = baselineSeries.get(bl);
    if (!b) {
      const k = baselineSeries.size;
      baselineSeries.set(bl, (b = { label: `baseline: ${bl}`, points: [], color: k % 2 ? '#9a9a9a' : '#555555', dash: k % 2 ? '2 3' : '6 4' }));
    }
    if (!b.points.some((p) => p.x === g.budget.value) && g.stats.baseline.n > 0)
      b.points.push({ x: g.budget.value, y: g.stats.baseline.mean * 100, err: pct(g.stats.baseline.std) });
  }
  const xs = [...new Set(groups.filter((g) => g.budget.value !== null).map((g) => g.budget.value as number))].sort((a, b) => a - b);
  return {
    title: opts.title,
    subtitle: 'mean ± sample std over seeds; grey (with markers): the trivial baseline on the same examples; dashed, no markers: no privatization',
    xLabel: budgetAxisLabel(groups.map((g) => g.budget)),
    yLabel: 'attack success (%)',
    series: [...series.values(), ...baselineSeries.values()],
    baselines,
    xScale: 'auto',
    xTicks: xs.length > 0 && xs.length <= 10 ? xs : undefined,
    yClamp: [0, 100]
  };
}

/** The attack labels a frontier can use: attacks on a task the tuning runs share. */
export function frontierAttacks(tune: readonly SummaryGroup[], attacks: readonly AttackGroup[]): string[] {
  const tasks = new Set(tune.map((g) => `${g.config.model}\u0000${g.config.task}`));
  return [...new Set(attacks.filter((a) => tasks.has(`${a.config.model}\u0000${a.task}`)).map((a) => a.label))];
}

/**
 * frontier-<attack>.svg: task accuracy (privatized test inputs) against the success of the attack
 * labelled `attack` (an attackLabel with its task). The join is the Frontier page's (frontier.ts,
 * per seed on model, task, budget and seed), so the CLI's chart and the page agree point by point.
 */
export function frontierChartSpec(tuneRows: readonly TuneRow[], attackRows: readonly AttackRow[], attack: string, opts: { title?: string } = {}): LineChartSpec {
  // (a fresh config object: frontier.ts reads rows of any origin, typed with an open config)
  const rows = attackRows.filter((a) => attackLabel(a.config, true) === attack).map((a) => ({ ...a, config: { ...a.config } }));
  const name = rows[0]?.config.attack ?? attack;
  const frontier = buildFrontier(tuneRows, rows, { x: { kind: 'attack', attack: name }, y: 'test_privatized_accuracy' });
  const series: ChartSeries[] = frontier.curves
    .filter((c) => c.points.length > 0)
    .map((c) => ({
      label: c.label,
      points: c.points.map((p) => ({
        x: p.x.mean * 100,
        xErr: pct(p.x.std),
        y: p.y.mean * 100,
        err: pct(p.y.std),
        note: shortBudget(p.budget)
      }))
    }));
  const baselines: ChartBaseline[] = [];
  const tasks = new Set(tuneRows.map((r) => `${r.config.task}\u0000${r.config.evalLimit}`));
  if (tasks.size === 1 && frontier.majority !== null) baselines.push({ label: 'majority class (task accuracy)', y: frontier.majority * 100, color: '#888888', style: 'dotted' });
  return {
    title: opts.title,
    subtitle: 'one point per budget (labelled), mean ± sample std over seeds on both axes; up and to the left is better',
    xLabel: `${attack} attack success (%; lower = more private)`,
    yLabel: 'task accuracy, privatized test inputs (%)',
    series,
    baselines,
    xScale: 'linear'
  };
}
