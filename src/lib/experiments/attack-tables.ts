// The attack half of a sweep's summary: attacks.csv (one row per attack config minus seed, full
// precision, RFC 4180) and the Markdown section appended to summary.md. Browser-safe.

import { canonicalJson } from './run-key';
import { ATTACK_SUMMARY_METRICS, type AttackGroup } from './attack-summary';
import { csvRow, formatStat } from './summary-tables';

export const ATTACK_CSV_COLUMNS: readonly string[] = [
  'attack',
  'task',
  'budget',
  'mechanism',
  'budget_name',
  'budget_value',
  'baseline_name',
  'n_seeds',
  'seeds',
  ...ATTACK_SUMMARY_METRICS.flatMap((m) => [`${m.id}_mean`, `${m.id}_std`]),
  'group_key',
  'config'
];

export function attackCsv(groups: readonly AttackGroup[]): string {
  let out = csvRow([...ATTACK_CSV_COLUMNS]);
  for (const g of groups)
    out += csvRow([
      g.label,
      g.task,
      g.budgetLabel,
      g.budget.mechanism,
      g.budget.name,
      g.budget.value,
      g.baselineName,
      g.seeds.length,
      g.seeds.join(' '),
      ...ATTACK_SUMMARY_METRICS.flatMap((m) => [g.stats[m.id].mean, g.stats[m.id].std]),
      g.key,
      canonicalJson(g.config)
    ]);
  return out;
}

function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

/** Percent with one decimal: "56.5 ± 1.2". */
function pctStat(s: { mean: number; std: number | null; n: number }): string {
  return formatStat({ ...s, mean: s.mean * 100, std: s.std === null ? null : s.std * 100 }, 1);
}

/** The "Attacks" section of summary.md (empty string when there are no attack results). */
export function attackMarkdown(groups: readonly AttackGroup[]): string {
  if (groups.length === 0) return '';
  const head = ['attack', 'budget', 'seeds', 'success (%)', 'baseline (%)', 'success, no stop words (%)', 'baseline, no stop words (%)', 'wall (s)'];
  const lines = [
    '',
    '## Attacks',
    '',
    'Success = the rate at which the attack recovers what the user hid (tokens of the privatized test texts, or an attribute); privacy = 1 − success. Baseline: the identity guess (the observed privatized token) for token attacks, the majority class for attributes, on the same examples. Mean ± sample standard deviation over seeds.',
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`
  ];
  for (const g of groups)
    lines.push(
      `| ${[
        g.label,
        g.budgetLabel,
        String(g.seeds.length),
        pctStat(g.stats.success),
        `${pctStat(g.stats.baseline)} (${g.baselineName})`,
        pctStat(g.stats.success_excluding_stop_words),
        pctStat(g.stats.baseline_excluding_stop_words),
        formatStat(g.stats.wall_seconds, 1)
      ]
        .map(mdCell)
        .join(' | ')} |`
    );
  return lines.join('\n') + '\n';
}
