// runAttack for Node (the `rapt attack` CLI): loads the model folder (or the built-in one), the
// task (built-in name or file, with its attribute columns), SanText+'s corpus frequencies when
// needed, opens the GPU (or uses the given one), and runs run.ts.

import type { GpuContext } from '../gpu/context';
import { REPO_ROOT, loadCheckpoint, openGpu, tokenizerFor } from '../../cli/runtime';
import { loadTaskNode } from '../data/task-node';
import { corpusFrequencies } from '../data/corpus-frequencies-node';
import { completeAttackConfig, type AttackConfig, type AttackResult } from './config';
import { runAttackCore } from './run';

export async function runAttack(partial: Partial<AttackConfig>, opts: { log: (s: string) => void; gpu?: GpuContext }): Promise<AttackResult> {
  const config = completeAttackConfig(partial);
  const gpu = opts.gpu ?? (await openGpu());
  try {
    const checkpoint = await loadCheckpoint(config.model);
    const tokenizer = tokenizerFor(checkpoint);
    const data = await loadTaskNode(REPO_ROOT, config.task, config.attribute ? { attributeColumns: [config.attribute] } : {});
    const frequencies = config.mechanism === 'santext+' ? corpusFrequencies(tokenizer, checkpoint.config.vocab_size, REPO_ROOT) : undefined;
    const adapter = gpu.summary.description || gpu.summary.architecture || gpu.summary.vendor;
    return await runAttackCore(config, { gpu, checkpoint, tokenizer, data, frequencies, adapter }, { log: opts.log });
  } finally {
    if (!opts.gpu) gpu.destroy();
  }
}
