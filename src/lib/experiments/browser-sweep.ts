// A sweep run in the browser (the Frontier page's "Run a sweep in this browser" panel), minus the
// workers: the panel's form as typed (strings, so a bad value can be named back), its small
// defaults, the run lists a form asks for (tuning configs over budgets × method variants × seeds,
// a variant being a PEFT method with or without RAPT, then one token attack per distinct budget and
// seed, as `rapt sweep` expands them), an estimate
// of the time left, and the runs.jsonl text of the finished runs (the rows `rapt sweep` writes,
// which parseSweepFile reads). Only privatized budgets: the browser service refuses clean
// (mechanism "none") training sets by design. Pure: no DOM, no GPU.

import { AttackConfigError, type AttackConfig, type AttackResult } from '../attacks/config';
import type { AttackKind } from '../attacks/threat-model';
import { completeTuneConfig, TuneConfigError } from '../rapt/check-config';
import type { PeftMethodName, TuneConfig, TuneResult } from '../rapt/config';
import { runKey } from './run-key';
import { expandAttacks, SweepAttackError } from './sweep-attacks';

/**
 * The PEFT methods the panel offers, in the order the plan runs them. Full fine-tuning is among
 * them because the built-in model is small (1.5 M parameters): with `rapt tune` on SwiftShader at
 * the panel's default sizes, 10 steps took 16 s (prompt 18 s, prefix 14 s, LoRA 13 s, all
 * including the privatization) and 40 steps 63 s against a soft prompt's 36 s.
 */
export const BROWSER_SWEEP_METHODS = ['prompt', 'prefix', 'lora', 'full'] as const satisfies readonly PeftMethodName[];
export type BrowserSweepMethod = (typeof BROWSER_SWEEP_METHODS)[number];
export const SWEEP_METHOD_LABELS: Record<BrowserSweepMethod, string> = {
  prompt: 'soft prompt',
  prefix: 'prefix tuning',
  lora: 'LoRA',
  full: 'full fine-tuning'
};

/** The attacks on tokens the x axis can show (the attribute attack reads states, not tokens). */
export const TOKEN_ATTACKS: readonly AttackKind[] = ['inversion-nn', 'inversion-learned', 'mask'];

export interface BrowserSweepForm {
  /** a built-in dataset */
  task: string;
  /** d_χ η values, comma or space separated */
  budgets: string;
  /** the PEFT methods to tune (each with its `rapt tune` defaults: prompt/prefix length, LoRA rank and α, lr) */
  methods: Record<BrowserSweepMethod, boolean>;
  /** each method without RAPT, and with RAPT (m plain tokens, weight λ): variants = methods × these */
  plain: boolean;
  rapt: boolean;
  plainTokens: string;
  lambda: string;
  /** seeds, comma or space separated */
  seeds: string;
  /**
   * also send each run's test split unprivatized, for the clean reference accuracy (the texts' ids
   * reach the service: only for public data such as the built-in datasets; off by default)
   */
  cleanTest: boolean;
  attack: AttackKind;
  steps: string;
  batchSize: string;
  trainLimit: string;
  evalLimit: string;
  maxLength: string;
  attackLimit: string;
  auxLimit: string;
  candidates: string;
  samples: string;
}

/** Small enough that a run takes about a minute on SwiftShader (a CPU). */
export const BROWSER_SWEEP_DEFAULTS: BrowserSweepForm = {
  task: 'spam',
  budgets: '60, 200',
  methods: { prompt: true, prefix: false, lora: false, full: false },
  plain: true,
  rapt: true,
  plainTokens: '8',
  lambda: '1',
  seeds: '1',
  cleanTest: false,
  attack: 'inversion-nn',
  steps: '10',
  batchSize: '8',
  trainLimit: '32',
  evalLimit: '16',
  maxLength: '24',
  attackLimit: '8',
  auxLimit: '40',
  candidates: '100',
  samples: '4'
};

