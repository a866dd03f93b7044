/**
 * Shared pieces of the importers: options, the error type, the size limit, decoding, and the
 * conversion of parsed rows to a `Dataset`. Browser-safe.
 */
import type { Dataset, Example } from './types';
import { sortedUnique } from './types';

export type ImportFormat = 'tsv' | 'csv' | 'jsonl';

/** 50 MB (decimal megabytes): the default largest file an importer accepts. */
export const DEFAULT_MAX_BYTES = 50_000_000;

export interface ImportOptions {
  format: ImportFormat;
  /** Column (TSV/CSV header name) or field (JSONL key, or dotted path such as "meta.text") with the text. */
  textColumn: string;
  /** Second text of a sentence-pair task (QQP question2, MRPC "#2 String"). */
  textPairColumn?: string;
  labelColumn: string;
  /** Extra columns kept as attributes (e.g. author, era, a split column). */
  attributeColumns?: string[];
  /** Refuse inputs larger than this many bytes (UTF-8). Default DEFAULT_MAX_BYTES. */
  maxBytes?: number;
  /** Dataset name; default: `fileName` without its extension, else "imported". */
  name?: string;
  /** Used in error messages ("reviews.tsv: line 4: ..."). */
  fileName?: string;
  /** TSV/CSV: whether the first row names the columns (default true). Without one, columns are named "0", "1", ... */
  hasHeader?: boolean;
}

export type ImportProblem =
  | 'too-large'
  | 'invalid-utf8'
  | 'empty-file'
  | 'field-count'
  | 'missing-column'
  | 'duplicate-column'
  | 'empty-text'
  | 'missing-label'
  | 'invalid-json'
  | 'not-object'
  | 'bad-value'
  | 'unterminated-quote'
  | 'bad-quote'
  | 'bad-options';

/** An import failure; `line` is 1-based (the line where the offending record starts), null when it concerns the whole file. */
export class ImportError extends Error {
  constructor(
    readonly problem: ImportProblem,
    readonly line: number | null,
    readonly detail: string,
    readonly fileName?: string
  ) {
    super(`${fileName ? `${fileName}: ` : ''}${line === null ? '' : `line ${line}: `}${detail}`);
    this.name = 'ImportError';
  }
}

export type ImportInput = string | Uint8Array | ArrayBuffer;

/** UTF-8 byte length of a string without allocating an encoded copy. */
export function utf8ByteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

function formatBytes(n: number): string {
  return `${n.toLocaleString('en-US')} bytes`;
}

/** Throws a 'too-large' ImportError when `bytes` exceeds `maxBytes`. Usable before reading a File (`file.size`). */
export function checkSize(bytes: number, maxBytes: number = DEFAULT_MAX_BYTES, fileName?: string): void {
  if (bytes > maxBytes) {
    throw new ImportError(
      'too-large',
      null,
      `file is ${formatBytes(bytes)}, over the limit of ${formatBytes(maxBytes)} (${maxBytes / 1e6} MB)`,
      fileName
    );
  }
}

/** Checks the size limit, then decodes bytes as UTF-8 (strict: an invalid byte is an error naming its line) and drops a BOM. */
export function decodeInput(input: ImportInput, maxBytes: number, fileName?: string): string {
  let text: string;
  if (typeof input === 'string') {
    // Every UTF-16 unit is at least one UTF-8 byte: cheap early refusal before counting.
    if (input.length > maxBytes) checkSize(input.length, maxBytes, fileName);
    checkSize(utf8ByteLength(input), maxBytes, fileName);
    text = input;
  } else {
    const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
    checkSize(bytes.byteLength, maxBytes, fileName);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      const { offset, line } = firstInvalidUtf8(bytes);
      throw new ImportError('invalid-utf8', line, `invalid UTF-8 at byte ${offset} (save the file as UTF-8)`, fileName);
    }
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Byte offset and 1-based line of the first invalid UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): { offset: number; line: number } {
  let line = 1;
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c === 0x0a) line++;
    let need = 0;
    let min = 0;
    if (c < 0x80) need = 0;
    else if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return { offset: i, line };
    let cp = need === 0 ? c : c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return { offset: i, line };
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return { offset: i, line };
    i += need + 1;
  }
  return { offset: b.length, line };
}

/** A parsed TSV/CSV record: its fields and the 1-based line where it starts. */
export interface RawRecord {
  fields: string[];
  line: number;
}

export interface ColumnPlan {
  text: number;
  textPair: number | null;
  label: number;
  attrs: { name: string; index: number }[];
}

