// The picked-files list on the home page: one row per picked file, which of them the loader reads,
// and how far each has been read (from the worker's FileLoadProgress reports). GPU-free.

import type { FileLoadProgress } from './service-types';

/** skipped: a file the loader needed but did not get to, because an earlier one failed */
export type FileRowState = 'waiting' | 'reading' | 'read' | 'ignored' | 'skipped' | 'error';

export interface FileRow {
  /** the relative path for a folder pick, else the name */
  path: string;
  name: string;
  size: number;
  state: FileRowState;
  loaded: number;
}

/** Files a Hugging Face BERT folder loader reads; everything else in a folder is left alone. */
export function isModelFile(name: string): boolean {
  return (
    name === 'config.json' ||
    name === 'vocab.txt' ||
    name === 'tokenizer.json' ||
    name === 'model.safetensors.index.json' ||
    name.endsWith('.safetensors')
  );
}

export function relativePath(f: File): string {
  const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath;
  return rel && rel.length > 0 ? rel : f.name;
}

/** The folder's name for a folder pick (the first segment of the relative paths), else null. */
export function pickedFolderName(files: readonly File[]): string | null {
  for (const f of files) {
    const rel = relativePath(f);
    const slash = rel.indexOf('/');
    if (slash > 0) return rel.slice(0, slash);
  }
  return null;
}

export function initialRows(files: readonly File[]): FileRow[] {
  return files.map((f) => ({
    path: relativePath(f),
    name: f.name,
    size: f.size,
    state: isModelFile(f.name) ? 'waiting' : 'ignored',
    loaded: 0
  }));
}

/** Rows after one progress report: the reported file is reading (or read), the ones before it are read. */
export function applyFileProgress(rows: FileRow[], p: FileLoadProgress): FileRow[] {
  if (p.stage !== 'read' || p.file === undefined) return rows;
  const at = rows.findIndex((r) => r.path === p.file);
  if (at < 0) return rows;
  return rows.map((r, i) => {
    if (i === at) {
      const done = p.fileLoaded >= p.fileSize;
      return { ...r, loaded: p.fileLoaded, state: done ? 'read' : 'reading' };
    }
    // Anything that was reading finished before the next file started.
    if (r.state === 'reading') return { ...r, loaded: r.size, state: 'read' };
    return r;
  });
}

/**
 * Rows after the load ended: on success every model file is read; on failure the file the error
 * is about (ServiceError.file; the weights file when only a tensor is named) is marked.
 */
export function finishRows(rows: FileRow[], ok: boolean, error?: { file?: string; tensor?: string }): FileRow[] {
  if (ok) return rows.map((r) => (r.state === 'ignored' ? r : { ...r, state: 'read', loaded: r.size }));
  const file = error?.file;
  let named = file !== undefined ? rows.find((r) => r.state !== 'ignored' && (r.path === file || r.name === file)) : undefined;
  if (!named && error?.tensor !== undefined) named = rows.find((r) => r.name.endsWith('.safetensors'));
  return rows.map((r) => {
    if (r === named) return { ...r, state: 'error' };
    if (r.state === 'reading' || r.state === 'waiting') return { ...r, state: 'skipped' };
    return r;
  });
}
