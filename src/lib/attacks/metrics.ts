// Attack metrics. Browser-safe.
//
//   token recovery     r = #{i ∈ S : guess_i = x_i} / |S|, S = the scored positions (those whose
//                      original token the mechanism privatizes: real vocabulary, no [CLS]/[SEP]/[UNK])
//   content recovery   the same over S minus stop words and punctuation-only tokens (STOP_WORDS below:
//                      a small English list of 127 words, NLTK's, written out here)
//   attribute accuracy a = #{j : â_j = a_j} / n, next to the majority rate m = #{j : a_j = mode(train)} / n
//   privacy            1 − success

import { majorityBaseline } from '../rapt/metrics';

/** A small English stop-word list (NLTK's 127 words) used for "recovery excluding stop words". */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its itself ' +
    'they them their theirs themselves what which who whom this that these those am is are was were be been being have has had having ' +
    'do does did doing a an the and but if or because as until while of at by for with about against between into through during ' +
    'before after above below to from up down in out on off over under again further then once here there when where why how all any ' +
    'both each few more most other some such no nor not only own same so than too very s t can will just don should now'
  ).split(' ')
);

const PUNCTUATION_ONLY = /^[\p{P}\p{S}]+$/u;

/** Whether a token string is a stop word or punctuation only (case-insensitive). */
export function isStopToken(token: string | undefined): boolean {
  if (token === undefined) return false;
  const t = token.toLowerCase();
  return STOP_WORDS.has(t) || PUNCTUATION_ONLY.test(t);
}

export interface Recovery {
  /** recovery over all scored positions */
  overall: number;
  /** recovery excluding stop words and punctuation */
  content: number;
  /** scored positions, and of them non-stop-word positions */
  n: number;
  nContent: number;
}

/**
 * Token recovery of `guesses` against `originals` (sequences of the same lengths).
 * `scored(id)`: whether a position with this original id counts; `stop(id)`: whether it is a stop word.
 */
export function tokenRecovery(
  originals: readonly Int32Array[],
  guesses: readonly Int32Array[],
  scored: (id: number) => boolean,
  stop: (id: number) => boolean
): Recovery {
  if (originals.length !== guesses.length) throw new Error(`tokenRecovery: ${guesses.length} guessed sequences for ${originals.length} originals`);
  let n = 0,
    hit = 0,
    nc = 0,
    hitc = 0;
  originals.forEach((o, s) => {
    const g = guesses[s];
    if (g.length !== o.length) throw new Error(`tokenRecovery: sequence ${s} has ${g.length} guesses for ${o.length} tokens`);
    for (let i = 0; i < o.length; i++) {
      if (!scored(o[i])) continue;
      const ok = g[i] === o[i] ? 1 : 0;
      n++;
      hit += ok;
      if (!stop(o[i])) {
        nc++;
        hitc += ok;
      }
    }
  });
  return { overall: n ? hit / n : 0, content: nc ? hitc / nc : 0, n, nContent: nc };
}

/** Accuracy of predictions against gold labels. */
export function accuracy(gold: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (gold.length !== predicted.length) throw new Error(`accuracy: ${predicted.length} predictions for ${gold.length} labels`);
  if (gold.length === 0) throw new Error('accuracy: no examples');
  let c = 0;
  for (let i = 0; i < gold.length; i++) if (gold[i] === predicted[i]) c++;
  return c / gold.length;
}

/** The most frequent class of `train` (lowest id on ties) and its rate on `test`. */
export function majorityRate(train: ArrayLike<number>, test: ArrayLike<number>, numClasses: number): { label: number; rate: number } {
  const m = majorityBaseline(train, test, numClasses);
  return { label: m.label, rate: m.accuracy };
}

/** privacy = 1 − attack success. */
export function privacyOf(success: number): number {
  if (!(success >= 0 && success <= 1)) throw new Error(`privacyOf: success must be in [0, 1], got ${success}`);
  return 1 - success;
}
