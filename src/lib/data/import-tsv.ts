/**
 * GLUE-style TSV: one record per line, fields separated by tabs, a header row naming the
 * columns. Quotes are literal characters: GLUE's own reader uses `csv.reader(f,
 * delimiter="\t", quotechar=None)`, and SST-2 sentences contain unbalanced quotes. A record
 * therefore never spans lines. Examples of the layouts this reads:
 *
 *   SST-2  sentence<TAB>label
 *   QQP    id<TAB>qid1<TAB>qid2<TAB>question1<TAB>question2<TAB>is_duplicate
 *   MRPC   Quality<TAB>#1 ID<TAB>#2 ID<TAB>#1 String<TAB>#2 String
 *
 * Lines may end in \n or \r\n; blank lines are skipped; a UTF-8 BOM is dropped.
 */
import type { Dataset } from './types';
import {
  DEFAULT_MAX_BYTES,
  ImportError,
  decodeInput,
  recordsToDataset,
  type ImportInput,
  type ImportOptions,
  type RawRecord
} from './import-common';

export interface ParsedTable {
  header: string[];
  headerLine: number;
  records: RawRecord[];
}

/** Splits TSV text into the header and the records (no column checks yet). */
export function parseTsv(text: string, options: Pick<ImportOptions, 'hasHeader' | 'fileName'> = {}): ParsedTable {
  const lines = text.split('\n');
  let header: string[] | null = null;
  let headerLine = 0;
  const records: RawRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') continue;
    const fields = line.split('\t');
    if (header === null) {
      headerLine = i + 1;
      if (options.hasHeader === false) {
        header = fields.map((_, k) => String(k));
        records.push({ fields, line: i + 1 });
      } else {
        header = fields.map((f) => f.trim());
      }
      continue;
    }
    records.push({ fields, line: i + 1 });
  }
  if (header === null) throw new ImportError('empty-file', null, 'the file is empty', options.fileName);
  return { header, headerLine, records };
}

/** Imports a GLUE-style TSV file. */
export function importTsv(input: ImportInput, options: ImportOptions): Dataset {
  const text = decodeInput(input, options.maxBytes ?? DEFAULT_MAX_BYTES, options.fileName);
  const { header, headerLine, records } = parseTsv(text, options);
  return recordsToDataset(header, headerLine, records, options);
}
