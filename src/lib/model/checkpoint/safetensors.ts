// safetensors reader and writer (browser-safe: no Node built-ins).
//
// Format (https://github.com/huggingface/safetensors, README "Format"):
//   bytes [0, 8)        N, the header length, unsigned 64-bit little-endian
//   bytes [8, 8+N)      UTF-8 JSON object: { "<tensor name>": { "dtype": "F32", "shape": [2, 3],
//                       "data_offsets": [begin, end] }, ..., "__metadata__": { "<key>": "<string>" } }
//                       (the reference writer pads it with spaces to a multiple of 8 bytes)
//   bytes [8+N, EOF)    the data section; offsets are relative to its start, little-endian values
//
// Validation follows the reference implementation (safetensors/src/tensor.rs `read_metadata` and
// `Metadata::validate`): header at most 100 MB and inside the file, valid UTF-8 JSON object, every
// tensor's byte range equal to shape × dtype size, ranges that tile the data section with no gaps
// or overlaps, and the last range ending exactly at the end of the file. Every error names the
// source (file name when known), the tensor and the numbers involved.
//
// On load, floating-point tensors (F64, F32, F16, BF16) become Float32Array and integer tensors
// (I64, I32, I16, I8, U8, U16, U32, BOOL) become Int32Array (a value outside the int32 range is an
// error naming the tensor and the element). F8 types parse but cannot be decoded.

/** Every dtype the safetensors format defines, with its size in bytes. */
export const SAFETENSORS_DTYPE_SIZES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8
} as const;

export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPE_SIZES;

/** Largest header the reference implementation accepts (MAX_HEADER_SIZE in tensor.rs). */
export const MAX_HEADER_BYTES = 100_000_000;

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
  constructor(
    message: string,
    /** file name (or 'safetensors' when unknown) */
    readonly source: string,
    /** the tensor the problem is about, when there is one */
    readonly tensor?: string
  ) {
    super(message);
  }
}

/** One entry of the header. `begin`/`end` are offsets into the data section. */
export interface SafetensorsTensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** tensors in data-offset order */
  tensors: SafetensorsTensorInfo[];
  /** the `__metadata__` map, or null when absent */
  metadata: Record<string, string> | null;
  /** N, the JSON header length in bytes */
  headerLength: number;
  /** file offset of the data section (8 + N) */
  dataStart: number;
  /** byte length of the data section */
  dataLength: number;
}

/** A tensor after decoding: floats as Float32Array, integers as Int32Array. */
export interface LoadedTensor {
  /** the dtype stored in the file */
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface SafetensorsContents {
  metadata: Record<string, string> | null;
  tensors: Record<string, LoadedTensor>;
}

export interface ReadOptions {
  /** used in error messages, e.g. the file name */
  source?: string;
}

// ---------------------------------------------------------------------------------------------
// Header

function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(SAFETENSORS_DTYPE_SIZES, value);
}

/**
 * Reads N, the header length, from the first 8 bytes and checks it against the file size.
 * Returns N as a number.
 */
export function readHeaderLength(first8: Uint8Array, fileSize: number, source = 'safetensors'): number {
  if (fileSize < 8 || first8.byteLength < 8) {
    throw new SafetensorsError(
      `${source}: file is ${fileSize} bytes, shorter than the 8-byte header length field`,
      source
    );
  }
  const view = new DataView(first8.buffer, first8.byteOffset, 8);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const n = high * 2 ** 32 + low;
  if (high >= 2 ** 21 || n > MAX_HEADER_BYTES) {
    throw new SafetensorsError(
      `${source}: header length ${high >= 2 ** 21 ? `${BigInt(high) * 2n ** 32n + BigInt(low)}` : n} bytes ` +
        `exceeds the ${MAX_HEADER_BYTES}-byte limit (is this a safetensors file?)`,
      source
    );
  }
  if (8 + n > fileSize) {
    throw new SafetensorsError(
      `${source}: header length ${n} bytes runs past the end of the file ` +
        `(8 + ${n} = ${8 + n} > file size ${fileSize} bytes)`,
      source
    );
  }
  return n;
}

/**
 * Parses and validates the JSON header (the N bytes after the length field) against the size of
 * the whole file. Throws SafetensorsError naming the tensor and the numbers on any problem.
 */
