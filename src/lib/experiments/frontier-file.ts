// Reads a runs.jsonl for the Frontier page: the tuning and attack rows (parseRunsLog's checks), each
// attack row also checked for what the join needs (config.attack/model/task/mechanism/seed,
// a numeric success); a bad line is an error naming the file and the line. A cut-off last line
// (a sweep still being written) is skipped with a warning. Browser-safe.

import { parseRunsLog, RunsLogError, type TuneRow } from './runs-log';
import type { AttackRow } from './frontier';

export interface SweepFile {
  tune: TuneRow[];
  attacks: AttackRow[];
  /** rows of other kinds (errors, …) are counted, not used */
  otherRows: number;
  warnings: string[];
}

/** Parse runs.jsonl text; throws RunsLogError naming the line for anything malformed. */
export function parseSweepFile(text: string, source = 'runs.jsonl'): SweepFile {
  const log = parseRunsLog(text, source);
  const warnings: string[] = [];
  if (log.truncated !== null) warnings.push(`${source}: the last line was cut off mid-write and was skipped`);
  const attacks: AttackRow[] = [];
  const lines = log.complete.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const r = JSON.parse(line) as Record<string, unknown>;
    if (r.kind !== 'attack') continue;
    const at = `${source} line ${i + 1}`;
    const c = r.config as Record<string, unknown> | null;
    if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new RunsLogError(`${at}: an "attack" row needs a config object`);
    for (const f of ['attack', 'model', 'task', 'mechanism'] as const)
      if (typeof c[f] !== 'string') throw new RunsLogError(`${at}: an "attack" row needs config.${f} (a string)`);
    if (typeof c.seed !== 'number') throw new RunsLogError(`${at}: an "attack" row needs config.seed (a number)`);
    if (typeof r.success !== 'number' || !Number.isFinite(r.success))
      throw new RunsLogError(`${at}: an "attack" row needs "success" (a number), got ${JSON.stringify(r.success)}`);
    attacks.push(r as unknown as AttackRow);
  }
  if (log.tune.length === 0) throw new RunsLogError(`${source} holds no "tune" rows: nothing to draw (is it a runs.jsonl written by rapt sweep?)`);
  return { tune: log.tune, attacks, otherRows: log.other.length + log.errors.length, warnings };
}
