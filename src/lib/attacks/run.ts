// One attack end to end, on already-loaded inputs (browser-safe; run-node.ts loads them from
// disk for the CLI). The roles, as in the threat model (threat-model.ts):
//
//   user      the task's test split (`limit` examples), tokenized and privatized on the client
//             with the mechanism and budget (seed: config.seed·65537 + 3, as `rapt tune` does)
//   attacker  sees only those privatized ids; holds the public model and embedding table and the
//             task's train split as public auxiliary text (`auxLimit` examples, disjoint from the
//             test split), which it may read in the clear and privatize itself (its own noise:
//             seed ·65537 + 5; Monte Carlo draws: ·65537 + 7)
//
// Scored positions are those whose original token the mechanism privatizes (real vocabulary).
// On a tuned run (`config.run`, `inputs.tuned`) the attribute attack reads the run's hidden states;
// a token attack attacks the run's setting — the privatized text it was trained on, so its model,
// task, mechanism, budget and text length must be the run's — and never uses its tensors.
// The result is one JSON object (AttackResult, config.ts). Browser-safe.

import type { GpuContext } from '../gpu/context';
import type { SplitDataset } from '../data/types';
import { sortedUnique } from '../data/types';
import { BertModel } from '../model/bert';
import type { BertCheckpoint } from '../model/checkpoint/bert-checkpoint';
import type { BertTokenizer } from '../model/tokenizer';
import { makePrivacyTable } from '../boundary/table';
import { createPrivatizer } from '../boundary/factory';
import type { MechanismSpec, Privatizer } from '../privacy/types';
import { SeededRandom } from '../util/seeded-random';
import type { TuneConfig } from '../rapt/config';
import { peftOptionsFor } from '../rapt/peft-options';
import { createPeft, type PeftMethod } from '../peft/method';
import { loadPeftState } from '../peft/state';
import { completeAttackConfig, TOKEN_ATTACKS_ON_RUN, type AttackConfig, type AttackResult } from './config';
import { settingConflicts, settingValue } from '../rapt/saved-run';
import { coverage, encodeExamples, privatizeMany, smoothedPrior, subset, tokenCounts, topIds } from './data';
import { bayesGuess, distanceProfile, estimateTransitions, identityGuess, meanKeepRate, SHRINKAGE_GRID, TransitionLikelihood } from './inversion-nn';
import { LearnedInverter } from './inversion-learned';
import { maskInference, type MaskSite } from './mask-inference';
import { attributeInference, pooledStates } from './attribute-inference';
import { isStopToken, majorityRate, privacyOf, tokenRecovery, accuracy, type Recovery } from './metrics';

export interface AttackInputs {
  gpu: GpuContext;
  checkpoint: BertCheckpoint;
  tokenizer: BertTokenizer;
  data: SplitDataset;
  /** corpus frequencies per id (SanText+ only) */
  frequencies?: Float64Array;
  adapter: string;
  /**
   * the tuned run of `config.run`: its config and its PEFT state (peft/state.ts bytes; the
   * attribute attack needs it, a token attack does not read it); `source` names the state's file
   */
  tuned?: { config: TuneConfig; state?: Uint8Array; source: string };
}

export interface AttackHooks {
  log?: (line: string) => void;
}

/** Auxiliary tokens the inversion-nn attacker privatizes to choose its smoothing. */
const AUX_VALIDATION_TOKENS = 3000;

const round = (x: number) => Math.round(x * 1e6) / 1e6;
const rec = (r: Recovery) => ({ overall: round(r.overall), excluding_stop_words: round(r.content) });