export function parseSafetensorsHeader(
  headerBytes: Uint8Array,
  fileSize: number,
  source = 'safetensors'
): SafetensorsHeader {
  const headerLength = headerBytes.byteLength;
  const dataStart = 8 + headerLength;
  const dataLength = fileSize - dataStart;
  if (dataLength < 0) {
    throw new SafetensorsError(
      `${source}: header length ${headerLength} bytes runs past the end of the file (file size ${fileSize} bytes)`,
      source
    );
  }

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsError(`${source}: header (${headerLength} bytes) is not valid UTF-8`, source);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const preview = text.slice(0, 60).replace(/\s+/g, ' ');
    throw new SafetensorsError(
      `${source}: header (${headerLength} bytes) is not valid JSON: ${(e as Error).message}; it starts with ${JSON.stringify(preview)}`,
      source
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SafetensorsError(
      `${source}: header must be a JSON object, found ${Array.isArray(parsed) ? 'an array' : typeof parsed}`,
      source
    );
  }

  let metadata: Record<string, string> | null = null;
  const tensors: SafetensorsTensorInfo[] = [];
  for (const [name, entry] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        throw new SafetensorsError(`${source}: __metadata__ must be an object of strings`, source);
      }
      metadata = {};
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') {
          throw new SafetensorsError(
            `${source}: __metadata__["${k}"] must be a string, found ${JSON.stringify(v)}`,
            source
          );
        }
        metadata[k] = v;
      }
      continue;
    }
    tensors.push(parseTensorEntry(name, entry, source));
  }

  // Sort by offsets (older writers ordered by name), then check the ranges tile the data section.
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expectedBegin = 0;
  let previous: SafetensorsTensorInfo | null = null;
  for (const t of tensors) {
    if (t.begin < expectedBegin) {
      throw new SafetensorsError(
        `${source}: tensor "${t.name}" data_offsets [${t.begin}, ${t.end}] overlap tensor "${previous!.name}" ` +
          `[${previous!.begin}, ${previous!.end}]`,
        source,
        t.name
      );
    }
    if (t.begin > expectedBegin) {
      throw new SafetensorsError(
        `${source}: tensor "${t.name}" starts at data offset ${t.begin} but the previous tensor` +
          `${previous ? ` "${previous.name}"` : ''} ends at ${expectedBegin}: ${t.begin - expectedBegin} bytes ` +
          `of gap (the format requires tensors to tile the data section)`,
        source,
        t.name
      );
    }
    if (t.end > dataLength) {
      throw new SafetensorsError(
        `${source}: tensor "${t.name}" data_offsets [${t.begin}, ${t.end}] run past the end of the data section ` +
          `(${dataLength} bytes; file is ${fileSize} bytes with a ${headerLength}-byte header): file truncated?`,
        source,
        t.name
      );
    }
    expectedBegin = t.end;
    previous = t;
  }
  if (expectedBegin !== dataLength) {
    throw new SafetensorsError(
      `${source}: the tensors cover ${expectedBegin} bytes of data but the data section has ${dataLength} bytes ` +
        `(${dataLength - expectedBegin} trailing bytes no tensor accounts for)`,
      source
    );
  }
  return { tensors, metadata, headerLength, dataStart, dataLength };
}

function parseTensorEntry(name: string, entry: unknown, source: string): SafetensorsTensorInfo {
  const where = `${source}: tensor "${name}"`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new SafetensorsError(`${where}: header entry must be an object, found ${JSON.stringify(entry)}`, source, name);
  }
  const e = entry as Record<string, unknown>;
  if (!isDtype(e.dtype)) {
    throw new SafetensorsError(
      `${where}: unknown dtype ${JSON.stringify(e.dtype)} (known: ${Object.keys(SAFETENSORS_DTYPE_SIZES).join(', ')})`,
      source,
      name
    );
  }
  const dtype = e.dtype;
  if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw new SafetensorsError(
      `${where}: shape must be an array of non-negative integers, found ${JSON.stringify(e.shape)}`,
      source,
      name
    );
  }
  const shape = (e.shape as number[]).slice();
  const offsets = e.data_offsets;
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)
  ) {
    throw new SafetensorsError(
      `${where}: data_offsets must be two non-negative integers [begin, end], found ${JSON.stringify(offsets)}`,
      source,
      name
    );
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) {
    throw new SafetensorsError(`${where}: data_offsets [${begin}, ${end}] end before they begin`, source, name);
  }
  let elements = 1;
  for (const d of shape) elements *= d;
  const bytes = elements * SAFETENSORS_DTYPE_SIZES[dtype];
  if (!Number.isSafeInteger(bytes)) {
    throw new SafetensorsError(`${where}: shape ${describeShape(shape)} × ${dtype} overflows`, source, name);
  }
  if (end - begin !== bytes) {
    throw new SafetensorsError(
      `${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes but shape ${describeShape(shape)} ` +
        `× ${dtype} (${SAFETENSORS_DTYPE_SIZES[dtype]} bytes) needs ${elements} × ${SAFETENSORS_DTYPE_SIZES[dtype]} = ${bytes} bytes`,
      source,
      name
    );
  }
  return { name, dtype, shape, begin, end };
}

