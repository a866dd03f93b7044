import { describe, expect, it } from 'vitest';
import {
  bf16BitsToNumber,
  f16BitsToNumber,
  readSafetensors,
  readSafetensorsFromBlob,
  readSafetensorsHeader,
  SafetensorsError,
  writeSafetensors,
  type ReadProgress
} from '../../src/lib/model/checkpoint/safetensors';

/** A safetensors file built by hand: header object (or raw header text) + data bytes. */
function rawFile(header: unknown, data: Uint8Array | number[] = [], opts: { lengthField?: number } = {}): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const json = new TextEncoder().encode(text);
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const out = new Uint8Array(8 + json.byteLength + bytes.byteLength);
  const view = new DataView(out.buffer);
  const n = opts.lengthField ?? json.byteLength;
  view.setUint32(0, n % 2 ** 32, true);
  view.setUint32(4, Math.floor(n / 2 ** 32), true);
  out.set(json, 8);
  out.set(bytes, 8 + json.byteLength);
  return out;
}

function u16le(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => v.setUint16(2 * i, x, true));
  return out;
}

function expectError(fn: () => unknown, ...fragments: (string | RegExp)[]): SafetensorsError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected an error').toBeInstanceOf(SafetensorsError);
  const msg = (caught as Error).message;
  for (const f of fragments) {
    if (typeof f === 'string') expect(msg).toContain(f);
    else expect(msg).toMatch(f);
  }
  return caught as SafetensorsError;
}

describe('writeSafetensors / readSafetensors round trip', () => {
  it('returns the same tensors, metadata, dtypes and shapes', () => {
    const a = new Float32Array([1.5, -2.25, 3e-8, Math.fround(Math.PI), -0, 1e30]);
    const b = new Int32Array([7, -8, 2147483647, -2147483648]);
    const scalar = new Float32Array([42]);
    const empty = new Float32Array(0);
    const bytes = writeSafetensors(
      {
        'z.last': { dtype: 'F32', shape: [2, 3], data: a },
        'a.first': { dtype: 'I32', shape: [4], data: b },
        scalar: { dtype: 'F32', shape: [], data: scalar },
        empty: { dtype: 'F32', shape: [0, 5], data: empty }
      },
      { format: 'pt', note: 'round trip' }
    );
    const back = readSafetensors(bytes, { source: 'rt.safetensors' });
    expect(back.metadata).toEqual({ format: 'pt', note: 'round trip' });
    expect(Object.keys(back.tensors).sort()).toEqual(['a.first', 'empty', 'scalar', 'z.last']);
    expect(back.tensors['z.last']).toEqual({ dtype: 'F32', shape: [2, 3], data: a });
    expect(Object.is(back.tensors['z.last'].data[4], -0)).toBe(true);
    expect(back.tensors['a.first']).toEqual({ dtype: 'I32', shape: [4], data: b });
    expect(back.tensors.scalar.shape).toEqual([]);
    expect(Array.from(back.tensors.scalar.data)).toEqual([42]);
    expect(back.tensors.empty.data.length).toBe(0);
  });

  it('lays the header out like the reference writer: metadata first, names sorted, space padding to 8 bytes', () => {
    const bytes = writeSafetensors({ b: { dtype: 'F32', shape: [1], data: new Float32Array([1]) }, a: { dtype: 'I32', shape: [1], data: new Int32Array([2]) } });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    const json = '{"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    expect(text).toBe(json + ' '.repeat(n - json.length));
    expect(bytes.byteLength).toBe(8 + n + 8);
    // data: int32 2 then float32 1.0, little-endian
    expect(Array.from(bytes.subarray(8 + n))).toEqual([2, 0, 0, 0, 0x00, 0x00, 0x80, 0x3f]);

    const withMeta = writeSafetensors({ x: { dtype: 'F32', shape: [0], data: new Float32Array(0) } }, { format: 'pt' });
    const n2 = Number(new DataView(withMeta.buffer).getBigUint64(0, true));
    expect(new TextDecoder().decode(withMeta.subarray(8, 8 + n2)).trimEnd()).toBe(
      '{"__metadata__":{"format":"pt"},"x":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}'
    );
  });

  it('accepts an ArrayBuffer and a Uint8Array at a non-zero offset (Node Buffer pools)', () => {
    const bytes = writeSafetensors({ w: { dtype: 'F32', shape: [3], data: new Float32Array([1, 2, 3]) } });
    const padded = new Uint8Array(bytes.byteLength + 3);
    padded.set(bytes, 3);
    expect(Array.from(readSafetensors(padded.subarray(3)).tensors.w.data)).toEqual([1, 2, 3]);
    expect(Array.from(readSafetensors(bytes.slice().buffer).tensors.w.data)).toEqual([1, 2, 3]);
  });

  it('rejects writer inputs that do not describe themselves', () => {
    expect(() => writeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } })).toThrow(
      'tensor "w" shape [2, 2] has 4 elements but its data has 3'
    );
    expect(() => writeSafetensors({ w: { dtype: 'I32', shape: [1], data: new Float32Array(1) } })).toThrow(
      'tensor "w" is I32 but its data is a Float32Array'
    );
    expect(() => writeSafetensors({ __metadata__: { dtype: 'F32', shape: [0], data: new Float32Array(0) } })).toThrow('reserved');
  });
});