/** The size fields, in the order the panel shows them, with labels and one-line help. */
export const SWEEP_SIZE_FIELDS = ['steps', 'batchSize', 'trainLimit', 'evalLimit', 'maxLength', 'attackLimit', 'auxLimit', 'candidates', 'samples'] as const;
export type SweepSizeField = (typeof SWEEP_SIZE_FIELDS)[number];
export const SWEEP_SIZE_HELP: Record<SweepSizeField, { label: string; help: string }> = {
  steps: { label: 'Training steps', help: 'per tuning run' },
  batchSize: { label: 'Batch size', help: 'examples per step' },
  trainLimit: { label: 'Training examples', help: 'subset of the train split (0 = all: slow)' },
  evalLimit: { label: 'Eval examples', help: 'dev and test subsets (0 = all: slow)' },
  maxLength: { label: 'Tokens per text', help: 'longer texts are cut (tuning and attack)' },
  attackLimit: { label: 'Attacked texts', help: 'test texts the attack guesses (0 = all: slow)' },
  auxLimit: { label: 'Auxiliary texts', help: "the attacker's public train-split texts (0 = all)" },
  candidates: { label: 'Candidates N', help: 'most frequent auxiliary tokens the guesses choose among' },
  samples: { label: 'Draws K', help: 'Monte Carlo draws per candidate (inversion-nn)' }
};

/** More runs than this is almost certainly a typo on a software GPU. */
export const MAX_BROWSER_RUNS = 60;

export class BrowserSweepError extends Error {
  override name = 'BrowserSweepError';
}

export interface BrowserSweepPlan {
  /** tuning runs, budgets slowest, then methods, then without / with RAPT, then seeds */
  tunes: TuneConfig[];
  /** one attack per distinct (budget, seed), in the tuning order */
  attacks: AttackConfig[];
  /** send the clean test split with each training set (form.cleanTest) */
  includeCleanTest: boolean;
}

function quote(t: string): string {
  return JSON.stringify(t.length > 24 ? `${t.slice(0, 24)}…` : t);
}

function number(what: string, text: string): number {
  const t = text.trim();
  if (t === '' || !Number.isFinite(Number(t))) throw new BrowserSweepError(`${what} must be a number, got ${t === '' ? 'nothing' : quote(t)}`);
  return Number(t);
}