// ---------------------------------------------------------------------------------------------
// Decoding

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** float16 bit pattern → number (exact). */
export function f16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero or subnormal
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** bfloat16 bit pattern → number (exact: bf16 is the top half of a float32). */
export function bf16BitsToNumber(h: number): number {
  const u = new Uint32Array([(h & 0xffff) << 16]);
  return new Float32Array(u.buffer)[0];
}

/** A copy of `bytes` in a fresh, aligned ArrayBuffer. */
function alignedCopy(bytes: Uint8Array): ArrayBuffer {
  const out = new Uint8Array(bytes.byteLength);
  out.set(bytes);
  return out.buffer;
}

/**
 * Decodes one tensor's bytes (exactly its data range) into Float32Array (float dtypes) or
 * Int32Array (integer dtypes). With `mayAlias`, F32/I32 data that is 4-byte aligned is returned as
 * a view on `bytes` instead of a copy (for buffers nobody else holds).
 */
export function decodeTensorBytes(
  info: Pick<SafetensorsTensorInfo, 'name' | 'dtype' | 'shape'>,
  bytes: Uint8Array,
  source = 'safetensors',
  mayAlias = false
): Float32Array | Int32Array {
  const view4 = mayAlias && LITTLE_ENDIAN_HOST && bytes.byteOffset % 4 === 0;
  const size = SAFETENSORS_DTYPE_SIZES[info.dtype];
  const n = bytes.byteLength / size;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (info.dtype) {
    case 'F32': {
      if (view4) return new Float32Array(bytes.buffer, bytes.byteOffset, n);
      if (LITTLE_ENDIAN_HOST) return new Float32Array(alignedCopy(bytes));
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    }
    case 'F64': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
      return out;
    }
    case 'F16': {
      // Table of all 65536 half values is 256 KB; a direct conversion is fast enough for loading.
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = f16BitsToNumber(view.getUint16(2 * i, true));
      return out;
    }
    case 'BF16': {
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(2 * i, true) << 16;
      return new Float32Array(bits.buffer);
    }
    case 'I32': {
      if (view4) return new Int32Array(bytes.buffer, bytes.byteOffset, n);
      if (LITTLE_ENDIAN_HOST) return new Int32Array(alignedCopy(bytes));
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true);
      return out;
    }
    case 'I64':
    case 'U64':
    case 'U32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v =
          info.dtype === 'I64'
            ? view.getBigInt64(8 * i, true)
            : info.dtype === 'U64'
              ? view.getBigUint64(8 * i, true)
              : BigInt(view.getUint32(4 * i, true));
        if (v < -2147483648n || v > 2147483647n) {
          throw new SafetensorsError(
            `${source}: tensor "${info.name}" (${info.dtype}, shape ${describeShape(info.shape)}) element ${i} = ${v} ` +
              `does not fit in int32`,
            source,
            info.name
          );
        }
        out[i] = Number(v);
      }
      return out;
    }
    case 'I16': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, true);
      return out;
    }
    case 'U16': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getUint16(2 * i, true);
      return out;
    }
    case 'I8':
      return Int32Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    case 'U8':
    case 'BOOL':
      return Int32Array.from(bytes);
    default:
      throw new SafetensorsError(
        `${source}: tensor "${info.name}" has dtype ${info.dtype}, which this loader cannot decode ` +
          `(supported: F64, F32, F16, BF16 → float32; I64, I32, I16, I8, U64, U32, U16, U8, BOOL → int32)`,
        source,
        info.name
      );
  }
}

function asUint8(bytes: ArrayBuffer | Uint8Array): Uint8Array {
  return bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
}

/** Parses only the header of a whole file held in memory. */
export function readSafetensorsHeader(bytes: ArrayBuffer | Uint8Array, options: ReadOptions = {}): SafetensorsHeader {
  const source = options.source ?? 'safetensors';
  const u8 = asUint8(bytes);
  const n = readHeaderLength(u8.subarray(0, 8), u8.byteLength, source);
  return parseSafetensorsHeader(u8.subarray(8, 8 + n), u8.byteLength, source);
}

/** Parses, validates and decodes a whole safetensors file held in memory (tensors are copies). */
export function readSafetensors(bytes: ArrayBuffer | Uint8Array, options: ReadOptions = {}): SafetensorsContents {
  const source = options.source ?? 'safetensors';
  const u8 = asUint8(bytes);
  const header = readSafetensorsHeader(u8, options);
  const tensors: Record<string, LoadedTensor> = {};
  for (const t of header.tensors) {
    const slice = u8.subarray(header.dataStart + t.begin, header.dataStart + t.end);
    tensors[t.name] = { dtype: t.dtype, shape: t.shape, data: decodeTensorBytes(t, slice, source) };
  }
  return { metadata: header.metadata, tensors };
}

// ---------------------------------------------------------------------------------------------
// Streaming from a Blob (browser File, or Node's Blob)

