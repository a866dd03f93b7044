// Importers for the user's own data (GLUE TSV, RFC 4180 CSV, JSONL), on small files written
// here in those exact formats; every malformed case checks its specific error and line.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_BYTES,
  ImportError,
  checkSize,
  formatFromFileName,
  importDataset,
  listColumns,
  tryImportDataset,
  type ImportOptions,
  type ImportProblem
} from '../../src/lib/data/import';
import { parseCsvRecords } from '../../src/lib/data/import-csv';
import { splitByColumn, splitDataset, systematicAssign } from '../../src/lib/data/splits';
import { SeededRandom } from '../../src/lib/util/seeded-random';
import type { Dataset } from '../../src/lib/data/types';

// --- Fixtures ------------------------------------------------------------------------------

// SST-2 (GLUE) train.tsv: header "sentence<TAB>label", tokenised lower-case text with a
// trailing space, quotes used as literal characters (even unbalanced).
const SST2 = [
  'sentence\tlabel',
  'hide new secretions from the parental units \t0',
  'contains no wit , only labored gags \t0',
  'that loves its characters and communicates something rather beautiful about human nature \t1',
  'the film \'s " twists " are predictable \t0',
  '" a gorgeous , witty , seductive movie . \t1',
  ''
].join('\n');

// QQP (GLUE) train.tsv: six columns, Windows line ends here for good measure.
const QQP = [
  'id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate',
  '133273\t213221\t213222\tHow is the life of a math student? Could you describe your own experiences?\tWhich level of prepration is enough for the exam jlpt5?\t0',
  '402555\t536040\t536041\tHow do I control my horny emotions?\tHow do you control your horniness?\t1',
  '360472\t364011\t490273\tWhat causes stool color to change to yellow?\tWhat can cause stool to come out as little balls?\t0',
  ''
].join('\r\n');

// MRPC-like (msr_paraphrase_train.txt starts with a UTF-8 BOM).
const MRPC =
  '\uFEFFQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n' +
  '1\t702876\t702977\tAmrozi accused his brother , whom he called " the witness " , of deliberately distorting his evidence .\tReferring to him as only " the witness " , Amrozi accused his brother of deliberately distorting his evidence .\n' +
  '0\t2108705\t2108831\tYucaipa owned Dominick \'s before selling the chain to Safeway in 1998 for $ 2.5 billion .\tYucaipa bought Dominick \'s in 1995 for $ 693 million and sold it to Safeway for $ 1.8 billion in 1998 .\n';

// CSV with RFC 4180 quoting: commas, doubled quotes, an embedded CRLF and LF, an empty
// attribute, a quoted header, a trailing record without a line break.
const CSV =
  'id,"review text",stars,author\r\n' +
  '1,"Great, would buy again",pos,alice\r\n' +
  '2,"He said ""meh"" and left",neg,bob\r\n' +
  '3,"Line one\r\nline two\nline three",pos,\r\n' +
  '4,plain text with a "quote" inside,neg,dave\r\n' +
  '5,"",neg,erin';

const JSONL = [
  '{"text": "I loved it", "label": "pos", "meta": {"author": "alice", "year": 2020}}',
  '',
  '{"text": "Not for me", "label": 0, "meta": {"author": "bob", "year": null}}',
  '{"text": "Fine \\"ok\\"", "label": true, "meta": {"author": "carol", "year": 2021}}',
  ''
].join('\r\n');

const tsv = (o: Partial<ImportOptions> = {}): ImportOptions => ({
  format: 'tsv',
  textColumn: 'sentence',
  labelColumn: 'label',
  ...o
});

/** Runs an import that must fail; checks the problem code, the line and the message. */
function expectImportError(
  input: string | Uint8Array,
  options: ImportOptions,
  problem: ImportProblem,
  line: number | null,
  message: RegExp
): ImportError {
  let caught: unknown;
  try {
    importDataset(input, options);
  } catch (e) {
    caught = e;
  }
  expect(caught, 'import should have failed').toBeInstanceOf(ImportError);
  const err = caught as ImportError;
  expect(err.problem, err.message).toBe(problem);
  expect(err.line, err.message).toBe(line);
  expect(err.message).toMatch(message);
  if (line !== null) expect(err.message).toContain(`line ${line}:`);
  return err;
}

// --- TSV ----------------------------------------------------------------------------------

