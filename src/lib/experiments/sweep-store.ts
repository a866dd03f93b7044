// Where a sweep keeps its files: a flat folder of named text files (runs.jsonl, summary.csv, …).
// The CLI uses a real folder (store-node.ts); tests and the browser can use MemoryStore. Browser-safe.

export interface SweepStore {
  /** the file's text, or null when it does not exist */
  read(name: string): Promise<string | null>;
  /** replace the file's contents (whole-file writes: a reader never sees half) */
  write(name: string, text: string): Promise<void>;
  /** add text at the end, creating the file if needed */
  append(name: string, text: string): Promise<void>;
  /** a human-readable location for messages ("out/sweep/runs.jsonl") */
  describe(name: string): string;
}

/** Files in memory (tests, the browser). */
export class MemoryStore implements SweepStore {
  readonly files = new Map<string, string>();
  async read(name: string): Promise<string | null> {
    return this.files.get(name) ?? null;
  }
  async write(name: string, text: string): Promise<void> {
    this.files.set(name, text);
  }
  async append(name: string, text: string): Promise<void> {
    this.files.set(name, (this.files.get(name) ?? '') + text);
  }
  describe(name: string): string {
    return name;
  }
}