describe('dtype conversion', () => {
  it('decodes F16 bit patterns exactly', () => {
    const cases: [number, number][] = [
      [0x0000, 0],
      [0x3c00, 1],
      [0xc000, -2],
      [0x3555, 0.333251953125],
      [0x7bff, 65504],
      [0x0400, 2 ** -14], // smallest normal
      [0x0001, 2 ** -24], // smallest subnormal
      [0x03ff, 1023 * 2 ** -24], // largest subnormal
      [0x7c00, Infinity],
      [0xfc00, -Infinity]
    ];
    for (const [bits, value] of cases) expect(f16BitsToNumber(bits), `0x${bits.toString(16)}`).toBe(value);
    expect(Object.is(f16BitsToNumber(0x8000), -0)).toBe(true);
    expect(f16BitsToNumber(0x7e00)).toBeNaN();

    const file = rawFile({ h: { dtype: 'F16', shape: [cases.length], data_offsets: [0, 2 * cases.length] } }, u16le(cases.map((c) => c[0])));
    const t = readSafetensors(file).tensors.h;
    expect(t.dtype).toBe('F16');
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(Array.from(t.data)).toEqual(cases.map((c) => c[1]));
  });

  it('decodes BF16 bit patterns exactly', () => {
    const cases: [number, number][] = [
      [0x3f80, 1],
      [0xc000, -2],
      [0x4049, 3.140625],
      [0x3eaa, 0.33203125],
      [0x7f7f, 3.3895313892515355e38], // largest finite
      [0xff7f, -3.3895313892515355e38],
      [0x0080, 2 ** -126], // smallest normal
      [0x0001, 2 ** -133], // smallest subnormal
      [0x7f80, Infinity]
    ];
    for (const [bits, value] of cases) expect(bf16BitsToNumber(bits), `0x${bits.toString(16)}`).toBe(value);
    expect(bf16BitsToNumber(0x7fc0)).toBeNaN();
    const file = rawFile({ b: { dtype: 'BF16', shape: [3, 3], data_offsets: [0, 18] } }, u16le(cases.map((c) => c[0])));
    const t = readSafetensors(file).tensors.b;
    expect(t.shape).toEqual([3, 3]);
    expect(Array.from(t.data)).toEqual(cases.map((c) => c[1]));
  });

  it('rounds F64 to float32 and narrows I64 to int32, refusing values that do not fit', () => {
    const f64 = new Float64Array([0.1, -1e-3, 2 ** 40]);
    const file = rawFile({ d: { dtype: 'F64', shape: [3], data_offsets: [0, 24] } }, new Uint8Array(f64.buffer));
    expect(Array.from(readSafetensors(file).tensors.d.data)).toEqual([Math.fround(0.1), Math.fround(-1e-3), 2 ** 40]);

    const i64 = new BigInt64Array([0n, -5n, 2147483647n, -2147483648n]);
    const ok = readSafetensors(rawFile({ ids: { dtype: 'I64', shape: [4], data_offsets: [0, 32] } }, new Uint8Array(i64.buffer)));
    expect(ok.tensors.ids.data).toBeInstanceOf(Int32Array);
    expect(Array.from(ok.tensors.ids.data)).toEqual([0, -5, 2147483647, -2147483648]);

    const big = new BigInt64Array([1n, 2147483648n]);
    expectError(
      () => readSafetensors(rawFile({ position_ids: { dtype: 'I64', shape: [1, 2], data_offsets: [0, 16] } }, new Uint8Array(big.buffer)), { source: 'm.safetensors' }),
      'm.safetensors',
      'tensor "position_ids"',
      'element 1 = 2147483648',
      'int32'
    );
  });

  it('parses F8 headers but refuses to decode them, naming the tensor', () => {
    const e = expectError(() => readSafetensors(rawFile({ q: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, [0, 0])), 'tensor "q"', 'F8_E4M3', 'cannot decode');
    expect(e.tensor).toBe('q');
  });
});

describe('malformed files give specific errors', () => {
  const good = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const data8 = new Uint8Array(8);

  it('file shorter than the 8-byte length field', () => {
    expectError(() => readSafetensors(new Uint8Array(5), { source: 'short.safetensors' }), 'short.safetensors', 'file is 5 bytes', '8-byte header length');
  });

  it('header length beyond the file', () => {
    const f = rawFile(good, data8, { lengthField: 500 });
    expectError(() => readSafetensors(f), 'header length 500 bytes runs past the end of the file', `file size ${f.byteLength}`);
  });

  it('absurd header length (not a safetensors file)', () => {
    expectError(() => readSafetensors(rawFile(good, data8, { lengthField: 2 ** 40 })), 'header length 1099511627776 bytes exceeds the 100000000-byte limit');
  });

  it('header that is not JSON', () => {
    expectError(() => readSafetensors(rawFile('{"w": {"dtype": "F32",', data8)), 'header (22 bytes) is not valid JSON', '{\\"w\\"');
  });

  it('header that is not UTF-8', () => {
    const f = rawFile('{"w":1}', []);
    f[9] = 0xff;
    expectError(() => readSafetensors(f), 'not valid UTF-8');
  });

  it('header that is not an object', () => {
    expectError(() => readSafetensors(rawFile('[1,2]')), 'header must be a JSON object, found an array');
  });

  it('unknown dtype names the tensor and the dtype', () => {
    const e = expectError(() => readSafetensors(rawFile({ w: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, new Uint8Array(16))), 'tensor "w"', 'unknown dtype "F128"');
    expect(e.tensor).toBe('w');
  });

  it('bad shape', () => {
    expectError(() => readSafetensors(rawFile({ w: { dtype: 'F32', shape: [2, -1], data_offsets: [0, 8] } }, data8)), 'tensor "w"', 'shape must be an array of non-negative integers', '[2,-1]');
  });

  it('bad data_offsets', () => {
    expectError(() => readSafetensors(rawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [0] } }, data8)), 'tensor "w"', 'data_offsets must be two non-negative integers');
    expectError(() => readSafetensors(rawFile({ w: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, data8)), 'tensor "w"', 'data_offsets [8, 0] end before they begin');
  });

  it('offsets that do not match shape × dtype', () => {
    expectError(
      () => readSafetensors(rawFile({ 'enc.w': { dtype: 'F32', shape: [2, 3], data_offsets: [0, 20] } }, new Uint8Array(20))),
      'tensor "enc.w"',
      'data_offsets [0, 20] hold 20 bytes',
      'shape [2, 3] × F32 (4 bytes) needs 6 × 4 = 24 bytes'
    );
  });

  it('offsets out of range / truncated file', () => {
    const full = writeSafetensors({
      a: { dtype: 'F32', shape: [4], data: new Float32Array(4) },
      b: { dtype: 'F32', shape: [4], data: new Float32Array(4) }
    });
    const truncated = full.subarray(0, full.byteLength - 6);
    const e = expectError(
      () => readSafetensors(truncated, { source: 'cut.safetensors' }),
      'cut.safetensors',
      'tensor "b" data_offsets [16, 32] run past the end of the data section (26 bytes',
      'truncated'
    );
    expect(e.tensor).toBe('b');
  });

  it('overlapping tensors', () => {
    const header = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } };
    expectError(() => readSafetensors(rawFile(header, new Uint8Array(12))), 'tensor "b" data_offsets [4, 12] overlap tensor "a" [0, 8]');
  });

  it('gap between tensors', () => {
    const header = { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } };
    expectError(() => readSafetensors(rawFile(header, new Uint8Array(12))), 'tensor "b" starts at data offset 8 but the previous tensor "a" ends at 4: 4 bytes of gap');
  });

  it('trailing bytes no tensor accounts for', () => {
    expectError(() => readSafetensors(rawFile(good, new Uint8Array(11))), 'the tensors cover 8 bytes of data but the data section has 11 bytes (3 trailing bytes');
  });

  it('__metadata__ values must be strings', () => {
    expectError(() => readSafetensors(rawFile({ __metadata__: { format: 1 }, ...good }, data8)), '__metadata__["format"] must be a string');
  });

  it('header-only parsing reports the layout', () => {
    const bytes = writeSafetensors({ b: { dtype: 'F32', shape: [2], data: new Float32Array(2) }, a: { dtype: 'I32', shape: [3], data: new Int32Array(3) } });
    const h = readSafetensorsHeader(bytes);
    expect(h.tensors.map((t) => [t.name, t.begin, t.end])).toEqual([
      ['a', 0, 12],
      ['b', 12, 20]
    ]);
    expect(h.dataStart).toBe(8 + h.headerLength);
    expect(h.dataLength).toBe(20);
  });
});