describe('GLUE TSV', () => {
  it('reads SST-2 (single sentence), quotes literal, labels sorted', () => {
    const ds = importDataset(SST2, tsv({ fileName: 'sst2/train.tsv' }));
    expect(ds.name).toBe('train');
    expect(ds.examples).toHaveLength(5);
    expect(ds.labels).toEqual(['0', '1']);
    expect(ds.attributes).toEqual([]);
    expect(ds.examples[0]).toEqual({ text: 'hide new secretions from the parental units', label: '0', attrs: {} });
    expect(ds.examples[3].text).toBe('the film \'s " twists " are predictable');
    expect(ds.examples[4].text).toBe('" a gorgeous , witty , seductive movie .');
  });

  it('reads QQP (sentence pairs, CRLF) with attributes', () => {
    const ds = importDataset(QQP, {
      format: 'tsv',
      textColumn: 'question1',
      textPairColumn: 'question2',
      labelColumn: 'is_duplicate',
      attributeColumns: ['qid1', 'id']
    });
    expect(ds.examples).toHaveLength(3);
    expect(ds.examples[1]).toEqual({
      text: 'How do I control my horny emotions?',
      textPair: 'How do you control your horniness?',
      label: '1',
      attrs: { qid1: '536040', id: '402555' }
    });
    expect(ds.attributes).toEqual(['qid1', 'id']);
    expect(ds.labels).toEqual(['0', '1']);
  });

  it('reads MRPC-style columns with spaces and # in their names, BOM dropped', () => {
    const ds = importDataset(MRPC, {
      format: 'tsv',
      textColumn: '#1 String',
      textPairColumn: '#2 String',
      labelColumn: 'Quality'
    });
    expect(ds.examples).toHaveLength(2);
    expect(ds.examples[0].textPair).toContain('" the witness "');
    expect(ds.examples[1].label).toBe('0');
    expect(listColumns(MRPC, { format: 'tsv' })).toEqual(['Quality', '#1 ID', '#2 ID', '#1 String', '#2 String']);
  });

  it('reads a header-less TSV (CoLA layout) by column position', () => {
    const cola = 'gj04\t1\t\tOur friends won\'t buy this analysis, let alone the next one we propose.\ngj04\t0\t*\tOne more pseudo generalization and I\'m giving up.\n';
    const ds = importDataset(cola, { format: 'tsv', hasHeader: false, textColumn: '3', labelColumn: '1', attributeColumns: ['0'] });
    expect(ds.examples.map((e) => e.label)).toEqual(['1', '0']);
    expect(ds.examples[0].attrs).toEqual({ '0': 'gj04' });
  });

  it('rejects a row with the wrong number of fields, naming the line', () => {
    const bad = SST2.replace('contains no wit , only labored gags \t0', 'contains no wit \t only labored gags \t0');
    expectImportError(bad, tsv(), 'field-count', 3, /expected 2 fields \(as in the header\), found 3/);
    // A quote does not protect a tab in TSV (GLUE reads with quotechar=None).
    expectImportError('sentence\tlabel\n"a\tb"\t1\n', tsv(), 'field-count', 2, /found 3/);
  });

  it('rejects a missing column and lists the available ones', () => {
    const err = expectImportError(SST2, tsv({ labelColumn: 'Label' }), 'missing-column', 1, /no label column "Label"/);
    expect(err.message).toContain('available columns: "sentence", "label"');
    expect(err.message).toContain('did you mean "label"?');
    expectImportError(QQP, tsv({ textColumn: 'question1', textPairColumn: 'question3', labelColumn: 'is_duplicate' }), 'missing-column', 1, /no text pair column "question3"; available columns: "id", "qid1", "qid2", "question1", "question2", "is_duplicate"/);
    expectImportError(SST2, tsv({ attributeColumns: ['author'] }), 'missing-column', 1, /no attribute column "author"/);
  });

  it('rejects an empty text and a missing label, naming the line', () => {
    expectImportError('sentence\tlabel\ngood\t1\n   \t0\n', tsv(), 'empty-text', 3, /empty text in column "sentence"/);
    expectImportError('sentence\tlabel\ngood\t1\nbad\t\n', tsv(), 'missing-label', 3, /missing label in column "label"/);
    expectImportError(QQP.replace('How do you control your horniness?', ' '), tsv({ textColumn: 'question1', textPairColumn: 'question2', labelColumn: 'is_duplicate' }), 'empty-text', 3, /empty text in column "question2"/);
  });

  it('names the file in errors and reports a header-only file', () => {
    const err = expectImportError('sentence\tlabel\n', tsv({ fileName: 'dev.tsv' }), 'empty-file', null, /no examples/);
    expect(err.message.startsWith('dev.tsv: ')).toBe(true);
    expectImportError('', tsv(), 'empty-file', null, /empty/);
  });

  it('rejects invalid UTF-8 with its line', () => {
    const bytes = new TextEncoder().encode('sentence\tlabel\ngood\t1\ncaf\u00e9\t0\n');
    const broken = new Uint8Array(bytes.length - 1);
    // Drop the second byte of "é" (0xC3 0xA9) so 0xC3 is followed by a tab.
    const at = bytes.indexOf(0xc3);
    broken.set(bytes.subarray(0, at + 1));
    broken.set(bytes.subarray(at + 2), at + 1);
    expectImportError(broken, tsv(), 'invalid-utf8', 3, /invalid UTF-8 at byte 25 /);
    // The same bytes, intact, read fine (ArrayBuffer input too).
    expect(importDataset(bytes.buffer as ArrayBuffer, tsv()).examples[1].text).toBe('café');
  });
});

