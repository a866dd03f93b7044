// The USER's half of a tuning run: from the raw examples of a dataset to the
// PrivatizedTrainingSet that crosses to the service (../boundary/training-set.ts). It draws the
// seeded train/dev/test subsets, tokenizes and cuts each text to the budget the service's layout
// keeps, privatizes text and RAPT's plain tokens (client-prep.ts), resolves the verbalizer's ids,
// and builds the set. Raw text and label names stay here. The browser's client worker and the
// CLI's runTune (run.ts) both call it, so both privatize the same way. Browser-safe.

import type { GpuContext } from '../gpu/context';
import type { SplitDataset } from '../data/types';
import type { BertTokenizer } from '../model/tokenizer';
import { createPrivatizer } from '../boundary/factory';
import { buildPrivatizedTrainingSet, type PrivatizedTrainingSet } from '../boundary/training-set';
import type { BatchMechanism } from '../boundary/batch';
import { maxCandidateL1 } from '../privacy/laplace';
import type { EmbeddingTable, MechanismSpec, Privatizer } from '../privacy/types';
import { seededSubset } from '../util/seeded-subset';
import { EVAL_SUBSET_SEED, type TuneConfig } from './config';
import { prepareSplit } from './client-prep';
import { promptPositionsOf, textBudget } from './layout';
import { resolveVerbalizer } from './verbalizer';

export { EVAL_SUBSET_SEED };

export interface ClientSetInputs {
  gpu: GpuContext;
  tokenizer: BertTokenizer;
  /** the model's public table (word embeddings, candidates; frequencies for SanText+) */
  table: EmbeddingTable;
  /** the model's max_position_embeddings */
  maxPositions: number;
  data: SplitDataset;
  /** the privatizer (null: clean text, the baseline, only for a run wholly on the user's machine) */
  spec: MechanismSpec | null;
  /** also send the test split unprivatized, for the clean reference metric (public data only) */
  includeCleanTest: boolean;
}

/** What the client knows about the set it built (stays on the client: it may name labels). */
export interface ClientSetSummary {
  examples: { train: number; dev: number; test: number };
  /** text tokens the privatizer changed / text tokens in all, over the three splits */
  replaced: number;
  tokens: number;
  replacedFraction: number;
  /** text tokens kept per example */
  textBudget: number;
  /** label names in class-index order (client side only) */
  labels: string[];
  seconds: number;
}

export async function prepareTrainingSet(
  config: TuneConfig,
  inputs: ClientSetInputs,
  log: (line: string) => void = () => {}
): Promise<{ set: PrivatizedTrainingSet; summary: ClientSetSummary }> {
  const { tokenizer: tok, data, table, spec } = inputs;
  const t0 = performance.now();
  const numClasses = data.labels.length;
  if (numClasses < 2) throw new Error(`task ${config.task} has ${numClasses} label(s); classification needs at least 2`);
  if (tok.maskTokenId === null) throw new Error('the vocabulary has no [MASK] token');
  if (config.mechanism === 'none' ? spec !== null : spec?.mechanism !== config.mechanism)
    throw new Error(`the privatizer spec (${spec?.mechanism ?? 'none'}) does not match the config's mechanism (${config.mechanism})`);
  const verbalizer = config.head === 'verbalizer' ? resolveVerbalizer(config.task, data.labels, tok) : null;
  const withPlain = config.rapt && config.plainTokens > 0;
  const budget = textBudget({
    maxPositions: inputs.maxPositions,
    promptPositions: promptPositionsOf(config),
    // the plain tokens take room in the text's sequence only when they share it (plainSequence 'joint')
    plainTokens: withPlain && config.plainSequence !== 'separate' ? config.plainTokens : 0,
    template: verbalizer?.templateIds,
    maxLength: config.maxLength
  });
  let privatizer: Privatizer | null = null;
  try {
    if (spec) privatizer = createPrivatizer(inputs.gpu, table, spec);
    const prep = { tokenizer: tok, privatizer, labels: data.labels, textBudget: budget, plainTokens: config.plainTokens, candidates: table.candidates, seed: config.seed };
    const trainEx = seededSubset(data.splits.train.examples, config.trainLimit, config.seed);
    const train = await prepareSplit(trainEx, prep, withPlain);
    const dev = await prepareSplit(seededSubset(data.splits.dev.examples, config.evalLimit, EVAL_SUBSET_SEED), prep, false);
    const test = await prepareSplit(seededSubset(data.splits.test.examples, config.evalLimit, EVAL_SUBSET_SEED + 1), prep, false);
    const replaced = train.replaced + dev.replaced + test.replaced;
    const tokens = train.tokens + dev.tokens + test.tokens;
    const resolved: Partial<BatchMechanism> = spec?.mechanism === 'laplace' ? { clip: spec.clip ?? maxCandidateL1(table), project: spec.project ?? true } : {};
    const split = (s: typeof dev) => ({ ids: s.privatized.map((e) => e.text), labels: s.privatized.map((e) => e.label) });
    const set = buildPrivatizedTrainingSet({
      spec,
      resolved,
      numClasses,
      plainTokens: withPlain ? config.plainTokens : 0,
      train: {
        ...split(train),
        ...(withPlain ? { plainPrivatized: train.privatized.map((e) => e.plain!.privatized), plainOriginal: train.privatized.map((e) => e.plain!.original) } : {})
      },
      dev: split(dev),
      test: split(test),
      ...(inputs.includeCleanTest ? { cleanTest: { ids: test.clean.map((e) => e.text), labels: test.clean.map((e) => e.label) } } : {}),
      ...(verbalizer ? { verbalizer: { template: verbalizer.templateIds, labelWords: verbalizer.labelWordIds } } : {})
    }, { vocabSize: table.V });
    const seconds = (performance.now() - t0) / 1000;
    log(
      `client: ${trainEx.length} train / ${dev.clean.length} dev / ${test.clean.length} test examples tokenized` +
        (privatizer ? ` and privatized with ${config.mechanism} (${((100 * replaced) / Math.max(1, tokens)).toFixed(1)}% of tokens replaced)` : ' (clean: no privatization)') +
        ` in ${seconds.toFixed(1)} s`
    );
    return {
      set,
      summary: {
        examples: { train: trainEx.length, dev: dev.clean.length, test: test.clean.length },
        replaced,
        tokens,
        replacedFraction: tokens ? replaced / tokens : 0,
        textBudget: budget,
        labels: data.labels.slice(),
        seconds
      }
    };
  } finally {
    privatizer?.dispose();
  }
}
