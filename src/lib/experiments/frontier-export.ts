// The frontier as files: CSV (one row per drawn point, numbers in full precision) and JSON (the
// whole Frontier with a schema name, a version and the source sweep's fingerprint, so a reader can
// tell which runs.jsonl it came from). SVG/PNG are made from the drawn chart (app/svg-export.ts).
// Pure and browser-safe.

import { csvRow } from './summary-tables';
import { canonicalJson, sha256Hex } from './run-key';
import type { Frontier } from './frontier';

export const FRONTIER_SCHEMA = 'rapt-lab/frontier';
export const FRONTIER_VERSION = 1;

export const FRONTIER_CSV_COLUMNS: readonly string[] = [
  'curve', 'budget', 'mechanism', 'budget_name', 'budget_value',
  'x_metric', 'x_mean', 'x_std', 'x_n', 'y_metric', 'y_mean', 'y_std', 'y_n', 'seeds', 'config_key'
];

export function frontierCsv(f: Frontier): string {
  const xMetric = f.x.kind === 'attack' ? f.x.attack : 'replaced_fraction';
  let out = csvRow([...FRONTIER_CSV_COLUMNS]);
  for (const c of f.curves)
    for (const p of c.points)
      out += csvRow([
        c.label, p.budgetLabel, p.budget.mechanism, p.budget.name ?? '', p.budget.value ?? '',
        xMetric, p.x.mean, p.x.std ?? '', p.x.n, f.y.metric, p.y.mean, p.y.std ?? '', p.y.n, p.seeds.join(' '), p.key
      ]);
  return out;
}

export interface FrontierSource {
  name: string;
  /** sweepFingerprint() of the runs.jsonl text */
  fingerprint: string;
}

/** First 16 hex digits of the SHA-256 of the file's text. */
export function sweepFingerprint(text: string): string {
  return sha256Hex(text).slice(0, 16);
}

export function frontierJson(f: Frontier, source: FrontierSource): string {
  // canonicalJson checks every number is finite; NaN means "no value" here, so write null
  const clean = JSON.parse(JSON.stringify(f, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
  canonicalJson(clean);
  return JSON.stringify({ schema: FRONTIER_SCHEMA, version: FRONTIER_VERSION, source, ...clean }, null, 2) + '\n';
}
