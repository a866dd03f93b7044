// Fetches one built-in dataset from the site's data folder (static/data/): index.json, then its
// train/dev/test JSONL files, each checked against the index's sha256, parsed by builtin.ts.
// Used by the client worker (the one place that may hold the examples' raw text). Browser-safe.

import { BuiltinDataError, findBuiltin, loadBuiltin, parseBuiltinIndex, splitFile, verifyBuiltinFile } from './builtin';
import type { SplitDataset, SplitName } from './types';
import { SPLIT_NAMES } from './types';

async function text(url: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new BuiltinDataError(url, null, `could not be fetched: ${(e as Error).message}`);
  }
  if (!res.ok) throw new BuiltinDataError(url, null, `could not be fetched: HTTP ${res.status} ${res.statusText}`.trim());
  return res.text();
}

/** The names of the built-in datasets listed in `${dataUrl}index.json`. */
export async function fetchBuiltinNames(dataUrl: string): Promise<string[]> {
  const base = dataUrl.endsWith('/') ? dataUrl : dataUrl + '/';
  return parseBuiltinIndex(await text(new URL('index.json', base).href), 'data/index.json').datasets.map((d) => d.name);
}

/** The dataset `name` from the data folder at `dataUrl` (all three splits, verified). */
export async function fetchBuiltinDataset(dataUrl: string, name: string): Promise<SplitDataset> {
  const base = dataUrl.endsWith('/') ? dataUrl : dataUrl + '/';
  const index = parseBuiltinIndex(await text(new URL('index.json', base).href), 'data/index.json');
  const entry = findBuiltin(index, name);
  const texts = {} as Record<SplitName, string>;
  await Promise.all(
    SPLIT_NAMES.map(async (s) => {
      const ref = splitFile(entry, s);
      const t = await text(new URL(ref.path, base).href);
      await verifyBuiltinFile(ref, t);
      texts[s] = t;
    })
  );
  return loadBuiltin(entry, texts);
}
