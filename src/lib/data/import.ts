/**
 * Import the user's own data: dispatches on the format (GLUE-style TSV, RFC 4180 CSV, JSON
 * Lines). Pure: returns a new `Dataset` or throws an `ImportError` naming the line and the
 * problem; nothing else is touched, so whatever was loaded before stays as it was.
 *
 *   const ds = importDataset(fileText, { format: 'tsv', textColumn: 'sentence', labelColumn: 'label' });
 *
 * Browser-safe. For a `File`, call `checkSize(file.size, maxBytes)` before reading it.
 */
import type { Dataset } from './types';
import {
  DEFAULT_MAX_BYTES,
  ImportError,
  checkOptions,
  decodeInput,
  type ImportFormat,
  type ImportInput,
  type ImportOptions
} from './import-common';
import { importTsv, parseTsv } from './import-tsv';
import { importCsv, parseCsv } from './import-csv';
import { fieldPaths, importJsonl, parseJsonlObjects } from './import-jsonl';

export { DEFAULT_MAX_BYTES, ImportError, checkSize } from './import-common';
export type { ImportFormat, ImportInput, ImportOptions, ImportProblem } from './import-common';

export function importDataset(input: ImportInput, options: ImportOptions): Dataset {
  checkOptions(options);
  switch (options.format) {
    case 'tsv':
      return importTsv(input, options);
    case 'csv':
      return importCsv(input, options);
    case 'jsonl':
      return importJsonl(input, options);
  }
}

export type ImportResult = { ok: true; dataset: Dataset } | { ok: false; error: ImportError };

/** Like `importDataset`, but returns the error instead of throwing (for UI code). */
export function tryImportDataset(input: ImportInput, options: ImportOptions): ImportResult {
  try {
    return { ok: true, dataset: importDataset(input, options) };
  } catch (e) {
    if (e instanceof ImportError) return { ok: false, error: e };
    throw e;
  }
}

/** The format implied by a file name (.tsv, .csv, .jsonl / .ndjson), or null. */
export function formatFromFileName(fileName: string): ImportFormat | null {
  const m = /\.([a-z0-9]+)$/i.exec(fileName);
  const ext = m ? m[1].toLowerCase() : '';
  if (ext === 'tsv' || ext === 'tab') return 'tsv';
  if (ext === 'csv') return 'csv';
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  return null;
}

/**
 * The column names a file offers (header of a TSV/CSV, keys — dotted for nested objects — of
 * the first JSONL object), so a UI can offer them before importing.
 */
export function listColumns(
  input: ImportInput,
  options: Pick<ImportOptions, 'format' | 'maxBytes' | 'fileName' | 'hasHeader'>
): string[] {
  const text = decodeInput(input, options.maxBytes ?? DEFAULT_MAX_BYTES, options.fileName);
  switch (options.format) {
    case 'tsv':
      return parseTsv(text, options).header;
    case 'csv':
      return parseCsv(text, options).header;
    case 'jsonl': {
      const first = parseJsonlObjects(text.split('\n').find((l) => l.trim() !== '') ?? '', options.fileName)[0];
      return first ? fieldPaths(first.value) : [];
    }
    default:
      throw new ImportError('bad-options', null, `unknown format ${JSON.stringify(options.format)}; expected tsv, csv or jsonl`, options.fileName);
  }
}
