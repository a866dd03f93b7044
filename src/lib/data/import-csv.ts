/**
 * CSV as in RFC 4180: comma-separated fields; a field may be enclosed in double quotes, and
 * then may contain commas, line breaks and doubled quotes ("" for "). Records end at \n,
 * \r\n or \r outside quotes. Lenient where common files are: a quote in the middle of an
 * unquoted field is a literal character, the last record may lack a line break, blank lines
 * are skipped. Strict where silence would corrupt data: a quoted field that never closes,
 * or a closing quote followed by something other than a comma or a line break, is an error
 * naming the line.
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
import type { ParsedTable } from './import-tsv';

/** Parses CSV text into records of fields, each with the 1-based line where it starts. */
export function parseCsvRecords(text: string, fileName?: string, delimiter = ','): RawRecord[] {
  const records: RawRecord[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const recordLine = line;
    const fields: string[] = [];
    // Blank line: skip.
    if (text[i] === '\n' || text[i] === '\r') {
      if (text[i] === '\r' && text[i + 1] === '\n') i++;
      i++;
      line++;
      continue;
    }
    for (;;) {
      // One field starting at i.
      if (text[i] === '"') {
        const openLine = line;
        const openCol = i - lineStart(text, i) + 1;
        i++;
        let value = '';
        let chunkStart = i;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) {
            throw new ImportError(
              'unterminated-quote',
              openLine,
              `unterminated quoted field (the quote opened at line ${openLine}, column ${openCol} never closes)`,
              fileName
            );
          }
          line += countNewlines(text, i, q);
          if (text[q + 1] === '"') {
            value += text.slice(chunkStart, q + 1);
            i = q + 2;
            chunkStart = i;
            continue;
          }
          value += text.slice(chunkStart, q);
          i = q + 1;
          break;
        }
        fields.push(value);
        const c = text[i];
        if (i < n && c !== delimiter && c !== '\n' && c !== '\r') {
          throw new ImportError(
            'bad-quote',
            line,
            `unexpected character ${JSON.stringify(c)} after the closing quote of field ${fields.length} (a quote inside a quoted field must be doubled: "")`,
            fileName
          );
        }
      } else {
        let j = i;
        while (j < n && text[j] !== delimiter && text[j] !== '\n' && text[j] !== '\r') j++;
        fields.push(text.slice(i, j));
        i = j;
      }
      // After a field: delimiter → next field; newline or end → end of record.
      if (i < n && text[i] === delimiter) {
        i++;
        continue;
      }
      if (i < n && text[i] === '\r') i++;
      if (i < n && text[i] === '\n') i++;
      line++;
      break;
    }
    records.push({ fields, line: recordLine });
  }
  return records;
}

function lineStart(text: string, i: number): number {
  const a = text.lastIndexOf('\n', i - 1);
  const b = text.lastIndexOf('\r', i - 1);
  return Math.max(a, b) + 1;
}

function countNewlines(text: string, from: number, to: number): number {
  let k = 0;
  for (let p = from; p < to; p++) {
    const c = text.charCodeAt(p);
    if (c === 10) k++;
    else if (c === 13 && text.charCodeAt(p + 1) !== 10) k++;
  }
  return k;
}

/** Header and records of a CSV text. */
export function parseCsv(text: string, options: Pick<ImportOptions, 'hasHeader' | 'fileName'> = {}): ParsedTable {
  const records = parseCsvRecords(text, options.fileName);
  if (records.length === 0) throw new ImportError('empty-file', null, 'the file is empty', options.fileName);
  if (options.hasHeader === false) {
    return { header: records[0].fields.map((_, k) => String(k)), headerLine: records[0].line, records };
  }
  const [first, ...rest] = records;
  return { header: first.fields.map((f) => f.trim()), headerLine: first.line, records: rest };
}

/** Imports an RFC 4180 CSV file. */
export function importCsv(input: ImportInput, options: ImportOptions): Dataset {
  const text = decodeInput(input, options.maxBytes ?? DEFAULT_MAX_BYTES, options.fileName);
  const { header, headerLine, records } = parseCsv(text, options);
  return recordsToDataset(header, headerLine, records, options);
}
