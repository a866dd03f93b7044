// A SweepStore on a folder in Node: whole-file writes go to a temporary file that is then renamed
// over the target (atomic on POSIX), appends use appendFile. The folder is created on first use.

import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SweepStore } from './sweep-store';

export class DirStore implements SweepStore {
  private ready: Promise<unknown> | null = null;
  constructor(readonly dir: string) {}

  private ensure(): Promise<unknown> {
    return (this.ready ??= mkdir(this.dir, { recursive: true }));
  }

  async read(name: string): Promise<string | null> {
    try {
      return await readFile(join(this.dir, name), 'utf8');
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return null;
      throw e;
    }
  }

  async write(name: string, text: string): Promise<void> {
    await this.ensure();
    const path = join(this.dir, name);
    const tmp = `${path}.tmp-${process.pid}`;
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, path);
  }

  async append(name: string, text: string): Promise<void> {
    await this.ensure();
    await appendFile(join(this.dir, name), text, 'utf8');
  }

  describe(name: string): string {
    return join(this.dir, name);
  }
}
