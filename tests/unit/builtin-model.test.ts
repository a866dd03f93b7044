// The shipped model: a valid Hugging Face BERT folder that the loader reads, and
// `rapt eval-mlm --model builtin` beats the unigram baseline on held-out test text (a fixed
// subset, fixed masking seed). Issue 7 asks for three times the baseline; the model shipped
// now reaches 1.7× (see its card), so this test guards what it does reach (≥ 1.4×) and the
// threefold target stays open.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { resolveModelDir } from '../../src/cli/runtime';
import { loadBertFolder } from '../../src/lib/model/checkpoint/load-folder-node';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

describe('built-in model', () => {
  it('loads as a Hugging Face BERT folder with an MLM head and a vocabulary', async () => {
    const ckpt = await loadBertFolder(resolveModelDir('builtin'));
    expect(ckpt.weights.mlm).not.toBeNull();
    expect(ckpt.vocabTxt).not.toBeNull();
    expect(ckpt.config.vocab_size).toBe(ckpt.vocabTxt!.trim().split('\n').length);
  });

  it('beats the unigram baseline on held-out test text', async () => {
    const { stdout } = await run(process.execPath, ['bin/rapt.mjs', 'eval-mlm', '--model', 'builtin', '--split', 'test', '--limit', '96'], {
      cwd: ROOT,
      maxBuffer: 1 << 24
    });
    const r = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(r.tokens).toBeGreaterThan(1000);
    expect(r.unigram_accuracy).toBeGreaterThan(0);
    expect(r.masked_accuracy, `masked ${r.masked_accuracy} vs unigram ${r.unigram_accuracy}`).toBeGreaterThanOrEqual(1.4 * r.unigram_accuracy);
  }, 300_000);
});
