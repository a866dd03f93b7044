// `rapt privatize` run as a user runs it (node bin/rapt.mjs, JSON on stdout, exit 0 / 1 / 2) on
// tests/fixtures/tiny-bert. Seeded runs are compared with the same mechanism run in-process: the
// CLI prints exactly what the mechanism produced. Trials stay ≤ 200.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import type { GpuContext } from '../../src/lib/gpu/context';
import { loadBertFolder } from '../../src/lib/model/checkpoint/load-folder-node';
import { BertTokenizer } from '../../src/lib/model/tokenizer';
import { createPrivatizer, hasMechanism, makePrivacyTable } from '../../src/lib/boundary';
import { NOT_PRIVATE_NOTE } from '../../src/lib/privacy/embedding-mechanism';
import { maxCandidateL1, LaplacePrivatizer } from '../../src/lib/privacy/laplace';
import { deniability, typicalNeighbourDistance } from '../../src/lib/privacy/readouts';
import type { EmbeddingTable } from '../../src/lib/privacy/types';
import { getGpu } from './helpers/gpu';

const REPO = resolve(__dirname, '..', '..');
const MODEL = 'tests/fixtures/tiny-bert';
const TEXT = 'Call me Ishmael: the whale swam past the zebrafinch.';

interface Token {
  original: string;
  original_id: number;
  privatized: string | null;
  privatized_id: number;
  replaced: boolean;
  special: boolean;
}
interface TextOut {
  mechanism: string;
  budget: Record<string, number>;
  parameters: Record<string, number | boolean>;
  seeded: boolean;
  not_private_warning?: string;
  guarantee: string;
  tokens: Token[];
  privatized_text: string | null;
  replaced_fraction: number;
  readouts: { expected_noise_norm: number | null; typical_neighbour_distance: number };
  noisy_embeddings?: number[][];
}
interface IdsOut {
  mechanism: string;
  seeded: boolean;
  trials: number;
  guarantee: string;
  per_id: Record<string, { token: string; unchanged_rate: number; distinct: number; top: [number, number][] }>;
}

function rapt(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['bin/rapt.mjs', 'privatize', ...args], { cwd: REPO, timeout: 120_000, maxBuffer: 1 << 26, env: { ...process.env, RAPT_DEBUG: '' } }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: String(stdout), stderr: String(stderr) })
    );
  });
}