// --- CSV ----------------------------------------------------------------------------------

describe('RFC 4180 CSV', () => {
  const csv = (o: Partial<ImportOptions> = {}): ImportOptions => ({
    format: 'csv',
    textColumn: 'review text',
    labelColumn: 'stars',
    attributeColumns: ['author'],
    ...o
  });

  it('parses quoted commas, doubled quotes, embedded newlines and literal mid-field quotes', () => {
    const records = parseCsvRecords(CSV);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 4, 7, 8]);
    expect(records[1].fields).toEqual(['1', 'Great, would buy again', 'pos', 'alice']);
    expect(records[2].fields[1]).toBe('He said "meh" and left');
    expect(records[3].fields).toEqual(['3', 'Line one\r\nline two\nline three', 'pos', '']);
    expect(records[4].fields[1]).toBe('plain text with a "quote" inside');
    expect(records[5].fields).toEqual(['5', '', 'neg', 'erin']);
  });

  it('imports up to the first bad record and reports the empty text at its line', () => {
    // Record 5 has an empty quoted text and starts on line 8 (record 3 spans lines 4-6).
    expectImportError(CSV, csv(), 'empty-text', 8, /empty text in column "review text"/);
    const ds = importDataset(CSV.slice(0, CSV.lastIndexOf('\r\n')), csv());
    expect(ds.examples).toHaveLength(4);
    expect(ds.examples[2]).toEqual({ text: 'Line one\r\nline two\nline three', label: 'pos', attrs: { author: '' } });
    expect(ds.labels).toEqual(['neg', 'pos']);
  });

  it('rejects an unterminated quote at the line where it opened', () => {
    const bad = 'text,label\nfine,1\n"starts here\nand never,0\ncloses,1\n';
    expectImportError(bad, { format: 'csv', textColumn: 'text', labelColumn: 'label' }, 'unterminated-quote', 3, /quote opened at line 3, column 1 never closes/);
  });

  it('rejects text after a closing quote', () => {
    const bad = 'text,label\n"fine",1\n"he said "hi" ok",0\n';
    expectImportError(bad, { format: 'csv', textColumn: 'text', labelColumn: 'label' }, 'bad-quote', 3, /unexpected character "h" after the closing quote of field 1/);
  });

  it('counts lines through multi-line fields when reporting a wrong field count', () => {
    const bad = 'text,label\n"two\nlines",1\nthree,fields,0\n';
    expectImportError(bad, { format: 'csv', textColumn: 'text', labelColumn: 'label' }, 'field-count', 4, /expected 2 fields \(as in the header\), found 3/);
  });

  it('rejects a missing label with its line', () => {
    expectImportError('text,label\nok,1\nno label,\n', { format: 'csv', textColumn: 'text', labelColumn: 'label' }, 'missing-label', 3, /missing label in column "label"/);
  });
});

// --- JSONL ---------------------------------------------------------------------------------

