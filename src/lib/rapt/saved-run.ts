// A saved tuning run, wherever it is kept (a `rapt tune --save DIR` folder, or a Train-page run in
// the browser's IndexedDB): checking its TuneResult's config back, and the attack fields the run
// fixes when it is attacked (`rapt attack --run DIR`, the Attack page's run target: model, task,
// mechanism and budget). The Node folder reader (saved-run-node.ts) and the attack worker both
// use it. Browser-safe.

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
