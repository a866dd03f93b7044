// runs.jsonl, the sweep's record: one JSON object per line, appended as each run ends.
//   {"kind": "tune", …TuneResult, "key": "…"}          a finished run (TuneResult plus its run key)
//   {"kind": "attack", …AttackResult, "key": "…"}      a finished attack run (AttackResult plus its run key)
//   {"kind": "error", "key", "config", "message"}       a run that threw (re-run on the next resume);
//                                                       an attack's config has an "attack" field
//   any other kind                                      kept and ignored
// A last line without its newline that does not parse is a run cut off mid-write: it is dropped
// (and its run is run again). A bad line anywhere else is an error naming the line. Browser-safe.

import type { TuneConfig, TuneResult } from '../rapt/config';
import type { AttackConfig, AttackResult } from '../attacks/config';
import { runKey } from './run-key';

/** A finished run as runs.jsonl holds it: the TuneResult JSON plus the key of the config that was asked for. */
export type TuneRow = TuneResult & { key: string };

/** A finished attack run: the AttackResult JSON plus the key of its config. */
export type AttackRow = AttackResult & { key: string };

export interface ErrorRow {
  kind: 'error';
  key: string;
  /** a tuning config, or an attack config (it has an `attack` field) */
  config: TuneConfig | AttackConfig;
  message: string;
}

export interface RunsLog {
  tune: TuneRow[];
  attack: AttackRow[];
  errors: ErrorRow[];
  /** rows of other kinds, untouched */
  other: Record<string, unknown>[];
  /** the text up to the end of the last complete line (what a resumed sweep keeps) */
  complete: string;
  /** the cut-off last line, if there was one (dropped) */
  truncated: string | null;
}

export class RunsLogError extends Error {
  override name = 'RunsLogError';
}

/** Parse runs.jsonl text. `source` names the file in errors. */
export function parseRunsLog(text: string, source = 'runs.jsonl'): RunsLog {
  const log: RunsLog = { tune: [], attack: [], errors: [], other: [], complete: text, truncated: null };
  const lines = text.split('\n');
  const last = lines.length - 1; // after the final '\n' this is '' (a complete file)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (e) {
      if (i === last) {
        // cut off mid-write: keep everything before it
        log.truncated = lines[i];
        log.complete = text.slice(0, text.length - lines[i].length);
        break;
      }
      throw new RunsLogError(`${source} line ${i + 1} is not valid JSON (${(e as Error).message}); fix or delete that line`);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row) || typeof (row as { kind?: unknown }).kind !== 'string')
      throw new RunsLogError(`${source} line ${i + 1}: expected an object with a "kind", got ${line.slice(0, 60)}`);
    const r = row as Record<string, unknown>;
    if (r.kind === 'tune') {
      if (typeof r.config !== 'object' || r.config === null || typeof r.metrics !== 'object' || r.metrics === null)
        throw new RunsLogError(`${source} line ${i + 1}: a "tune" row needs config and metrics objects`);
      if (typeof r.key !== 'string') r.key = runKey(r.config);
      log.tune.push(r as unknown as TuneRow);
    } else if (r.kind === 'attack') {
      if (typeof r.config !== 'object' || r.config === null || typeof r.success !== 'number')
        throw new RunsLogError(`${source} line ${i + 1}: an "attack" row needs a config object and a numeric success`);
      if (typeof r.key !== 'string') r.key = runKey(r.config);
      log.attack.push(r as unknown as AttackRow);
    } else if (r.kind === 'error') {
      if (typeof r.key !== 'string') r.key = runKey(r.config);
      log.errors.push(r as unknown as ErrorRow);
    } else log.other.push(r);
  }
  // a complete last line that lost only its newline: keep it, end the text with one
  if (log.truncated === null && text.length > 0 && !text.endsWith('\n')) log.complete = text + '\n';
  return log;
}

/** One runs.jsonl line (with its newline). */
export function runsLogLine(row: TuneRow | AttackRow | ErrorRow | Record<string, unknown>): string {
  return JSON.stringify(row) + '\n';
}
