// chart.svg of a sweep: test accuracy on privatized inputs (%) against the privacy budget (η or ε),
// one line per variant with mean ± std error bars, the clean-text runs as horizontal dashed lines
// and the majority-class accuracy as a dotted one. Browser-safe.

import { BUDGET_SYMBOL, MECHANISM_NAMES } from './labels';
import type { SummaryGroup } from './summary';
import { lineChartSvg, type ChartBaseline, type ChartSeries, type LineChartSpec } from './svg-chart';

const pct = (v: number | null) => (v === null ? null : v * 100);

/** The chart spec (exposed for tests and for other renderers). */
export function budgetChartSpec(groups: readonly SummaryGroup[], opts: { title?: string } = {}): LineChartSpec {
  const series = new Map<string, ChartSeries>();
  const baselines: ChartBaseline[] = [];
  const privatized = groups.filter((g) => g.budget.name !== null && g.budget.value !== null);
  for (const g of groups) {
    const s = g.stats.test_privatized_accuracy;
    if (g.budget.name === null) {
      if (s.n > 0) baselines.push({ label: `${g.variant} (mean ± std)`, y: s.mean * 100, err: pct(s.std) });
      continue;
    }
    if (g.budget.value === null || s.n === 0) continue;
    let line = series.get(g.variantKey);
    if (!line) series.set(g.variantKey, (line = { label: g.variant, points: [] }));
    line.points.push({ x: g.budget.value, y: s.mean * 100, err: pct(s.std) });
  }
  const tasks = new Set(groups.map((g) => `${g.config.task}\u0000${g.config.evalLimit}`));
  const majority = groups.map((g) => g.stats.majority_accuracy).find((s) => s && s.n > 0);
  if (tasks.size === 1 && majority) baselines.push({ label: 'majority class', y: majority.mean * 100, color: '#888888', style: 'dotted' });

  const names = new Set(privatized.map((g) => g.budget.name));
  const mechs = new Set(privatized.map((g) => g.budget.mechanism));
  let xLabel = 'privacy budget (η or ε; larger = less private)';
  if (names.size === 1) {
    const n = [...names][0]!;
    xLabel = `privacy budget ${BUDGET_SYMBOL[n]} (${mechs.size === 1 ? MECHANISM_NAMES[[...mechs][0]] + ', ' : ''}larger = less private)`;
  }
  const xs = [...new Set(privatized.map((g) => g.budget.value as number))].sort((a, b) => a - b);
  return {
    title: opts.title,
    subtitle: 'mean ± sample std over seeds (error bars; shaded bands for the clean-text lines)',
    xLabel,
    yLabel: 'test accuracy, privatized inputs (%)',
    series: [...series.values()],
    baselines,
    xScale: 'auto',
    xTicks: xs.length > 0 && xs.length <= 10 ? xs : undefined,
    yClamp: [0, 100]
  };
}

export function budgetChartSvg(groups: readonly SummaryGroup[], opts: { title?: string } = {}): string {
  return lineChartSvg(budgetChartSpec(groups, opts));
}
