// rapt privatize --model DIR|builtin --mechanism dchi|laplace|santext|santext+|custext
//                (--eta E | --epsilon E) [--clip C] [--no-project] [--p P --w W] [--k K] [--seed S]
//                (--text "…" | --ids 2023,2003 [--trials N] [--top K])
//
// Your terminal is the client side of the boundary, so the output shows your own tokens next to
// what the mechanism made of them:
//   --text: {mechanism, budget, parameters, seeded, not_private_warning?, guarantee,
//            tokens: [{original, original_id, privatized, privatized_id, replaced, special}],
//            privatized_text, replaced_fraction, readouts: {expected_noise_norm, typical_neighbour_distance}}
//           (with --no-project: privatized null, privatized_id −1, privatized_text null, and
//            noisy_embeddings [n][C], the continuous release)
//   --ids:  {mechanism, budget, parameters, seeded, not_private_warning?, guarantee, trials,
//            per_id: {"2023": {token, unchanged_rate, distinct, top: [[id, frequency], …]}}}
//           N independent privatizations of each id: Feyisetan et al.'s N_w (unchanged_rate) and S_w (distinct).
// Without --seed every run draws a fresh key from crypto.getRandomValues; with it the output is
// reproducible and labelled NOT PRIVATE.

import { corpusFrequencies } from '../../lib/data/corpus-frequencies-node';
import { REPO_ROOT, UsageError, loadCheckpoint, openGpu, printJson, tokenizerFor } from '../runtime';
import { createPrivatizer } from '../../lib/boundary/factory';
import { BUDGET_OF, checkMechanismSpec, isMechanismName, MECHANISMS, MechanismSpecError } from '../../lib/boundary/spec';
import { makePrivacyTable } from '../../lib/boundary/table';
import { buildPretrainCorpus } from '../../lib/data/pretrain-corpus-node';
import type { BertTokenizer } from '../../lib/model/tokenizer';
import { NOT_PRIVATE_NOTE } from '../../lib/privacy/embedding-mechanism';
import { maxCandidateL1 } from '../../lib/privacy/laplace';
import { deniability, expectedNoiseNormFor, typicalNeighbourDistance } from '../../lib/privacy/readouts';
import type { MechanismSpec } from '../../lib/privacy/types';

export const PRIVATIZE_OPTIONS = {
  model: { type: 'string' },
  mechanism: { type: 'string' },
  eta: { type: 'string' },
  epsilon: { type: 'string' },
  clip: { type: 'string' },
  'no-project': { type: 'boolean' },
  p: { type: 'string' },
  w: { type: 'string' },
  k: { type: 'string' },
  seed: { type: 'string' },
  text: { type: 'string' },
  ids: { type: 'string' },
  trials: { type: 'string' },
  top: { type: 'string' }
} as const;

/** Most trials per id (each trial is one noisy embedding and one nearest-token search). */
const MAX_TRIALS = 10_000_000;

function num(a: Record<string, string | boolean | undefined>, name: string): number | undefined {
  const v = a[name];
  if (v === undefined) return undefined;
  const s = String(v).trim();
  const x = /^[+-]?infinity$/i.test(s) ? (s.startsWith('-') ? -Infinity : Infinity) : s === '' ? NaN : Number(s);
  if (Number.isNaN(x)) throw new UsageError(`--${name} must be a number, got ${JSON.stringify(String(v))}`);
  return x;
}

function int(a: Record<string, string | boolean | undefined>, name: string, def: number, min: number, max: number): number {
  const x = num(a, name) ?? def;
  if (!Number.isInteger(x) || x < min || x > max) throw new UsageError(`--${name} must be an integer in [${min}, ${max}], got ${a[name]}`);
  return x;
}

/** The command-line flag of a spec field. */
function flag(field: string): string {
  return field === 'project' ? '--no-project' : `--${field}`;
}

