// The Attack page's form: its fields as typed (strings, so a bad value can be named back to the
// user), the small defaults a demo needs on SwiftShader, the attack configs a form asks for (one per
// chosen attack kind, each checked by completeAttackConfig, so the page and `rapt attack` reject a
// bad value with the same words), and the form's URL query (defaults omitted) so a shared link
// reproduces the setup. The target is the frozen built-in model or a saved Train run
// (attack-target.ts); a run fixes model, task, mechanism, budget and text length, as `rapt attack
// --run` does for a token attack (rapt/saved-run.ts). Pure: no DOM, no GPU.

import { completeAttackConfig, type AttackConfig } from '../attacks/config';
import type { TuneConfig } from '../rapt/config';
import { settingOfRun } from '../rapt/saved-run';
import { configRunOf, URL_RUN_PREFIX } from './attack-target';
import { ATTACK_KINDS, type AttackKind } from '../attacks/threat-model';
import { BUDGET_OF, isMechanismName } from '../boundary/spec';
import type { MechanismName } from '../privacy/types';
import { DEFAULT_BUDGET, DEFAULT_MECHANISM, budgetSymbol } from './privacy-settings';

export interface AttackForm {
  /** '' = the frozen built-in model; else the id of a saved Train run (runs-db.ts) */
  target: string;
  kinds: AttackKind[];
  task: string;
  /** attribute attack: the column ('' = the dataset's first) */
  attribute: string;
  /** false: no privatization (the attacks' ceiling) */
  privatize: boolean;
  mechanism: MechanismName;
  budget: string;
  /** '' = a fresh random seed, drawn when the run starts and recorded in its config */
  seed: string;
  limit: string;
  auxLimit: string;
  maxLength: string;
  candidates: string;
  samples: string;
  steps: string;
  positions: string;
}

/** The size fields, in the order the page shows them. */
export const SIZE_FIELDS = ['limit', 'auxLimit', 'maxLength', 'candidates', 'samples', 'steps', 'positions'] as const;
export type SizeField = (typeof SIZE_FIELDS)[number];

/** Labels and one-line help for the size fields. */
export const SIZE_HELP: Record<SizeField, { label: string; help: string }> = {
  limit: { label: 'Test texts', help: 'user texts attacked (0 = the whole test split: slow)' },
  auxLimit: { label: 'Auxiliary texts', help: "the attacker's public train-split texts (0 = all)" },
  maxLength: { label: 'Tokens per text', help: 'longer texts are cut' },
  candidates: { label: 'Candidates N', help: 'most frequent auxiliary tokens the guesses choose among' },
  samples: { label: 'Draws K', help: 'Monte Carlo draws of the mechanism per candidate (inversion-nn)' },
  steps: { label: 'Training steps', help: 'steps of the attack MLPs (learned inversion, attribute)' },
  positions: { label: 'Masked positions', help: 'most positions the mask attack evaluates (0 = all)' }
};

/** Sizes small enough that one attack finishes in about a minute on SwiftShader (a CPU). */
export const DEMO_SIZES: Record<SizeField, number> = {
  limit: 20,
  auxLimit: 100,
  maxLength: 64,
  candidates: 200,
  samples: 8,
  steps: 60,
  positions: 200
};

export const DEFAULT_FORM: AttackForm = {
  target: '',
  kinds: ['inversion-nn'],
  task: 'spam',
  attribute: '',
  privatize: true,
  mechanism: DEFAULT_MECHANISM,
  budget: String(DEFAULT_BUDGET[DEFAULT_MECHANISM]),
  seed: '1',
  ...(Object.fromEntries(SIZE_FIELDS.map((k) => [k, String(DEMO_SIZES[k])])) as Record<SizeField, string>)
};

export class AttackFormError extends Error {
  override name = 'AttackFormError';
}

function number(name: string, text: string): number {
  const t = text.trim();
  if (t === '' || !Number.isFinite(Number(t))) throw new AttackFormError(`${name} must be a number, got ${t === '' ? 'nothing' : JSON.stringify(t.slice(0, 24))}`);
  return Number(t);
}