async function json<T>(args: string[]): Promise<T> {
  const r = await rapt(args);
  expect(r.code, `rapt privatize ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as T;
}

let gpu: GpuContext;
let tok: BertTokenizer;
let table: EmbeddingTable;
let ids: number[];

beforeAll(async () => {
  gpu = await getGpu();
  const ck = await loadBertFolder(resolve(REPO, MODEL));
  tok = BertTokenizer.fromHfFiles({ vocabTxt: ck.vocabTxt!, config: ck.configText });
  table = makePrivacyTable(ck, tok);
  ids = tok.encode(TEXT, null, { addSpecialTokens: false }).input_ids;
});

describe('rapt privatize --text', () => {
  it('d_χ with a seed: the mechanism’s exact output, per-token details, read-outs, labelled NOT PRIVATE', async () => {
    const out = await json<TextOut>(['--model', MODEL, '--mechanism', 'dchi', '--eta', '15', '--seed', '42', '--text', TEXT]);
    expect(Object.keys(out)).toEqual(['mechanism', 'budget', 'parameters', 'seeded', 'not_private_warning', 'guarantee', 'tokens', 'privatized_text', 'replaced_fraction', 'readouts']);
    expect(out.mechanism).toBe('dchi');
    expect(out.budget).toEqual({ eta: 15 });
    expect(out.seeded).toBe(true);
    expect(out.not_private_warning).toBe(NOT_PRIVATE_NOTE);
    expect(out.guarantee).toMatch(/η = 15.*NOT PRIVATE/s);
    expect(out.tokens.map((t) => t.original_id)).toEqual(ids);
    expect(out.tokens.map((t) => t.original)).toEqual(tok.convertIdsToTokens(ids));

    const p = createPrivatizer(gpu, table, { mechanism: 'dchi', eta: 15, seed: 42 });
    const want = Array.from((await p.privatize(Int32Array.from(ids))).ids);
    p.dispose();
    expect(out.tokens.map((t) => t.privatized_id)).toEqual(want);
    for (const t of out.tokens) {
      expect(t.privatized).toBe(tok.idToToken(t.privatized_id));
      expect(t.replaced).toBe(t.privatized_id !== t.original_id);
      expect(t.special).toBe(!table.candidates.includes(t.original_id));
    }
    expect(out.privatized_text).toBe(tok.decode(want));
    const n = out.tokens.filter((t) => !t.special).length;
    expect(out.replaced_fraction).toBeCloseTo(out.tokens.filter((t) => !t.special && t.replaced).length / n, 12);
    expect(out.readouts.expected_noise_norm).toBeCloseTo(32 / 15, 12);
    expect(out.readouts.typical_neighbour_distance).toBeCloseTo(typicalNeighbourDistance(table), 12);
  });

  it('without a seed: fresh noise every run, no warning; η → ∞ returns the text unchanged', async () => {
    const args = ['--model', MODEL, '--mechanism', 'dchi', '--eta', '2', '--text', TEXT];
    const [a, b] = [await json<TextOut>(args), await json<TextOut>(args)];
    expect(a.seeded).toBe(false);
    expect(a.not_private_warning).toBeUndefined();
    expect(a.guarantee).not.toMatch(/NOT PRIVATE/);
    expect(a.tokens.map((t) => t.privatized_id)).not.toEqual(b.tokens.map((t) => t.privatized_id));
    const still = await json<TextOut>(['--model', MODEL, '--mechanism', 'dchi', '--eta', '1e9', '--text', TEXT]);
    expect(still.replaced_fraction).toBe(0);
    expect(still.privatized_text).toBe(tok.decode(ids));
  });

  it('Laplace with --no-project prints the continuous release (snapped) and no tokens', async () => {
    const out = await json<TextOut>(['--model', MODEL, '--mechanism', 'laplace', '--epsilon', '8', '--clip', '0.5', '--no-project', '--seed', '5', '--text', 'the whale']);
    expect(out.budget).toEqual({ epsilon: 8 });
    expect(out.parameters).toEqual({ clip: 0.5, project: false });
    expect(out.privatized_text).toBeNull();
    expect(out.tokens.every((t) => t.privatized === null && t.privatized_id === -1 && t.replaced)).toBe(true);
    expect(out.noisy_embeddings).toHaveLength(2);
    const p = new LaplacePrivatizer(gpu, table, { mechanism: 'laplace', epsilon: 8, clip: 0.5, project: false, seed: 5 });
    const grid = p.grid;
    const want = (await p.privatize(Int32Array.from(tok.encode('the whale', null, { addSpecialTokens: false }).input_ids))).embeddings!;
    p.dispose();
    for (const row of out.noisy_embeddings!) {
      expect(row).toHaveLength(32);
      for (const v of row) expect(Math.abs(v / grid - Math.round(v / grid)), `${v} on the grid ${grid}`).toBeLessThan(1e-6);
    }
    expect(out.noisy_embeddings!.flat()).toEqual(Array.from(want, (v) => v + 0)); // JSON has no −0
    expect(out.guarantee).toMatch(/snapped to the grid/);
  });

  it('Laplace default clip is the largest candidate L1 norm; --model builtin works', async () => {
    const out = await json<TextOut>(['--model', 'builtin', '--mechanism', 'laplace', '--epsilon', '20', '--text', 'the whale']);
    expect(out.parameters.project).toBe(true);
    expect(out.parameters.clip as number).toBeGreaterThan(0);
    expect(out.tokens.length).toBeGreaterThan(0);
    if (hasMechanism('santext')) {
      const s = await json<TextOut>(['--model', MODEL, '--mechanism', 'santext', '--epsilon', '3', '--text', TEXT]);
      expect(s.tokens.map((t) => t.original_id)).toEqual(ids);
      expect(s.readouts.expected_noise_norm).toBeNull();
    }
    expect(maxCandidateL1(table)).toBeGreaterThan(0);
  });
});

describe('rapt privatize --ids', () => {
  it('N_w and S_w per id over N trials, equal to readouts.deniability with the same seed', async () => {
    const [a, b] = [tok.tokenToId('whale')!, tok.tokenToId('the')!];
    const out = await json<IdsOut>(['--model', MODEL, '--mechanism', 'dchi', '--eta', '10', '--seed', '9', '--ids', `${a},${b},${a}`, '--trials', '200', '--top', '5']);
    expect(out.trials).toBe(200);
    expect(out.seeded).toBe(true);
    expect(Object.keys(out.per_id).sort()).toEqual([String(a), String(b)].sort()); // integer-like keys print in numeric order
    const p = createPrivatizer(gpu, table, { mechanism: 'dchi', eta: 10, seed: 9 });
    for (const id of [a, b]) {
      const d = await deniability(p, id, 200, { top: 5 });
      const got = out.per_id[String(id)];
      expect(got.token).toBe(tok.idToToken(id));
      expect(got.unchanged_rate).toBe(d.unchanged_rate);
      expect(got.distinct).toBe(d.distinct);
      expect(got.top).toEqual(d.top);
      expect(got.top.length).toBeLessThanOrEqual(5);
      for (let i = 1; i < got.top.length; i++) expect(got.top[i][1]).toBeLessThanOrEqual(got.top[i - 1][1]);
    }
    p.dispose();
    const still = await json<IdsOut>(['--model', MODEL, '--mechanism', 'dchi', '--eta', '1e9', '--ids', String(a), '--trials', '50']);
    expect(still.per_id[String(a)]).toEqual({ token: 'whale', unchanged_rate: 1, distinct: 1, top: [[a, 1]] });
  });
});

describe('rapt privatize errors (exit 2, one clear line)', () => {
  it.each([
    [['--mechanism', 'dchi', '--eta', '0', '--text', 'x'], /dchi: --eta must be > 0, got 0/],
    [['--mechanism', 'dchi', '--eta=-2', '--text', 'x'], /--eta must be > 0, got -2/],
    [['--mechanism', 'laplace', '--epsilon', 'NaN', '--text', 'x'], /--epsilon must be a number, got "NaN"/],
    [['--mechanism', 'laplace', '--epsilon', 'Infinity', '--text', 'x'], /--epsilon must be finite/],
    [['--mechanism', 'dchi', '--epsilon', '3', '--text', 'x'], /dchi needs --eta .*not --epsilon/],
    [['--mechanism', 'dchi', '--eta', '3', '--no-project', '--text', 'x'], /dchi has no --no-project option/],
    [['--mechanism', 'gauss', '--eta', '3', '--text', 'x'], /--mechanism must be one of dchi, laplace, santext, santext\+, custext/],
    [['--mechanism', 'dchi', '--eta', '3', '--text', '   '], /--text is empty/],
    [['--mechanism', 'dchi', '--eta', '3', '--ids', '2'], /token id 2 \("\[CLS\]"\) is not privatized/],
    [['--mechanism', 'dchi', '--eta', '3', '--ids', '1000'], /token id 1000 has no embedding .* 1000 rows/],
    [['--mechanism', 'dchi', '--eta', '3', '--ids', '300', '--trials', '1.5'], /--trials must be an integer/],
    [['--mechanism', 'laplace', '--epsilon', '3', '--no-project', '--ids', '300'], /drop --no-project/],
    [['--mechanism', 'dchi', '--eta', '3'], /give --text/]
  ])('%j', async (args, message) => {
    const r = await rapt(['--model', MODEL, ...args]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });
});