describe('JSONL', () => {
  const jl = (o: Partial<ImportOptions> = {}): ImportOptions => ({
    format: 'jsonl',
    textColumn: 'text',
    labelColumn: 'label',
    attributeColumns: ['meta.author', 'meta.year'],
    ...o
  });

  it('reads objects, dotted paths, non-string labels and null attributes', () => {
    const ds = importDataset(JSONL, jl());
    expect(ds.examples).toEqual([
      { text: 'I loved it', label: 'pos', attrs: { 'meta.author': 'alice', 'meta.year': '2020' } },
      { text: 'Not for me', label: '0', attrs: { 'meta.author': 'bob', 'meta.year': '' } },
      { text: 'Fine "ok"', label: 'true', attrs: { 'meta.author': 'carol', 'meta.year': '2021' } }
    ]);
    expect(ds.labels).toEqual(['0', 'pos', 'true']);
    expect(listColumns(JSONL, { format: 'jsonl' })).toEqual(['text', 'label', 'meta.author', 'meta.year']);
  });

  it('reports invalid JSON with the line and the parser message', () => {
    const bad = '{"text": "a", "label": "x"}\n\n{"text": "b", "label": }\n';
    const err = expectImportError(bad, jl({ attributeColumns: [] }), 'invalid-json', 3, /invalid JSON: /);
    let parserMessage = '';
    try {
      JSON.parse('{"text": "b", "label": }');
    } catch (e) {
      parserMessage = (e as Error).message;
    }
    expect(err.message).toContain(parserMessage);
  });

  it('rejects non-objects, missing fields (listing the available ones), empty text and missing labels', () => {
    expectImportError('{"text":"a","label":"x"}\n["text","y"]\n', jl({ attributeColumns: [] }), 'not-object', 2, /expected a JSON object, found an array/);
    const err = expectImportError('{"text":"a","label":"x","meta":{"author":"z"}}\n{"body":"b","label":"y"}\n', jl({ attributeColumns: [] }), 'missing-column', 2, /no text field "text"/);
    expect(err.message).toContain('available fields: "body", "label"');
    expectImportError('{"text":"a","label":"x","meta":{"author":"z"}}\n', jl(), 'missing-column', 1, /no attribute field "meta.year"; available fields: "text", "label", "meta.author"/);
    expectImportError('{"text":"  ","label":"x"}\n', jl({ attributeColumns: [] }), 'empty-text', 1, /empty text in field "text"/);
    expectImportError('{"text":"a","label":"x"}\n{"text":"b","label":null}\n', jl({ attributeColumns: [] }), 'missing-label', 2, /missing label/);
    expectImportError('{"text":"a"}\n', jl({ attributeColumns: [] }), 'missing-label', 1, /missing label in field "label"/);
    expectImportError('{"text":["a"],"label":"x"}\n', jl({ attributeColumns: [] }), 'bad-value', 1, /text field "text" is an array/);
  });

  it('reads the built-in datasets\' line format', () => {
    const line = '{"text":"We shall go on.","label":"Republican","attrs":{"president":"Abraham Lincoln","era":"1829-1899"}}\n';
    const ds = importDataset(line, jl({ attributeColumns: ['attrs.president', 'attrs.era'] }));
    expect(ds.examples[0].attrs['attrs.president']).toBe('Abraham Lincoln');
  });
});

// --- Size limit, options, immutability ---------------------------------------------------------

describe('limits and state', () => {
  it('refuses a file over the size limit, stating the limit', () => {
    const err = expectImportError(SST2, tsv({ maxBytes: 100 }), 'too-large', null, /over the limit of 100 bytes/);
    expect(err.message).toMatch(new RegExp(`file is ${new TextEncoder().encode(SST2).length} bytes`));
    // Multi-byte characters count as bytes, not UTF-16 units.
    const accents = 'sentence\tlabel\n' + 'é'.repeat(60) + '\t1\n';
    expect(accents.length).toBeLessThan(100);
    expectImportError(accents, tsv({ maxBytes: 100 }), 'too-large', null, /file is 138 bytes, over the limit of 100 bytes/);
    // Byte input is refused before decoding.
    expectImportError(new Uint8Array(101), tsv({ maxBytes: 100 }), 'too-large', null, /file is 101 bytes/);
  });

  it('defaults to 50 MB', () => {
    expect(DEFAULT_MAX_BYTES).toBe(50_000_000);
    expectImportError(new Uint8Array(DEFAULT_MAX_BYTES + 1), tsv(), 'too-large', null, /file is 50,000,001 bytes, over the limit of 50,000,000 bytes \(50 MB\)/);
    expect(() => checkSize(DEFAULT_MAX_BYTES)).not.toThrow();
    expect(() => checkSize(DEFAULT_MAX_BYTES + 1, undefined, 'big.csv')).toThrow(/^big\.csv: file is 50,000,001 bytes/);
  });

  it('rejects bad options', () => {
    expectImportError(SST2, { ...tsv(), format: 'xml' as never }, 'bad-options', null, /unknown format "xml"/);
    expectImportError(SST2, tsv({ textColumn: '' }), 'bad-options', null, /textColumn is required/);
    expectImportError(SST2, tsv({ attributeColumns: ['a', 'a'] }), 'bad-options', null, /duplicates/);
    expectImportError(SST2, tsv({ maxBytes: -1 }), 'bad-options', null, /maxBytes/);
  });

  it('returns new objects and leaves what was loaded before untouched on failure', () => {
    const options = Object.freeze(tsv({ attributeColumns: Object.freeze([]) as unknown as string[] }));
    const first = importDataset(SST2, options);
    const snapshot = structuredClone(first);
    const second = importDataset(SST2, options);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(second.examples[0]).not.toBe(first.examples[0]);
    const failed = tryImportDataset('sentence\tlabel\nx\n', options);
    expect(failed.ok).toBe(false);
    if (!failed.ok) {
      expect(failed.error.problem).toBe('field-count');
      expect(failed.error.line).toBe(2);
    }
    expect(first).toEqual(snapshot);
    const ok = tryImportDataset(SST2, options);
    expect(ok.ok && ok.dataset.examples.length).toBe(5);
  });

  it('infers the format from a file name', () => {
    expect(formatFromFileName('train.tsv')).toBe('tsv');
    expect(formatFromFileName('data.CSV')).toBe('csv');
    expect(formatFromFileName('x.ndjson')).toBe('jsonl');
    expect(formatFromFileName('notes.txt')).toBeNull();
  });
});

