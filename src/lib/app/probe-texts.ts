// Training texts for the in-browser pretraining check: the first N texts of a built-in dataset's
// train split (static/data/<name>/train.jsonl). The file is streamed and the download stopped as
// soon as N texts are in, so a check never pulls the whole split. GPU-free; runs in the worker.

import { BuiltinDataError, parseBuiltinIndex, splitFile } from '../data/builtin';

export interface ProbeTexts {
  /** the dataset's name, and its train file relative to the data folder */
  dataset: string;
  file: string;
  texts: string[];
}

/** The dataset the check reads unless another is asked for: State of the Union prose. */
export const PREFERRED_PROBE_DATASET = 'sotu-party';

async function get(url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new BuiltinDataError(url, null, `could not be fetched: ${(e as Error).message}`);
  }
  if (!res.ok) throw new BuiltinDataError(url, null, `could not be fetched: HTTP ${res.status} ${res.statusText}`.trim());
  return res;
}

/** The `text` of one JSONL line, or an error naming the file and the line. */
function textOfLine(line: string, url: string, lineNo: number): string {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new BuiltinDataError(url, lineNo, `not valid JSON (${(e as Error).message})`);
  }
  const text = (v as { text?: unknown } | null)?.text;
  if (typeof text !== 'string') throw new BuiltinDataError(url, lineNo, 'has no "text" string');
  return text;
}

/** The `text` fields of the first `count` non-empty lines of a JSONL file, read as a stream. */
export async function readFirstJsonlTexts(url: string, count: number): Promise<string[]> {
  const res = await get(url);
  const texts: string[] = [];
  let lineNo = 0;
  const take = (line: string): void => {
    lineNo++;
    if (line.trim().length > 0 && texts.length < count) texts.push(textOfLine(line, url, lineNo));
  };
  if (!res.body) {
    for (const line of (await res.text()).split('\n')) take(line);
    return texts;
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = '';
  try {
    while (texts.length < count) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += value;
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0 && texts.length < count) {
        take(rest.slice(0, nl));
        rest = rest.slice(nl + 1);
      }
    }
    if (texts.length < count && rest.length > 0) take(rest);
  } finally {
    // Stop the download once we have what we need (no-op when the stream already ended).
    await reader.cancel().catch(() => {});
  }
  return texts;
}

/** The first `count` training texts of a built-in dataset, from the data folder `dataUrl`. */
export async function fetchProbeTexts(dataUrl: string, count: number, dataset?: string): Promise<ProbeTexts> {
  const base = dataUrl.endsWith('/') ? dataUrl : dataUrl + '/';
  const indexUrl = new URL('index.json', base).href;
  const index = parseBuiltinIndex(await (await get(indexUrl)).text(), indexUrl);
  const entry = dataset
    ? index.datasets.find((d) => d.name === dataset)
    : (index.datasets.find((d) => d.name === PREFERRED_PROBE_DATASET) ?? index.datasets[0]);
  if (!entry) {
    const names = index.datasets.map((d) => d.name).join(', ') || 'none';
    throw new BuiltinDataError(indexUrl, null, dataset ? `has no dataset "${dataset}" (it lists: ${names})` : 'lists no datasets');
  }
  const file = splitFile(entry, 'train').path;
  const url = new URL(file, base).href;
  const texts = await readFirstJsonlTexts(url, count);
  if (texts.length === 0) throw new BuiltinDataError(url, null, 'holds no texts');
  return { dataset: entry.name, file, texts };
}
