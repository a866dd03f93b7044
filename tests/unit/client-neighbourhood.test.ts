// PrivacyClient.neighbourhood (what the Privatize page's chart and N_w/S_w read-outs come from),
// on the tiny fixture model and the Node WebGPU device: a candidate token gets its neighbours, the
// illustration draws and N_w/S_w from the GPU mechanism; special tokens and bad ids are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { loadBertFolder } from '../../src/lib/model/checkpoint/load-folder-node';
import { BertTokenizer } from '../../src/lib/model/tokenizer';
import { makePrivacyTable, PrivacyClient, PrivatizeInputError } from '../../src/lib/boundary';
import { getGpu } from './helpers/gpu';

const MODEL = resolve(__dirname, '..', 'fixtures', 'tiny-bert');
let client: PrivacyClient;
let tok: BertTokenizer;

beforeAll(async () => {
  const gpu = await getGpu();
  const ckpt = await loadBertFolder(MODEL);
  tok = BertTokenizer.fromHfFiles({ vocabTxt: ckpt.vocabTxt!, config: ckpt.configText });
  client = new PrivacyClient(gpu, makePrivacyTable(ckpt, tok), tok);
});
afterAll(() => client?.dispose());

describe('PrivacyClient.neighbourhood', () => {
  it('gives neighbours, draws and N_w/S_w for a d_χ token', async () => {
    const id = tok.encode('whale', null, { addSpecialTokens: false }).input_ids[0];
    const out = await client.neighbourhood(id, { mechanism: 'dchi', eta: 20 }, { k: 5, draws: 12, trials: 64, extra: [id] });
    expect(out.view.points[0]).toMatchObject({ id, role: 'original' });
    expect(out.view.points.filter((p) => p.role === 'neighbour')).toHaveLength(5);
    expect(out.view.noisy).toHaveLength(12);
    expect(out.deniability.trials).toBe(64);
    expect(out.deniability.unchanged_rate).toBeGreaterThanOrEqual(0);
    expect(out.deniability.unchanged_rate).toBeLessThanOrEqual(1);
    expect(out.deniability.distinct).toBeGreaterThanOrEqual(1);
    expect(out.deniability.top.reduce((a, t) => a + t.rate, 0)).toBeLessThanOrEqual(1 + 1e-9);
    expect(out.expected_noise_norm).toBeCloseTo(32 / 20, 10);
  });

  it('works for an exponential mechanism (no noisy points) and refuses special tokens', async () => {
    const id = tok.encode('ship', null, { addSpecialTokens: false }).input_ids[0];
    const out = await client.neighbourhood(id, { mechanism: 'santext', epsilon: 2 }, { trials: 32 });
    expect(out.view.noisy).toHaveLength(0);
    expect(out.expected_noise_norm).toBeNull();
    await expect(client.neighbourhood(tok.clsTokenId, { mechanism: 'dchi', eta: 10 })).rejects.toBeInstanceOf(PrivatizeInputError);
    await expect(client.neighbourhood(-1, { mechanism: 'dchi', eta: 10 })).rejects.toThrow(/not a token the mechanisms privatize/);
  });
});