// --- Splits ----------------------------------------------------------------------------------

describe('seeded splits of imported data', () => {
  const make = (n: number): Dataset => ({
    name: 'toy',
    labels: ['a', 'b'],
    attributes: ['doc'],
    examples: Array.from({ length: n }, (_, i) => ({
      text: `example ${i}`,
      label: i % 4 === 0 ? 'b' : 'a',
      attrs: { doc: `d${Math.floor(i / 5)}` }
    }))
  });

  it('is deterministic for a seed, stratified, disjoint and complete', () => {
    const ds = make(400);
    const before = structuredClone(ds);
    const s1 = splitDataset(ds, { seed: 7 });
    const s2 = splitDataset(ds, { seed: 7 });
    const s3 = splitDataset(ds, { seed: 8 });
    expect(s1).toEqual(s2);
    expect(s3.splits.test.examples).not.toEqual(s1.splits.test.examples);
    expect(ds).toEqual(before);
    const sizes = [s1.splits.train, s1.splits.dev, s1.splits.test].map((d) => d.examples.length);
    expect(sizes).toEqual([320, 40, 40]);
    for (const part of [s1.splits.dev, s1.splits.test]) {
      expect(part.examples.filter((e) => e.label === 'b').length).toBe(10); // 25% of 40
    }
    const texts = [s1.splits.train, s1.splits.dev, s1.splits.test].flatMap((d) => d.examples.map((e) => e.text));
    expect(new Set(texts).size).toBe(400);
  });

  it('keeps groups together with groupBy', () => {
    const s = splitDataset(make(400), { seed: 3, groupBy: 'doc' });
    const docsIn = (d: Dataset): Set<string> => new Set(d.examples.map((e) => e.attrs.doc));
    const train = docsIn(s.splits.train);
    const dev = docsIn(s.splits.dev);
    const test = docsIn(s.splits.test);
    expect([...dev].filter((d) => train.has(d) || test.has(d))).toEqual([]);
    expect([...test].filter((d) => train.has(d))).toEqual([]);
    expect(dev.size).toBe(8);
    expect(test.size).toBe(8);
    expect(() => splitDataset(make(10), { seed: 1, groupBy: 'nope' })).toThrow(/no attribute "nope"; available attributes: doc/);
  });

  it('splits by a split column, dropping it from the attributes', () => {
    const ds = importDataset('text,label,split\na,1,train\nb,0,validation\nc,1,TEST\n', {
      format: 'csv',
      textColumn: 'text',
      labelColumn: 'label',
      attributeColumns: ['split']
    });
    const s = splitByColumn(ds, 'split');
    expect(s.attributes).toEqual([]);
    expect(s.splits.dev.examples).toEqual([{ text: 'b', label: '0', attrs: {} }]);
    expect(s.splits.test.examples[0].text).toBe('c');
    const bad = importDataset('text,label,split\na,1,holdout\n', { format: 'csv', textColumn: 'text', labelColumn: 'label', attributeColumns: ['split'] });
    expect(() => splitByColumn(bad, 'split')).toThrow(/unrecognised value\(s\) "holdout"/);
  });

  it('systematic assignment hits the fractions within one', () => {
    for (const n of [1, 7, 10, 99, 1000]) {
      const a = systematicAssign(n, [0.8, 0.1, 0.1], new SeededRandom(n));
      const dev = a.filter((x) => x === 'dev').length;
      const test = a.filter((x) => x === 'test').length;
      expect(Math.abs(dev - n * 0.1), `n=${n} dev=${dev}`).toBeLessThanOrEqual(1);
      expect(Math.abs(test - n * 0.1), `n=${n} test=${test}`).toBeLessThanOrEqual(1);
    }
  });
});