/** Resolves the requested column names against a header; errors list the available columns. */
export function planColumns(header: string[], options: ImportOptions, headerLine: number): ColumnPlan {
  const available = header.map((h) => JSON.stringify(h)).join(', ');
  const find = (name: string, role: string): number => {
    const hits = header.reduce<number[]>((acc, h, i) => (h === name ? [...acc, i] : acc), []);
    if (hits.length === 0) {
      const near = header.findIndex((h) => h.trim().toLowerCase() === name.trim().toLowerCase());
      const hint = near >= 0 ? ` (did you mean ${JSON.stringify(header[near])}?)` : '';
      throw new ImportError(
        'missing-column',
        headerLine,
        `no ${role} column ${JSON.stringify(name)}${hint}; available columns: ${available}`,
        options.fileName
      );
    }
    if (hits.length > 1) {
      throw new ImportError(
        'duplicate-column',
        headerLine,
        `${role} column ${JSON.stringify(name)} appears ${hits.length} times in the header (columns ${hits.map((i) => i + 1).join(', ')})`,
        options.fileName
      );
    }
    return hits[0];
  };
  return {
    text: find(options.textColumn, 'text'),
    textPair: options.textPairColumn === undefined ? null : find(options.textPairColumn, 'text pair'),
    label: find(options.labelColumn, 'label'),
    attrs: (options.attributeColumns ?? []).map((name) => ({ name, index: find(name, 'attribute') }))
  };
}

/** Validates the option object itself (column names given, limit sane). */
export function checkOptions(options: ImportOptions): void {
  const bad = (msg: string): never => {
    throw new ImportError('bad-options', null, msg, options.fileName);
  };
  if (!options || typeof options !== 'object') bad('options are required');
  if (!['tsv', 'csv', 'jsonl'].includes(options.format)) bad(`unknown format ${JSON.stringify(options.format)}; expected tsv, csv or jsonl`);
  if (typeof options.textColumn !== 'string' || options.textColumn === '') bad('textColumn is required');
  if (typeof options.labelColumn !== 'string' || options.labelColumn === '') bad('labelColumn is required');
  if (options.maxBytes !== undefined && !(Number.isFinite(options.maxBytes) && options.maxBytes > 0)) {
    bad(`maxBytes must be a positive number, got ${options.maxBytes}`);
  }
  const attrs = options.attributeColumns ?? [];
  if (!Array.isArray(attrs) || attrs.some((a) => typeof a !== 'string' || a === '')) bad('attributeColumns must be non-empty strings');
  if (new Set(attrs).size !== attrs.length) bad(`attributeColumns has duplicates: ${attrs.join(', ')}`);
}

/** Builds one example from a record's fields, with the specific error for an empty text or label. */
export function rowToExample(fields: string[], plan: ColumnPlan, options: ImportOptions, line: number, header: string[]): Example {
  const text = fields[plan.text].trim();
  if (text === '') {
    throw new ImportError('empty-text', line, `empty text in column ${JSON.stringify(header[plan.text])}`, options.fileName);
  }
  const label = fields[plan.label].trim();
  if (label === '') {
    throw new ImportError('missing-label', line, `missing label in column ${JSON.stringify(header[plan.label])}`, options.fileName);
  }
  const attrs: Record<string, string> = {};
  for (const a of plan.attrs) attrs[a.name] = fields[a.index].trim();
  const ex: Example = { text, label, attrs };
  if (plan.textPair !== null) {
    const pair = fields[plan.textPair].trim();
    if (pair === '') {
      throw new ImportError('empty-text', line, `empty text in column ${JSON.stringify(header[plan.textPair])}`, options.fileName);
    }
    ex.textPair = pair;
  }
  return ex;
}

export function datasetName(options: ImportOptions): string {
  if (options.name) return options.name;
  if (options.fileName) {
    const base = options.fileName.split(/[\\/]/).pop() ?? options.fileName;
    return base.replace(/\.[^.]+$/, '') || base;
  }
  return 'imported';
}

/** Turns header + records (already split into fields) into a Dataset, checking every record. */
export function recordsToDataset(header: string[], headerLine: number, records: RawRecord[], options: ImportOptions): Dataset {
  const plan = planColumns(header, options, headerLine);
  const examples: Example[] = [];
  for (const r of records) {
    if (r.fields.length !== header.length) {
      throw new ImportError(
        'field-count',
        r.line,
        `expected ${header.length} fields (as in the ${options.hasHeader === false ? 'first row' : 'header'}), found ${r.fields.length}`,
        options.fileName
      );
    }
    examples.push(rowToExample(r.fields, plan, options, r.line, header));
  }
  return finishDataset(examples, options);
}

export function finishDataset(examples: Example[], options: ImportOptions): Dataset {
  if (examples.length === 0) {
    throw new ImportError('empty-file', null, 'no examples found (the file is empty or has only a header)', options.fileName);
  }
  return {
    name: datasetName(options),
    examples,
    labels: sortedUnique(examples.map((e) => e.label)),
    attributes: (options.attributeColumns ?? []).slice()
  };
}
