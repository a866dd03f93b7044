// A saved tuning run on disk (`rapt tune --save DIR`): DIR/run.json holds the TuneResult and
// DIR/peft.safetensors the trained method's tensors (peft/state.ts). The folder checks before a
// run is saved, and reading a saved run's config back (`rapt attack --run DIR`; the checks are
// saved-run.ts's, shared with the Attack page's browser runs). Node only.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TuneConfig } from './config';
import { savedRunConfig } from './saved-run';

export const RUN_RESULT_FILE = 'run.json';
export const RUN_STATE_FILE = 'peft.safetensors';

/** Refuse a --save folder that is a file or already holds a run (nothing is overwritten). */
export function checkSaveDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new Error(`--save ${dir} is a file, not a folder`);
  for (const f of [RUN_RESULT_FILE, RUN_STATE_FILE])
    if (existsSync(join(dir, f))) throw new Error(`--save ${dir} already holds a run (${f}); choose a new folder, nothing was overwritten`);
}

/** run.json's config of a saved tuning run (checked like `rapt tune`'s). */
export function readSavedRunConfig(dir: string): TuneConfig {
  const file = join(dir, 'run.json');
  if (!existsSync(dir)) throw new Error(`--run ${dir}: no such folder`);
  if (!existsSync(file)) throw new Error(`--run ${dir}: no run.json (save a run with rapt tune --save ${dir})`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  return savedRunConfig(raw, file);
}