/** A comma- or space-separated list of numbers, in order, duplicates dropped. */
export function parseNumberList(what: string, text: string, check: (n: number) => string | null): number[] {
  const parts = text.split(/[\s,;]+/).filter((p) => p !== '');
  if (parts.length === 0) throw new BrowserSweepError(`${what}: give at least one value`);
  const out: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (!Number.isFinite(n)) throw new BrowserSweepError(`${what}: ${quote(p)} is not a number`);
    const problem = check(n);
    if (problem) throw new BrowserSweepError(`${what}: ${p} ${problem}`);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** The model every browser sweep config names: the shipped default model, as `rapt` calls it. */
export const BROWSER_SWEEP_MODEL = 'builtin';

/**
 * The tuning and attack configs a form asks for. Throws BrowserSweepError naming the field (the
 * tuning and attack checks are `rapt tune`'s and `rapt attack`'s own).
 */
export function planBrowserSweep(form: BrowserSweepForm): BrowserSweepPlan {
  if (!form.task) throw new BrowserSweepError('choose a task');
  const budgets = parseNumberList('budgets (d_χ η)', form.budgets, (n) =>
    n > 0 ? null : 'is not a budget: η must be > 0 (clean, unprivatized training is refused by the browser service; run it with rapt sweep)'
  );
  const seeds = parseNumberList('seeds', form.seeds, (n) => (Number.isSafeInteger(n) && n >= 0 ? null : 'is not a whole number ≥ 0'));
  const methods = BROWSER_SWEEP_METHODS.filter((m) => form.methods[m] === true);
  if (methods.length === 0)
    throw new BrowserSweepError(`choose at least one method: ${BROWSER_SWEEP_METHODS.map((m) => SWEEP_METHOD_LABELS[m]).join(', ').replace(/, ([^,]*)$/, ' or $1')}`);
  const raptSettings: boolean[] = [];
  if (form.plain) raptSettings.push(false);
  if (form.rapt) raptSettings.push(true);
  if (raptSettings.length === 0) throw new BrowserSweepError('choose without RAPT, with RAPT, or both');
  const variants = methods.flatMap((method) => raptSettings.map((rapt) => ({ method, rapt })));
  const size = (k: SweepSizeField) => number(SWEEP_SIZE_HELP[k].label.toLowerCase(), form[k]);
  // the RAPT settings go into every config (rapt: false ignores them), so the curves differ only in `rapt`
  const plainTokens = form.rapt ? number('plain tokens m', form.plainTokens) : 40;
  const lambda = form.rapt ? number('λ', form.lambda) : 1;
  const base: Partial<TuneConfig> = {
    model: BROWSER_SWEEP_MODEL,
    task: form.task,
    head: 'mean',
    mechanism: 'dchi',
    plainTokens,
    lambda,
    steps: size('steps'),
    batchSize: size('batchSize'),
    trainLimit: size('trainLimit'),
    evalLimit: size('evalLimit'),
    maxLength: size('maxLength')
  };
  const tunes: TuneConfig[] = [];
  for (const eta of budgets)
    for (const { method, rapt } of variants)
      for (const seed of seeds) {
        try {
          tunes.push(completeTuneConfig({ ...base, method, eta, rapt, seed }));
        } catch (e) {
          if (e instanceof TuneConfigError) throw new BrowserSweepError(`${method}${rapt ? ' + RAPT' : ''} at η=${eta}, seed ${seed}: ${e.message}`);
          throw e;
        }
      }
  if (!TOKEN_ATTACKS.includes(form.attack)) throw new BrowserSweepError(`the attack must be one of ${TOKEN_ATTACKS.join(', ')}, got ${quote(String(form.attack))}`);
  const spec = { attack: form.attack, limit: size('attackLimit'), auxLimit: size('auxLimit'), candidates: size('candidates'), samples: size('samples') };
  let attacks: AttackConfig[];
  try {
    attacks = expandAttacks([spec], tunes);
  } catch (e) {
    if (e instanceof SweepAttackError || e instanceof AttackConfigError) throw new BrowserSweepError(e.message.replace(/^attacks\[0\] /, `${form.attack} `));
    throw e;
  }
  const total = tunes.length + attacks.length;
  if (total > MAX_BROWSER_RUNS)
    throw new BrowserSweepError(`${tunes.length} tuning runs and ${attacks.length} attacks is ${total} runs; the browser panel runs at most ${MAX_BROWSER_RUNS} (use rapt sweep for more)`);
  return { tunes, attacks, includeCleanTest: form.cleanTest === true };
}

/**
 * The plan in words: "12 tuning runs (2 budgets × 3 methods × 2 RAPT settings × 1 seed) and 2
 * inversion-nn attacks"; one RAPT setting is named ("1 method without RAPT", "3 methods with RAPT").
 */
export function describePlan(plan: BrowserSweepPlan): string {
  const n = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;
  const etas = new Set(plan.tunes.map((t) => t.eta)).size;
  const methods = new Set(plan.tunes.map((t) => t.method)).size;
  const rapt = [...new Set(plan.tunes.map((t) => t.rapt))];
  const seeds = new Set(plan.tunes.map((t) => t.seed)).size;
  const attack = plan.attacks[0]?.attack ?? 'attack';
  const variants = rapt.length === 1 ? `${n(methods, 'method')} ${rapt[0] ? 'with' : 'without'} RAPT` : `${n(methods, 'method')} × ${n(rapt.length, 'RAPT setting')}`;
  return `${n(plan.tunes.length, 'tuning run')} (${n(etas, 'budget')} × ${variants} × ${n(seeds, 'seed')}) and ${n(plan.attacks.length, `${attack} attack`)}`;
}

/** Seconds left: the runs still to do, each at the mean time of the finished runs of its kind (or of the other kind, before one has finished). */
export function sweepEta(done: { tune: number[]; attack: number[] }, left: { tune: number; attack: number }): number | null {
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const t = mean(done.tune);
  const a = mean(done.attack);
  const tuneEach = t ?? a;
  const attackEach = a ?? t;
  if (tuneEach === null || attackEach === null) return null;
  return left.tune * tuneEach + left.attack * attackEach;
}

/** A run that failed, as runs.jsonl records it (re-run by rapt sweep on a resume; ignored by the Frontier page). */
export interface FailedRun {
  config: TuneConfig | AttackConfig;
  message: string;
}

/**
 * runs.jsonl text of a browser sweep: every finished tuning run as `{...TuneResult, kind: "tune",
 * key}`, every attack as `{...AttackResult, kind: "attack", key}` and every failure as
 * `{kind: "error", key, config, message}`, with key = runKey(config), one line each.
 */
export function browserSweepJsonl(tunes: readonly TuneResult[], attacks: readonly AttackResult[], failed: readonly FailedRun[] = []): string {
  const lines: string[] = [];
  for (const r of tunes) lines.push(JSON.stringify({ ...r, kind: 'tune', key: runKey(r.config) }));
  for (const r of attacks) lines.push(JSON.stringify({ ...r, kind: 'attack', key: runKey(r.config) }));
  for (const f of failed) lines.push(JSON.stringify({ kind: 'error', key: runKey(f.config), config: f.config, message: f.message }));
  return lines.map((l) => `${l}\n`).join('');
}

/** The imported sweep's name: "browser sweep 2026-12-02 17:40". */
export function browserSweepName(at: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `browser sweep ${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())} ${p(at.getHours())}:${p(at.getMinutes())}`;
}
