// fetch() with byte progress, for model files. GPU-free; runs in the worker and on the page.

export class ModelFetchError extends Error {
  override name = 'ModelFetchError';
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number
  ) {
    super(message);
  }
}

export interface ByteProgress {
  loaded: number;
  /** 0 when unknown (no Content-Length, or a compressed response) */
  total: number;
}

/** How often progress is reported at most (the callback crosses a worker boundary). */
const REPORT_EVERY_MS = 50;

async function get(url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new ModelFetchError(`could not fetch ${url}: ${(e as Error).message}`, url);
  }
  if (!res.ok) throw new ModelFetchError(`could not fetch ${url}: HTTP ${res.status} ${res.statusText}`.trim(), url, res.status);
  return res;
}

export async function fetchText(url: string): Promise<string> {
  return (await get(url)).text();
}

/** Like fetchText, but null on HTTP 404 (optional files). */
export async function fetchOptionalText(url: string): Promise<string | null> {
  try {
    return await fetchText(url);
  } catch (e) {
    if (e instanceof ModelFetchError && e.status === 404) return null;
    throw e;
  }
}

/** The whole body as bytes, reporting progress as chunks arrive (first and last report always sent). */
export async function fetchBytes(url: string, onProgress?: (p: ByteProgress) => void): Promise<Uint8Array> {
  const res = await get(url);
  const encoded = (res.headers.get('content-encoding') ?? 'identity') !== 'identity';
  const declared = Number(res.headers.get('content-length') ?? 0);
  let total = !encoded && Number.isFinite(declared) && declared > 0 ? declared : 0;
  onProgress?.({ loaded: 0, total });
  if (!res.body) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    onProgress?.({ loaded: bytes.byteLength, total: bytes.byteLength });
    return bytes;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  let last = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    if (loaded > total) total = 0;
    const now = performance.now();
    if (now - last >= REPORT_EVERY_MS) {
      last = now;
      onProgress?.({ loaded, total });
    }
  }
  if (total > 0 && loaded !== total)
    throw new ModelFetchError(`${url}: received ${loaded} bytes, the server announced ${total} (connection cut?)`, url);
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  onProgress?.({ loaded, total: loaded });
  return out;
}
