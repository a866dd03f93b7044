// A Train-page run's trained tensors, end to end in Node on the tiny random model: training (the
// same trainOnSet the service worker runs) hands the trained method to onTrained, where the service
// worker serialises it (savePeftState); the Train page stores those bytes in IndexedDB, which keeps
// them by structured clone (structuredClone stands in for it here); the attack worker rebuilds the
// method from them. The rebuilt method gives the trained method's hidden states exactly (and not
// the untrained ones), and the attribute attack runs on the run through the CLI's path
// (runAttackCore with `tuned`, the run's config checked by rapt/saved-run.ts); a token attack on the
// run attacks its setting and refuses another one.

import { beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { GpuContext } from '../../src/lib/gpu/context';
import { loadBertFolder } from '../../src/lib/model/checkpoint/load-folder-node';
import type { BertCheckpoint } from '../../src/lib/model/checkpoint/bert-checkpoint';
import { BertModel } from '../../src/lib/model/bert';
import { BertTokenizer } from '../../src/lib/model/tokenizer';
import { loadTaskNode } from '../../src/lib/data/task-node';
import type { SplitDataset } from '../../src/lib/data/types';
import { createPeft, type PeftMethod } from '../../src/lib/peft/method';
import { loadPeftState, PeftStateError, savePeftState } from '../../src/lib/peft/state';
import { peftOptionsFor } from '../../src/lib/rapt/peft-options';
import { runTune } from '../../src/lib/rapt/run';
import type { TuneResult } from '../../src/lib/rapt/config';
import { attackFieldsOfRun, savedRunConfig, settingOfRun } from '../../src/lib/rapt/saved-run';
import { pooledStates } from '../../src/lib/attacks/attribute-inference';
import { runAttackCore } from '../../src/lib/attacks/run';
import { configRunOf } from '../../src/lib/app/attack-target';
import { getGpu } from './helpers/gpu';

const REPO = resolve(__dirname, '..', '..');

describe("a Train run's trained tensors: kept, stored, rebuilt and attacked", () => {
  let gpu: GpuContext;
  let checkpoint: BertCheckpoint;
  let tokenizer: BertTokenizer;
  let data: SplitDataset;
  beforeAll(async () => {
    gpu = await getGpu();
    checkpoint = await loadBertFolder(resolve(REPO, 'static/models/tiny-random'));
    tokenizer = BertTokenizer.fromVocabText(checkpoint.vocabTxt!, { doLowerCase: true });
    data = await loadTaskNode(REPO, 'sotu-party');
  });

  it('round-trips through what IndexedDB keeps, gives the trained states, and the attribute attack reads them', async () => {
    const sp = { cls: tokenizer.clsTokenId, sep: tokenizer.sepTokenId, pad: tokenizer.padTokenId, mask: tokenizer.maskTokenId! };
    const seqs = [Int32Array.from([5, 17, 400, 99]), Int32Array.from([8, 9])];
    const tune = { model: 'tiny-random', task: 'sotu-party', method: 'lora' as const, mechanism: 'dchi' as const, eta: 50, steps: 3, trainLimit: 16, evalLimit: 8, maxLength: 16, batchSize: 4, lr: 0.05 };
    const frozen = new BertModel(gpu, checkpoint.weights);
    let bytes: Uint8Array<ArrayBuffer> | null = null;
    let trainedStates: Float32Array | null = null;
    let result: TuneResult;
    try {
      result = await runTune(tune, { gpu, checkpoint, tokenizer, data, adapter: 'test' }, {
        // what the service worker does with keepState
        onTrained: async (method: PeftMethod) => {
          bytes = await savePeftState(method, { model: 'tiny-random' });
          trainedStates = await pooledStates(gpu, frozen, sp, seqs, { tuned: method });
        }
      });
      expect(bytes).not.toBeNull();
      expect(result.trainable_parameters).toBeGreaterThan(0);

      // IndexedDB keeps the row by structured clone; the result row is kept as JSON
      const row = structuredClone({ id: 'run-1', state: bytes! });
      const saved = JSON.parse(JSON.stringify(result)) as unknown;
      expect(row.state).toBeInstanceOf(Uint8Array);
      expect(Array.from(row.state)).toEqual(Array.from(bytes!));

      // the attack worker's rebuild: the run's config checked, the method built from it, the bytes loaded
      const rc = savedRunConfig(saved, 'saved run browser:run-1');
      expect(rc).toEqual(result.config);
      const rebuilt = createPeft(gpu, frozen, peftOptionsFor(rc));
      const untrained = createPeft(gpu, frozen, peftOptionsFor(rc));
      try {
        loadPeftState(rebuilt, row.state, 'the trained tensors of browser:run-1');
        const again = await pooledStates(gpu, frozen, sp, seqs, { tuned: rebuilt });
        const before = await pooledStates(gpu, frozen, sp, seqs, { tuned: untrained });
        expect(Array.from(again)).toEqual(Array.from(trainedStates!));
        // training moved the states (LoRA starts as the identity update): the state is not a no-op
        const moved = Math.max(...Array.from(again, (x, i) => Math.abs(x - before[i])));
        expect(moved, `largest change of a pooled state ${moved}`).toBeGreaterThan(1e-4);
      } finally {
        rebuilt.dispose();
        untrained.dispose();
      }

      // the attribute attack on the run (the CLI's core), and a state of another method refused by name
      const config = { ...attackFieldsOfRun(rc), attack: 'attribute' as const, run: configRunOf('run-1'), attribute: 'era', limit: 8, auxLimit: 24, steps: 5, maxLength: 16 };
      const tuned = { config: rc, state: row.state, source: 'the trained tensors of browser:run-1' };
      const lines: string[] = [];
      const r = await runAttackCore(config, { gpu, checkpoint, tokenizer, data, adapter: 'test', tuned }, { log: (l) => lines.push(l) });
      expect(r.config).toMatchObject({ run: 'browser:run-1', model: 'tiny-random', task: 'sotu-party', mechanism: 'dchi', eta: 50 });
      expect(r.details).toMatchObject({ run_method: 'lora', run_mechanism: 'dchi', run_budget: 50, attribute: 'era' });
      expect(String(r.details.representation)).toMatch(/tuned run \(lora\)/);
      expect(lines.some((l) => /reading the states of the tuned run browser:run-1 \(lora, \d+ trained parameters\)/.test(l))).toBe(true);
      // a token attack on the run (the worker's path: the tensors are handed over, not read) attacks its setting; another setting is refused
      const tokenConfig = { ...settingOfRun(rc), attack: 'inversion-nn' as const, run: configRunOf('run-1'), limit: 4, auxLimit: 16, candidates: 40, samples: 2 };
      const ti = await runAttackCore(tokenConfig, { gpu, checkpoint, tokenizer, data, adapter: 'test', tuned });
      expect(ti.config).toMatchObject({ run: 'browser:run-1', mechanism: 'dchi', eta: 50, maxLength: 16 });
      expect(ti.details).toMatchObject({ run_method: 'lora', run_budget: 50 });
      expect(String(ti.details.target)).toMatch(/^the privatized text of the tuned run browser:run-1 .*not its trained tensors$/);
      await expect(runAttackCore({ ...tokenConfig, eta: 80 }, { gpu, checkpoint, tokenizer, data, adapter: 'test', tuned })).rejects.toThrow(
        /^run browser:run-1: the attack's eta 80 is not the run's 50 \(the token attacks act on the run's privatized text/
      );
      const promptRun = savedRunConfig({ kind: 'tune', config: { ...rc, method: 'prompt' } }, 'x');
      await expect(runAttackCore(config, { gpu, checkpoint, tokenizer, data, adapter: 'test', tuned: { ...tuned, config: promptRun } })).rejects.toThrow(PeftStateError);
      await expect(runAttackCore(config, { gpu, checkpoint, tokenizer, data, adapter: 'test', tuned: { ...tuned, config: promptRun } })).rejects.toThrow(
        /^the trained tensors of browser:run-1 holds a lora state, not prompt/
      );
    } finally {
      frozen.dispose();
    }
  }, 180_000);
});
