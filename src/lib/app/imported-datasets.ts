// The datasets the user imported on the Models / Data page, kept in IndexedDB (store "datasets")
// by name, with the options they were imported with and their validation report. The Train page
// lists them and reads the one it trains on. Browser only.

import { importStore } from './idb-store';
import type { Dataset } from '$lib/data/types';
import type { ImportOptions } from '$lib/data/import';
import type { ImportReport } from '$lib/data/import-report';

export interface StoredDataset {
  name: string;
  fileName: string;
  fileBytes: number;
  options: ImportOptions;
  dataset: Dataset;
  report: ImportReport;
  importedAt: string;
}

const store = importStore<StoredDataset>('datasets');

export async function listImportedDatasets(): Promise<StoredDataset[]> {
  return (await store.list()).map((e) => e.value).sort((a, b) => (a.importedAt < b.importedAt ? -1 : 1));
}

export async function saveImportedDataset(d: StoredDataset): Promise<void> {
  await store.put(d.name, d);
}

export async function deleteImportedDataset(name: string): Promise<void> {
  await store.delete(name);
}

/** The imported dataset `name`, or undefined when this browser has none of that name. */
export async function getImportedDataset(name: string): Promise<StoredDataset | undefined> {
  return store.get(name);
}
