// The client/service boundary in Node: raw texts go through the real tokenizer and the real
// mechanisms (on tests/fixtures/tiny-bert), the PrivatizedBatch that comes out is structured-cloned
// as a worker message would be, and the service side (ServiceInbox) accepts it. The batch carries
// no string but its two fixed literals, no piece of any raw word, and exactly the ids the
// mechanism produced; forged messages (text fields, string arrays, extra keys, views over a buffer
// holding text, …) are refused with errors that say where and why — and never echo the text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { GpuContext } from '../../src/lib/gpu/context';
import { loadBertFolder } from '../../src/lib/model/checkpoint/load-folder-node';
import type { BertCheckpoint } from '../../src/lib/model/checkpoint/bert-checkpoint';
import { BertTokenizer } from '../../src/lib/model/tokenizer';
import { DchiPrivatizer } from '../../src/lib/privacy/dchi';
import { LaplacePrivatizer, maxCandidateL1 } from '../../src/lib/privacy/laplace';
import { NOT_PRIVATE_NOTE } from '../../src/lib/privacy/embedding-mechanism';
import type { EmbeddingTable, MechanismSpec } from '../../src/lib/privacy/types';
import {
  assertPrivatizedBatch,
  availableMechanisms,
  BoundaryError,
  BoundaryLog,
  buildPrivatizedBatch,
  checkMechanismSpec,
  createPrivatizer,
  hasMechanism,
  makePrivacyTable,
  PrivacyClient,
  privacyTableFrom,
  type PrivatizedBatch
} from '../../src/lib/boundary';
import { fetchPrivacyModel } from '../../src/lib/boundary/fetch-table';
import { ServiceInbox } from '../../src/lib/workers/boundary-service';
import { getGpu } from './helpers/gpu';

const MODEL = resolve(__dirname, '..', 'fixtures', 'tiny-bert');
const SECRET = 'zebrafinch';
const TEXTS = [`the whale swam past a ${SECRET} near the ship`, 'call me ishmael, said the captain of the pequod', `${SECRET}!`];

let gpu: GpuContext;
let ckpt: BertCheckpoint;
let tok: BertTokenizer;
let table: EmbeddingTable;
let client: PrivacyClient;

beforeAll(async () => {
  gpu = await getGpu();
  ckpt = await loadBertFolder(MODEL);
  tok = BertTokenizer.fromHfFiles({ vocabTxt: ckpt.vocabTxt!, config: ckpt.configText });
  table = makePrivacyTable(ckpt, tok);
  client = new PrivacyClient(gpu, table, tok, { maxLength: ckpt.config.max_position_embeddings });
});

afterAll(() => client?.dispose());

/** Every string value (not key) reachable from v, typed arrays included as non-strings. */
function stringValues(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (ArrayBuffer.isView(v)) return out;
  else if (Array.isArray(v)) for (const x of v) stringValues(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) stringValues(x, out);
  return out;
}

/** Every substring of length ≥ 4 of the raw words (lowercased). */
function rawPieces(texts: string[]): string[] {
  const words = texts.join(' ').toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 3);
  const pieces = new Set<string>();
  for (const w of words) for (let i = 0; i + 4 <= w.length; i++) pieces.add(w.slice(i, i + 4));
  return [...pieces];
}

/** JSON of a value with typed arrays written as plain arrays. */
function toJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(x as Int32Array) : x));
}

function expectNoRawText(serialized: string, texts: string[]): void {
  const lower = serialized.toLowerCase();
  for (const p of rawPieces(texts)) expect(lower.includes(p), `serialized message contains "${p}" from the raw text`).toBe(false);
}

function validBatch(): PrivatizedBatch {
  return buildPrivatizedBatch([Int32Array.from([2, 100, 200, 3]), Int32Array.from([2, 150, 3])], { mechanism: 'dchi', eta: 10 }, { padId: 0, now: 1 });
}

function rejects(x: unknown, code: string, message: RegExp): BoundaryError {
  let err: unknown;
  try {
    assertPrivatizedBatch(x);
  } catch (e) {
    err = e;
  }
  expect(err, 'the forged batch was accepted').toBeInstanceOf(BoundaryError);
  const b = err as BoundaryError;
  expect(b.code, b.message).toBe(code);
  expect(b.message).toMatch(message);
  expect(b.message.toLowerCase()).not.toContain(SECRET);
  return b;
}

