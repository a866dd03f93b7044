// The Train page's setup as one typed URL-state schema: the form's values, their page defaults
// (small, so a demo finishes in a couple of minutes on a software GPU), the query string that
// carries only what differs from them (a shared link reproduces the setup), and a defensive
// parser that names every bad parameter and keeps the default in its place. The form maps onto
// a TuneConfig (../rapt/config.ts) plus the privatizer's optional seed; a draft (the inputs' raw
// values) maps onto a form with one clear error. GPU-free and DOM-free.

import { BUDGET_OF, isMechanismName } from '../boundary/spec';
import { completeTuneConfig } from '../rapt/check-config';
import { promptPositionsOf, textBudget } from '../rapt/layout';
import type { PeftMethodName, TaskHeadName, TuneConfig } from '../rapt/config';
import type { MechanismName, MechanismSpec } from '../privacy/types';
import { DEFAULT_BUDGET } from './privacy-settings';
import { CLEAN_TEST_IMPORTED, importedNameOf, missingImportedMessage } from './dataset-ref';
import { importedModelNameOf, missingImportedModelMessage } from './model-ref';

export interface TrainForm {
  /** a model name from static/models/index.json, or "imported:<name>" for one kept on Models / Data (./model-ref.ts) */
  model: string;
  /** a built-in dataset name from static/data/index.json, or "imported:<name>" for one imported on Models / Data (./dataset-ref.ts) */
  task: string;
  method: PeftMethodName;
  head: TaskHeadName;
  mechanism: MechanismName;
  /** η for d_χ, ε for the others */
  budget: number;
  /** the privatizer's seed: null = fresh noise (private); a number makes the noise replayable (NOT PRIVATE) */
  noiseSeed: number | null;
  rapt: boolean;
  plainTokens: number;
  lambda: number;
  promptLength: number;
  loraRank: number;
  steps: number;
  batchSize: number;
  lr: number;
  /** initialisation, batch order, plain tokens and subsets */
  seed: number;
  maxLength: number;
  trainLimit: number;
  evalLimit: number;
  /** also score the unprivatized test split (sends it to the service: public built-in data only, never with an imported dataset) */
  cleanTest: boolean;
}

export const TRAIN_DEFAULTS: TrainForm = {
  model: 'rapt-mini',
  task: 'spam',
  method: 'prompt',
  head: 'mean',
  mechanism: 'dchi',
  budget: DEFAULT_BUDGET.dchi,
  noiseSeed: null,
  rapt: true,
  plainTokens: 10,
  lambda: 1,
  promptLength: 10,
  loraRank: 8,
  steps: 30,
  batchSize: 16,
  lr: 1e-2,
  seed: 1,
  maxLength: 32,
  trainLimit: 64,
  evalLimit: 32,
  // off by default: the clean test split crosses to the service unprivatized (its text, as token ids)
  cleanTest: false
};

const METHODS: readonly PeftMethodName[] = ['prompt', 'prefix', 'lora', 'full'];
const HEADS: readonly TaskHeadName[] = ['mean', 'cls', 'verbalizer'];

type Kind = 'int' | 'int0' | 'pos' | 'nonneg' | 'bool';
const NUMERIC: Record<Exclude<keyof TrainForm, 'model' | 'task' | 'method' | 'head' | 'mechanism' | 'budget' | 'noiseSeed'>, Kind> = {
  rapt: 'bool',
  plainTokens: 'int',
  lambda: 'nonneg',
  promptLength: 'int',
  loraRank: 'int',
  steps: 'int',
  batchSize: 'int',
  lr: 'pos',
  seed: 'int0',
  maxLength: 'int',
  trainLimit: 'int0',
  evalLimit: 'int0',
  cleanTest: 'bool'
};

/** Every query parameter the page reads. */
export const TRAIN_QUERY_KEYS: readonly string[] = ['model', 'task', 'method', 'head', 'mechanism', 'eta', 'epsilon', 'noiseSeed', ...Object.keys(NUMERIC)];

/** A value as it may be quoted in an error: short, and only the characters a URL parameter should hold. */
function quote(v: string): string {
  const s = v.length > 24 ? `${v.slice(0, 24)}…` : v;
  return JSON.stringify(s);
}

function parseValue(kind: Kind, raw: string): number | boolean | string {
  const v = raw.trim();
  if (kind === 'bool') {
    if (v === '1' || v === 'true') return true;
    if (v === '0' || v === 'false') return false;
    return 'expected 1 or 0 (true or false)';
  }
  const n = v === '' ? Number.NaN : Number(v);
  if (!Number.isFinite(n)) return 'expected a number';
  if (kind === 'int' && !(Number.isInteger(n) && n >= 1)) return 'expected a whole number ≥ 1';
  if (kind === 'int0' && !(Number.isInteger(n) && n >= 0)) return 'expected a whole number ≥ 0';
  if (kind === 'pos' && !(n > 0)) return 'expected a number > 0';
  if (kind === 'nonneg' && !(n >= 0)) return 'expected a number ≥ 0';
  return n;
}

