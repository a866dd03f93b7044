// The configuration of one tuning run and the JSON object it produces. These are the public
// contract of `rapt tune` and of every line `rapt sweep` writes (documented in the README):
// scripts parse them, so fields are only ever added, never renamed. Browser-safe.

import type { MechanismName } from '../privacy/types';

export type PeftMethodName = 'prompt' | 'prefix' | 'lora' | 'full';
export type TaskHeadName = 'cls' | 'mean' | 'verbalizer';
/** 'none' = tuning on clean text (the no-privacy baseline). */
export type TuneMechanism = MechanismName | 'none';
export type PlainSequence = 'joint' | 'separate';

export interface TuneConfig {
  /** 'builtin' or a Hugging Face BERT folder */
  model: string;
  /** a built-in dataset name (spam, sotu-party) or an imported file */
  task: string;
  method: PeftMethodName;
  /** linear head on [CLS] or on the mean of the text states, or a template with [MASK] read through label words */
  head: TaskHeadName;
  mechanism: TuneMechanism;
  /** d_χ budget */
  eta?: number;
  /** Laplace / SanText / SanText+ / CusText budget */
  epsilon?: number;
  /** the RAPT reconstruction task on/off */
  rapt: boolean;
  /** m: privatized plain tokens per example (RAPT) */
  plainTokens: number;
  /** λ: weight of the reconstruction loss */
  lambda: number;
  /** c: hidden size of the reconstruction head */
  reconHidden: number;
  /**
   * RAPT only: where the privatized plain tokens go through the encoder. 'joint' (the default when
   * unset): before the text in the same sequence, [prompt; plain; text], in training only, so
   * training inputs differ from inference inputs. 'separate': as their own sequence [prompt; plain]
   * beside the text's [prompt; text], both through the same frozen encoder and PEFT parameters, so
   * the task sees the inference layout. Ignored without RAPT. Optional and left out when unset (run
   * keys unchanged).
   */
  plainSequence?: PlainSequence;
  /** soft prompt length (prompt tuning), prefix length (prefix tuning) */
  promptLength: number;
  /**
   * prefix tuning only: train the prefixes through P-tuning v2's reparameterisation MLP with this
   * hidden width (P×C → h → 2·L·C); unset: the prefixes themselves are trained. Optional and left
   * out when unset, so run keys of configs without it do not change.
   */
  prefixHidden?: number;
  /** LoRA rank r and scale α (update = α/r · B A x) */
  loraRank: number;
  loraAlpha: number;
  steps: number;
  batchSize: number;
  lr: number;
  /** seeds the initialisation, batch order and plain tokens; the privatizer's own seed is derived from it */
  seed: number;
  /** tokens per text after [CLS] … [SEP] (longer texts are cut) */
  maxLength: number;
  /** cap on training examples (0 = all) */
  trainLimit: number;
  /** cap on dev/test examples evaluated (0 = all) */
  evalLimit: number;
}

export const TUNE_DEFAULTS: Omit<TuneConfig, 'model' | 'task'> = {
  method: 'prompt',
  head: 'mean',
  mechanism: 'none',
  rapt: false,
  plainTokens: 40,
  lambda: 1,
  reconHidden: 96,
  promptLength: 10,
  loraRank: 8,
  loraAlpha: 16,
  steps: 200,
  batchSize: 16,
  lr: 1e-2,
  seed: 1,
  maxLength: 64,
  trainLimit: 0,
  evalLimit: 0
};

/** Seed for evaluation subsets: fixed, so every run of a sweep is scored on the same examples. */
export const EVAL_SUBSET_SEED = 20230511;

export interface ClassificationMetrics {
  accuracy: number;
  /** macro-averaged F1 over the classes */
  macro_f1: number;
  /** examples evaluated */
  n: number;
}

export interface TuneResult {
  kind: 'tune';
  config: TuneConfig;
  /** dev and test metrics on privatized inputs (the realistic setting) and on clean inputs */
  metrics: {
    dev_privatized: ClassificationMetrics;
    test_privatized: ClassificationMetrics;
    test_clean: ClassificationMetrics;
  };
  /** fraction of text tokens the privatizer replaced (0 for mechanism 'none') */
  replaced_fraction: number;
  /** test accuracy of always answering the most frequent training label */
  majority_accuracy: number;
  /** mean task loss and reconstruction loss over the last 10% of steps */
  final_task_loss: number;
  final_recon_loss: number | null;
  trainable_parameters: number;
  wall_seconds: number;
  tokens_per_s: number;
  adapter: string;
  /** set when the privatizer ran with a fixed seed: reproducible, therefore not private */
  seeded_not_private: boolean;
}
