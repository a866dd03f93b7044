// runAttack for Node (the `rapt attack` CLI): loads the model folder (or the built-in one), the
// task (built-in name or file, with its attribute columns), SanText+'s corpus frequencies when
// needed, the tuned run of `config.run` (run.json, and for the attribute attack peft.safetensors,
// as `rapt tune --save DIR` wrote them; a token attack attacks the run's setting only), opens the GPU (or uses the given one), and runs run.ts.

import type { GpuContext } from '../gpu/context';
import { REPO_ROOT, loadCheckpoint, openGpu, tokenizerFor } from '../../cli/runtime';
import { loadTaskNode } from '../data/task-node';
import { corpusFrequencies } from '../data/corpus-frequencies-node';
import { completeAttackConfig, type AttackConfig, type AttackResult } from './config';
import { runAttackCore } from './run';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSavedRunConfig, RUN_RESULT_FILE, RUN_STATE_FILE } from '../rapt/saved-run-node';


export async function runAttack(partial: Partial<AttackConfig>, opts: { log: (s: string) => void; gpu?: GpuContext }): Promise<AttackResult> {
  const config = completeAttackConfig(partial);
  const gpu = opts.gpu ?? (await openGpu());
  try {
    const checkpoint = await loadCheckpoint(config.model);
    const tokenizer = tokenizerFor(checkpoint);
    const data = await loadTaskNode(REPO_ROOT, config.task, config.attribute ? { attributeColumns: [config.attribute] } : {});
    const frequencies = config.mechanism === 'santext+' ? corpusFrequencies(tokenizer, checkpoint.config.vocab_size, REPO_ROOT) : undefined;
    const adapter = gpu.summary.description || gpu.summary.architecture || gpu.summary.vendor;
    let tuned;
    if (config.run !== undefined && config.attack !== 'attribute') tuned = { config: readSavedRunConfig(config.run), source: join(config.run, RUN_RESULT_FILE) };
    else if (config.run !== undefined) {
      const source = join(config.run, RUN_STATE_FILE);
      if (!existsSync(source)) throw new Error(`--run ${config.run}: no ${RUN_STATE_FILE} (save a run with rapt tune --save ${config.run})`);
      tuned = { config: readSavedRunConfig(config.run), state: new Uint8Array(readFileSync(source)), source };
    }
    return await runAttackCore(config, { gpu, checkpoint, tokenizer, data, frequencies, adapter, tuned }, { log: opts.log });
  } finally {
    if (!opts.gpu) gpu.destroy();
  }
}
