// rapt tune — one tuning run (PEFT method × mechanism × budget, RAPT on/off) on a task; prints
// one JSON object (TuneResult, src/lib/rapt/config.ts) and logs progress to stderr.

import { UsageError, printJson } from '../runtime';
import type { TuneConfig } from '../../lib/rapt/config';
import { TuneConfigError, completeTuneConfig } from '../../lib/rapt/check-config';

export const TUNE_OPTIONS = {
  model: { type: 'string' },
  task: { type: 'string' },
  method: { type: 'string' },
  head: { type: 'string' },
  mechanism: { type: 'string' },
  eta: { type: 'string' },
  epsilon: { type: 'string' },
  rapt: { type: 'boolean' },
  'plain-tokens': { type: 'string' },
  lambda: { type: 'string' },
  'recon-hidden': { type: 'string' },
  'plain-sequence': { type: 'string' },
  'prompt-length': { type: 'string' },
  'prefix-hidden': { type: 'string' },
  'lora-rank': { type: 'string' },
  'lora-alpha': { type: 'string' },
  steps: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  seed: { type: 'string' },
  'max-length': { type: 'string' },
  'train-limit': { type: 'string' },
  'eval-limit': { type: 'string' },
  save: { type: 'string' },
  json: { type: 'boolean' }
} as const;

const NUMERIC: [string, keyof TuneConfig][] = [
  ['eta', 'eta'],
  ['epsilon', 'epsilon'],
  ['plain-tokens', 'plainTokens'],
  ['lambda', 'lambda'],
  ['recon-hidden', 'reconHidden'],
  ['prompt-length', 'promptLength'],
  ['prefix-hidden', 'prefixHidden'],
  ['lora-rank', 'loraRank'],
  ['lora-alpha', 'loraAlpha'],
  ['steps', 'steps'],
  ['batch', 'batchSize'],
  ['lr', 'lr'],
  ['seed', 'seed'],
  ['max-length', 'maxLength'],
  ['train-limit', 'trainLimit'],
  ['eval-limit', 'evalLimit']
];

/** CLI flags → a checked TuneConfig (errors name the flag). */
export function tuneConfigFromArgs(a: Record<string, string | boolean | undefined>): TuneConfig {
  if (!a.model) throw new UsageError('--model DIR|builtin is required');
  if (!a.task) throw new UsageError('--task NAME|FILE is required (built-in: spam, sotu-party)');
  const c: Record<string, unknown> = { model: a.model, task: a.task };
  if (a.method !== undefined) c.method = a.method;
  if (a.head !== undefined) c.head = a.head;
  if (a['plain-sequence'] !== undefined) c.plainSequence = a['plain-sequence'];
  c.mechanism = a.mechanism ?? 'none';
  c.rapt = a.rapt === true;
  for (const [flag, field] of NUMERIC) {
    const v = a[flag];
    if (v === undefined) continue;
    const x = Number(v);
    if (typeof v !== 'string' || v.trim() === '' || Number.isNaN(x)) throw new UsageError(`--${flag} must be a number, got ${JSON.stringify(v)}`);
    c[field] = x;
  }
  try {
    return completeTuneConfig(c as Partial<TuneConfig>);
  } catch (e) {
    if (e instanceof TuneConfigError) throw new UsageError(e.message);
    throw e;
  }
}

export async function tune(a: Record<string, string | boolean | undefined>): Promise<void> {
  const config = tuneConfigFromArgs(a);
  if (a.save !== undefined && (typeof a.save !== 'string' || a.save === '')) throw new UsageError('--save DIR needs a folder');
  const save = typeof a.save === 'string' ? a.save : undefined;
  if (save !== undefined) {
    const { checkSaveDir } = await import('../../lib/rapt/saved-run-node');
    try {
      checkSaveDir(save);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const { runTune } = await import('../../lib/rapt/run-node');
  const result = await runTune(config, { log: (s) => process.stderr.write(s + '\n'), save });
  printJson(result);
}
