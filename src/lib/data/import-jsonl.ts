/**
 * JSON Lines: one JSON object per line. Columns are keys, or dotted paths into nested
 * objects ("attrs.president", which also reads the built-in datasets' files). Text must be
 * a string; labels and attributes may be strings, numbers or booleans (stored as strings);
 * an attribute that is null becomes "". Blank lines are skipped; \r\n line ends are fine.
 */
import type { Dataset, Example } from './types';
import {
  DEFAULT_MAX_BYTES,
  ImportError,
  decodeInput,
  finishDataset,
  type ImportInput,
  type ImportOptions
} from './import-common';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Looks `path` up as a key first, then as a dotted path. */
export function lookup(obj: Record<string, Json>, path: string): Json | undefined {
  if (Object.prototype.hasOwnProperty.call(obj, path)) return obj[path];
  if (!path.includes('.')) return undefined;
  let cur: Json | undefined = obj;
  for (const part of path.split('.')) {
    if (!isObject(cur) || !Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Keys of an object, with nested objects' keys as dotted paths (for listing available fields). */
export function fieldPaths(obj: Record<string, Json>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (isObject(v)) out.push(...fieldPaths(v, `${prefix}${k}.`));
    else out.push(`${prefix}${k}`);
  }
  return out;
}

/** Parses each non-blank line; errors carry the line number and the JSON parser's message. */
export function parseJsonlObjects(text: string, fileName?: string): { value: Record<string, Json>; line: number }[] {
  const out: { value: Record<string, Json>; line: number }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new ImportError('invalid-json', i + 1, `invalid JSON: ${(e as Error).message}`, fileName);
    }
    if (!isObject(v)) {
      const kind = Array.isArray(v) ? 'an array' : v === null ? 'null' : `a ${typeof v}`;
      throw new ImportError('not-object', i + 1, `expected a JSON object, found ${kind}`, fileName);
    }
    out.push({ value: v, line: i + 1 });
  }
  return out;
}

/** Imports a JSON Lines file. */
export function importJsonl(input: ImportInput, options: ImportOptions): Dataset {
  const text = decodeInput(input, options.maxBytes ?? DEFAULT_MAX_BYTES, options.fileName);
  const fileName = options.fileName;
  const examples: Example[] = [];
  for (const { value, line } of parseJsonlObjects(text, fileName)) {
    const field = (path: string, role: string): Json => {
      const v = lookup(value, path);
      if (v === undefined) {
        const available = fieldPaths(value).map((k) => JSON.stringify(k)).join(', ') || '(none)';
        throw new ImportError('missing-column', line, `no ${role} field ${JSON.stringify(path)}; available fields: ${available}`, fileName);
      }
      return v;
    };
    const scalar = (v: Json, path: string, role: string): string | null => {
      if (v === null) return null;
      if (typeof v === 'string') return v.trim();
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      throw new ImportError('bad-value', line, `${role} field ${JSON.stringify(path)} is ${Array.isArray(v) ? 'an array' : 'an object'}, expected a string, number or boolean`, fileName);
    };
    const textOf = (path: string): string => {
      const v = field(path, 'text');
      if (typeof v !== 'string') {
        if (v === null) throw new ImportError('empty-text', line, `empty text in field ${JSON.stringify(path)} (null)`, fileName);
        throw new ImportError('bad-value', line, `text field ${JSON.stringify(path)} is ${Array.isArray(v) ? 'an array' : typeof v}, expected a string`, fileName);
      }
      const t = v.trim();
      if (t === '') throw new ImportError('empty-text', line, `empty text in field ${JSON.stringify(path)}`, fileName);
      return t;
    };
    const text = textOf(options.textColumn);
    const labelValue = lookup(value, options.labelColumn);
    const label = labelValue === undefined ? null : scalar(labelValue, options.labelColumn, 'label');
    if (label === null || label === '') {
      throw new ImportError('missing-label', line, `missing label in field ${JSON.stringify(options.labelColumn)}`, fileName);
    }
    const attrs: Record<string, string> = {};
    for (const a of options.attributeColumns ?? []) attrs[a] = scalar(field(a, 'attribute'), a, 'attribute') ?? '';
    const ex: Example = { text, label, attrs };
    if (options.textPairColumn !== undefined) ex.textPair = textOf(options.textPairColumn);
    examples.push(ex);
  }
  return finishDataset(examples, options);
}