export interface ReadProgress {
  /** bytes read so far */
  loaded: number;
  /** file size in bytes */
  total: number;
}

export interface BlobReadOptions extends ReadOptions {
  onProgress?: (progress: ReadProgress) => void;
}

async function blobBytes(blob: Blob, start: number, end: number): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(start, end).arrayBuffer());
}

/**
 * Reads a safetensors file from a Blob (a browser `File` works) without holding the whole file in
 * memory at once: first the 8-byte length, then the header, then each tensor through `blob.slice`,
 * reporting `onProgress({ loaded, total })` after every read.
 */
export async function readSafetensorsFromBlob(
  blob: Blob,
  onProgress?: (progress: ReadProgress) => void,
  options: ReadOptions = {}
): Promise<SafetensorsContents> {
  const source = options.source ?? ((blob as { name?: unknown }).name as string | undefined) ?? 'safetensors';
  const total = blob.size;
  const report = (loaded: number): void => onProgress?.({ loaded, total });
  report(0);
  const first8 = await blobBytes(blob, 0, Math.min(8, total));
  const n = readHeaderLength(first8, total, source);
  const header = parseSafetensorsHeader(await blobBytes(blob, 8, 8 + n), total, source);
  let loaded = header.dataStart;
  report(loaded);
  const tensors: Record<string, LoadedTensor> = {};
  for (const t of header.tensors) {
    const bytes = await blobBytes(blob, header.dataStart + t.begin, header.dataStart + t.end);
    if (bytes.byteLength !== t.end - t.begin) {
      throw new SafetensorsError(
        `${source}: tensor "${t.name}": read ${bytes.byteLength} bytes, expected ${t.end - t.begin} (file changed while reading?)`,
        source,
        t.name
      );
    }
    // each slice is a private buffer, so F32/I32 tensors can view it without another copy
    tensors[t.name] = { dtype: t.dtype, shape: t.shape, data: decodeTensorBytes(t, bytes, source, true) };
    loaded += bytes.byteLength;
    report(loaded);
  }
  return { metadata: header.metadata, tensors };
}

// ---------------------------------------------------------------------------------------------
// Writing

export type WritableTensor =
  | { dtype: 'F32'; shape: number[]; data: Float32Array }
  | { dtype: 'I32'; shape: number[]; data: Int32Array };

/**
 * Serialises tensors to safetensors bytes. Tensors are laid out (header entries and data) in
 * name order; `__metadata__` comes first when given; the JSON header is padded with spaces to a
 * multiple of 8 bytes, as the reference writer does, so the data section starts 8-byte aligned and
 * every tensor (F32/I32, 4 bytes an element) starts 4-byte aligned in the file.
 */
export function writeSafetensors(
  tensors: Record<string, { dtype: 'F32' | 'I32'; shape: number[]; data: Float32Array | Int32Array }>,
  metadata?: Record<string, string>
): Uint8Array<ArrayBuffer> {
  const names = Object.keys(tensors).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`writeSafetensors: metadata["${k}"] must be a string`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__') throw new Error('writeSafetensors: "__metadata__" is reserved, not a tensor name');
    const t = tensors[name];
    if (t.dtype !== 'F32' && t.dtype !== 'I32') {
      throw new Error(`writeSafetensors: tensor "${name}" dtype ${String(t.dtype)} is not supported (F32, I32)`);
    }
    const wantArray = t.dtype === 'F32' ? Float32Array : Int32Array;
    if (!(t.data instanceof wantArray)) {
      throw new Error(`writeSafetensors: tensor "${name}" is ${t.dtype} but its data is a ${t.data.constructor.name}`);
    }
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new Error(`writeSafetensors: tensor "${name}" has invalid shape ${JSON.stringify(t.shape)}`);
    }
    const elements = t.shape.reduce((a, b) => a * b, 1);
    if (elements !== t.data.length) {
      throw new Error(
        `writeSafetensors: tensor "${name}" shape ${describeShape(t.shape)} has ${elements} elements but its data has ${t.data.length}`
      );
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + 4 * elements] };
    offset += 4 * elements;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = json.byteLength + ((8 - (json.byteLength % 8)) % 8);
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, padded % 2 ** 32, true);
  view.setUint32(4, Math.floor(padded / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.byteLength, 8 + padded);
  let pos = 8 + padded;
  for (const name of names) {
    const t = tensors[name];
    if (LITTLE_ENDIAN_HOST) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    } else {
      for (let i = 0; i < t.data.length; i++) {
        if (t.dtype === 'F32') view.setFloat32(pos + 4 * i, t.data[i], true);
        else view.setInt32(pos + 4 * i, t.data[i], true);
      }
    }
    pos += t.data.byteLength;
  }
  return out;
}
