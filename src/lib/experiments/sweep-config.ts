// A sweep config: what `rapt sweep --config FILE.json` reads. Parsed and checked here, with errors
// that name the field (`grid.budgets[2].eta: …`), then expanded into the list of full TuneConfigs
// the sweep runs. Browser-safe.
//
//   { "name": "spam-dchi",
//     "description": "optional free text",
//     "base": { "model": "builtin", "task": "spam", "steps": 150 },        partial TuneConfig
//     "grid": { "budgets": [{ "mechanism": "none" }, { "mechanism": "dchi", "eta": 50 }],
//               "rapt": [false, true], "seed": [1, 2, 3] },                 lists of TuneConfig values
//     "attacks": [{ "attack": "inversion-nn" }] }    run at every budget and seed (sweep-attacks.ts)
//
// Grid keys are TuneConfig fields plus `budgets`, which sets mechanism and eta/epsilon together.
// The grid is the full product; the first grid key written varies slowest, the last fastest.
// Fields neither in base nor in the grid take TUNE_DEFAULTS. A field may not be both in base and
// in the grid; with `budgets`, mechanism/eta/epsilon may appear nowhere else. Every expanded
// config must also pass `rapt tune`'s own check (src/lib/rapt/check-config.ts). Identical configs
// are run once.

import { BUDGET_OF, isMechanismName, MECHANISMS } from '../boundary/spec';
import { TUNE_DEFAULTS, type TuneConfig, type TuneMechanism } from '../rapt/config';
import { completeTuneConfig, TuneConfigError } from '../rapt/check-config';
import { runKey } from './run-key';
import { checkAttackSpec, expandAttacks, SweepAttackError, type SweepAttackSpec } from './sweep-attacks';

export class SweepConfigError extends Error {
  override name = 'SweepConfigError';
}

export interface SweepBudget {
  mechanism: TuneMechanism;
  eta?: number;
  epsilon?: number;
}

export type SweepGrid = { [K in keyof TuneConfig]?: TuneConfig[K][] } & { budgets?: SweepBudget[] };

export interface SweepConfig {
  name: string;
  description?: string;
  base: Partial<TuneConfig>;
  /** key order is the nesting order of the product (first slowest) */
  grid: SweepGrid;
  /** attacks run at every (model, task, budget, seed) of the grid (sweep-attacks.ts) */
  attacks: SweepAttackSpec[];
}

type Rule =
  | { kind: 'string' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'boolean' }
  | { kind: 'int'; min: number }
  | { kind: 'number'; min: number; exclusive: boolean };

const TUNE_MECHANISMS: readonly string[] = ['none', ...MECHANISMS];

/** How every TuneConfig field is checked (typed by keyof TuneConfig: a new field must be added here). */
export const TUNE_FIELD_RULES: Record<keyof TuneConfig, Rule> = {
  model: { kind: 'string' },
  task: { kind: 'string' },
  method: { kind: 'enum', values: ['prompt', 'prefix', 'lora', 'full'] },
  head: { kind: 'enum', values: ['cls', 'mean', 'verbalizer'] },
  mechanism: { kind: 'enum', values: TUNE_MECHANISMS },
  eta: { kind: 'number', min: 0, exclusive: true },
  epsilon: { kind: 'number', min: 0, exclusive: true },
  rapt: { kind: 'boolean' },
  plainTokens: { kind: 'int', min: 0 },
  lambda: { kind: 'number', min: 0, exclusive: false },
  reconHidden: { kind: 'int', min: 1 },
  plainSequence: { kind: 'enum', values: ['joint', 'separate'] },
  promptLength: { kind: 'int', min: 1 },
  prefixHidden: { kind: 'int', min: 1 },
  loraRank: { kind: 'int', min: 1 },
  loraAlpha: { kind: 'number', min: 0, exclusive: true },
  steps: { kind: 'int', min: 1 },
  batchSize: { kind: 'int', min: 1 },
  lr: { kind: 'number', min: 0, exclusive: true },
  seed: { kind: 'int', min: 0 },
  maxLength: { kind: 'int', min: 1 },
  trainLimit: { kind: 'int', min: 0 },
  evalLimit: { kind: 'int', min: 0 }
};

