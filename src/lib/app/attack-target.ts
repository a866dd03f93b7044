// What the Attack page attacks: the frozen built-in model (the default), or a run the Train page
// saved in this browser (runs-db.ts) whose trained tensors were kept. A run target fixes the
// model, task, mechanism, budget and text length (the run's, as `rapt attack --run DIR` does:
// rapt/saved-run.ts), and all four attacks run on it: the attribute attack reads the run's hidden
// states, the token attacks attack the run's privatized text, not its tensors (attacks/config.ts).
// In the URL a run target is `target=run:<id>`; in an attack's config it is `run: "browser:<id>"`.
// Pure: no DOM, no IndexedDB.

import { TOKEN_ATTACKS_ON_RUN } from '../attacks/config';
import type { AttackKind } from '../attacks/threat-model';
import type { SavedRun } from './runs-db';
import { budgetLabel } from './attack-runs';

/** The URL's prefix of a run target (`target=run:<id>`). */
export const URL_RUN_PREFIX = 'run:';
/** The prefix of a browser run in AttackConfig.run (a CLI run is a folder). */
export const CONFIG_RUN_PREFIX = 'browser:';

/** What each attack reads of a run target (the page says it under the attacks; the CLI's words). */
export const TOKEN_ATTACK_RUN_NOTE = `On a run, the attribute attack reads its hidden states (its trained tensors); ${TOKEN_ATTACKS_ON_RUN}.`;

/** What an attack on a run attacked, for its result card and row: the run's trained tensors (attribute) or its privatized text. */
export function runPartAttacked(attack: AttackKind): string {
  return attack === 'attribute' ? 'its hidden states' : 'its privatized text, not its tensors';
}

/** Why a saved run without kept tensors cannot be a target. */
export const NO_STATE_REASON = 'saved without its trained tensors (before the Train page kept them), so it cannot be attacked: train it again';

/** One entry of the target picker. */
export interface TargetOption {
  /** '' = the frozen built-in model, else a saved run's id */
  value: string;
  label: string;
  /** why it cannot be picked (a run without its trained tensors), or null */
  disabled: string | null;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** "prompt + RAPT · spam · dχ η = 100 · seed 1 · test acc. 61.3% · <date>". */
export function runLabel(run: SavedRun, formatDate: (iso: string) => string = (iso) => new Date(iso).toLocaleString()): string {
  const c = run.result.config;
  const acc = run.result.metrics?.test_privatized?.accuracy;
  return [
    `${c.method}${c.rapt ? ' + RAPT' : ''}`,
    c.task,
    budgetLabel(c),
    `seed ${c.seed}`,
    typeof acc === 'number' ? `test acc. ${pct(acc)}` : 'test acc. –',
    formatDate(run.savedAt)
  ].join(' · ');
}

/** The picker: the frozen model first, then every saved run (newest first as given); runs without kept tensors are listed but disabled. */
export function targetOptions(runs: readonly SavedRun[], builtinName = 'the built-in model', formatDate?: (iso: string) => string): TargetOption[] {
  return [
    { value: '', label: `The frozen ${builtinName} (no training)`, disabled: null },
    ...runs.map((r) => ({ value: r.id, label: `Train run: ${runLabel(r, formatDate)}`, disabled: r.trained ? null : NO_STATE_REASON }))
  ];
}

/**
 * The saved run a target names, or why it cannot be used (the page then falls back to the frozen
 * model and says so). `target` is a run id ('' = the frozen model: null).
 */
export function resolveTarget(target: string, runs: readonly SavedRun[]): { run: SavedRun } | { error: string } | null {
  if (target === '') return null;
  const run = runs.find((r) => r.id === target);
  if (!run) return { error: `The saved Train run ${target} is not in this browser (deleted, or saved in another browser or profile): attacking the frozen built-in model instead.` };
  if (!run.trained) return { error: `The saved Train run ${target} was ${NO_STATE_REASON}. Attacking the frozen built-in model instead.` };
  return { run };
}

/** AttackConfig.run for a saved browser run. */
export function configRunOf(id: string): string {
  return CONFIG_RUN_PREFIX + id;
}

/** The saved browser run an attack config names, or null (the frozen model, or a CLI folder). */
export function browserRunOf(run: string | undefined): string | null {
  return run !== undefined && run.startsWith(CONFIG_RUN_PREFIX) ? run.slice(CONFIG_RUN_PREFIX.length) : null;
}
