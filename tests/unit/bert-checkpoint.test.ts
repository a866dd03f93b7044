import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTinyBert } from '../../scripts/make-tiny-bert';
import { bertConfigToJson, BertConfigError, parseBertConfig } from '../../src/lib/model/checkpoint/bert-config';
import {
  bertWeightsFromTensors,
  bertWeightsToTensors,
  BertWeightsError,
  expectedBertTensors,
  type TensorLike
} from '../../src/lib/model/checkpoint/bert-weights';
import { loadBertFiles, type LoadFilesProgress } from '../../src/lib/model/checkpoint/load-files';
import { loadBertFolder } from '../../src/lib/model/checkpoint/load-folder-node';
import { readSafetensors, writeSafetensors, type LoadedTensor } from '../../src/lib/model/checkpoint/safetensors';

const FIXTURE = join(__dirname, '..', 'fixtures', 'tiny-bert');
const fixtureBytes = readFileSync(join(FIXTURE, 'model.safetensors'));
const fixtureConfig = parseBertConfig(readFileSync(join(FIXTURE, 'config.json'), 'utf8'));

function fixtureTensors(): Record<string, LoadedTensor> {
  return readSafetensors(fixtureBytes).tensors;
}

const tmpDirs: string[] = [];
function tmpFolder(files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rapt-bert-'));
  tmpDirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('the tiny-bert fixture', () => {
  it('loads from its folder with every parameter in place', async () => {
    const ckpt = await loadBertFolder(FIXTURE);
    const c = ckpt.config;
    expect([c.num_hidden_layers, c.hidden_size, c.num_attention_heads, c.intermediate_size, c.vocab_size]).toEqual([2, 32, 4, 64, 1000]);
    expect(c.max_position_embeddings).toBe(64);
    expect(ckpt.warnings).toEqual([]);
    expect(ckpt.unexpected).toEqual([]);
    expect(ckpt.metadata?.format).toBe('pt');
    const w = ckpt.weights;
    expect(w.embeddings.word.shape).toEqual([1000, 32]);
    expect(w.layers).toHaveLength(2);
    expect(w.layers[1].intermediate.weight.shape).toEqual([64, 32]); // HF Linear: [out, in]
    expect(w.layers[1].output.weight.shape).toEqual([32, 64]);
    expect(w.pooler?.weight.shape).toEqual([32, 32]);
    expect(w.mlm).not.toBeNull();
    expect(w.mlm!.decoder).toBeNull(); // tied to the word embeddings
    expect(w.mlm!.bias.shape).toEqual([1000]);
    // [PAD] row is zero as HF initialises it; LayerNorm weights are perturbed away from 1
    expect(Array.from(w.embeddings.word.data.subarray(0, 32)).every((x) => x === 0)).toBe(true);
    expect(Array.from(w.layers[0].attentionLayerNorm.weight.data).some((x) => Math.abs(x - 1) > 1e-3)).toBe(true);
    const vocab = ckpt.vocabTxt!.split('\n');
    expect(vocab.slice(0, 5)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    expect(vocab[vocab.length - 1]).toBe(''); // trailing newline
    expect(vocab.length - 1).toBe(1000);
    expect(vocab).toContain('whale');
    expect(vocab).toContain('##q');
    expect(ckpt.tokenizerJson).toBeNull();
  });

  it('is what scripts/make-tiny-bert.ts --seed 1 writes, byte for byte', () => {
    const files = makeTinyBert({ seed: 1 });
    expect(Buffer.from(files.safetensors).equals(fixtureBytes)).toBe(true);
    expect(files.configJson).toBe(readFileSync(join(FIXTURE, 'config.json'), 'utf8'));
    expect(files.vocabTxt).toBe(readFileSync(join(FIXTURE, 'vocab.txt'), 'utf8'));
    // and another seed gives other weights
    expect(Buffer.from(makeTinyBert({ seed: 2, vocabFrom: 'chars' }).safetensors).equals(fixtureBytes)).toBe(false);
  });

  it('saves back to the same bytes (bertWeightsToTensors → writeSafetensors)', () => {
    const { weights } = bertWeightsFromTensors(fixtureConfig, fixtureTensors());
    const meta = readSafetensors(fixtureBytes).metadata!;
    const bytes = writeSafetensors(bertWeightsToTensors(weights), meta);
    expect(Buffer.from(bytes).equals(fixtureBytes)).toBe(true);
    const withDecoder = bertWeightsToTensors(weights, { includeTiedDecoder: true });
    expect(withDecoder['cls.predictions.decoder.weight'].data).toBe(weights.embeddings.word.data);
    const bare = bertWeightsToTensors(weights, { prefix: false });
    expect(Object.keys(bare)).toContain('encoder.layer.0.attention.self.query.weight');
    expect(Object.keys(bare)).toContain('cls.predictions.bias');
  });
});

describe('bertWeightsFromTensors errors name the tensor', () => {
  it('missing tensor', () => {
    const t = fixtureTensors();
    delete t['bert.encoder.layer.1.attention.self.key.weight'];
    const e = errorOf(() => bertWeightsFromTensors(fixtureConfig, t, { source: 'model.safetensors' }));
    expect(e).toBeInstanceOf(BertWeightsError);
    expect(e.message).toContain('model.safetensors');
    expect(e.message).toContain('missing tensor bert.encoder.layer.1.attention.self.key.weight (expected shape [32, 32])');
    expect((e as BertWeightsError).tensors).toEqual(['bert.encoder.layer.1.attention.self.key.weight']);
  });

  it('wrong shape, with expected and found shapes', () => {
    const t = fixtureTensors();
    t['bert.encoder.layer.0.intermediate.dense.weight'] = { dtype: 'F32', shape: [32, 64], data: new Float32Array(2048) };
    t['bert.embeddings.position_embeddings.weight'] = { dtype: 'F32', shape: [512, 32], data: new Float32Array(512 * 32) };
    const e = errorOf(() => bertWeightsFromTensors(fixtureConfig, t));
    expect(e.message).toContain('2 problem(s)');
    expect(e.message).toContain('tensor bert.encoder.layer.0.intermediate.dense.weight: expected shape [64, 32], found [32, 64]');
    expect(e.message).toContain('tensor bert.embeddings.position_embeddings.weight: expected shape [64, 32], found [512, 32]');
  });

  it('integer data where floats are needed', () => {
    const t = fixtureTensors();
    t['bert.embeddings.LayerNorm.bias'] = { dtype: 'I64', shape: [32], data: new Int32Array(32) };
    expect(() => bertWeightsFromTensors(fixtureConfig, t)).toThrow('tensor bert.embeddings.LayerNorm.bias: expected a floating-point dtype, found I64');
  });

  it('a partial MLM head or pooler', () => {
    const t = fixtureTensors();
    delete t['cls.predictions.transform.LayerNorm.bias'];
    delete t['bert.pooler.dense.bias'];
    const e = errorOf(() => bertWeightsFromTensors(fixtureConfig, t));
    expect(e.message).toContain('missing tensor cls.predictions.transform.LayerNorm.bias (expected shape [32]) (the MLM head is optional');
    expect(e.message).toContain('missing tensor bert.pooler.dense.bias (expected shape [32]) (the pooler is optional');
  });

  it('two names for the same parameter', () => {
    const t = fixtureTensors();
    t['embeddings.LayerNorm.gamma'] = t['bert.embeddings.LayerNorm.weight'];
    expect(() => bertWeightsFromTensors(fixtureConfig, t)).toThrow(
      'tensors "bert.embeddings.LayerNorm.weight" and "embeddings.LayerNorm.gamma" are both bert.embeddings.LayerNorm.weight'
    );
  });

  it('truncated model.safetensors in a folder names the file and the tensor', async () => {
    const dir = tmpFolder({
      'config.json': readFileSync(join(FIXTURE, 'config.json')),
      'vocab.txt': readFileSync(join(FIXTURE, 'vocab.txt')),
      'model.safetensors': fixtureBytes.subarray(0, fixtureBytes.byteLength - 1000)
    });
    await expect(loadBertFolder(dir)).rejects.toThrow(
      new RegExp(`${join(dir, 'model.safetensors').replace(/[.]/g, '\\.')}: tensor "cls\\.predictions\\.transform\\.dense\\.weight" .* run past the end`)
    );
  });
});

describe('name variants', () => {
  const base = bertWeightsFromTensors(fixtureConfig, fixtureTensors()).weights;

  it('accepts names without the bert. prefix (a bare BertModel state dict)', () => {
    const t: Record<string, TensorLike> = {};
    for (const [k, v] of Object.entries(fixtureTensors())) t[k.replace(/^bert\./, '')] = v;
    const r = bertWeightsFromTensors(fixtureConfig, t);
    expect(r.warnings).toEqual([]);
    expect(r.weights).toEqual(base);
  });

  it('accepts legacy LayerNorm gamma/beta', () => {
    const t: Record<string, TensorLike> = {};
    for (const [k, v] of Object.entries(fixtureTensors())) {
      t[k.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta')] = v;
    }
    expect(Object.keys(t)).toContain('bert.encoder.layer.1.output.LayerNorm.gamma');
    expect(bertWeightsFromTensors(fixtureConfig, t).weights).toEqual(base);
  });

  it('accepts a Map as well as a record', () => {
    expect(bertWeightsFromTensors(fixtureConfig, new Map(Object.entries(fixtureTensors()))).weights).toEqual(base);
  });

  it('reports unexpected tensors as warnings and known unused ones as ignored', () => {
    const t: Record<string, TensorLike> = fixtureTensors();
    t['classifier.weight'] = { shape: [2, 32], data: new Float32Array(64) };
    t['cls.seq_relationship.weight'] = { shape: [2, 32], data: new Float32Array(64) };
    t['bert.embeddings.position_ids'] = { dtype: 'I64', shape: [1, 64], data: new Int32Array(64) };
    const r = bertWeightsFromTensors(fixtureConfig, t, { source: 'm.safetensors' });
    expect(r.unexpected).toEqual(['classifier.weight']);
    expect(r.ignored.sort()).toEqual(['bert.embeddings.position_ids', 'cls.seq_relationship.weight']);
    expect(r.warnings).toEqual(['m.safetensors: 1 unexpected tensor(s) ignored: classifier.weight']);
  });

  it('makes the MLM head and the pooler optional', () => {
    const t = fixtureTensors();
    for (const k of Object.keys(t)) if (k.startsWith('cls.') || k.startsWith('bert.pooler.')) delete t[k];
    const r = bertWeightsFromTensors(fixtureConfig, t);
    expect(r.weights.mlm).toBeNull();
    expect(r.weights.pooler).toBeNull();
    expect(Object.keys(bertWeightsToTensors(r.weights)).length).toBe(expectedBertTensors(fixtureConfig, { pooler: false, mlm: false }).length);
  });

  it('ties a stored decoder weight to the word embeddings, warning when they differ', () => {
    const t: Record<string, TensorLike> = fixtureTensors();
    const word = t['bert.embeddings.word_embeddings.weight'];
    t['cls.predictions.decoder.weight'] = { shape: [1000, 32], data: word.data.slice() };
    const same = bertWeightsFromTensors(fixtureConfig, t);
    expect(same.warnings).toEqual([]);
    expect(same.weights.mlm!.decoder).toBeNull();
    const other = word.data.slice() as Float32Array;
    other[5] += 0.5;
    t['cls.predictions.decoder.weight'] = { shape: [1000, 32], data: other };
    expect(bertWeightsFromTensors(fixtureConfig, t).warnings[0]).toMatch(/cls\.predictions\.decoder\.weight differs from the word embeddings \(max \|diff\| 0\.5/);
    // untied configs keep their own decoder, and need it
    const untied = { ...fixtureConfig, tie_word_embeddings: false };
    expect(bertWeightsFromTensors(untied, t).weights.mlm!.decoder!.data).toBe(other);
    delete t['cls.predictions.decoder.weight'];
    expect(() => bertWeightsFromTensors(untied, t)).toThrow('missing tensor cls.predictions.decoder.weight (expected shape [1000, 32]; tie_word_embeddings is false)');
  });

  it('uses cls.predictions.decoder.bias when cls.predictions.bias is absent', () => {
    const t = fixtureTensors();
    t['cls.predictions.decoder.bias'] = t['cls.predictions.bias'];
    delete t['cls.predictions.bias'];
    const r = bertWeightsFromTensors(fixtureConfig, t);
    expect(r.weights.mlm!.bias).toEqual(base.mlm!.bias);
    expect(r.ignored).toEqual([]);
  });
});

describe('parseBertConfig', () => {
  const good = JSON.parse(readFileSync(join(FIXTURE, 'config.json'), 'utf8'));
  const errorFor = (patch: Record<string, unknown>): BertConfigError =>
    errorOf(() => parseBertConfig({ ...good, ...patch }, 'my/config.json')) as BertConfigError;

  it('names the field and the value in each error', () => {
    let e = errorFor({ hidden_act: 'relu' });
    expect(e).toBeInstanceOf(BertConfigError);
    expect(e.field).toBe('hidden_act');
    expect(e.message).toBe('my/config.json: "hidden_act" must be "gelu" (the exact erf GELU; other activations are not implemented), found "relu"');
    e = errorFor({ hidden_size: 30 });
    expect(e.message).toBe('my/config.json: "hidden_size" (30) must be divisible by "num_attention_heads" (4)');
    expect(errorFor({ num_hidden_layers: 0 }).message).toContain('"num_hidden_layers" must be a positive integer, found 0');
    expect(errorFor({ intermediate_size: 64.5 }).message).toContain('"intermediate_size" must be a positive integer, found 64.5');
    expect(errorFor({ vocab_size: '1000' }).message).toContain('"vocab_size" must be a positive integer, found "1000"');
    expect(errorFor({ layer_norm_eps: -1 }).message).toContain('"layer_norm_eps" must be a positive finite number, found -1');
    expect(errorFor({ pad_token_id: 1000 }).message).toContain('"pad_token_id" must be an integer in [0, vocab_size = 1000), found 1000');
    expect(errorFor({ model_type: 'roberta' }).field).toBe('model_type');
    expect(errorFor({ position_embedding_type: 'relative_key' }).field).toBe('position_embedding_type');
    expect(errorFor({ is_decoder: true }).field).toBe('is_decoder');
    expect(errOfText('{"hidden_size": 3').message).toMatch(/^x\.json: not valid JSON/);
  });

  function errOfText(text: string): Error {
    return errorOf(() => parseBertConfig(text, 'x.json'));
  }

  it('fills HF defaults for missing fields and keeps unknown ones for round-tripping', () => {
    const c = parseBertConfig({ hidden_size: 64, num_attention_heads: 2, id2label: { 0: 'neg', 1: 'pos' } });
    expect(c.vocab_size).toBe(30522);
    expect(c.num_hidden_layers).toBe(12);
    expect(c.layer_norm_eps).toBe(1e-12);
    expect(c.tie_word_embeddings).toBe(true);
    expect(c.extra).toEqual({ id2label: { 0: 'neg', 1: 'pos' } });
    const again = parseBertConfig(bertConfigToJson(c));
    expect(again).toEqual(c);
  });
});

describe('loadBertFolder', () => {
  const cfg = readFileSync(join(FIXTURE, 'config.json'));
  const vocab = readFileSync(join(FIXTURE, 'vocab.txt'));

  it('names each missing file', async () => {
    await expect(loadBertFolder(join(tmpdir(), 'rapt-no-such-folder'))).rejects.toThrow(/rapt-no-such-folder cannot be read/);
    let dir = tmpFolder({ 'vocab.txt': vocab, 'model.safetensors': fixtureBytes });
    await expect(loadBertFolder(dir)).rejects.toThrow(`${join(dir, 'config.json')} not found (a Hugging Face BERT folder needs`);
    dir = tmpFolder({ 'config.json': cfg, 'vocab.txt': vocab, 'pytorch_model.bin': 'x' });
    await expect(loadBertFolder(dir)).rejects.toThrow(`${join(dir, 'model.safetensors')} not found; the folder has pytorch_model.bin`);
    dir = tmpFolder({ 'config.json': cfg, 'model.safetensors': fixtureBytes });
    await expect(loadBertFolder(dir)).rejects.toThrow(`${dir}: no vocab.txt or tokenizer.json found`);
  });

  it('returns tokenizer.json raw when that is the vocabulary file', async () => {
    const tok = '{"model": {"type": "WordPiece", "vocab": {"[PAD]": 0}}}';
    const dir = tmpFolder({ 'config.json': cfg, 'model.safetensors': fixtureBytes, 'tokenizer.json': tok });
    const ckpt = await loadBertFolder(dir);
    expect(ckpt.tokenizerJson).toBe(tok);
    expect(ckpt.vocabTxt).toBeNull();
  });

  it('reads a sharded checkpoint through model.safetensors.index.json', async () => {
    const all = fixtureTensors();
    const names = Object.keys(all).sort();
    const pick = (ns: string[]): Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> =>
      Object.fromEntries(ns.map((n) => [n, { dtype: 'F32' as const, shape: all[n].shape, data: all[n].data as Float32Array }]));
    const first = names.slice(0, 10);
    const rest = names.slice(10);
    const weightMap = Object.fromEntries([
      ...first.map((n) => [n, 'model-00001-of-00002.safetensors']),
      ...rest.map((n) => [n, 'model-00002-of-00002.safetensors'])
    ]);
    const dir = tmpFolder({
      'config.json': cfg,
      'vocab.txt': vocab,
      'model.safetensors.index.json': JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }),
      'model-00001-of-00002.safetensors': writeSafetensors(pick(first), { format: 'pt' }),
      'model-00002-of-00002.safetensors': writeSafetensors(pick(rest), { format: 'pt' })
    });
    const sharded = await loadBertFolder(dir);
    expect(sharded.weights).toEqual((await loadBertFolder(FIXTURE)).weights);

    rmSync(join(dir, 'model-00002-of-00002.safetensors'));
    await expect(loadBertFolder(dir)).rejects.toThrow('model-00002-of-00002.safetensors not found (listed in');
  });
});

describe('loadBertFiles (browser File objects)', () => {
  const asFile = (name: string, relative = `tiny-bert/${name}`): File => {
    const f = new File([readFileSync(join(FIXTURE, name))], name);
    Object.defineProperty(f, 'webkitRelativePath', { value: relative });
    return f;
  };

  it('loads the same checkpoint as the folder loader, with progress up to the total', async () => {
    const files = [asFile('config.json'), asFile('model.safetensors'), asFile('vocab.txt')];
    const progress: LoadFilesProgress[] = [];
    const ckpt = await loadBertFiles(files, (p) => progress.push(p));
    const fromFolder = await loadBertFolder(FIXTURE);
    expect(ckpt.weights).toEqual(fromFolder.weights);
    expect(ckpt.vocabTxt).toBe(fromFolder.vocabTxt);
    expect(ckpt.source).toBe('tiny-bert');
    const total = files.reduce((a, f) => a + f.size, 0);
    expect(progress[progress.length - 1]).toMatchObject({ loaded: total, total });
    expect(progress.some((p) => p.file === 'tiny-bert/model.safetensors' && p.loaded < total)).toBe(true);
    for (let i = 1; i < progress.length; i++) expect(progress[i].loaded).toBeGreaterThanOrEqual(progress[i - 1].loaded);
  });

  it('names what is missing or ambiguous', async () => {
    await expect(loadBertFiles([asFile('model.safetensors'), asFile('vocab.txt')])).rejects.toThrow(
      'config.json is not among the picked files (tiny-bert/model.safetensors, tiny-bert/vocab.txt)'
    );
    await expect(loadBertFiles([asFile('config.json'), asFile('vocab.txt')])).rejects.toThrow('model.safetensors is not among the picked files');
    await expect(loadBertFiles([asFile('config.json'), asFile('model.safetensors')])).rejects.toThrow('neither vocab.txt nor tokenizer.json');
    await expect(loadBertFiles([asFile('config.json'), asFile('config.json', 'other/config.json')])).rejects.toThrow(
      'two files are named config.json (tiny-bert/config.json and other/config.json)'
    );
  });

  it('names the file and tensor when the picked weights are truncated', async () => {
    const cut = new File([fixtureBytes.subarray(0, fixtureBytes.byteLength - 1000)], 'model.safetensors');
    await expect(loadBertFiles([asFile('config.json'), cut, asFile('vocab.txt')])).rejects.toThrow(
      /^model\.safetensors: tensor "cls\.predictions\.transform\.dense\.weight" data_offsets/
    );
  });
});

// keep an eye on the fixture's size (it is committed)
it('the fixture stays commit-sized', () => {
  const size = ['config.json', 'model.safetensors', 'vocab.txt'].reduce((a, n) => a + readFileSync(join(FIXTURE, n)).byteLength, 0);
  expect(size).toBeLessThan(300 * 1024);
});
