// The summary as files: summary.csv (RFC 4180: CRLF line ends, a field is quoted when it holds a
// comma, a double quote, CR or LF, and quotes inside are doubled; full-precision numbers, empty
// for a missing std) and summary.md (a Markdown table, mean ± std rounded). Browser-safe.

import { canonicalJson } from './run-key';
import { SUMMARY_METRICS, type Stat, type SummaryGroup } from './summary';

/** One CSV field, quoted when RFC 4180 requires it. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(fields: (string | number | boolean | null | undefined)[]): string {
  return fields.map(csvField).join(',') + '\r\n';
}

export const CSV_COLUMNS: readonly string[] = [
  'budget',
  'variant',
  'mechanism',
  'budget_name',
  'budget_value',
  'n_seeds',
  'seeds',
  ...SUMMARY_METRICS.flatMap((m) => [`${m.id}_mean`, `${m.id}_std`]),
  'group_key',
  'config'
];

/** summary.csv: a header row and one row per group. `config` is the group's config (no seed) as canonical JSON. */
export function summaryCsv(groups: readonly SummaryGroup[]): string {
  let out = csvRow([...CSV_COLUMNS]);
  for (const g of groups)
    out += csvRow([
      g.budgetLabel,
      g.variant,
      g.budget.mechanism,
      g.budget.name,
      g.budget.value,
      g.seeds.length,
      g.seeds.join(' '),
      ...SUMMARY_METRICS.flatMap((m) => [g.stats[m.id].mean, g.stats[m.id].std]),
      g.key,
      canonicalJson(g.config)
    ]);
  return out;
}

/** "0.912 ± 0.013"; just the mean with one seed; "–" with none. */
export function formatStat(s: Stat, digits: number): string {
  if (s.n === 0 || !Number.isFinite(s.mean)) return '–';
  return s.std === null ? s.mean.toFixed(digits) : `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}`;
}

function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

/** summary.md: a heading, one line on what the numbers are, and the table. */
export function summaryMarkdown(groups: readonly SummaryGroup[], opts: { title?: string } = {}): string {
  const metrics = SUMMARY_METRICS.filter((m) => m.inTable);
  const head = ['budget', 'variant', 'seeds', ...metrics.map((m) => m.label)];
  const lines = [
    `# ${mdCell(opts.title ?? 'Sweep summary')}`,
    '',
    'Mean ± sample standard deviation over seeds. "privatized": test inputs privatized with the run’s mechanism and budget; "clean": the same model on unprivatized test inputs. "replaced": fraction of text tokens the privatizer replaced.',
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`
  ];
  for (const g of groups)
    lines.push(`| ${[g.budgetLabel, g.variant, String(g.seeds.length), ...metrics.map((m) => formatStat(g.stats[m.id], m.digits))].map(mdCell).join(' | ')} |`);
  if (groups.length === 0) lines.push('', '(no finished runs yet)');
  return lines.join('\n') + '\n';
}