describe('readSafetensorsFromBlob', () => {
  const tensors = {
    big: { dtype: 'F32' as const, shape: [64, 16], data: Float32Array.from({ length: 1024 }, (_, i) => Math.sin(i)) },
    ids: { dtype: 'I32' as const, shape: [5], data: new Int32Array([1, 2, 3, 4, 5]) }
  };
  const bytes = writeSafetensors(tensors, { format: 'pt' });

  it('reads the same tensors as the in-memory reader from a File, reporting progress up to the total', async () => {
    const file = new File([bytes], 'model.safetensors');
    const progress: ReadProgress[] = [];
    const got = await readSafetensorsFromBlob(file, (p) => progress.push(p));
    expect(got).toEqual(readSafetensors(bytes));
    expect(progress[0]).toEqual({ loaded: 0, total: bytes.byteLength });
    expect(progress[progress.length - 1]).toEqual({ loaded: bytes.byteLength, total: bytes.byteLength });
    for (let i = 1; i < progress.length; i++) expect(progress[i].loaded).toBeGreaterThanOrEqual(progress[i - 1].loaded);
    expect(progress.length).toBe(2 + 2); // start, header, one per tensor
  });

  it('names the file in errors (truncated blob)', async () => {
    const file = new File([bytes.subarray(0, bytes.byteLength - 10)], 'cut.safetensors');
    await expect(readSafetensorsFromBlob(file)).rejects.toThrow(/cut\.safetensors: tensor "ids" data_offsets \[4096, 4116\] run past the end/);
    await expect(readSafetensorsFromBlob(new Blob([new Uint8Array(3)]))).rejects.toThrow('safetensors: file is 3 bytes');
  });
});
