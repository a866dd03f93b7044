// rapt sweep --config FILE.json --out DIR [--dry-run]
//
// Runs every config of a sweep (src/lib/experiments/sweep-config.ts: base + grid of budgets,
// methods, seeds, switches) one after another with `rapt tune`'s runner, then its attacks (the
// config's `attacks`, at every model, budget and seed of the grid) with `rapt attack`'s, and
// writes into DIR:
//   runs.jsonl   one line per finished run: the TuneResult / AttackResult JSON plus "key" (the run
//                key of its config); failed runs as {"kind": "error", key, config, message}
//   summary.csv, summary.md   mean ± sample std over seeds, per config minus seed (summary.md
//                has an "Attacks" section when there are attack results)
//   chart.svg    test accuracy on privatized inputs vs budget, one line per variant
//   attacks.csv, attacks.svg, frontier-<attack>.svg   with attacks: their summary, success vs
//                budget, and task accuracy vs attack success
// Running it again resumes: runs already in runs.jsonl are skipped, failed ones retried. Progress on
// stderr; at the end one JSON line on stdout:
//   {name, out, total, tune_runs, attack_runs, skipped, ran, failed, aborted, finished, files: {runs, summary_csv, summary_md, chart, attacks_csv?, attacks_svg?, frontiers?}}
// Exit 1 when a run failed (the others still ran). --dry-run prints {name, total, runs: [{key, config}]}
// and runs nothing. Ctrl-C stops after the current run (twice: at once).
//
// Test hook: RAPT_SWEEP_FAKE_RUNNER=1 swaps the real runners for src/lib/experiments/fake-runner.ts
// (deterministic numbers, no GPU).

import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, printJson } from '../runtime';
import { expandSweep, parseSweepConfigText, SweepConfigError } from '../../lib/experiments/sweep-config';
import { runKey } from '../../lib/experiments/run-key';
import { ATTACKS_CSV, ATTACKS_SVG, CHART_SVG, frontierFile, RUNS_FILE, runSweep, SUMMARY_CSV, SUMMARY_MD } from '../../lib/experiments/sweep-runner';
import { expandAttacks } from '../../lib/experiments/sweep-attacks';
import { frontierAttacks } from '../../lib/experiments/attack-charts';
import type { AttackConfig, AttackResult } from '../../lib/attacks/config';
import { DirStore } from '../../lib/experiments/store-node';
import type { TuneConfig, TuneResult } from '../../lib/rapt/config';

export const SWEEP_OPTIONS = {
  config: { type: 'string' },
  out: { type: 'string' },
  'dry-run': { type: 'boolean' }
} as const;

/** The runner contract of src/lib/rapt/run-node.ts (each run opens and closes its own GPU device). */
export type RunTune = (config: TuneConfig, opts: { log: (s: string) => void }) => Promise<TuneResult>;

/** The runner contract of src/lib/attacks/run-node.ts. */
export type RunAttack = (config: AttackConfig, opts: { log: (s: string) => void }) => Promise<AttackResult>;

async function loadRunners(): Promise<{ runTune: RunTune; runAttack: RunAttack }> {
  if (process.env.RAPT_SWEEP_FAKE_RUNNER === '1') {
    process.stderr.write('rapt sweep: RAPT_SWEEP_FAKE_RUNNER=1 — using the fake runners (test numbers, no training, no attacks)\n');
    const fake = await import('../../lib/experiments/fake-runner');
    return { runTune: fake.fakeRunTune, runAttack: fake.fakeRunAttack };
  }
  // loaded only when needed: the GPU, model and data code stays out of --dry-run and config errors
  const { runTune } = await import('../../lib/rapt/run-node');
  const { runAttack } = await import('../../lib/attacks/run-node');
  return { runTune, runAttack };
}

export async function sweep(a: Record<string, string | boolean | undefined>): Promise<void> {
  const file = a.config;
  if (typeof file !== 'string' || file === '') throw new UsageError('--config FILE.json is required (a sweep config, e.g. configs/sweeps/spam-dchi.json)');
  if (!existsSync(file)) throw new UsageError(`--config ${file}: no such file`);
  let cfg;
  try {
    cfg = parseSweepConfigText(readFileSync(file, 'utf8'), file);
  } catch (e) {
    if (e instanceof SweepConfigError) throw new UsageError(`--config ${file}: ${e.message}`);
    throw e;
  }
  const configs = expandSweep(cfg);
  const attacks = expandAttacks(cfg.attacks, configs);
  if (a['dry-run']) {
    printJson({
      name: cfg.name,
      total: configs.length + attacks.length,
      tune_runs: configs.length,
      attack_runs: attacks.length,
      runs: configs.map((c) => ({ key: runKey(c), config: c })),
      attacks: attacks.map((c) => ({ key: runKey(c), config: c }))
    });
    return;
  }
  const outArg = a.out;
  if (typeof outArg !== 'string' || outArg === '') throw new UsageError('--out DIR is required (the folder for runs.jsonl, summary.csv, summary.md, chart.svg)');
  const out = resolve(outArg);
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out ${outArg} is a file, not a folder`);

  const { runTune, runAttack } = await loadRunners();
  const log = (s: string) => process.stderr.write(s + '\n');
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    log('rapt sweep: stopping after the current run (Ctrl-C again to stop now; finished runs are kept)');
  };
  process.on('SIGINT', onSigint);
  let outcome;
  try {
    outcome = await runSweep({
      configs,
      store: new DirStore(out),
      run: (c) => runTune(c, { log: (s) => log('  ' + s) }),
      attacks,
      runAttack: (c) => runAttack(c, { log: (s) => log('  ' + s) }),
      log,
      title: cfg.name,
      signal: controller.signal
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  const frontiers = frontierAttacks(outcome.groups, outcome.attackGroups).map(frontierFile);
  const withAttacks = outcome.attackGroups.length > 0 ? { attacks_csv: ATTACKS_CSV, attacks_svg: ATTACKS_SVG, frontiers } : {};
  printJson({
    name: cfg.name,
    out,
    total: outcome.total,
    tune_runs: configs.length,
    attack_runs: attacks.length,
    skipped: outcome.skipped,
    ran: outcome.ran,
    failed: outcome.failed,
    aborted: outcome.aborted,
    finished: outcome.results.length + outcome.attackResults.length,
    files: { runs: RUNS_FILE, summary_csv: SUMMARY_CSV, summary_md: SUMMARY_MD, chart: CHART_SVG, ...withAttacks }
  });
  if (outcome.failed > 0)
    throw new Error(`${outcome.failed} of ${outcome.total} runs failed (their "error" lines are in ${outcome.files[0]}); run the same command again to retry them`);
  if (outcome.aborted) throw new Error(`stopped with ${outcome.results.length + outcome.attackResults.length} of ${outcome.total} runs finished; run the same command again to resume`);
}