/** The spec the flags describe, checked (a bad budget or parameter is a usage error). */
export function specFromArgs(a: Record<string, string | boolean | undefined>): MechanismSpec {
  const m = a.mechanism;
  if (m === undefined) throw new UsageError(`--mechanism is required (${MECHANISMS.join(', ')})`);
  if (!isMechanismName(m)) throw new UsageError(`--mechanism must be one of ${MECHANISMS.join(', ')}, got ${JSON.stringify(m)}`);
  const budget = BUDGET_OF[m];
  if (a[budget] === undefined)
    throw new UsageError(`${m} needs --${budget} (a finite number > 0)${a[budget === 'eta' ? 'epsilon' : 'eta'] !== undefined ? `, not --${budget === 'eta' ? 'epsilon' : 'eta'}` : ''}`);
  const spec: MechanismSpec = { mechanism: m };
  const set = <K extends keyof MechanismSpec>(k: K, v: MechanismSpec[K] | undefined) => {
    if (v !== undefined) spec[k] = v;
  };
  set('eta', num(a, 'eta'));
  set('epsilon', num(a, 'epsilon'));
  set('clip', num(a, 'clip'));
  if (a['no-project']) spec.project = false;
  set('p', num(a, 'p'));
  set('w', num(a, 'w'));
  set('k', num(a, 'k'));
  set('seed', num(a, 'seed'));
  try {
    checkMechanismSpec(spec);
  } catch (e) {
    if (e instanceof MechanismSpecError) {
      // name the flag, not the field
      throw new UsageError(
        e.message
          .replace(/\b(eta|epsilon|clip|p|w|k|seed) (must|is)/, '--$1 $2')
          .replace(/has no parameter project \(it takes ([^)]*)\)/, (_m, list: string) => `has no --no-project option (it takes ${list.split(', ').map(flag).join(', ')})`)
          .replace(/has no parameter (\w+) \(it takes ([^)]*)\)/, (_m, p: string, list: string) => `has no --${p} option (it takes ${list.split(', ').map(flag).join(', ')})`)
      );
    }
    throw e;
  }
  return spec;
}

