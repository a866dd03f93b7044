// runTune for Node (the `rapt tune` CLI and `rapt sweep`): loads the model folder (or the
// built-in one), the task (built-in name or file), SanText+'s corpus frequencies when needed,
// opens the GPU (or uses the given one), and runs run.ts. With `save`, the run's folder gets
// peft.safetensors (the trained method's tensors, peft/state.ts) and run.json (the TuneResult):
// what `rapt attack --run DIR` reads.

import type { GpuContext } from '../gpu/context';
import { REPO_ROOT, loadCheckpoint, openGpu, tokenizerFor } from '../../cli/runtime';
import { loadTaskNode } from '../data/task-node';
import { corpusFrequencies } from '../data/corpus-frequencies-node';
import type { TuneConfig, TuneResult } from './config';
import { completeTuneConfig } from './check-config';
import { runTune as runTuneCore } from './run';
import { savePeftState } from '../peft/state';
import type { PeftMethod } from '../peft/method';
import { mkdirSync, writeFileSync } from 'node:fs';
import { checkSaveDir, RUN_RESULT_FILE, RUN_STATE_FILE } from './saved-run-node';
import { join } from 'node:path';


export async function runTune(partial: Partial<TuneConfig>, opts: { log: (s: string) => void; gpu?: GpuContext; save?: string }): Promise<TuneResult> {
  const config = completeTuneConfig(partial);
  const save = opts.save;
  if (save !== undefined) checkSaveDir(save);
  const gpu = opts.gpu ?? (await openGpu());
  try {
    const checkpoint = await loadCheckpoint(config.model);
    const tokenizer = tokenizerFor(checkpoint);
    const data = await loadTaskNode(REPO_ROOT, config.task);
    const frequencies = config.mechanism === 'santext+' ? corpusFrequencies(tokenizer, checkpoint.config.vocab_size, REPO_ROOT) : undefined;
    const adapter = gpu.summary.description || gpu.summary.architecture || gpu.summary.vendor;
    const onTrained =
      save === undefined
        ? undefined
        : async (method: PeftMethod) => {
            mkdirSync(save, { recursive: true });
            writeFileSync(join(save, RUN_STATE_FILE), await savePeftState(method, { model: config.model, task: config.task }));
            opts.log(`saved the trained ${method.name} state (${method.parameterCount} parameters) to ${join(save, RUN_STATE_FILE)}`);
          };
    const result = await runTuneCore(config, { gpu, checkpoint, tokenizer, data, frequencies, adapter }, { log: opts.log, onTrained });
    if (save !== undefined) writeFileSync(join(save, RUN_RESULT_FILE), JSON.stringify(result, null, 2) + '\n');
    return result;
  } finally {
    if (!opts.gpu) gpu.destroy();
  }
}
