// How the Train page names its model in the form, the URL (`model=`) and a saved run's config:
// a built-in model by its name (static/models/index.json), a model the user checked and kept on
// the Models / Data page (this browser's IndexedDB, ./imported-models.ts) as "imported:<name>" —
// the same prefix as an imported dataset (./dataset-ref.ts), so an imported "rapt-mini" is not the
// built-in one and the reference stays stable across reloads and links. GPU-free and DOM-free.

import { IMPORTED_PREFIX, importedNameOf, importedRef } from './dataset-ref';
import type { ModelSummary } from './model-summary';

export { IMPORTED_PREFIX };

/** A model kept on Models / Data, as the Train page's picker offers it. */
export interface ImportedModelChoice {
  name: string;
  summary: ModelSummary;
  /** kept for this tab only (the browser's storage refused it) */
  sessionOnly?: boolean;
}

/** The reference to the imported model `name`. */
export const importedModelRef: (name: string) => string = importedRef;

/** The imported model's name a reference names, or null for a built-in model. */
export const importedModelNameOf: (ref: string) => string | null = importedNameOf;

/** Why an imported model a link or saved run names is not here, and what to do about it. */
export function missingImportedModelMessage(name: string): string {
  const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
  return `model ${JSON.stringify(shown)} was imported in another browser or deleted; check its folder again on Models / Data`;
}

/** How a run names its model to the user: the built-in name, or the imported name marked as such. */
export function modelDisplayName(ref: string): string {
  const name = importedModelNameOf(ref);
  return name === null ? ref : `${name} (imported)`;
}
