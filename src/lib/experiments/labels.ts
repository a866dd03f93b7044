// Readable names for what a sweep compares: a variant ("prompt + RAPT (m=40, λ=1)", "prompt,
// privatized", "prompt, clean") and a budget ("d_χ η=50", "none (clean)"). Fields that vary across
// the sweep but are not part of these names are appended in brackets ("[lr=0.001]"), so two
// different variants never share a label by accident. Browser-safe.

import type { TuneConfig, TuneMechanism } from '../rapt/config';
import { BUDGET_OF } from '../boundary/spec';

export const MECHANISM_NAMES: Record<TuneMechanism, string> = {
  none: 'none',
  dchi: 'd_χ',
  laplace: 'Laplace',
  santext: 'SanText',
  'santext+': 'SanText+',
  custext: 'CusText'
};

/** The budget a config runs at: name (eta | epsilon) and value; both null for clean text. */
export interface BudgetInfo {
  mechanism: TuneMechanism;
  name: 'eta' | 'epsilon' | null;
  value: number | null;
}

export function budgetInfo(c: Pick<TuneConfig, 'mechanism' | 'eta' | 'epsilon'>): BudgetInfo {
  if (c.mechanism === 'none') return { mechanism: 'none', name: null, value: null };
  const name = BUDGET_OF[c.mechanism];
  return { mechanism: c.mechanism, name, value: c[name] ?? null };
}

export const BUDGET_SYMBOL = { eta: 'η', epsilon: 'ε' } as const;

/** "none (clean)", "d_χ η=50", "SanText ε=3". */
export function budgetLabel(b: BudgetInfo): string {
  if (b.name === null) return 'none (clean)';
  return `${MECHANISM_NAMES[b.mechanism]} ${BUDGET_SYMBOL[b.name]}=${fmt(b.value)}`;
}

function fmt(v: unknown): string {
  return typeof v === 'number' ? String(v) : typeof v === 'string' ? v : JSON.stringify(v);
}

/** Fields that name the variant themselves (or are the budget / the seed). */
const NAMED_FIELDS: readonly (keyof TuneConfig)[] = ['method', 'rapt', 'plainTokens', 'lambda', 'reconHidden', 'mechanism', 'eta', 'epsilon', 'seed'];

/** What the labels need to know about the whole sweep. */
export interface LabelContext {
  /** more than one privatizing mechanism in the sweep: name it in the label */
  multipleMechanisms: boolean;
  /** c varies among RAPT runs: show it */
  showReconHidden: boolean;
  /** other fields whose value differs between configs, shown in brackets */
  extraFields: (keyof TuneConfig)[];
}

export function labelContext(configs: readonly TuneConfig[]): LabelContext {
  const values = (k: keyof TuneConfig, cs: readonly TuneConfig[]) => new Set(cs.map((c) => JSON.stringify(c[k] ?? null)));
  const mechs = new Set(configs.filter((c) => c.mechanism !== 'none').map((c) => c.mechanism));
  const keys = new Set<keyof TuneConfig>();
  for (const c of configs) for (const k of Object.keys(c) as (keyof TuneConfig)[]) keys.add(k);
  const extraFields = [...keys].filter((k) => !NAMED_FIELDS.includes(k) && values(k, configs).size > 1);
  return {
    multipleMechanisms: mechs.size > 1,
    showReconHidden: values('reconHidden', configs.filter((c) => c.rapt)).size > 1,
    extraFields
  };
}

/**
 * "prompt + RAPT (m=40, λ=1)", "prompt, privatized", "prompt, clean", "prompt + RAPT (m=40, λ=1), clean";
 * with several mechanisms in the sweep the privatized ones say which ("prompt, privatized (SanText)").
 * `{privacy: false}` leaves out "clean"/"privatized" ("prompt", "prompt + RAPT (m=40, λ=1)").
 */
export function variantLabel(c: TuneConfig, ctx: LabelContext, opts: { privacy?: boolean } = {}): string {
  let s: string = c.method;
  if (c.rapt) s += ` + RAPT (m=${c.plainTokens}, λ=${c.lambda}${ctx.showReconHidden ? `, c=${c.reconHidden}` : ''})`;
  const mech = MECHANISM_NAMES[c.mechanism];
  // opts.privacy false: the method alone (a frontier's curve runs through every budget, clean included)
  if (opts.privacy === false) {
    if (ctx.multipleMechanisms && c.mechanism !== 'none') s += `, ${mech}`;
  } else if (c.mechanism === 'none') s += ', clean';
  else if (!c.rapt) s += ctx.multipleMechanisms ? `, privatized (${mech})` : ', privatized';
  else if (ctx.multipleMechanisms) s += `, ${mech}`;
  const extra = ctx.extraFields.filter((k) => c[k] !== undefined).map((k) => `${k}=${fmt(c[k])}`);
  if (extra.length > 0) s += ` [${extra.join(', ')}]`;
  return s;
}