export interface ParsedTrainQuery {
  form: TrainForm;
  /** one line per parameter that was ignored, naming it and why */
  errors: string[];
}

/**
 * The form a query string describes. Bad or unknown parameters are reported and replaced by the
 * default; `models` and `tasks` are the names the site offers, `imported` the names of the
 * datasets imported in this browser and `importedModels` those of the models kept there (unknown
 * ones are refused, a missing imported one with a message saying where it went, and the default
 * used in its place). An imported dataset turns the clean test split off.
 */
export function parseTrainQuery(
  query: string | URLSearchParams,
  opts: { models?: readonly string[]; tasks?: readonly string[]; imported?: readonly string[]; importedModels?: readonly string[] } = {}
): ParsedTrainQuery {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  const form: TrainForm = { ...TRAIN_DEFAULTS };
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (seen.has(key)) continue;
    seen.add(key);
    if (key === 'debug') continue;
    if (!TRAIN_QUERY_KEYS.includes(key)) errors.push(`unknown parameter ${/^[\w-]{1,32}$/.test(key) ? `"${key}"` : '(an odd name)'} was ignored`);
    else if (params.getAll(key).length > 1) errors.push(`${key} is given ${params.getAll(key).length} times; the first value is used`);
  }
  const get = (k: string): string | null => params.get(k);
  const choice = <T extends string>(k: keyof TrainForm, allowed: readonly T[], what: string): void => {
    const v = get(k);
    if (v === null) return;
    if ((allowed as readonly string[]).includes(v)) (form as unknown as Record<string, unknown>)[k] = v;
    else errors.push(`${k}: ${quote(v)} is not ${what} (${allowed.join(', ') || 'none available'}); using ${String(form[k])}`);
  };
  /** model / task: an `imported:<name>` reference (checked against what this browser keeps) or a built-in name */
  const pickRef = (k: 'model' | 'task', nameOf: (v: string) => string | null, kept: readonly string[] | undefined, missing: (n: string) => string, builtins: readonly string[] | undefined, what: string, noun: string): void => {
    const name = nameOf(get(k) ?? '');
    if (name !== null) {
      if (name === '') errors.push(`${k}: "imported:" names no ${noun}; using ${form[k]}`);
      else if (!kept || kept.includes(name)) form[k] = get(k)!;
      else errors.push(`${k}: ${missing(name)}; using ${form[k]}`);
    } else if (builtins) choice(k, builtins, what);
    else if (get(k)) form[k] = get(k)!;
  };
  pickRef('model', importedModelNameOf, opts.importedModels, missingImportedModelMessage, opts.models, 'a model of this site', 'model');
  pickRef('task', importedNameOf, opts.imported, missingImportedMessage, opts.tasks, 'a built-in dataset', 'dataset');
  choice('method', METHODS, 'a PEFT method');
  choice('head', HEADS, 'a task head');
  const mech = get('mechanism');
  if (mech !== null) {
    if (isMechanismName(mech)) {
      form.mechanism = mech;
      form.budget = DEFAULT_BUDGET[mech];
    } else errors.push(`mechanism: ${quote(mech)} is not a mechanism (dchi, laplace, santext, santext+, custext); using ${form.mechanism}`);
  }
  const budgetKey = BUDGET_OF[form.mechanism];
  const otherKey = budgetKey === 'eta' ? 'epsilon' : 'eta';
  if (get(otherKey) !== null) errors.push(`${otherKey}: ${form.mechanism} takes ${budgetKey}, not ${otherKey}; ignored`);
  const b = get(budgetKey);
  if (b !== null) {
    const v = parseValue('pos', b);
    if (typeof v === 'number') form.budget = v;
    else errors.push(`${budgetKey}: ${quote(b)}: ${v}; using ${form.budget}`);
  }
  const ns = get('noiseSeed');
  if (ns !== null && ns !== '') {
    const v = parseValue('int0', ns);
    if (typeof v === 'number' && Number.isSafeInteger(v)) form.noiseSeed = v;
    else errors.push(`noiseSeed: ${quote(ns)}: expected a whole number ≥ 0; using fresh noise`);
  }
  for (const [k, kind] of Object.entries(NUMERIC) as [keyof typeof NUMERIC, Kind][]) {
    const raw = get(k);
    if (raw === null) continue;
    const v = parseValue(kind, raw);
    if (typeof v === 'string') errors.push(`${k}: ${quote(raw)}: ${v}; using ${String(form[k])}`);
    else (form as unknown as Record<string, unknown>)[k] = v;
  }
  if (form.cleanTest && importedNameOf(form.task) !== null) {
    errors.push(`cleanTest: ${CLEAN_TEST_IMPORTED}; off`);
    form.cleanTest = false;
  }
  // Cross-field checks (the same as `rapt tune`): a failure falls back to the defaults for safety.
  try {
    completeTuneConfig(tuneConfigOf(form));
  } catch (e) {
    errors.push(`${(e as Error).message}; the defaults are used instead`);
    return { form: { ...TRAIN_DEFAULTS, model: form.model, task: form.task }, errors };
  }
  return { form, errors };
}

