// 200 prompt-tuning steps: live GPU buffers and bytes return to their baseline after every
// step, the pool stops allocating after the first step, and frozen weights get no
// gradients and stay bit-identical.
import { describe, expect, it } from 'vitest';
import { parseBertConfig } from '../../src/lib/model/checkpoint/bert-config';
import { randomBertWeights } from '../../src/lib/model/random-init';
import { BertModel } from '../../src/lib/model/bert';
import { PromptClassifier } from '../../src/lib/peft/prompt-classifier';
import { getGpu } from './helpers/gpu';
import { rng } from './helpers/numeric';

describe('buffer pool under training', () => {
  it('returns to baseline after each of 200 steps', async () => {
    const gpu = await getGpu();
    const config = parseBertConfig({
      vocab_size: 100,
      hidden_size: 32,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      intermediate_size: 64,
      max_position_embeddings: 32,
      hidden_act: 'gelu'
    });
    const model = new BertModel(gpu, randomBertWeights(config, 3));
    const frozenBefore = await model.params.get('bert.encoder.layer.1.attention.self.query.weight')!.read();
    const clf = new PromptClassifier(gpu, model, { promptLength: 3, numClasses: 2, lr: 1e-2, seed: 1 });
    const r = rng(5);
    const batch = () => ({
      inputIds: Array.from({ length: 4 }, () => Array.from({ length: 8 }, () => 5 + Math.floor(r() * 95))),
      attentionMask: Array.from({ length: 4 }, (_, b) => Array.from({ length: 8 }, (_, t) => (t < 8 - b ? 1 : 0))),
      labels: [1, 1, 1, 1]
    });
    const promptBefore = await clf.prompt.read();
    const base = gpu.stats();
    let firstLoss = 0;
    let lastLoss = 0;
    let heldAfterFirst = 0;
    const fixed = batch();
    for (let step = 0; step < 200; step++) {
      const loss = clf.step(fixed);
      if (step === 0) firstLoss = (await loss.read())[0];
      if (step === 199) lastLoss = (await loss.read())[0];
      loss.dispose();
      const s = gpu.stats();
      expect(s.liveBuffers, `live buffers after step ${step}`).toBe(base.liveBuffers);
      expect(s.liveBytes, `live bytes after step ${step}`).toBe(base.liveBytes);
      if (step === 0) heldAfterFirst = s.heldBytes;
      else expect(s.heldBytes, `pool grew at step ${step}`).toBe(heldAfterFirst);
    }
    await gpu.sync();
    // The loop did real work: the loss on a one-class batch fell and the prompt moved.
    expect(lastLoss).toBeLessThan(firstLoss * 0.5);
    const promptNow = await clf.prompt.read();
    expect(promptNow.some((v, i) => v !== promptBefore[i])).toBe(true);
    for (const [name, t] of model.params) expect(t.grad, `frozen ${name} has a gradient`).toBeNull();
    const frozenAfter = await model.params.get('bert.encoder.layer.1.attention.self.query.weight')!.read();
    expect(Buffer.from(frozenAfter.buffer).equals(Buffer.from(frozenBefore.buffer))).toBe(true);
    clf.dispose();
    model.dispose();
    const end = gpu.stats();
    expect(end.liveBuffers).toBeLessThan(base.liveBuffers);
  });
});
