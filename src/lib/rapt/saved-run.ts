// A saved tuning run, wherever it is kept (a `rapt tune --save DIR` folder, or a Train-page run in
// the browser's IndexedDB): checking its TuneResult's config back, and the attack fields the run
// fixes when it is attacked (`rapt attack --run DIR`, the Attack page's run target: model, task,
// mechanism and budget; for a token attack also the text length, since it attacks the run's
// privatized text, and a different value is a conflict). The Node folder reader
// (saved-run-node.ts), the CLI, the attack core and the attack worker use it. Browser-safe.

import type { TuneConfig } from './config';
import { completeTuneConfig, TuneConfigError } from './check-config';

/**
 * The config of a saved run's TuneResult (`raw`, parsed JSON: kind "tune" with a config), checked
 * like `rapt tune`'s. `source` names the run in errors (a file, or a browser run's id).
 */
export function savedRunConfig(raw: unknown, source: string): TuneConfig {
  const config = (raw as { kind?: unknown; config?: unknown } | null)?.config;
  if ((raw as { kind?: unknown } | null)?.kind !== 'tune' || typeof config !== 'object' || config === null)
    throw new Error(`${source} is not a rapt tune result (kind "tune" with a config)`);
  try {
    return completeTuneConfig(config as Partial<TuneConfig>);
  } catch (e) {
    if (e instanceof TuneConfigError) throw new Error(`${source}: ${e.message}`);
    throw e;
  }
}

/** What attacking a tuned run takes from it: its model, its task, and the mechanism and budget its inputs were privatized with. */
export interface RunAttackFields {
  model: string;
  task: string;
  mechanism: TuneConfig['mechanism'];
  eta?: number;
  epsilon?: number;
}

/** The attack fields a tuned run fixes (`rapt attack --run DIR` and the Attack page's run target). */
export function attackFieldsOfRun(rc: TuneConfig): RunAttackFields {
  return {
    model: rc.model,
    task: rc.task,
    mechanism: rc.mechanism,
    ...(rc.eta !== undefined ? { eta: rc.eta } : {}),
    ...(rc.epsilon !== undefined ? { epsilon: rc.epsilon } : {})
  };
}

/** What a token attack on a tuned run takes from it: its setting, i.e. the privatized text the service trained on (the attack fields and the text length). */
export interface RunSetting extends RunAttackFields {
  maxLength: number;
}

/** The setting of a tuned run that a token attack attacks (`rapt attack --kind inversion-nn --run DIR`, the Attack page's run target). */
export function settingOfRun(rc: TuneConfig): RunSetting {
  return { ...attackFieldsOfRun(rc), maxLength: rc.maxLength };
}

/** The fields of a run's setting, in the order conflicts are named. */
export const RUN_SETTING_FIELDS = ['model', 'task', 'mechanism', 'eta', 'epsilon', 'maxLength'] as const;
export type RunSettingField = (typeof RUN_SETTING_FIELDS)[number];

/** One field where an attack's setting differs from the run's (undefined: the field is not set, e.g. the budget another mechanism uses). */
export interface SettingConflict {
  field: RunSettingField;
  attack: string | number | undefined;
  run: string | number | undefined;
}

/** Where `setting` (an attack's model, task, mechanism, budget and text length) differs from the run's; [] when it is the run's. */
export function settingConflicts(setting: Partial<Record<RunSettingField, string | number>>, rc: TuneConfig): SettingConflict[] {
  const run = settingOfRun(rc) as Partial<Record<RunSettingField, string | number>>;
  return RUN_SETTING_FIELDS.filter((f) => setting[f] !== run[f]).map((f) => ({ field: f, attack: setting[f], run: run[f] }));
}

/** A value of a conflict as the messages show it ("none" for a field not set). */
export function settingValue(v: string | number | undefined): string {
  return v === undefined ? 'none' : typeof v === 'string' ? JSON.stringify(v) : String(v);
}