const TUNE_FIELDS = Object.keys(TUNE_FIELD_RULES) as (keyof TuneConfig)[];
const TOP_FIELDS = ['name', 'description', 'base', 'grid', 'attacks'];
const BUDGET_FIELDS = ['mechanism', 'eta', 'epsilon'];

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '…' : s;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "did you mean" for a misspelt field name: same letters ignoring case, or one edit away. */
function suggest(name: string, known: readonly string[]): string {
  const lower = name.toLowerCase().replace(/[_-]/g, '');
  let hit = known.find((k) => k.toLowerCase().replace(/[_-]/g, '') === lower);
  let best = 3; // at most two edits away
  if (!hit)
    for (const k of known) {
      const d = editDistance(k.toLowerCase(), lower);
      if (d < best) [best, hit] = [d, k];
    }
  return hit ? ` (did you mean "${hit}"?)` : '';
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

/** Check one TuneConfig value; `path` names it in the error. */
function checkField(field: keyof TuneConfig, v: unknown, path: string): void {
  const rule = TUNE_FIELD_RULES[field];
  switch (rule.kind) {
    case 'string':
      if (typeof v !== 'string' || v.trim() === '') throw new SweepConfigError(`${path}: must be a non-empty string, got ${show(v)}`);
      return;
    case 'enum':
      if (typeof v !== 'string' || !rule.values.includes(v))
        throw new SweepConfigError(`${path}: must be one of ${rule.values.map((x) => JSON.stringify(x)).join(', ')}, got ${show(v)}`);
      return;
    case 'boolean':
      if (typeof v !== 'boolean') throw new SweepConfigError(`${path}: must be true or false, got ${show(v)}`);
      return;
    case 'int':
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < rule.min)
        throw new SweepConfigError(`${path}: must be an integer ≥ ${rule.min}, got ${show(v)}`);
      return;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v) || (rule.exclusive ? v <= rule.min : v < rule.min))
        throw new SweepConfigError(`${path}: must be a finite number ${rule.exclusive ? '>' : '≥'} ${rule.min}, got ${show(v)}`);
      return;
  }
}

function checkBudget(b: unknown, path: string): SweepBudget {
  if (!isObject(b)) throw new SweepConfigError(`${path}: must be an object like {"mechanism": "dchi", "eta": 50} or {"mechanism": "none"}, got ${show(b)}`);
  for (const k of Object.keys(b))
    if (!BUDGET_FIELDS.includes(k))
      throw new SweepConfigError(`${path}.${k}: unknown budget field${suggest(k, BUDGET_FIELDS)}; a budget has mechanism and eta (d_χ) or epsilon (the others)`);
  if (b.mechanism === undefined) throw new SweepConfigError(`${path}.mechanism: is required (${TUNE_MECHANISMS.join(', ')})`);
  checkField('mechanism', b.mechanism, `${path}.mechanism`);
  const m = b.mechanism as TuneMechanism;
  if (m === 'none') {
    for (const k of ['eta', 'epsilon'] as const)
      if (b[k] !== undefined) throw new SweepConfigError(`${path}.${k}: mechanism "none" (clean text) takes no budget`);
    return { mechanism: 'none' };
  }
  const name = BUDGET_OF[m];
  const other = name === 'eta' ? 'epsilon' : 'eta';
  if (b[other] !== undefined) throw new SweepConfigError(`${path}.${other}: ${m} takes ${name}, not ${other}`);
  if (b[name] === undefined) throw new SweepConfigError(`${path}.${name}: ${m} needs ${name} (a finite number > 0)`);
  checkField(name, b[name], `${path}.${name}`);
  return { mechanism: m, [name]: b[name] as number };
}

/** Parse and check a sweep config (a parsed JSON value). Throws SweepConfigError naming the field. */
export function parseSweepConfig(raw: unknown): SweepConfig {
  if (!isObject(raw)) throw new SweepConfigError(`the sweep config must be a JSON object with name, base, grid (and attacks), got ${show(raw)}`);
  for (const k of Object.keys(raw))
    if (!TOP_FIELDS.includes(k)) throw new SweepConfigError(`${k}: unknown field${suggest(k, TOP_FIELDS)}; a sweep config has ${TOP_FIELDS.join(', ')}`);
  if (typeof raw.name !== 'string' || raw.name.trim() === '') throw new SweepConfigError(`name: must be a non-empty string, got ${show(raw.name)}`);
  if (raw.description !== undefined && typeof raw.description !== 'string') throw new SweepConfigError(`description: must be a string, got ${show(raw.description)}`);

  const baseRaw = raw.base ?? {};
  if (!isObject(baseRaw)) throw new SweepConfigError(`base: must be an object of TuneConfig fields, got ${show(baseRaw)}`);
  const base: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(baseRaw)) {
    if (!(TUNE_FIELDS as string[]).includes(k))
      throw new SweepConfigError(`base.${k}: unknown TuneConfig field${suggest(k, TUNE_FIELDS)}; known: ${TUNE_FIELDS.join(', ')}`);
    if (v === undefined) continue;
    checkField(k as keyof TuneConfig, v, `base.${k}`);
    base[k] = v;
  }

  const gridRaw = raw.grid ?? {};
  if (!isObject(gridRaw)) throw new SweepConfigError(`grid: must be an object of lists, e.g. {"seed": [1, 2, 3]}, got ${show(gridRaw)}`);
  const grid: Record<string, unknown[]> = {};
  const gridFields = [...TUNE_FIELDS, 'budgets'];
  for (const [k, list] of Object.entries(gridRaw)) {
    if (!gridFields.includes(k))
      throw new SweepConfigError(`grid.${k}: unknown grid field${suggest(k, gridFields)}; grid keys are TuneConfig fields or budgets`);
    if (!Array.isArray(list) || list.length === 0)
      throw new SweepConfigError(`grid.${k}: must be a non-empty list of values, got ${show(list)}${Array.isArray(list) ? '' : ` (write [${show(list)}] for one value)`}`);
    if (k in base) throw new SweepConfigError(`grid.${k}: ${k} is also set in base; set it in one place`);
    grid[k] = list.map((v, i) => {
      if (k === 'budgets') return checkBudget(v, `grid.budgets[${i}]`);
      checkField(k as keyof TuneConfig, v, `grid.${k}[${i}]`);
      return v;
    });
  }
  if (grid.budgets) {
    for (const k of ['mechanism', 'eta', 'epsilon'])
      if (k in base || k in grid)
        throw new SweepConfigError(`${k in grid ? 'grid' : 'base'}.${k}: grid.budgets already sets mechanism and eta/epsilon; remove ${k}`);
  }

  const attacks = raw.attacks ?? [];
  if (!Array.isArray(attacks)) throw new SweepConfigError(`attacks: must be a list (of attack specs), got ${show(attacks)}`);
  let specs: SweepAttackSpec[];
  try {
    specs = attacks.map((a, i) => checkAttackSpec(a, `attacks[${i}]`));
  } catch (e) {
    if (e instanceof SweepAttackError) throw new SweepConfigError(e.message);
    throw e;
  }

  const cfg: SweepConfig = { name: raw.name, base: base as Partial<TuneConfig>, grid: grid as SweepGrid, attacks: specs };
  if (raw.description !== undefined) cfg.description = raw.description as string;
  const tunes = expandSweep(cfg); // every grid point must make a complete, consistent config
  try {
    expandAttacks(specs, tunes); // and every attack at every grid point
  } catch (e) {
    if (e instanceof SweepAttackError) throw new SweepConfigError(e.message);
    throw e;
  }
  return cfg;
}

