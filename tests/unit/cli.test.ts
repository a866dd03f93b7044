// The `rapt` CLI run as a user runs it: `node bin/rapt.mjs ...` from the repository root,
// JSON on stdout, logs and errors on stderr, exit codes 0 / 1 (failure) / 2 (usage).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BertTokenizer } from '../../src/lib/model/tokenizer';
import { loadBertFolder } from '../../src/lib/model/checkpoint/load-folder-node';
import { bertForwardF64 } from '../../src/lib/model/reference/bert-f64';
import { topK } from '../../src/lib/model/topk';
import { expectClose } from './helpers/numeric';

const REPO = resolve(__dirname, '..', '..');
const MODEL = 'tests/fixtures/tiny-bert';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function rapt(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['bin/rapt.mjs', ...args],
      { cwd: REPO, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, RAPT_DEBUG: '', XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR || tmp } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      }
    );
  });
}

/** Run, require exit 0, parse stdout as one JSON value. */
async function raptJson<T>(args: string[], timeoutMs?: number): Promise<T> {
  const r = await rapt(args, timeoutMs);
  expect(r.code, `rapt ${args.join(' ')} failed; stderr:\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as T;
}

type Item = string | [string, string];
const ITEMS: Item[] = ['Call me Ishmael.', ['The whale, the sea!', 'a captain of the ship'], '', 'Héllo wörld, naïve — CAFÉ 42'];

let tmp: string;
let textsFile: string;
let vocab: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rapt-cli-test-'));
  textsFile = join(tmp, 'texts.json');
  writeFileSync(textsFile, JSON.stringify(ITEMS));
  vocab = readFileSync(join(REPO, MODEL, 'vocab.txt'), 'utf8');
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('rapt info', () => {
  it('prints the adapter, its limits and features as JSON', async () => {
    const out = await raptJson<{ adapter: { vendor: unknown }; limits: Record<string, unknown>; features: unknown }>(['info']);
    expect(typeof out.adapter.vendor).toBe('string');
    expect(typeof out.limits.maxStorageBufferBindingSize).toBe('number');
    expect(out.limits.maxStorageBufferBindingSize as number).toBeGreaterThan(0);
    expect(Array.isArray(out.features)).toBe(true);
    for (const f of out.features as unknown[]) expect(typeof f).toBe('string');
  });
});

describe('rapt tokenize', () => {
  it('prints one unpadded encoding per item, as BertTokenizer.encode gives', async () => {
    const out = await raptJson<{ input_ids: number[]; token_type_ids: number[]; attention_mask: number[] }[]>([
      'tokenize',
      '--model',
      MODEL,
      '--texts',
      textsFile
    ]);
    const tok = BertTokenizer.fromVocabText(vocab);
    expect(out).toHaveLength(ITEMS.length);
    const cls = tok.tokenToId('[CLS]')!;
    const sep = tok.tokenToId('[SEP]')!;
    ITEMS.forEach((item, i) => {
      const want = typeof item === 'string' ? tok.encode(item) : tok.encode(item[0], item[1]);
      expect(out[i], `item ${i}`).toEqual({ input_ids: want.input_ids, token_type_ids: want.token_type_ids, attention_mask: want.attention_mask });
      const ids = out[i].input_ids;
      expect(ids[0]).toBe(cls);
      expect(ids[ids.length - 1]).toBe(sep);
      expect(out[i].attention_mask, 'unpadded').toEqual(ids.map(() => 1));
      if (typeof item === 'string') expect(out[i].token_type_ids).toEqual(ids.map(() => 0));
      else {
        // [CLS] A [SEP] has type 0; B [SEP] has type 1.
        const firstSep = ids.indexOf(sep);
        expect(firstSep).toBeGreaterThan(1);
        expect(firstSep).toBeLessThan(ids.length - 2);
        expect(out[i].token_type_ids).toEqual(ids.map((_, t) => (t <= firstSep ? 0 : 1)));
      }
    });
    // The empty string is just [CLS] [SEP].
    expect(out[2].input_ids).toEqual([cls, sep]);
  });
});

describe('rapt forward', () => {
  it('matches the float64 Hugging Face reference on a padded batch', async () => {
    const out = await raptJson<{
      input_ids: number[][];
      attention_mask: number[][];
      last_hidden_state: number[][][];
      pooler_output: number[][];
      mlm_top5: [number, number][][][];
    }>(['forward', '--model', MODEL, '--texts', textsFile]);
    const tok = BertTokenizer.fromVocabText(vocab);
    const single = ITEMS.map((it) => (typeof it === 'string' ? tok.encode(it) : tok.encode(it[0], it[1])));
    const B = ITEMS.length;
    const T = Math.max(...single.map((e) => e.input_ids.length));
    const ckpt = await loadBertFolder(join(REPO, MODEL));
    const C = ckpt.config.hidden_size;
    const V = ckpt.config.vocab_size;
    const pad = ckpt.config.pad_token_id ?? 0;

    // Padded to the longest item, mask 0 on padding.
    expect(out.input_ids).toHaveLength(B);
    expect(out.attention_mask).toHaveLength(B);
    single.forEach((e, b) => {
      const n = e.input_ids.length;
      expect(out.input_ids[b], `input_ids[${b}]`).toEqual([...e.input_ids, ...Array(T - n).fill(pad)]);
      expect(out.attention_mask[b], `attention_mask[${b}]`).toEqual(Array.from({ length: T }, (_, t) => (t < n ? 1 : 0)));
    });
    const tokenTypes = single.map((e) => [...e.token_type_ids, ...Array(T - e.token_type_ids.length).fill(0)]);

    // Shapes.
    expect(out.last_hidden_state).toHaveLength(B);
    for (const row of out.last_hidden_state) {
      expect(row).toHaveLength(T);
      for (const v of row) expect(v).toHaveLength(C);
    }
    expect(out.pooler_output).toHaveLength(B);
    for (const v of out.pooler_output) expect(v).toHaveLength(C);
    expect(out.mlm_top5).toHaveLength(B);
    for (const row of out.mlm_top5) {
      expect(row).toHaveLength(T);
      for (const v of row) expect(v).toHaveLength(5);
    }

    const ref = bertForwardF64(
      ckpt.weights,
      { inputIds: out.input_ids, tokenTypeIds: tokenTypes, attentionMask: out.attention_mask },
      { mlm: true, pooler: true }
    );
    expectClose(out.last_hidden_state.flat(2), ref.lastHiddenState, { abs: 1e-4, rel: 0 }, 'last_hidden_state');
    expectClose(out.pooler_output.flat(), ref.poolerOutput!, { abs: 1e-4, rel: 0 }, 'pooler_output');

    // mlm_top5: the reference's top 5, best first; a different id at some rank only where the
    // two candidates' reference logits are within 1e-4 (a near tie).
    const logits = ref.mlmLogits!;
    let maxLogitDiff = 0;
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++) {
        const row = logits.subarray((b * T + t) * V, (b * T + t + 1) * V);
        const want = topK(row, 5);
        const got = out.mlm_top5[b][t];
        for (let k = 0; k < 5; k++) {
          const [id, logit] = got[k];
          expect(Number.isInteger(id) && id >= 0 && id < V, `mlm_top5[${b}][${t}][${k}] id ${id}`).toBe(true);
          if (k > 0) expect(logit, `mlm_top5[${b}][${t}] best first`).toBeLessThanOrEqual(got[k - 1][1]);
          maxLogitDiff = Math.max(maxLogitDiff, Math.abs(logit - row[id]));
          if (id !== want[k][0]) {
            const gap = Math.abs(row[id] - want[k][1]);
            expect(gap, `mlm_top5[${b}][${t}][${k}]: id ${id} where the reference has ${want[k][0]} (logit gap ${gap})`).toBeLessThan(1e-4);
          }
        }
        expect(new Set(got.map((p) => p[0])).size, `mlm_top5[${b}][${t}] ids distinct`).toBe(5);
      }
    expect(maxLogitDiff, `mlm_top5 logits: max |diff| ${maxLogitDiff.toExponential(3)} from the reference`).toBeLessThan(1e-4);
  });
});

describe('rapt errors', () => {
  it('missing --model: exit 2, stderr names --model', async () => {
    const r = await rapt(['forward', '--texts', textsFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--model');
    expect(r.stdout).toBe('');
  });

  it('a model folder without config.json: exit 1, stderr names config.json', async () => {
    const dir = join(tmp, 'no-config');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'vocab.txt'), vocab);
    const r = await rapt(['tokenize', '--model', dir, '--texts', textsFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('config.json');
    expect(r.stdout).toBe('');
  });

  it('a texts file that is not JSON: exit 2, stderr names the file', async () => {
    const bad = join(tmp, 'not-json.txt');
    writeFileSync(bad, 'Call me Ishmael.\n');
    const r = await rapt(['tokenize', '--model', MODEL, '--texts', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(bad);
    expect(r.stdout).toBe('');
  });

  it('an unknown command: exit 2', async () => {
    const r = await rapt(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('frobnicate');
  });
});

describe('rapt bench', () => {
  it('--json --only fwd --config tiny: one JSON line with the figures', async () => {
    const r = await rapt(['bench', '--json', '--only', 'fwd', '--config', 'tiny', '--steps', '1', '--warmup', '0'], 120_000);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const res = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(res.benchmark).toBe('fwd');
    expect(res.config).toBe('tiny');
    for (const k of ['ms_per_step_median', 'tokens_per_s', 'peak_bytes']) {
      expect(typeof res[k], k).toBe('number');
      expect(res[k] as number, k).toBeGreaterThan(0);
    }
    expect(typeof res.adapter).toBe('string');
    expect((res.adapter as string).length).toBeGreaterThan(0);
  }, 120_000);
});

describe('rapt pretrain --init-from', () => {
  it('refuses a source whose vocabulary differs: exit 2', async () => {
    const other = join(tmp, 'other-vocab.txt');
    writeFileSync(other, vocab + 'extra\n');
    const r = await rapt(['pretrain', '--out', join(tmp, 'x'), '--vocab', other, '--init-from', join(REPO, MODEL)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--init-from: .*vocab\.txt differs from the vocabulary/);
  });
});