export async function privatize(a: Record<string, string | boolean | undefined>): Promise<void> {
  const spec = specFromArgs(a);
  if (a.text === undefined && a.ids === undefined) throw new UsageError('give --text "…" (privatize a text) or --ids ID,ID,… (N_w/S_w per token id)');
  if (a.text !== undefined && a.ids !== undefined) throw new UsageError('give either --text or --ids, not both');
  if (a.text !== undefined && (a.trials !== undefined || a.top !== undefined)) throw new UsageError('--trials and --top go with --ids, not --text');

  const ckpt = await loadCheckpoint(a.model as string | undefined);
  const tok = tokenizerFor(ckpt);
  // SanText+ needs corpus frequencies to decide which tokens are sensitive: count them on the
  // built-in training corpus (public text; the user's own text is never counted).
  const table = makePrivacyTable(ckpt, tok, spec.mechanism === 'santext+' ? { frequencies: corpusFrequencies(tok, ckpt.config.vocab_size, REPO_ROOT) } : {});
  const isCandidate = new Uint8Array(table.V);
  for (const id of table.candidates) isCandidate[id] = 1;

  // Parse the input before the GPU starts, so input errors come fast.
  let ids: Int32Array;
  let idList: number[] = [];
  if (a.text !== undefined) {
    const text = String(a.text);
    if (text.trim().length === 0) throw new UsageError('--text is empty: nothing to privatize');
    ids = Int32Array.from(tok.encode(text, null, { addSpecialTokens: false, truncation: false }).input_ids);
    if (ids.length === 0) throw new UsageError('--text has no tokens after tokenization (only whitespace or control characters)');
    for (let i = 0; i < ids.length; i++)
      if (ids[i] >= table.V)
        throw new UsageError(
          `token ${JSON.stringify(tok.idToToken(ids[i]))} (id ${ids[i]}, position ${i}) has no embedding: ${ckpt.source} has ${table.V} embedding rows ` +
            `but a larger vocabulary`
        );
  } else {
    const raw = String(a.ids).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    if (raw.length === 0) throw new UsageError('--ids is empty: give token ids like --ids 2023,2003');
    for (const s of raw) {
      const id = Number(s);
      if (!/^\d+$/.test(s) || !Number.isSafeInteger(id)) throw new UsageError(`--ids: ${JSON.stringify(s)} is not a token id (a non-negative integer)`);
      if (id >= table.V) throw new UsageError(`--ids: token id ${id} has no embedding (${ckpt.source} has ${table.V} rows, ids 0..${table.V - 1})`);
      if (!isCandidate[id])
        throw new UsageError(
          `--ids: token id ${id} (${JSON.stringify(tok.idToToken(id) ?? '')}) is not privatized (a special or placeholder token passes through unchanged); give ids of real vocabulary tokens`
        );
      if (!idList.includes(id)) idList.push(id);
    }
    ids = Int32Array.from(idList);
  }
  if (spec.project === false && a.ids !== undefined)
    throw new UsageError('--ids counts output tokens, but --no-project releases noisy embeddings: drop --no-project');
  const trials = a.ids !== undefined ? int(a, 'trials', 1000, 1, MAX_TRIALS) : 0;
  const top = a.ids !== undefined ? int(a, 'top', 10, 1, 1000) : 0;

  const gpu = await openGpu();
  let privatizer: ReturnType<typeof createPrivatizer>;
  try {
    privatizer = createPrivatizer(gpu, table, spec);
  } catch (e) {
    gpu.destroy();
    throw e instanceof MechanismSpecError ? new UsageError(e.message) : e;
  }
  const header: Record<string, unknown> = {
    mechanism: spec.mechanism,
    budget: { [BUDGET_OF[spec.mechanism]]: spec[BUDGET_OF[spec.mechanism]] },
    parameters: resolvedParameters(spec, table),
    seeded: spec.seed !== undefined,
    ...(spec.seed !== undefined ? { not_private_warning: NOT_PRIVATE_NOTE } : {}),
    guarantee: privatizer.guarantee()
  };
  try {
    if (a.text !== undefined) {
      const res = await privatizer.privatize(ids);
      const out = res.ids;
      let n = 0,
        changed = 0;
      const tokens = Array.from(ids, (id, i) => {
        const special = !isCandidate[id];
        const y = out[i];
        const replaced = y !== id;
        if (!special) {
          n++;
          if (replaced) changed++;
        }
        return {
          original: tok.idToToken(id) ?? `[${id}]`,
          original_id: id,
          privatized: y < 0 ? null : (tok.idToToken(y) ?? `[${y}]`),
          privatized_id: y,
          replaced,
          special
        };
      });
      const m = spec.mechanism;
      const report: Record<string, unknown> = {
        ...header,
        tokens,
        privatized_text: res.embeddings ? null : tok.decode(Array.from(out)),
        replaced_fraction: n === 0 ? 0 : changed / n,
        readouts: {
          expected_noise_norm: m === 'dchi' || m === 'laplace' ? expectedNoiseNormFor(spec, table) : null,
          typical_neighbour_distance: typicalNeighbourDistance(table)
        }
      };
      if (res.embeddings) {
        const C = table.C;
        report.noisy_embeddings = Array.from({ length: ids.length }, (_, i) => Array.from(res.embeddings!.subarray(i * C, i * C + C)));
      }
      printJson(report);
    } else {
      const perId: Record<string, { token: string; unchanged_rate: number; distinct: number; top: [number, number][] }> = {};
      for (const id of idList) {
        const d = await deniability(privatizer, id, trials, { top });
        perId[String(id)] = { token: tok.idToToken(id) ?? `[${id}]`, unchanged_rate: d.unchanged_rate, distinct: d.distinct, top: d.top };
      }
      printJson({ ...header, trials, per_id: perId });
    }
  } finally {
    privatizer.dispose();
    gpu.destroy();
  }
}

/** The parameters a run used, defaults filled in (Laplace's clip from the public table). */
function resolvedParameters(spec: MechanismSpec, table: Parameters<typeof maxCandidateL1>[0]): Record<string, number | boolean> {
  switch (spec.mechanism) {
    case 'laplace':
      return { clip: spec.clip ?? maxCandidateL1(table), project: spec.project ?? true };
    case 'santext+':
      return { p: spec.p ?? 0.2, w: spec.w ?? 0.5 };
    case 'custext':
      return { k: spec.k ?? 20 };
    default:
      return {};
  }
}
