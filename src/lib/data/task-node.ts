// Loading a task for tuning in Node (CLI, sweeps): a built-in dataset by name (static/data,
// files checked against the index's sha256), or the user's TSV/CSV/JSONL file with a seeded
// 80/10/10 split stratified by label (imported-split.ts, shared with the browser's imported datasets).

import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { findBuiltin, loadBuiltin, parseBuiltinIndex, splitFile, verifyBuiltinFile } from './builtin';
import { formatFromFileName, importDataset } from './import';
import { IMPORT_SPLIT_SEED, splitImported } from './imported-split';
import { SPLIT_NAMES, type SplitDataset, type SplitName } from './types';

export interface TaskFileOptions {
  textColumn?: string;
  textPairColumn?: string;
  labelColumn?: string;
  attributeColumns?: string[];
  splitSeed?: number;
}

export async function loadTaskNode(root: string, task: string, o: TaskFileOptions = {}): Promise<SplitDataset> {
  const indexPath = join(root, 'static', 'data', 'index.json');
  const index = parseBuiltinIndex(readFileSync(indexPath, 'utf8'), indexPath);
  if (index.datasets.some((d) => d.name === task)) {
    const entry = findBuiltin(index, task);
    const texts = {} as Record<SplitName, string>;
    for (const split of SPLIT_NAMES) {
      const ref = splitFile(entry, split);
      const bytes = readFileSync(join(root, 'static', 'data', ref.path));
      await verifyBuiltinFile(ref, new Uint8Array(bytes));
      texts[split] = bytes.toString('utf8');
    }
    return loadBuiltin(entry, texts);
  }
  if (!existsSync(task))
    throw new Error(`task "${task}" is neither a built-in dataset (${index.datasets.map((d) => d.name).join(', ')}) nor an existing file`);
  const format = formatFromFileName(task);
  if (!format) throw new Error(`${task}: unknown file type (expected .tsv, .csv, .jsonl)`);
  const ds = importDataset(
    new Uint8Array(readFileSync(task)),
    {
      format,
      fileName: basename(task),
      textColumn: o.textColumn ?? (format === 'jsonl' ? 'text' : 'sentence'),
      textPairColumn: o.textPairColumn,
      labelColumn: o.labelColumn ?? 'label',
      attributeColumns: o.attributeColumns
    }
  );
  return splitImported(ds, o.splitSeed ?? IMPORT_SPLIT_SEED);
}
