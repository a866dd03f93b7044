// What the Attack page draws for one AttackResult: the bars of its chart (the attack against its
// trivial baseline, over all scored positions and, for token attacks, excluding stop words) and
// short labels. The numbers come from the result's `details` as src/lib/attacks/run.ts writes
// them (bayes / learned / mask beside identity, each {overall, excluding_stop_words}). Pure.

import type { AttackResult } from '../attacks/config';
import type { AttackKind } from '../attacks/threat-model';

export interface Bar {
  /** 'attack' or 'baseline' (colour and legend) */
  role: 'attack' | 'baseline';
  name: string;
  value: number;
}

export interface BarGroup {
  label: string;
  bars: Bar[];
}

/** The details key holding each token attack's recovery. */
const RECOVERY_KEY: Partial<Record<AttackKind, string>> = { 'inversion-nn': 'bayes', 'inversion-learned': 'learned', mask: 'mask' };

export const ATTACK_TITLE: Record<AttackKind, string> = {
  'inversion-nn': 'Embedding inversion (nearest neighbour / Bayes)',
  'inversion-learned': 'Embedding inversion (learned MLP)',
  mask: 'Mask-token inference',
  attribute: 'Attribute inference'
};

/** "identity guess", "majority class", or the name as given. */
export function baselineLabel(name: string): string {
  return name === 'identity' ? 'identity guess' : name === 'majority' ? 'majority class' : name;
}

function recovery(v: unknown): { overall: number; excluding: number } | null {
  if (typeof v !== 'object' || v === null) return null;
  const r = v as Record<string, unknown>;
  return typeof r.overall === 'number' && typeof r.excluding_stop_words === 'number' ? { overall: r.overall, excluding: r.excluding_stop_words } : null;
}

/** Success and baseline excluding stop words (token attacks), or null. */
export function excludingStopWords(result: AttackResult): { attack: number; baseline: number; positions: number | null } | null {
  const key = RECOVERY_KEY[result.attack];
  if (!key) return null;
  const a = recovery(result.details[key]);
  const b = recovery(result.details.identity);
  if (!a || !b) return null;
  const n = result.details.positions_excluding_stop_words;
  return { attack: a.excluding, baseline: b.excluding, positions: typeof n === 'number' ? n : null };
}

/** The chart's groups: all positions (or texts), then excluding stop words where the attack reports it. */
export function barGroups(result: AttackResult): BarGroup[] {
  const baseline = baselineLabel(result.baseline.name);
  const groups: BarGroup[] = [
    {
      label: result.attack === 'attribute' ? `${String(result.details.attribute ?? 'attribute')} accuracy` : 'all positions',
      bars: [
        { role: 'attack', name: 'attack', value: result.success },
        { role: 'baseline', name: baseline, value: result.baseline.value }
      ]
    }
  ];
  const ex = excludingStopWords(result);
  if (ex)
    groups.push({
      label: 'excluding stop words',
      bars: [
        { role: 'attack', name: 'attack', value: ex.attack },
        { role: 'baseline', name: baseline, value: ex.baseline }
      ]
    });
  return groups;
}

/** 0.6931 → "69.3%". */
export function percent(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : '–';
}