/**
 * One complete config per chosen attack kind, in ATTACK_KINDS order. `randomSeed` supplies the
 * seed when the form's is empty. With a run target, `run` is that saved run (its id and checked
 * TuneConfig): model, task, mechanism, budget and tokens per text are the run's (its setting: the
 * privatized text the token attacks attack), the form's are not used. Throws AttackFormError (or
 * completeAttackConfig's AttackConfigError) naming the field.
 */
export function configsFromForm(form: AttackForm, randomSeed: () => number = () => 1, run?: { id: string; config: TuneConfig }): AttackConfig[] {
  const kinds = ATTACK_KINDS.filter((k) => form.kinds.includes(k));
  if (kinds.length === 0) throw new AttackFormError('choose at least one attack');
  let base: Partial<AttackConfig>;
  if (form.target !== '') {
    if (!run || run.id !== form.target) throw new AttackFormError(`the saved Train run ${form.target} is not loaded: pick a target again`);
    // the run's model, task, mechanism, budget and text length
    base = { ...settingOfRun(run.config), run: configRunOf(run.id) };
  } else {
    if (!form.task) throw new AttackFormError('choose a task');
    base = { model: 'builtin', task: form.task };
    if (form.privatize) {
      base.mechanism = form.mechanism;
      base[BUDGET_OF[form.mechanism]] = number(`${budgetSymbol(form.mechanism)} (${BUDGET_OF[form.mechanism]}, the ${form.mechanism} budget)`, form.budget);
    } else base.mechanism = 'none';
  }
  base.seed = form.seed.trim() === '' ? randomSeed() : number('seed', form.seed);
  for (const k of SIZE_FIELDS) if (!(k === 'maxLength' && form.target !== '')) base[k] = number(k, form[k]);
  return kinds.map((attack) =>
    completeAttackConfig({ ...base, attack, ...(attack === 'attribute' && form.attribute ? { attribute: form.attribute } : {}) })
  );
}

/** The form as URL query parameters, defaults omitted. */
export function formToQuery(form: AttackForm): URLSearchParams {
  const q = new URLSearchParams();
  const kinds = ATTACK_KINDS.filter((k) => form.kinds.includes(k));
  if (form.target !== '') q.set('target', URL_RUN_PREFIX + form.target);
  if (kinds.join(',') !== DEFAULT_FORM.kinds.join(',')) q.set('attack', kinds.join(','));
  if (form.task !== DEFAULT_FORM.task) q.set('task', form.task);
  if (form.attribute) q.set('attribute', form.attribute);
  if (!form.privatize) q.set('mechanism', 'none');
  else if (form.mechanism !== DEFAULT_FORM.mechanism) q.set('mechanism', form.mechanism);
  if (form.budget !== String(DEFAULT_BUDGET[form.mechanism])) q.set('budget', form.budget);
  if (form.seed !== DEFAULT_FORM.seed) q.set('seed', form.seed);
  for (const k of SIZE_FIELDS) if (form[k] !== DEFAULT_FORM[k]) q.set(k, form[k]);
  return q;
}

/** The form a query describes; unknown or malformed parameters fall back to the defaults (the run's checks report bad values). */
export function formFromQuery(q: URLSearchParams): AttackForm {
  const form: AttackForm = { ...DEFAULT_FORM, kinds: [...DEFAULT_FORM.kinds] };
  const attack = q.get('attack');
  if (attack !== null) {
    const kinds = ATTACK_KINDS.filter((k) => attack.split(',').includes(k));
    if (kinds.length) form.kinds = kinds;
  }
  const str = (k: string, cap = 64): string | null => {
    const v = q.get(k);
    return v === null ? null : v.slice(0, cap);
  };
  const target = str('target', 128);
  if (target !== null && target.startsWith(URL_RUN_PREFIX) && target.length > URL_RUN_PREFIX.length) form.target = target.slice(URL_RUN_PREFIX.length);
  form.task = str('task') ?? form.task;
  form.attribute = str('attribute') ?? '';
  const m = q.get('mechanism');
  if (m === 'none') form.privatize = false;
  else if (isMechanismName(m)) {
    form.mechanism = m;
    form.budget = String(DEFAULT_BUDGET[m]);
  }
  form.budget = str('budget') ?? form.budget;
  form.seed = str('seed') ?? form.seed;
  for (const k of SIZE_FIELDS) form[k] = str(k, 12) ?? form[k];
  return form;
}