export async function runAttackCore(partial: Partial<AttackConfig>, inputs: AttackInputs, hooks: AttackHooks = {}): Promise<AttackResult> {
  const config = completeAttackConfig(partial);
  const log = hooks.log ?? (() => {});
  const started = performance.now();
  const { gpu, checkpoint, tokenizer: tok, data } = inputs;
  const V = checkpoint.config.vocab_size;
  const maxLength = Math.min(config.maxLength, checkpoint.config.max_position_embeddings - 2);
  if (tok.maskTokenId === null) throw new Error('the vocabulary has no [MASK] token');
  const sp = { cls: tok.clsTokenId, sep: tok.sepTokenId, pad: tok.padTokenId, mask: tok.maskTokenId };
  if ((config.run !== undefined) !== (inputs.tuned !== undefined))
    throw new Error(config.run !== undefined ? `run ${config.run}: the tuned run's state was not loaded` : 'a tuned state was given without config.run');
  if (inputs.tuned && inputs.tuned.config.model !== config.model)
    throw new Error(`run ${config.run} tuned model ${inputs.tuned.config.model}, not ${config.model}`);
  if (inputs.tuned && config.attack !== 'attribute') {
    const conflicts = settingConflicts(config, inputs.tuned.config);
    if (conflicts.length)
      throw new Error(
        `run ${config.run}: ${conflicts.map((c) => `the attack's ${c.field} ${settingValue(c.attack)} is not the run's ${settingValue(c.run)}`).join('; ')} (${TOKEN_ATTACKS_ON_RUN})`
      );
  }
  if (inputs.tuned && config.attack === 'attribute' && !inputs.tuned.state) throw new Error(`run ${config.run}: the attribute attack needs its trained tensors (${inputs.tuned.source})`);

  // attribute: resolve the column before any work
  let attribute: string | null = null;
  if (config.attack === 'attribute') {
    attribute = config.attribute ?? data.attributes[0] ?? null;
    if (attribute === null) throw new Error(`task ${config.task} has no attribute columns to infer (import it with attribute columns)`);
    if (!data.attributes.includes(attribute))
      throw new Error(`task ${config.task} has no attribute "${attribute}" (it has: ${data.attributes.join(', ') || 'none'})`);
  }

  const table = makePrivacyTable(checkpoint, tok, inputs.frequencies ? { frequencies: inputs.frequencies } : {});
  const isCand = new Uint8Array(table.V);
  for (const id of table.candidates) isCand[id] = 1;
  const privatized = (id: number) => id >= 0 && id < table.V && isCand[id] === 1;
  const stop = (id: number) => isStopToken(tok.idToToken(id));

  const privatizers: Privatizer[] = [];
  const makePrivatizer = (offset: number): Privatizer | null => {
    if (config.mechanism === 'none') return null;
    const spec: MechanismSpec = {
      mechanism: config.mechanism,
      ...(config.eta !== undefined ? { eta: config.eta } : {}),
      ...(config.epsilon !== undefined ? { epsilon: config.epsilon } : {}),
      seed: config.seed * 65537 + offset
    };
    const p = createPrivatizer(gpu, table, spec);
    privatizers.push(p);
    return p;
  };

  let model: BertModel | null = null;
  let tunedMethod: PeftMethod | null = null;
  try {
    // ── user side: the test texts, privatized ──
    const test = encodeExamples(tok, subset(data.splits.test.examples, config.limit, config.seed * 2 + 1), maxLength);
    const aux = encodeExamples(tok, subset(data.splits.train.examples, config.auxLimit, config.seed * 2 + 2), maxLength);
    if (test.ids.length === 0) throw new Error(`task ${config.task}: no test texts with tokens to attack`);
    if (aux.ids.length === 0) throw new Error(`task ${config.task}: no auxiliary (train) texts with tokens`);
    const t0 = performance.now();
    const testPriv = await privatizeMany(makePrivatizer(3), test.ids);
    let scored = 0,
      replaced = 0;
    test.ids.forEach((q, s) => q.forEach((x, i) => privatized(x) && (scored++, testPriv[s][i] !== x && replaced++)));
    log(
      `user: ${test.ids.length} test texts${config.mechanism === 'none' ? ' (no privatization)' : ` privatized with ${config.mechanism} (${((100 * replaced) / Math.max(1, scored)).toFixed(1)}% of ${scored} tokens replaced)`} in ${((performance.now() - t0) / 1000).toFixed(1)} s`
    );
    const identity = tokenRecovery(test.ids, testPriv.map(identityGuess), privatized, stop);
    const tc = inputs.tuned?.config;
    const common = {
      test_texts: test.ids.length,
      aux_texts: aux.ids.length,
      replaced_fraction: round(scored ? replaced / scored : 0),
      // a token attack on a run: what it attacked, and the run (as the attribute attack records it)
      ...(tc && config.attack !== 'attribute'
        ? {
            target: `the privatized text of the tuned run ${config.run} (its model, task, mechanism, budget and text length), not its trained tensors`,
            run_method: tc.method,
            run_mechanism: tc.mechanism,
            run_budget: tc.eta ?? tc.epsilon ?? null
          }
        : {})
    };

    let success: number;
    let baseline: { name: string; value: number };
    let details: Record<string, unknown>;
    switch (config.attack) {
      case 'inversion-nn':
      case 'inversion-learned': {
        const counts = tokenCounts(aux.ids, V);
        const prior = smoothedPrior(counts, isCand);
        const cands = topIds(counts, isCand, config.candidates);
        const testCounts = tokenCounts(test.ids, V);
        const restriction = {
          candidates: cands.length,
          coverage_aux: round(coverage(counts, isCand, cands)),
          coverage_test: round(coverage(testCounts, isCand, cands)),
          note: `guesses other than the observed token are restricted to the ${cands.length} most frequent privatizable tokens of the auxiliary text`
        };
        if (config.attack === 'inversion-nn') {
          let guesses: Int32Array[];
          let keep: number | null = null;
          let selection: Record<string, unknown> | null = null;
          const mc = makePrivatizer(7);
          if (mc) {
            const est = await estimateTransitions(mc, cands, config.samples, log);
            const profile = distanceProfile(est, table);
            keep = meanKeepRate(est, prior);
            // choose the shrinkage on auxiliary text the attacker privatizes itself
            const val: Int32Array[] = [];
            let valTokens = 0;
            for (const q of aux.ids) {
              if (valTokens >= AUX_VALIDATION_TOKENS) break;
              val.push(q);
              valTokens += q.length;
            }
            const valPriv = await privatizeMany(makePrivatizer(5), val);
            const scores = SHRINKAGE_GRID.map((m) => {
              const g = valPriv.map((q) => bayesGuess(q, est, prior, privatized, { table, profile, strength: m * config.samples }));
              return tokenRecovery(val, g, privatized, stop).overall;
            });
            const pick = scores.indexOf(Math.max(...scores));
            const strength = SHRINKAGE_GRID[pick] * config.samples;
            guesses = testPriv.map((q) => bayesGuess(q, est, prior, privatized, { table, profile, strength }));
            selection = {
              rule: 'P̂(y | x) = (n_xy + a·g(d_xy)) / (K + a); g = Monte Carlo rate pooled by embedding distance; a chosen on the attacker\'s own privatized auxiliary text',
              a: strength,
              aux_positions: tokenRecovery(val, val, privatized, stop).n,
              aux_recovery_by_a: Object.fromEntries(SHRINKAGE_GRID.map((m, i) => [String(m * config.samples), round(scores[i])]))
            };
            log(`inversion-nn: shrinkage a = ${strength} (auxiliary recovery ${scores.map((x) => (x * 100).toFixed(1) + '%').join(' / ')} for a = ${SHRINKAGE_GRID.map((m) => m * config.samples).join(' / ')})`);
          } else guesses = testPriv.map(identityGuess); // P(y | x) = [x = y]
          const bayes = tokenRecovery(test.ids, guesses, privatized, stop);
          success = bayes.overall;
          details = {
            ...common,
            positions: bayes.n,
            positions_excluding_stop_words: bayes.nContent,
            bayes: rec(bayes),
            identity: rec(identity),
            samples: config.samples,
            smoothing: selection,
            mean_keep_rate: keep === null ? null : round(keep),
            restriction
          };
        } else {
          const auxPriv = await privatizeMany(makePrivatizer(5), aux.ids);
          const inv = new LearnedInverter(gpu, {
            table,
            outputIds: cands,
            prior,
            privatized,
            window: config.window,
            hidden: config.hidden,
            steps: config.steps,
            batchSize: config.batchSize,
            lr: config.lr,
            seed: config.seed,
            log
          });
          try {
            await inv.train(auxPriv, aux.ids);
            const learned = tokenRecovery(test.ids, await inv.predict(testPriv), privatized, stop);
            success = learned.overall;
            const tail = inv.losses.slice(-Math.max(1, Math.ceil(inv.losses.length / 10)));
            details = {
              ...common,
              positions: learned.n,
              positions_excluding_stop_words: learned.nContent,
              learned: rec(learned),
              identity: rec(identity),
              train_positions: inv.trainRows,
              window: config.window,
              hidden: config.hidden,
              steps: config.steps,
              start_alpha: inv.alpha,
              final_loss: round(tail.reduce((a, b) => a + b, 0) / tail.length),
              restriction
            };
          } finally {
            inv.dispose();
          }
        }
        baseline = { name: 'identity', value: identity.overall };
        break;
      }
      case 'mask': {
        model = new BertModel(gpu, checkpoint.weights);
        let sites: MaskSite[] = [];
        test.ids.forEach((q, s) => q.forEach((x, i) => privatized(x) && sites.push([s, i])));
        const all = sites.length;
        if (config.positions > 0 && sites.length > config.positions) sites = new SeededRandom(config.seed * 3 + 11).shuffle(sites).slice(0, config.positions);
        // the mechanism's likelihood P̂(y | x), estimated as inversion-nn does (its default shrinkage a = K)
        let lik: TransitionLikelihood | null = null;
        const mc = makePrivatizer(7);
        if (mc) {
          const counts = tokenCounts(aux.ids, V);
          const est = await estimateTransitions(mc, topIds(counts, isCand, config.candidates), config.samples, log);
          lik = new TransitionLikelihood(est, smoothedPrior(counts, isCand), { table, profile: distanceProfile(est, table) });
        }
        const observed = Int32Array.from(sites, ([s, i]) => testPriv[s][i]);
        const posterior = new Int32Array(sites.length);
        const guess = await maskInference(gpu, model, sp, testPriv, sites, 32, log, (k, z) => {
          const y = observed[k];
          // no mechanism: P(y | x) = [x = y], the posterior mode is y
          if (!lik || !privatized(y)) return void (posterior[k] = y);
          let m = -Infinity;
          for (const v of z) if (v > m) m = v;
          posterior[k] = lik.guess(y, (x) => Math.exp(z[x] - m));
        });
        const orig = [Int32Array.from(sites, ([s, i]) => test.ids[s][i])];
        const combined = tokenRecovery(orig, [posterior], privatized, stop);
        const mlm = tokenRecovery(orig, [guess], privatized, stop);
        const ident = tokenRecovery(orig, [observed], privatized, stop);
        success = combined.overall;
        baseline = { name: 'identity', value: ident.overall };
        details = {
          ...common,
          positions: combined.n,
          positions_available: all,
          positions_excluding_stop_words: combined.nContent,
          mask: rec(combined),
          rule: 'posterior mode: softmax(MLM logits at the masked position) × P̂(observed | x) (Monte Carlo, as inversion-nn)',
          mlm_only: rec(mlm),
          identity: rec(ident),
          samples: config.samples,
          candidates: config.candidates
        };
        break;
      }
      case 'attribute': {
        const name = attribute!;
        const values = sortedUnique([...aux.kept, ...test.kept].map((e) => e.attrs[name]));
        const id = new Map(values.map((v, i) => [v, i]));
        const auxLabels = Int32Array.from(aux.kept, (e) => id.get(e.attrs[name])!);
        const testLabels = Int32Array.from(test.kept, (e) => id.get(e.attrs[name])!);
        model = new BertModel(gpu, checkpoint.weights);
        if (inputs.tuned) {
          tunedMethod = createPeft(gpu, model, peftOptionsFor(inputs.tuned.config));
          loadPeftState(tunedMethod, inputs.tuned.state!, inputs.tuned.source);
          log(`attribute: reading the states of the tuned run ${config.run} (${inputs.tuned.config.method}, ${tunedMethod.parameterCount} trained parameters)`);
        }
        const tuned = tunedMethod ?? undefined;
        const auxPriv = await privatizeMany(makePrivatizer(5), aux.ids);
        const t1 = performance.now();
        const auxF = await pooledStates(gpu, model, sp, auxPriv, { tuned });
        const testF = await pooledStates(gpu, model, sp, testPriv, { tuned });
        log(`attribute: pooled hidden states of ${auxPriv.length} auxiliary and ${testPriv.length} test texts in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
        const C = checkpoint.config.hidden_size;
        const out = await attributeInference(gpu, C, auxF, auxLabels, testF, values.length, {
          hidden: config.hidden,
          steps: config.steps,
          batchSize: Math.min(config.batchSize, 64),
          lr: config.lr,
          seed: config.seed,
          log
        });
        const maj = majorityRate(auxLabels, testLabels, values.length);
        success = accuracy(testLabels, out.predictions);
        baseline = { name: 'majority', value: maj.rate };
        details = {
          ...common,
          attribute: name,
          classes: values.length,
          majority_value: values[maj.label],
          // the best constant guess in hindsight (the test texts' own mode), for reference
          test_mode_rate: round(Math.max(...values.map((_, k) => testLabels.filter((l) => l === k).length)) / testLabels.length),
          representation: inputs.tuned
            ? `mean-pooled last hidden states of the tuned run (${inputs.tuned.config.method}) on privatized inputs`
            : 'mean-pooled last hidden states of the frozen model on privatized inputs',
          ...(inputs.tuned ? { run_method: inputs.tuned.config.method, run_mechanism: inputs.tuned.config.mechanism, run_budget: inputs.tuned.config.eta ?? inputs.tuned.config.epsilon ?? null } : {}),
          selected: out.selected,
          selected_step: out.step,
          validation_accuracy: round(out.valAccuracy),
          validation_majority: round(out.valMajority)
        };
        break;
      }
    }
    const result: AttackResult = {
      kind: 'attack',
      attack: config.attack,
      config,
      success: round(success),
      baseline: { name: baseline.name, value: round(baseline.value) },
      privacy: round(privacyOf(success)),
      details,
      wall_seconds: (performance.now() - started) / 1000,
      adapter: inputs.adapter,
      seeded_not_private: config.mechanism !== 'none'
    };
    log(`${config.attack}: success ${(success * 100).toFixed(1)}% vs ${baseline.name} ${(baseline.value * 100).toFixed(1)}% → privacy ${(result.privacy * 100).toFixed(1)}%`);
    return result;
  } finally {
    for (const p of privatizers) p.dispose();
    tunedMethod?.dispose();
    model?.dispose();
  }
}
