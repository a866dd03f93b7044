// Records, in the page, every message the page posts to the SERVICE worker (the Worker created
// with name "rapt-service"), before it is posted: typed arrays as plain arrays, File objects as
// { file: name }, message ports as {}. The tests search it for raw text: what the page hands the
// service is all the service can ever see. Install with recordServiceMessages(page) before goto.
import type { Page } from '@playwright/test';

export async function recordServiceMessages(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const sent: unknown[] = [];
    (window as unknown as { __toService: unknown[] }).__toService = sent;
    const names = new WeakMap<Worker, string>();
    const Native = window.Worker;
    class Named extends Native {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        names.set(this, options?.name ?? '');
      }
    }
    window.Worker = Named;
    const post = Native.prototype.postMessage as (this: Worker, ...args: unknown[]) => void;
    Native.prototype.postMessage = function (this: Worker, ...args: unknown[]) {
      if (names.get(this) === 'rapt-service') {
        const copy = JSON.stringify(args[0], (_k, v: unknown) =>
          ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v instanceof File ? { file: v.name } : v
        );
        sent.push(copy === undefined ? null : JSON.parse(copy));
      }
      post.apply(this, args);
    } as Worker['postMessage'];
  });
}

/** Everything recorded so far. */
export function serviceMessages(page: Page): Promise<unknown[]> {
  return page.evaluate(() => (window as unknown as { __toService: unknown[] }).__toService);
}

/** Every string value (not key) in v. */
export function stringValues(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringValues(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) stringValues(x, out);
  return out;
}

/** Every 4-character piece of the words of `text` longer than 3 characters, lowercased. */
export function rawPieces(text: string): string[] {
  const pieces = new Set<string>();
  for (const w of text.toLowerCase().split(/[^a-z0-9]+/).filter((x) => x.length > 3))
    for (let i = 0; i + 4 <= w.length; i++) pieces.add(w.slice(i, i + 4));
  return [...pieces];
}
