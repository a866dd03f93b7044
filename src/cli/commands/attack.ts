// rapt attack — one attack (inversion-nn, inversion-learned, mask, attribute) on a task's test
// split privatized with a mechanism and budget; prints one JSON object (AttackResult,
// src/lib/attacks/config.ts) and logs progress to stderr. The output is always JSON (--json is
// accepted for symmetry with other commands). With --run DIR (a `rapt tune --save DIR` folder) the
// attribute attack reads the run's hidden states (model, task and text length from run.json,
// mechanism and budget too unless --mechanism is given); a token attack attacks the run's setting — its model,
// task, mechanism, budget and text length from run.json, the privatized text the run trained on —
// and an explicit flag that differs from the run's is refused, naming both values.

import { UsageError, printJson } from '../runtime';
import { ATTACK_KINDS } from '../../lib/attacks/threat-model';
import { AttackConfigError, completeAttackConfig, TOKEN_ATTACKS_ON_RUN, type AttackConfig } from '../../lib/attacks/config';
import { join } from 'node:path';
import { readSavedRunConfig, RUN_RESULT_FILE } from '../../lib/rapt/saved-run-node';
import { attackFieldsOfRun, settingConflicts, settingOfRun, settingValue } from '../../lib/rapt/saved-run';
import type { TuneConfig } from '../../lib/rapt/config';

export const ATTACK_OPTIONS = {
  kind: { type: 'string' },
  model: { type: 'string' },
  task: { type: 'string' },
  mechanism: { type: 'string' },
  eta: { type: 'string' },
  epsilon: { type: 'string' },
  attribute: { type: 'string' },
  run: { type: 'string' },
  limit: { type: 'string' },
  'aux-limit': { type: 'string' },
  'max-length': { type: 'string' },
  candidates: { type: 'string' },
  samples: { type: 'string' },
  window: { type: 'string' },
  hidden: { type: 'string' },
  steps: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  positions: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' }
} as const;

const NUMERIC: [string, keyof AttackConfig][] = [
  ['eta', 'eta'],
  ['epsilon', 'epsilon'],
  ['limit', 'limit'],
  ['aux-limit', 'auxLimit'],
  ['max-length', 'maxLength'],
  ['candidates', 'candidates'],
  ['samples', 'samples'],
  ['window', 'window'],
  ['hidden', 'hidden'],
  ['steps', 'steps'],
  ['batch', 'batchSize'],
  ['lr', 'lr'],
  ['positions', 'positions'],
  ['seed', 'seed']
];

const FLAG_OF: Record<string, string> = Object.fromEntries([...NUMERIC.map(([f, k]) => [k, f]), ['attack', 'kind']]);

/** CLI flags → a checked AttackConfig (errors name the flag). */
export function attackConfigFromArgs(a: Record<string, string | boolean | undefined>): AttackConfig {
  if (!a.kind) throw new UsageError(`--kind is required (${ATTACK_KINDS.join(', ')})`);
  // --run DIR: a saved tuning run; its model, task, mechanism and budget are the defaults (a token attack: they and the text length are fixed)
  let fromRun: Record<string, unknown> = {};
  let tokenRun: TuneConfig | null = null;
  if (a.run !== undefined) {
    if (typeof a.run !== 'string' || a.run === '') throw new UsageError('--run DIR needs a folder (rapt tune --save DIR)');
    let rc;
    try {
      rc = readSavedRunConfig(a.run);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    if (a.kind !== 'attribute') {
      tokenRun = rc;
      fromRun = { ...settingOfRun(rc) };
    } else {
      const f = attackFieldsOfRun(rc);
      // the text length defaults to the run's too (--max-length overrides), as on the Attack page
      fromRun = a.mechanism !== undefined ? { model: f.model, task: f.task, maxLength: rc.maxLength } : { ...f, maxLength: rc.maxLength };
    }
  }
  const model = a.model ?? fromRun.model;
  const task = a.task ?? fromRun.task;
  if (!model) throw new UsageError('--model DIR|builtin is required');
  if (!task) throw new UsageError('--task NAME|FILE is required (built-in: spam, sotu-party)');
  const c: Record<string, unknown> = { ...fromRun, attack: a.kind, model, task, mechanism: a.mechanism ?? fromRun.mechanism ?? 'none' };
  if (typeof a.run === 'string') c.run = a.run;
  if (a.attribute !== undefined) c.attribute = a.attribute;
  for (const [flag, field] of NUMERIC) {
    const v = a[flag];
    if (v === undefined) continue;
    const x = Number(v);
    if (typeof v !== 'string' || v.trim() === '' || Number.isNaN(x)) throw new UsageError(`--${flag} must be a number, got ${JSON.stringify(v)}`);
    c[field] = x;
  }
  if (tokenRun) {
    const conflicts = settingConflicts(c, tokenRun);
    if (conflicts.length)
      throw new UsageError(
        `${conflicts.map((f) => `--${FLAG_OF[f.field] ?? f.field} ${settingValue(f.attack)} conflicts with the run's ${f.field} ${settingValue(f.run)} (${join(a.run as string, RUN_RESULT_FILE)})`).join('; ')}: with --run, ${TOKEN_ATTACKS_ON_RUN}; drop the flag, or drop --run to attack another setting`
      );
  }
  try {
    return completeAttackConfig(c as Partial<AttackConfig>);
  } catch (e) {
    if (e instanceof AttackConfigError)
      throw new UsageError(e.message.replace(/^(\w+)( \(the \w+\+? budget\))? must/, (m, field: string, rest?: string) => `--${FLAG_OF[field] ?? field}${rest ?? ''} must`).replace(/^attack must/, '--kind must'));
    throw e;
  }
}

export async function attack(a: Record<string, string | boolean | undefined>): Promise<void> {
  const config = attackConfigFromArgs(a);
  const { runAttack } = await import('../../lib/attacks/run-node');
  const result = await runAttack(config, { log: (s) => process.stderr.write(s + '\n') });
  printJson(result);
}
