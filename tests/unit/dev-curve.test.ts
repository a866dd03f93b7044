// Dev accuracy during training (trainOnSet's `devEvery`, the Train page's live dev curve), on the
// tiny fixture model (tests/fixtures/tiny-bert) with a RAPT prompt-tuning run on a keyword task:
//
//  read-only   the same seeds give bit-identical per-step task and reconstruction losses, and the
//              same final metrics, with dev scored every 2 steps as without it
//  cadence     dev is scored at every devEvery-th step and at the last (7 steps → 2, 4, 6, 7), and
//              where a stopped run stopped; its scores are rates in [0, 1] of the whole dev split
//  final       the score at the last step equals the final dev metric (the same trained parameters)
//  majority    each point carries the training split's majority class's rate on dev

import { beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { GpuContext } from '../../src/lib/gpu/context';
import { loadBertFolder } from '../../src/lib/model/checkpoint/load-folder-node';
import type { BertCheckpoint } from '../../src/lib/model/checkpoint/bert-checkpoint';
import { BertTokenizer } from '../../src/lib/model/tokenizer';
import { completeTuneConfig } from '../../src/lib/rapt/check-config';
import { serviceParamsOf, trainOnSet, type DevPoint, type ServiceTuneOutput, type TuneHooks } from '../../src/lib/rapt/service-tune';
import type { PrivatizedTrainingSet, TrainingSplit } from '../../src/lib/boundary/training-set';
import { SeededRandom } from '../../src/lib/util/seeded-random';
import { getGpu } from './helpers/gpu';

const REPO = resolve(__dirname, '..', '..');
const STEPS = 7;
const PLAIN = 4;

describe('dev accuracy during training (tiny fixture model)', () => {
  let gpu: GpuContext;
  let ckpt: BertCheckpoint;
  let tok: BertTokenizer;
  let set: PrivatizedTrainingSet;
  beforeAll(async () => {
    gpu = await getGpu();
    ckpt = await loadBertFolder(resolve(REPO, 'tests/fixtures/tiny-bert'));
    tok = BertTokenizer.fromVocabText(ckpt.vocabTxt!, { doLowerCase: true });
    // token ids of random words; class 1 iff the keyword id occurs (3 of 5 dev examples are class 0)
    const r = new SeededRandom(11);
    const keyword = 500;
    const split = (n: number, label: (i: number) => number): TrainingSplit => {
      const labels = Int32Array.from({ length: n }, (_, i) => label(i));
      const ids = Array.from(labels, (y) => {
        const t = Int32Array.from({ length: 5 }, () => 100 + r.int(300));
        if (y) t[r.int(5)] = keyword;
        return t;
      });
      return { ids, labels };
    };
    const train = split(24, (i) => (i % 3 === 0 ? 1 : 0));
    set = {
      kind: 'privatized-training-set',
      version: 1,
      mechanism: null,
      seeded: false,
      numClasses: 2,
      plainTokens: PLAIN,
      train: {
        ...train,
        plainOriginal: train.ids.map(() => Int32Array.from({ length: PLAIN }, () => 100 + r.int(40))),
        plainPrivatized: train.ids.map(() => Int32Array.from({ length: PLAIN }, () => 100 + r.int(300)))
      },
      dev: split(20, (i) => (i % 5 < 2 ? 1 : 0)),
      test: split(8, (i) => i % 2),
      createdAt: 0
    };
  });

  const params = () =>
    serviceParamsOf(
      completeTuneConfig({ model: 'tiny', task: 'keyword', method: 'prompt', rapt: true, plainTokens: PLAIN, reconHidden: 8, promptLength: 3, steps: STEPS, batchSize: 4, lr: 0.05, seed: 2, maxLength: 16 })
    );

  async function run(hooks: TuneHooks): Promise<{ out: ServiceTuneOutput; dev: DevPoint[]; streamed: number[] }> {
    const dev: DevPoint[] = [];
    const streamed: number[] = [];
    const out = await trainOnSet(
      set,
      params(),
      { gpu, weights: ckpt.weights, special: { cls: tok.clsTokenId, sep: tok.sepTokenId, pad: tok.padTokenId, mask: tok.maskTokenId! } },
      { readEvery: 3, onDev: (p) => dev.push(p), onStep: (p) => streamed.push(...p.taskLosses), ...hooks }
    );
    return { out, dev, streamed };
  }

  it('scoring dev every 2 steps changes no loss and no metric; its last score is the final dev metric', async () => {
    const plain = await run({});
    const scored = await run({ devEvery: 2 });
    expect(plain.dev).toEqual([]);

    // read-only: bit-identical losses (every step's, as read back and as streamed) and metrics
    expect(scored.out.task_losses).toHaveLength(STEPS);
    expect(scored.out.recon_losses).toHaveLength(STEPS);
    expect(scored.out.task_losses).toEqual(plain.out.task_losses);
    expect(scored.out.recon_losses).toEqual(plain.out.recon_losses);
    expect(scored.streamed).toEqual(plain.streamed);
    expect(scored.out.metrics).toEqual(plain.out.metrics);
    expect(scored.out.final_task_loss).toBe(plain.out.final_task_loss);

    // cadence: every 2nd step and the last, each over the whole dev split
    expect(scored.dev.map((p) => p.step)).toEqual([2, 4, 6, 7]);
    for (const p of scored.dev) {
      expect(p.n).toBe(20);
      expect(p.accuracy).toBeGreaterThanOrEqual(0);
      expect(p.accuracy).toBeLessThanOrEqual(1);
      expect(p.macro_f1).toBeGreaterThanOrEqual(0);
      expect(p.macro_f1).toBeLessThanOrEqual(1);
      // training's majority class is 0; 12 of the 20 dev examples are class 0
      expect(p.majority).toBeCloseTo(12 / 20, 12);
    }
    const last = scored.dev[scored.dev.length - 1];
    expect({ accuracy: last.accuracy, macro_f1: last.macro_f1, n: last.n }).toEqual(scored.out.metrics.dev_privatized);
  }, 180_000);

  it('a stopped run gets a dev score where it stopped', async () => {
    let steps = 0;
    const stopped = await run({ devEvery: 2, onStep: (p) => (steps = p.step), shouldStop: () => steps >= 2, readEvery: 1 });
    expect(stopped.out.steps_done).toBe(3);
    expect(stopped.dev.map((p) => p.step)).toEqual([2, 3]);
    expect(stopped.dev[1].accuracy).toBe(stopped.out.metrics.dev_privatized.accuracy);
  }, 120_000);
});
