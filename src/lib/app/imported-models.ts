// The models the user checked on the Models / Data page, kept in IndexedDB (store "models") by
// name: the files the loaders read, as Blobs (the browser keeps their bytes, not a JSON copy), the
// model's summary and the date. The Train page lists them and hands the one it trains with to both
// workers (the service loads the weights, the client worker the vocabulary and embeddings), as
// Files rebuilt from the Blobs, through the loaders of picked files.
// When the browser's storage refuses a model (full, or no IndexedDB), it is kept in this module for
// the tab's lifetime instead, so it can still be picked on the Train page until a reload. Browser only.

import { importStore } from './idb-store';
import type { ModelSummary } from './model-summary';

export interface StoredModelFile {
  /** the file's name in the model folder (config.json, model.safetensors, …) */
  name: string;
  blob: Blob;
}

export interface StoredModel {
  name: string;
  files: StoredModelFile[];
  summary: ModelSummary;
  importedAt: string;
}

/** A kept model as the pages list it. */
export type KeptModel = StoredModel & { sessionOnly?: boolean };

const store = importStore<StoredModel>('models');
/** models the browser's storage refused: usable until this tab is closed or reloaded */
const sessionOnly = new Map<string, StoredModel>();

function byDate(a: StoredModel, b: StoredModel): number {
  return a.importedAt < b.importedAt ? -1 : a.importedAt > b.importedAt ? 1 : 0;
}

/**
 * Every kept model, oldest first (those kept for this tab only are marked), and the storage's
 * error when it could not be read (the tab's models are listed all the same).
 */
export async function listImportedModels(): Promise<{ models: KeptModel[]; error: string | null }> {
  let stored: StoredModel[] = [];
  let error: string | null = null;
  try {
    stored = (await store.list()).map((e) => e.value);
  } catch (e) {
    error = (e as Error).message;
  }
  const names = new Set(stored.map((m) => m.name));
  const extra = [...sessionOnly.values()].filter((m) => !names.has(m.name)).map((m) => ({ ...m, sessionOnly: true }));
  return { models: [...stored, ...extra].sort(byDate), error };
}

/** Keep `m` in this browser; when the storage refuses it, keep it for this tab and rethrow the storage's error. */
export async function saveImportedModel(m: StoredModel): Promise<void> {
  try {
    await store.put(m.name, m);
    sessionOnly.delete(m.name);
  } catch (e) {
    sessionOnly.set(m.name, m);
    throw e;
  }
}

export async function deleteImportedModel(name: string): Promise<void> {
  sessionOnly.delete(name);
  await store.delete(name);
}

/** The kept model `name` (this tab's first), or undefined when this browser has none of that name. */
export async function getImportedModel(name: string): Promise<StoredModel | undefined> {
  return sessionOnly.get(name) ?? (await store.get(name));
}

/** A kept model's files as the loaders of picked files take them (Files named as in the folder; no bytes copied). */
export function filesOf(m: StoredModel): File[] {
  return m.files.map((f) => (f.blob instanceof File && f.blob.name === f.name ? f.blob : new File([f.blob], f.name)));
}
