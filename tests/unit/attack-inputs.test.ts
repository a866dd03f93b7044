// The attack worker's loaders (src/lib/workers/attack-inputs.ts) in Node, with fetch served from
// static/: the built-in model becomes a checkpoint and tokenizer, a built-in dataset is read and
// checked against index.json's sha256 (a changed file is refused), and SanText+'s frequencies are
// counted over the train split. No GPU.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fetchBuiltinTask, fetchModel, trainFrequencies } from '../../src/lib/workers/attack-inputs';

const STATIC = fileURLToPath(new URL('../../static/', import.meta.url));
const ORIGIN = 'http://site.test/';

function serve(tamper?: (path: string, body: Buffer) => Buffer): void {
  vi.stubGlobal('fetch', async (input: string | URL) => {
    const path = new URL(String(input)).pathname.slice(1);
    try {
      const body = readFileSync(STATIC + path);
      return new Response(new Uint8Array(tamper ? tamper(path, body) : body), { status: 200 });
    } catch {
      return new Response('not found', { status: 404, statusText: 'Not Found' });
    }
  });
}

afterEach(() => vi.unstubAllGlobals());

describe('attack worker inputs', () => {
  it('loads the built-in model and a built-in dataset, and counts train-split frequencies', async () => {
    serve();
    const m = await fetchModel(`${ORIGIN}models/rapt-mini`);
    expect(m.url).toBe(`${ORIGIN}models/rapt-mini/`);
    expect(m.checkpoint.config.vocab_size).toBe(8192);
    expect(m.tokenizer.maskTokenId).not.toBeNull();
    const data = await fetchBuiltinTask(`${ORIGIN}data/`, 'sotu-party');
    expect(data.attributes).toEqual(['president', 'era']);
    expect(data.splits.test.examples.length).toBeGreaterThan(0);
    const f = trainFrequencies(m.tokenizer, 8192, data);
    expect(f.length).toBe(8192);
    expect(f.reduce((a, b) => a + b, 0)).toBeGreaterThan(data.splits.train.examples.length);
  });

  it('refuses a split file that does not match the index, and an unknown dataset', async () => {
    serve((path, body) => (path.endsWith('spam/test.jsonl') ? Buffer.concat([body, Buffer.from('\n')]) : body));
    await expect(fetchBuiltinTask(`${ORIGIN}data/`, 'spam')).rejects.toThrow(/spam\/test.jsonl: sha256 .* does not match the index/);
    await expect(fetchBuiltinTask(`${ORIGIN}data/`, 'nope')).rejects.toThrow(/no built-in dataset "nope"; available: spam, sotu-party/);
  });
});