describe('privacy table', () => {
  it('uses the real vocabulary: no [PAD] [CLS] [SEP] [MASK] [UNK], no [unused…], no unnamed rows', () => {
    expect(table.V).toBe(1000);
    expect(table.C).toBe(32);
    expect(table.embeddings).toBe(ckpt.weights.embeddings.word.data);
    const cand = new Set(table.candidates);
    for (const t of ['[PAD]', '[CLS]', '[SEP]', '[MASK]', '[UNK]']) expect(cand.has(tok.tokenToId(t)!), t).toBe(false);
    expect(table.candidates.length).toBe(995);
    expect(cand.has(tok.tokenToId('whale')!)).toBe(true);

    const small = privacyTableFrom(new Float32Array(8 * 2), [8, 2], { tokens: ['[PAD]', '[unused0]', '[unused12]', 'a', '##b', '', '[CLS]', 'x'], specialIds: [7] });
    expect(Array.from(small.candidates)).toEqual([3, 4]);
    expect(small.tokens[5]).toBe('');
    expect(() => privacyTableFrom(new Float32Array(3), [2, 2], { tokens: [] })).toThrow(/needs 4 values, got 3/);
    expect(() => privacyTableFrom(new Float32Array(4), [2, 2], { tokens: ['[PAD]', '[UNK]'] })).toThrow(/no real tokens/);
  });
});

describe('createPrivatizer', () => {
  it('dispatches on spec.mechanism and checks the spec first', () => {
    const d = createPrivatizer(gpu, table, { mechanism: 'dchi', eta: 5 });
    const l = createPrivatizer(gpu, table, { mechanism: 'laplace', epsilon: 5 });
    expect(d).toBeInstanceOf(DchiPrivatizer);
    expect(l).toBeInstanceOf(LaplacePrivatizer);
    d.dispose();
    l.dispose();
    expect(availableMechanisms()).toEqual(expect.arrayContaining(['dchi', 'laplace']));
    expect(() => createPrivatizer(gpu, table, { mechanism: 'gauss' } as unknown as MechanismSpec)).toThrow(/unknown mechanism "gauss": expected one of dchi, laplace/);
    expect(() => createPrivatizer(gpu, table, { mechanism: 'dchi', epsilon: 3 })).toThrow(/dchi takes η \(eta\), not epsilon/);
    expect(() => createPrivatizer(gpu, table, { mechanism: 'dchi', eta: 3, clip: 1 })).toThrow(/dchi has no parameter clip/);
    for (const m of ['santext', 'santext+', 'custext'] as const)
      if (!hasMechanism(m)) expect(() => createPrivatizer(gpu, table, { mechanism: m, epsilon: 3 })).toThrow(/not available in this build/);
  });

  it('invalid budgets: missing, ≤ 0, NaN, ∞ — each a clear error', () => {
    const cases: [MechanismSpec, RegExp][] = [
      [{ mechanism: 'dchi' }, /dchi: eta is required/],
      [{ mechanism: 'dchi', eta: 0 }, /dchi: eta must be > 0, got 0/],
      [{ mechanism: 'dchi', eta: -1 }, /eta must be > 0, got -1/],
      [{ mechanism: 'dchi', eta: NaN }, /eta must be a finite number > 0, got NaN/],
      [{ mechanism: 'dchi', eta: Infinity }, /eta must be finite \(> 0\), got Infinity/],
      [{ mechanism: 'laplace', epsilon: -Infinity }, /epsilon must be finite/],
      [{ mechanism: 'laplace', epsilon: 1, clip: 0 }, /clip must be > 0/],
      [{ mechanism: 'santext+', epsilon: 1, p: 1.5 }, /p must be a number in \[0, 1\]/],
      [{ mechanism: 'custext', epsilon: 1, k: 2.5 }, /k must be an integer ≥ 1/],
      [{ mechanism: 'dchi', eta: 1, seed: -3 }, /seed must be an integer/]
    ];
    for (const [spec, re] of cases) expect(() => checkMechanismSpec(spec), JSON.stringify(spec)).toThrow(re);
  });
});

