// Philox4x32-10 against Random123's published known-answer vectors (tests/kat_vectors in
// github.com/DEShawResearch/random123), on the CPU and on the GPU; the WGSL float helpers
// against their CPU mirror; and the key sources (crypto.getRandomValues, user seeds).
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GpuContext } from '../../src/lib/gpu/context';
import { tensorFrom } from '../../src/lib/engine/tensor';
import { linearGrid, newTensor } from '../../src/lib/engine/ops/launch';
import { mulhi32, negLogU01, normal2, philox4x32, u01 } from '../../src/lib/privacy/philox';
import { freshKey, keyFor, seededKey } from '../../src/lib/privacy/seed';
import { getGpu } from './helpers/gpu';
import { expectClose, rng } from './helpers/numeric';

// name rounds ctr[4] key[2] → expected[4] (Random123 tests/kat_vectors, the philox4x32 lines)
const KAT: [number, number[], number[], number[]][] = [
  [7, [0, 0, 0, 0], [0, 0], [0x5f6fb709, 0x0d893f64, 0x4f121f81, 0x4f730a48]],
  [7, [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x5207ddc2, 0x45165e59, 0x4d8ee751, 0x8c52f662]],
  [7, [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0x4dfccaba, 0x190a87f0, 0xc47362ba, 0xb6b5242a]],
  [10, [0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
  [10, [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
  [10, [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]]
];
const KAT10 = KAT.filter((k) => k[0] === 10);
const hex = (w: ArrayLike<number>) => Array.from(w, (x) => (x >>> 0).toString(16).padStart(8, '0')).join(' ');

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await getGpu();
});

async function gpuBlocks(ctrs: number[][], keys: number[][]): Promise<Uint32Array> {
  const n = ctrs.length;
  const ctr = tensorFrom(gpu, new Uint32Array(ctrs.flat()), [n * 4], 'kat.ctr', 'u32');
  const key = tensorFrom(gpu, new Uint32Array(keys.flat()), [n * 2], 'kat.key', 'u32');
  const out = newTensor(gpu, [n * 4], 'kat.out', 'u32');
  const g = linearGrid(n);
  gpu.dispatch(gpu.kernel('privacy/philox_test.wgsl', 'blocks'), {
    buffers: { ctr: ctr.buffer, key: key.buffer, out: out.buffer },
    params: { n, xStride: g.xStride },
    workgroups: g.workgroups
  });
  const r = (await out.read()) as Uint32Array;
  [ctr, key, out].forEach((t) => t.dispose());
  return r;
}

describe('Philox4x32 on the CPU', () => {
  it('mulhi32 equals the exact 64-bit product', () => {
    const r = rng(7);
    for (let i = 0; i < 2000; i++) {
      const a = Math.floor(r() * 2 ** 32);
      const b = i === 0 ? 0xffffffff : Math.floor(r() * 2 ** 32);
      const aa = i === 0 ? 0xffffffff : a;
      const want = Number((BigInt(aa) * BigInt(b)) >> 32n);
      expect(mulhi32(aa, b), `mulhi32(${aa}, ${b})`).toBe(want);
    }
  });
  for (const [rounds, ctr, key, want] of KAT)
    it(`known answer: philox4x32 ${rounds} ${hex(ctr)} ${hex(key)}`, () => {
      expect(hex(philox4x32(ctr as [number, number, number, number], key as [number, number], rounds))).toBe(hex(want));
    });
});

describe('Philox4x32-10 on the GPU', () => {
  it('reproduces the known-answer vectors', async () => {
    const got = await gpuBlocks(KAT10.map((k) => k[1]), KAT10.map((k) => k[2]));
    for (let i = 0; i < KAT10.length; i++) expect(hex(got.subarray(4 * i, 4 * i + 4)), `vector ${i}`).toBe(hex(KAT10[i][3]));
  });
  it('equals the CPU reference bit for bit on 1000 random counters and keys', async () => {
    const r = rng(99);
    const u32 = () => Math.floor(r() * 2 ** 32);
    const ctrs = Array.from({ length: 1000 }, () => [u32(), u32(), u32(), u32()]);
    const keys = Array.from({ length: 1000 }, () => [u32(), u32()]);
    const got = await gpuBlocks(ctrs, keys);
    let bad = 0;
    for (let i = 0; i < 1000; i++) {
      const want = philox4x32(ctrs[i] as [number, number, number, number], keys[i] as [number, number]);
      for (let q = 0; q < 4; q++) if (got[4 * i + q] !== want[q]) bad++;
    }
    expect(bad, `${bad} of 4000 words differ`).toBe(0);
  });
});

describe('float helpers', () => {
  it('u01 is in the open interval (0, 1) at the extreme words', () => {
    expect(u01(0)).toBeGreaterThan(0);
    expect(u01(0xffffffff)).toBeLessThan(1);
    expect(Math.fround(u01(0xffffffff))).toBe(u01(0xffffffff));
    expect(Math.fround(u01(0x12345678))).toBe(u01(0x12345678));
  });
  it('GPU u01, −ln u and Box–Muller normals match the CPU mirror', async () => {
    // Tolerances: u01 exact; −ln u ≤ 2e-6 relative (the u ≥ ½ branch uses a series, the u < ½
    // branch WGSL's log, 3 ULP); normals ≤ 2e-6 absolute + 2e-6 relative (f32 cos/sin/sqrt).
    const r = rng(5);
    const n = 4096;
    const words = new Uint32Array(2 * n);
    for (let i = 0; i < words.length; i++) words[i] = Math.floor(r() * 2 ** 32);
    // extremes: u01 smallest and largest, u = ½ exactly
    words[0] = 0;
    words[2] = 0xffffffff;
    words[4] = 0x80000000;
    words[6] = 0x7fffffff;
    const w = tensorFrom(gpu, words, [2 * n], 'floats.words', 'u32');
    const out = newTensor(gpu, [4 * n], 'floats.out');
    const g = linearGrid(n);
    gpu.dispatch(gpu.kernel('privacy/philox_test.wgsl', 'floats'), {
      buffers: { words: w.buffer, fout: out.buffer },
      params: { n, xStride: g.xStride },
      workgroups: g.workgroups
    });
    const f = await out.readF32();
    w.dispose();
    out.dispose();
    const pick = (k: number) => Float64Array.from({ length: n }, (_, i) => f[4 * i + k]);
    expectClose(pick(0), Float64Array.from({ length: n }, (_, i) => u01(words[2 * i])), { abs: 0, rel: 0 }, 'u01');
    expectClose(pick(1), Float64Array.from({ length: n }, (_, i) => negLogU01(words[2 * i])), { abs: 0, rel: 2e-6 }, '−ln u01');
    const nm = Array.from({ length: n }, (_, i) => normal2(words[2 * i], words[2 * i + 1]));
    expectClose(pick(2), nm.map((x) => x[0]), { abs: 2e-6, rel: 2e-6 }, 'normal2 (cos)');
    expectClose(pick(3), nm.map((x) => x[1]), { abs: 2e-6, rel: 2e-6 }, 'normal2 (sin)');
    for (let i = 0; i < n; i++) expect(f[4 * i + 1] > 0, `−ln u at ${i} must be > 0`).toBe(true);
  });
});

describe('keys', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });
  it('freshKey draws from crypto.getRandomValues, and two fresh keys differ', () => {
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
    const a = freshKey();
    const b = freshKey();
    expect(spy).toHaveBeenCalledTimes(2);
    expect(a.seeded).toBe(false);
    expect(a.key).not.toEqual(b.key);
    for (const w of [...a.key, ...b.key]) expect(Number.isInteger(w) && w >= 0 && w < 2 ** 32).toBe(true);
    // the key is exactly what the CSPRNG returned
    spy.mockImplementationOnce(<T extends ArrayBufferView | null>(arr: T): T => {
      (arr as unknown as Uint32Array).set([0xdeadbeef, 0x01234567]);
      return arr;
    });
    expect(freshKey().key).toEqual([0xdeadbeef, 0x01234567]);
  });
  it('seededKey is deterministic, labelled seeded, and rejects bad seeds', () => {
    expect(seededKey(42)).toEqual({ key: [42, 0], seeded: true });
    expect(seededKey(2 ** 40 + 5).key).toEqual([5, 256]);
    expect(keyFor(7).seeded).toBe(true);
    expect(keyFor(undefined).seeded).toBe(false);
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53]) expect(() => seededKey(bad)).toThrow(/seed must be an integer/);
  });
});