/** Parse the text of a sweep config file; `source` (the file name) prefixes JSON syntax errors. */
export function parseSweepConfigText(text: string, source = 'sweep config'): SweepConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SweepConfigError(`${source} is not valid JSON: ${(e as Error).message}`);
  }
  return parseSweepConfig(raw);
}

/** A grid point in words, for error messages: {"rapt": true, "seed": 2}. */
function describePoint(point: Record<string, unknown>): string {
  const keys = Object.keys(point);
  return keys.length === 0 ? 'the base config' : `grid point ${JSON.stringify(point)}`;
}

/** Every run of the sweep as a full TuneConfig (defaults filled in), in grid order, duplicates dropped. */
export function expandSweep(cfg: SweepConfig): TuneConfig[] {
  const axes = Object.entries(cfg.grid as Record<string, unknown[]>);
  const out: TuneConfig[] = [];
  const seen = new Set<string>();
  const idx = new Array<number>(axes.length).fill(0);
  for (;;) {
    const point: Record<string, unknown> = {};
    const c: Record<string, unknown> = { ...TUNE_DEFAULTS, ...cfg.base };
    axes.forEach(([k, list], a) => {
      const v = list[idx[a]];
      point[k] = v;
      if (k === 'budgets') Object.assign(c, v);
      else c[k] = v;
    });
    out.push(checkComplete(c, point));
    // odometer: the last axis turns fastest
    let a = axes.length - 1;
    while (a >= 0 && ++idx[a] === axes[a][1].length) idx[a--] = 0;
    if (a < 0) break;
  }
  return out.filter((c) => {
    const k = runKey(c);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** model and task present, mechanism and budget consistent; returns the config with keys in TuneConfig order. */
function checkComplete(c: Record<string, unknown>, point: Record<string, unknown>): TuneConfig {
  const where = describePoint(point);
  for (const k of ['model', 'task'] as const)
    if (c[k] === undefined) throw new SweepConfigError(`base.${k}: is required (set it in base, or list values in grid.${k})`);
  const m = c.mechanism as TuneMechanism;
  if (m === 'none') {
    for (const k of ['eta', 'epsilon'])
      if (c[k] !== undefined)
        throw new SweepConfigError(`${where}: mechanism "none" takes no budget but ${k} is ${c[k]}; use grid.budgets to pair mechanisms with budgets`);
  } else if (isMechanismName(m)) {
    const name = BUDGET_OF[m];
    const other = name === 'eta' ? 'epsilon' : 'eta';
    if (c[name] === undefined) throw new SweepConfigError(`${where}: mechanism ${m} needs ${name}; set it, or use grid.budgets`);
    if (c[other] !== undefined) throw new SweepConfigError(`${where}: mechanism ${m} takes ${name}, not ${other}; use grid.budgets to pair mechanisms with budgets`);
  }
  const ordered: Record<string, unknown> = {};
  for (const k of TUNE_FIELDS) if (c[k] !== undefined) ordered[k] = c[k];
  // the same cross-field checks as `rapt tune` (e.g. RAPT needs m ≥ 1 plain tokens)
  try {
    completeTuneConfig(ordered as Partial<TuneConfig>);
  } catch (e) {
    if (e instanceof TuneConfigError) throw new SweepConfigError(`${where}: ${e.message}`);
    throw e;
  }
  return ordered as unknown as TuneConfig;
}