/** The query string for a form: only what differs from TRAIN_DEFAULTS (empty for the defaults). */
export function trainQuery(form: TrainForm): string {
  const out = new URLSearchParams();
  const d = TRAIN_DEFAULTS;
  if (form.model !== d.model) out.set('model', form.model);
  if (form.task !== d.task) out.set('task', form.task);
  if (form.method !== d.method) out.set('method', form.method);
  if (form.head !== d.head) out.set('head', form.head);
  if (form.mechanism !== d.mechanism) out.set('mechanism', form.mechanism);
  if (form.mechanism !== d.mechanism || form.budget !== d.budget) out.set(BUDGET_OF[form.mechanism], String(form.budget));
  if (form.noiseSeed !== null) out.set('noiseSeed', String(form.noiseSeed));
  for (const k of Object.keys(NUMERIC) as (keyof typeof NUMERIC)[]) {
    const v = form[k];
    if (v !== d[k]) out.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  return out.toString();
}

/** The run's TuneConfig (the CLI's contract) for a form. */
export function tuneConfigOf(form: TrainForm): Partial<TuneConfig> {
  return {
    model: form.model,
    task: form.task,
    method: form.method,
    head: form.head,
    mechanism: form.mechanism,
    [BUDGET_OF[form.mechanism]]: form.budget,
    rapt: form.rapt,
    plainTokens: form.plainTokens,
    lambda: form.lambda,
    promptLength: form.promptLength,
    loraRank: form.loraRank,
    steps: form.steps,
    batchSize: form.batchSize,
    lr: form.lr,
    seed: form.seed,
    maxLength: form.maxLength,
    trainLimit: form.trainLimit,
    evalLimit: form.evalLimit
  };
}

/** The privatizer's spec for a form (Laplace releases token ids: project on). */
export function privacySpecOf(form: TrainForm): MechanismSpec {
  const spec: MechanismSpec = { mechanism: form.mechanism, [BUDGET_OF[form.mechanism]]: form.budget };
  if (form.mechanism === 'laplace') spec.project = true;
  if (form.noiseSeed !== null) spec.seed = form.noiseSeed;
  return spec;
}

/** The form as its inputs hold it: the budget and noise seed as typed text, numbers null while empty. */
export type TrainDraft = Omit<TrainForm, 'budget' | 'noiseSeed' | keyof typeof NUMERIC> & {
  budget: string;
  noiseSeed: string;
  rapt: boolean;
  cleanTest: boolean;
} & { [K in Exclude<keyof typeof NUMERIC, 'rapt' | 'cleanTest'>]: number | null };

export function draftOf(form: TrainForm): TrainDraft {
  return { ...form, budget: String(form.budget), noiseSeed: form.noiseSeed === null ? '' : String(form.noiseSeed) };
}

/**
 * The form a draft describes (the clean test split off for an imported dataset, whatever the
 * draft's box says), or the first problem with it: a number missing, a budget or noise
 * seed that is not a number, a value `rapt tune` would refuse, or (with the loaded model's
 * `maxPositions`) a layout that leaves no room for text.
 */
export function formOfDraft(draft: TrainDraft, opts: { maxPositions?: number } = {}): { form: TrainForm } | { error: string } {
  const numbers = {} as Record<Exclude<keyof typeof NUMERIC, 'rapt' | 'cleanTest'>, number>;
  for (const k of Object.keys(NUMERIC) as (keyof typeof NUMERIC)[]) {
    if (k === 'rapt' || k === 'cleanTest') continue;
    const v = draft[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) return { error: `${k} must be a number` };
    numbers[k] = v;
  }
  const b = draft.budget.trim();
  if (b === '' || !Number.isFinite(Number(b))) return { error: `the budget ${BUDGET_OF[draft.mechanism]} must be a number, got ${b === '' ? 'nothing' : quote(b)}` };
  let noiseSeed: number | null = null;
  const ns = draft.noiseSeed.trim();
  if (ns !== '') {
    noiseSeed = Number(ns);
    if (!Number.isSafeInteger(noiseSeed) || noiseSeed < 0) return { error: `the noise seed must be a whole number ≥ 0, or empty for fresh noise; got ${quote(ns)}` };
  }
  // the clean test split never goes with an imported dataset (the draft keeps the box for the built-in ones)
  const cleanTest = draft.cleanTest && importedNameOf(draft.task) === null;
  const form: TrainForm = { ...draft, ...numbers, budget: Number(b), noiseSeed, cleanTest };
  try {
    const c = completeTuneConfig(tuneConfigOf(form));
    if (opts.maxPositions !== undefined)
      textBudget({ maxPositions: opts.maxPositions, promptPositions: promptPositionsOf(c), plainTokens: c.rapt ? c.plainTokens : 0, maxLength: c.maxLength });
  } catch (e) {
    return { error: (e as Error).message };
  }
  return { form };
}