describe('client → service', () => {
  it('no raw text reaches the service: only ids and two fixed strings cross, and the service gets exactly the privatized ids', async () => {
    const { batch, details } = await client.privatize(TEXTS, { mechanism: 'dchi', eta: 20 });
    const wire = structuredClone(batch); // what a worker receives
    assertPrivatizedBatch(wire);
    expect(stringValues(wire).sort()).toEqual(['dchi', 'privatized-batch']);
    expectNoRawText(toJson(wire), TEXTS);
    expect(toJson(wire).toLowerCase()).not.toContain(SECRET);
    expect(Object.keys(wire).sort()).toEqual(['attentionMask', 'createdAt', 'kind', 'mechanism', 'plainTokens', 'seeded', 'sequences', 'version']);
    expect(wire.mechanism).toEqual({ mechanism: 'dchi', eta: 20 });
    expect(wire.seeded).toBe(false);

    // The client's details (which never cross) hold the raw tokens and match the batch position by position.
    expect(details.texts).toHaveLength(TEXTS.length);
    const T = wire.sequences[0].length;
    details.texts.forEach((row, b) => {
      expect(row.map((d) => d.original_id)).toEqual(tok.encode(TEXTS[b]).input_ids);
      expect(row[0].original).toBe('[CLS]');
      expect(row[0].special).toBe(true);
      expect(row[0].privatized_id).toBe(tok.clsTokenId);
      expect(row[row.length - 1].privatized_id).toBe(tok.sepTokenId);
      const ids = Array.from(wire.sequences[b]);
      expect(ids.slice(0, row.length)).toEqual(row.map((d) => d.privatized_id));
      expect(ids.slice(row.length)).toEqual(new Array(T - row.length).fill(tok.padTokenId));
      expect(Array.from(wire.attentionMask[b])).toEqual([...new Array(row.length).fill(1), ...new Array(T - row.length).fill(0)]);
      for (const d of row) {
        expect(d.replaced).toBe(d.original_id !== d.privatized_id);
        if (!d.special) expect(table.candidates.includes(d.privatized_id), `output ${d.privatized_id} is a candidate`).toBe(true);
      }
    });
    expect(details.readouts.expected_noise_norm).toBeCloseTo(32 / 20, 12);
    expect(details.readouts.typical_neighbour_distance).toBeGreaterThan(0);
    expect(details.guarantee).toMatch(/η = 20/);

    // The service side: validates, logs, and hands the model exactly these ids.
    const inbox = new ServiceInbox({ vocabSize: ckpt.config.vocab_size });
    const input = inbox.receive(wire);
    expect(input.shape).toEqual([TEXTS.length, T]);
    expect(Array.from(input.inputIds)).toEqual(wire.sequences.flatMap((s) => Array.from(s)));
    expect(input.attentionMask).toEqual(wire.attentionMask.map((m) => Array.from(m)));
    const [entry] = inbox.log.entries;
    expect(entry.accepted).toBe(true);
    if (!entry.accepted || entry.kind !== 'batch') throw new Error('unreachable');
    expect(entry.sequences).toEqual(wire.sequences.map((s) => Array.from(s)));
    expect(entry.budget).toEqual({ name: 'eta', value: 20 });
    expect(entry.shape).toEqual([3, T]);
    expect(entry.lengths).toEqual(details.texts.map((r) => r.length));
    const exported = inbox.log.exportJson();
    expect(JSON.parse(exported).entries).toHaveLength(1);
    expect(stringValues(JSON.parse(exported)).sort()).toEqual(['batch', 'dchi', 'eta', 'rapt-boundary-log']); // fixed literals only
    expectNoRawText(exported, TEXTS);
  });

  it('carries exactly what the mechanism produced (seeded run = the DchiPrivatizer on the same ids), labelled NOT PRIVATE', async () => {
    const spec: MechanismSpec = { mechanism: 'dchi', eta: 8, seed: 1234 };
    const a = await client.privatize(TEXTS, spec);
    const b = await client.privatize(TEXTS, spec);
    expect(a.batch.sequences.map((s) => Array.from(s))).toEqual(b.batch.sequences.map((s) => Array.from(s)));
    expect(a.batch.seeded).toBe(true);
    expect(a.batch.mechanism).toEqual({ mechanism: 'dchi', eta: 8 }); // the seed stays on the client
    expect(a.details.not_private_warning).toBe(NOT_PRIVATE_NOTE);
    expect(a.details.guarantee).toMatch(/NOT PRIVATE/);

    const flat = Int32Array.from(TEXTS.flatMap((t) => tok.encode(t).input_ids));
    const direct = new DchiPrivatizer(gpu, table, spec);
    const want = Array.from((await direct.privatize(flat)).ids);
    direct.dispose();
    const got = a.details.texts.flatMap((r) => r.map((d) => d.privatized_id));
    expect(got).toEqual(want);
    // small η replaces most tokens; this budget replaces some at least
    expect(a.details.replaced_fraction).toBeGreaterThan(0);
  });

  it('η → ∞ changes nothing; a tiny η changes almost everything', async () => {
    const still = await client.privatize(TEXTS, { mechanism: 'dchi', eta: 1e9 });
    expect(still.details.replaced_fraction).toBe(0);
    const wild = await client.privatize(TEXTS, { mechanism: 'dchi', eta: 1e-3, seed: 7 });
    expect(wild.details.replaced_fraction).toBeGreaterThan(0.9);
  });

  it('Laplace through the boundary: the batch states the resolved clip; project = false is refused at the client', async () => {
    const { batch, details } = await client.privatize(TEXTS, { mechanism: 'laplace', epsilon: 50 });
    const wire = structuredClone(batch);
    assertPrivatizedBatch(wire);
    expect(wire.mechanism).toEqual({ mechanism: 'laplace', epsilon: 50, clip: maxCandidateL1(table), project: true });
    expect(stringValues(wire).sort()).toEqual(['laplace', 'privatized-batch']);
    expectNoRawText(toJson(wire), TEXTS);
    expect(details.budget).toEqual({ name: 'epsilon', value: 50 });
    expect(details.readouts.expected_noise_norm).toBeGreaterThan(0);
    await expect(client.privatize(TEXTS, { mechanism: 'laplace', epsilon: 5, project: false })).rejects.toThrow(/project = false releases noisy embeddings/);
  });

  it('clear errors: empty input, no tokens, too long, invalid budget, an id the table lacks', async () => {
    await expect(client.privatize([], { mechanism: 'dchi', eta: 5 })).rejects.toThrow(/no texts to privatize/);
    await expect(client.privatize(['fine', '   '], { mechanism: 'dchi', eta: 5 })).rejects.toThrow(/text 2 is empty/);
    await expect(client.privatize(['\u0000\u0001'], { mechanism: 'dchi', eta: 5 })).rejects.toThrow(/text 1 has no tokens after tokenization/);
    await expect(client.privatize(['whale '.repeat(100)], { mechanism: 'dchi', eta: 5 })).rejects.toThrow(/text 1 is 102 tokens .* at most 64/);
    await expect(client.privatize(TEXTS, { mechanism: 'dchi', eta: 0 })).rejects.toThrow(/eta must be > 0, got 0/);
    await expect(client.privatize(TEXTS, { mechanism: 'laplace', epsilon: NaN })).rejects.toThrow(/epsilon must be a finite number > 0, got NaN/);
    // A table with fewer rows than the vocabulary: "whale" (a late Moby Dick word) has no embedding.
    const whale = tok.tokenToId('whale')!;
    const V = whale; // rows 0..whale-1 only
    const short = privacyTableFrom(table.embeddings.slice(0, V * table.C), [V, table.C], tok);
    const c2 = new PrivacyClient(gpu, short, tok);
    try {
      await expect(c2.privatize(['the whale'], { mechanism: 'dchi', eta: 5 })).rejects.toThrow(
        new RegExp(`token "whale" \\(id ${whale}, position 2\\) has no embedding: the model's table has ${V} rows`)
      );
    } finally {
      c2.dispose();
    }
    // The mechanism itself refuses out-of-table ids too (validate.ts).
    const d = createPrivatizer(gpu, table, { mechanism: 'dchi', eta: 5 });
    await expect(d.privatize(Int32Array.from([2, 1000, 3]))).rejects.toThrow(/token id 1000 at position 1 has no embedding \(the table has 1000 rows/);
    d.dispose();
  });
});

describe('assertPrivatizedBatch refuses forged messages', () => {
  it('accepts a well-formed batch, and its structured clone', () => {
    const b = validBatch();
    assertPrivatizedBatch(b);
    assertPrivatizedBatch(structuredClone(b));
    expect(Array.from(b.sequences[1])).toEqual([2, 150, 3, 0]);
    expect(Array.from(b.attentionMask[1])).toEqual([1, 1, 1, 0]);
  });

  it('a text field, a string array, extra keys, strings where numbers go', () => {
    rejects({ ...validBatch(), text: `hello ${SECRET}` }, 'unknown-key', /unexpected "text" \(allowed: kind, version, mechanism, sequences/);
    rejects({ ...validBatch(), sequences: [SECRET] }, 'string-value', /sequences\[0\]: a string \(10 characters\); a PrivatizedBatch carries token ids only, never text/);
    rejects({ ...validBatch(), sequences: SECRET }, 'string-value', /at sequences: a string/);
    rejects({ ...validBatch(), attentionMask: [[1, 1, 1, 1], [1, 1, 1, 0]] }, 'not-integer-array', /attentionMask\[0\]: expected an Uint8Array of 0\/1 flags, got an Array of 4/);
    rejects({ ...validBatch(), sequences: [[2, 3, 4, 5], [2, 3, 4, 5]] }, 'not-integer-array', /expected an Int32Array of token ids, got an Array of 4/);
    rejects({ ...validBatch(), sequences: [new Float32Array([2, 3.5, 4, 5]), new Float32Array(4)] }, 'not-integer-array', /got a Float32Array/);
    rejects({ ...validBatch(), [`${SECRET} is my password`]: 1 }, 'unknown-key', /unexpected a key of 25 characters/);
    rejects({ ...validBatch(), [Symbol('x')]: 1 }, 'unknown-key', /a symbol key/);
    rejects({ ...validBatch(), mechanism: { mechanism: 'dchi', eta: 10, note: SECRET } }, 'unknown-key', /at mechanism: unexpected "note"/);
    rejects({ ...validBatch(), mechanism: { mechanism: SECRET, eta: 10 } }, 'string-value', /mechanism\.mechanism: a string \(10 characters\) that is not a mechanism name/);
    rejects({ ...validBatch(), mechanism: { mechanism: 'dchi', eta: '10' } }, 'string-value', /mechanism\.eta: expected a number, got a string/);
    rejects({ ...validBatch(), mechanism: { mechanism: 'dchi', eta: 10, seed: 3 } }, 'unknown-key', /unexpected "seed"/);
    rejects({ ...validBatch(), mechanism: { mechanism: 'dchi', eta: -1 } }, 'bad-value', /eta must be > 0, got -1/);
    rejects({ ...validBatch(), kind: SECRET }, 'string-value', /kind: must be the literal "privatized-batch", got a string/);
    rejects({ ...validBatch(), createdAt: SECRET }, 'string-value', /createdAt/);
    rejects({ ...validBatch(), seeded: 'no' }, 'wrong-type', /seeded: expected true or false/);
    rejects({ ...validBatch(), plainTokens: [SECRET] }, 'string-value', /plainTokens\[0\]/);
    rejects(SECRET, 'string-value', /batch: a string \(10 characters\)/);
    const { createdAt: _c, ...missing } = validBatch();
    rejects(missing, 'missing-key', /batch\.createdAt: missing/);
    rejects({ ...validBatch(), version: 2 }, 'bad-value', /reads version 1, got a number/);
  });

  it('views over a larger buffer (which would smuggle its bytes), shared buffers, accessors, class instances', () => {
    const bytes = new TextEncoder().encode(`${SECRET} ${SECRET} ${SECRET} `.padEnd(64, ' '));
    const buf = new ArrayBuffer(128);
    new Uint8Array(buf).set(bytes, 16);
    const view = new Int32Array(buf, 0, 4);
    view.set([2, 100, 200, 3]);
    const b1 = validBatch();
    b1.sequences[0] = view;
    rejects(b1, 'shared-buffer', /sequences\[0\]: a view of 16 bytes at offset 0 into a buffer of 128 bytes/);
    expect(new TextDecoder().decode(new Uint8Array(structuredClone(view).buffer))).toContain(SECRET); // why: the clone carries the whole buffer

    if (typeof SharedArrayBuffer !== 'undefined') {
      const s = new Int32Array(new SharedArrayBuffer(16));
      s.set([2, 100, 200, 3]);
      const b2 = validBatch();
      b2.sequences[0] = s;
      rejects(b2, 'shared-buffer', /SharedArrayBuffer/);
    }
    const b3 = validBatch() as unknown as Record<string, unknown>;
    Object.defineProperty(b3, 'seeded', { get: () => false, enumerable: true });
    rejects(b3, 'wrong-type', /seeded: an accessor property/);
    class Batch {
      constructor(public kind = 'privatized-batch') {}
    }
    rejects(Object.assign(new Batch(), validBatch()), 'not-object', /expected a plain object, got an object/);
    const withExtra = validBatch();
    (withExtra.sequences as unknown as Record<string, unknown>).note = SECRET;
    rejects(withExtra, 'unknown-key', /sequences: unexpected "note" on the array/);
    rejects(Object.assign(validBatch(), { sequences: new Array(2) }), 'wrong-type', /sequences\[0\]: a hole/);
  });

  it('shapes and values: rectangular rows, masks matching, no negative ids, ids within the vocabulary', () => {
    rejects({ ...validBatch(), sequences: [Int32Array.from([2, 3, 4, 5]), Int32Array.from([2, 3])] }, 'shape', /sequences\[1\]: 2 tokens, but sequences\[0\] has 4/);
    rejects({ ...validBatch(), attentionMask: [new Uint8Array(4).fill(1)] }, 'shape', /attentionMask: 1 rows for 2 sequences/);
    rejects({ ...validBatch(), attentionMask: [Uint8Array.from([1, 1, 1, 2]), new Uint8Array(4).fill(1)] }, 'bad-value', /flag 2 is neither 0 nor 1/);
    rejects({ ...validBatch(), sequences: [Int32Array.from([2, -5, 4, 3]), Int32Array.from([2, 3, 4, 5])] }, 'bad-value', /sequences\[0\]\[1\]: token id -5 is negative/);
    rejects({ ...validBatch(), sequences: [], attentionMask: [] }, 'shape', /empty batch/);

    const inbox = new ServiceInbox({ vocabSize: 150 });
    expect(() => inbox.receive(validBatch())).toThrow(/sequences\[0\]\[2\]: token id 200 is outside the model's vocabulary \(150 ids, 0\.\.149\)/);
    expect(() => inbox.receive({ ...validBatch(), text: SECRET })).toThrow(BoundaryError);
    inbox.setVocabSize(1000);
    inbox.receive(validBatch());
    const log = inbox.log.toJSON();
    expect(log.entries.map((e) => e.accepted)).toEqual([false, false, true]);
    expect(log.entries[0]).toMatchObject({ accepted: false, code: 'bad-value', path: 'sequences[0][2]' });
    expect(log.entries[1]).toMatchObject({ accepted: false, code: 'unknown-key', path: 'batch' });
    expect(JSON.stringify(log)).not.toContain(SECRET); // refusals are logged by their error, not their contents
    expect(inbox.log.summary()).toEqual({ batches: 1, sequences: 2, tokens: 7, trainingSets: 0, rejected: 2 });
  });

  it('the log keeps its newest entries and counts the dropped ones', () => {
    const log = new BoundaryLog(2);
    for (let i = 0; i < 3; i++) log.recordAccepted(validBatch(), i);
    expect(log.size).toBe(2);
    expect(log.dropped).toBe(1);
    expect(log.entries.map((e) => e.seq)).toEqual([1, 2]);
  });
});

describe('fetchPrivacyModel (what the client worker loads)', () => {
  let server: Server;
  let base: string;
  let ranges = 0;
  let honourRange = true;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const name = decodeURIComponent((req.url ?? '/').split('/').pop() ?? '');
      let body: Buffer;
      try {
        if (!(req.url ?? '').startsWith('/tiny-bert/')) throw new Error('not found');
        body = readFileSync(join(MODEL, name));
      } catch {
        res.writeHead(404).end();
        return;
      }
      const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (m && honourRange) {
        ranges++;
        const [s, e] = [Number(m[1]), Math.min(Number(m[2]), body.length - 1)];
        res.writeHead(206, { 'content-range': `bytes ${s}-${e}/${body.length}`, 'content-length': e - s + 1 });
        res.end(body.subarray(s, e + 1));
      } else {
        res.writeHead(200, { 'content-length': body.length }).end(body);
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tiny-bert/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reads only the word embeddings by Range requests, or the whole file when ranges are not served — the same table either way', async () => {
    const ranged = await fetchPrivacyModel(base);
    expect(ranged.ranged).toBe(true);
    expect(ranges).toBe(3);
    const file = readFileSync(join(MODEL, 'model.safetensors'));
    const headerBytes = 8 + Number(file.readBigUInt64LE(0));
    expect(ranged.weightBytes).toBe(headerBytes + 1000 * 32 * 4); // header + the one tensor, not the file
    honourRange = false;
    const whole = await fetchPrivacyModel(base);
    expect(whole.ranged).toBe(false);
    for (const m of [ranged, whole]) {
      expect(m.table.V).toBe(table.V);
      expect(m.table.C).toBe(table.C);
      expect(Array.from(m.table.candidates)).toEqual(Array.from(table.candidates));
      expect(m.table.embeddings).toEqual(table.embeddings);
      expect(m.tokenizer.encode(TEXTS[0]).input_ids).toEqual(tok.encode(TEXTS[0]).input_ids);
    }
    await expect(fetchPrivacyModel(base.replace('tiny-bert/', 'missing/'))).rejects.toThrow(/could not fetch .*missing\/config\.json: HTTP 404/);
  });
});
