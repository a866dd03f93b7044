// How the Train page names its dataset in the form, the URL (`task=`) and a saved run's config:
// a built-in dataset by its name (static/data/index.json), a dataset the user imported on the
// Models / Data page (kept in this browser's IndexedDB, ./imported-datasets.ts) as
// "imported:<name>". The prefix keeps the two apart (an imported "spam" is not the built-in spam)
// and the reference stable across reloads and links. GPU-free and DOM-free.

export const IMPORTED_PREFIX = 'imported:';

/** A dataset imported on Models / Data, as the Train page's picker offers it. */
export interface ImportedChoice {
  name: string;
  examples: number;
}

/** The reference to the imported dataset `name`. */
export function importedRef(name: string): string {
  return `${IMPORTED_PREFIX}${name}`;
}

/** The imported dataset's name a reference names, or null for a built-in dataset. */
export function importedNameOf(task: string): string | null {
  return task.startsWith(IMPORTED_PREFIX) ? task.slice(IMPORTED_PREFIX.length) : null;
}

/** Why an imported dataset a link or saved run names is not here, and what to do about it. */
export function missingImportedMessage(name: string): string {
  const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
  return `dataset ${JSON.stringify(shown)} was imported in another browser or deleted; import it on Models / Data`;
}

/** The refusal of the clean test split for an imported dataset (it would cross to the service unprivatized). */
export const CLEAN_TEST_IMPORTED =
  'the clean test split is for public built-in data only: with an imported dataset it would send your test texts to the service unprivatized';
