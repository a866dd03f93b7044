// The GPU layer's promises (src/lib/gpu): clear errors when there is no WebGPU or no adapter,
// a named error for tensors over the device's binding limit, device loss that rejects instead
// of hanging, one pipeline per shader variant, no hidden submits per op, and WGSL validation
// errors surfacing from the next read.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireDevice } from '../../src/lib/gpu/device';
import { acquireNodeDevice } from '../../src/lib/gpu/device-node';
import { useNodeShaderLoader } from '../../src/lib/gpu/shader-source-node';
import { setShaderLoader } from '../../src/lib/gpu/shader-source';
import { GpuContext } from '../../src/lib/gpu/context';
import {
  AdapterUnavailableError,
  BufferTooLargeError,
  DeviceLostError,
  WebGPUUnavailableError
} from '../../src/lib/gpu/errors';
import { add, allocTensor, matmul, tensorFrom, tidy, type Tensor } from '../../src/lib/engine';
import { getGpu } from './helpers/gpu';
import { expectClose, randArray, rng, f32 } from './helpers/numeric';

const SHADERS = join(__dirname, '..', '..', 'shaders');

let gpu: GpuContext;

beforeAll(async () => {
  useNodeShaderLoader();
  gpu = await getGpu();
});

/** Rejects with a TIMEOUT error after `ms`, so a hang fails the test instead of stalling it. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`TIMEOUT: ${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return null;
}

function matmulF64(a: Float64Array, b: Float64Array, M: number, K: number, N: number, transB: boolean): Float64Array {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[i * K + k] * (transB ? b[j * K + k] : b[k * N + j]);
      c[i * N + j] = s;
    }
  return c;
}

describe('acquiring a device', () => {
  it('without WebGPU: WebGPUUnavailableError that says how to enable it', async () => {
    const err = await acquireDevice(undefined).then(
      () => null,
      (e: unknown) => e
    );
    expect(err).toBeInstanceOf(WebGPUUnavailableError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/Chrome or Edge/);
    expect(msg).toMatch(/--enable-unsafe-webgpu/);
    expect(msg).toMatch(/npm package "webgpu"/);
  });

  it('when requestAdapter resolves null: AdapterUnavailableError', async () => {
    let asked = 0;
    const fakeGpu = {
      requestAdapter: async () => {
        asked++;
        return null;
      }
    } as unknown as GPU;
    const err = await acquireDevice(fakeGpu).then(
      () => null,
      (e: unknown) => e
    );
    expect(asked).toBe(1);
    expect(err).toBeInstanceOf(AdapterUnavailableError);
    expect((err as Error).message).toMatch(/no GPU adapter was offered/);
  });
});

describe('buffer limits', () => {
  it('a tensor over maxStorageBufferBindingSize: BufferTooLargeError naming it, its size and the limit, before allocating', async () => {
    // Default limits (no adapterLimits): 128 MiB bindings, so nothing big is ever allocated.
    const small = new GpuContext(await acquireNodeDevice());
    try {
      const limit = small.device.limits.maxStorageBufferBindingSize;
      expect(limit).toBe(128 * 1024 * 1024);
      const n = limit / 4 + 1;
      const bytes = n * 4;
      const before = small.pool.snapshot();
      let err: unknown = null;
      try {
        allocTensor(small, [n], 'f32', 'huge-activations');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BufferTooLargeError);
      const e = err as BufferTooLargeError;
      expect(e.label).toBe('huge-activations');
      expect(e.bytes).toBe(bytes);
      expect(e.limit).toBe(limit);
      expect(e.limitName).toBe('maxStorageBufferBindingSize');
      expect(e.message).toContain('"huge-activations"');
      expect(e.message).toContain(`${bytes} bytes`);
      expect(e.message).toContain(`${limit} bytes`);
      expect(e.message).toContain('maxStorageBufferBindingSize');
      const after = small.pool.snapshot();
      expect(after.created, 'no buffer was created').toBe(before.created);
      expect(after.liveBuffers).toBe(before.liveBuffers);
      expect(after.heldBytes).toBe(before.heldBytes);
      // The pool still works after the refusal.
      const ok = tensorFrom(small, new Float32Array([1, 2, 3]), [3], 'ok');
      expect(Array.from(await ok.read())).toEqual([1, 2, 3]);
      ok.dispose();
    } finally {
      small.destroy();
    }
  });
});

describe('device loss', () => {
  it('a destroyed device: reads reject with DeviceLostError (no hang), onLost resolves, dispatch throws', async () => {
    const acquired = await acquireNodeDevice();
    const ctx = new GpuContext(acquired);
    const x = tensorFrom(ctx, new Float32Array([1, 2, 3, 4]), [4], 'x');
    expect(Array.from(await x.read())).toEqual([1, 2, 3, 4]);
    const kernel = ctx.kernel('engine/add.wgsl', 'scale');
    const y = allocTensor(ctx, [4], 'f32', 'y');

    ctx.device.destroy();

    const readErr = await within(x.read(), 5000, 'read after destroy').then(
      () => null,
      (e: unknown) => e
    );
    expect(readErr).toBeInstanceOf(DeviceLostError);
    expect((readErr as Error).message).toMatch(/lost/);

    const lost = await within(ctx.onLost(), 5000, 'onLost()');
    expect(lost).toBeInstanceOf(DeviceLostError);
    expect(lost.reason).toBe('destroyed');
    expect(readErr).toBe(lost);
    expect(ctx.lost).toBe(lost);

    expect(
      thrown(() =>
        ctx.dispatch(kernel, { buffers: { a: x.buffer, c: y.buffer }, params: { n: 4, N: 1, xStride: 64, alpha: 2 }, workgroups: [1] })
      ),
      'dispatch after loss throws the same DeviceLostError'
    ).toBe(lost);
    expect(thrown(() => ctx.write(x.buffer, new Float32Array(4))), 'write after loss').toBe(lost);
    await expect(within(ctx.sync(), 5000, 'sync after destroy')).rejects.toBe(lost);
  });

  it('a read in flight when the device goes rejects with DeviceLostError', async () => {
    const ctx = new GpuContext(await acquireNodeDevice());
    const x = tensorFrom(ctx, new Float32Array(4096).fill(1), [4096], 'x');
    let y: Tensor = x;
    for (let i = 0; i < 10; i++) y = add(y, x);
    const pending = y.read();
    ctx.device.destroy();
    const err = await within(pending, 5000, 'read in flight').then(
      () => null,
      (e: unknown) => e
    );
    expect(err).toBeInstanceOf(DeviceLostError);
  });
});

describe('kernel cache', () => {
  it('compiles one pipeline per shader variant, whatever the shapes', async () => {
    const r = rng(7);
    // Inner dimensions that are not multiples of 4 keep every shape in the same kernel family.
    const cases = [
      { M: 3, K: 5, N: 7 },
      { M: 9, K: 3, N: 2 },
      { M: 1, K: 7, N: 11 }
    ];
    const run = async (M: number, K: number, N: number, transB: boolean) => {
      const a = randArray(M * K, r);
      const b = randArray(K * N, r);
      const out = tidy(() =>
        matmul(tensorFrom(gpu, f32(a), [M, K], 'a'), tensorFrom(gpu, f32(b), transB ? [N, K] : [K, N], 'b'), { transB })
      );
      const got = await out.read();
      out.dispose();
      expectClose(got, matmulF64(a, b, M, K, N, transB), { abs: 1e-5, rel: 1e-5 }, `matmul ${M}×${K}·${K}×${N}${transB ? ' (transB)' : ''}`);
    };

    const c0 = gpu.kernels.compiled;
    await run(cases[0].M, cases[0].K, cases[0].N, false);
    const c1 = gpu.kernels.compiled;
    expect(c1 - c0, 'the first shape compiles its variant').toBe(1);
    for (const { M, K, N } of cases.slice(1)) await run(M, K, N, false);
    expect(gpu.kernels.compiled, 'other shapes of the same class compile nothing').toBe(c1);

    await run(cases[0].M, cases[0].K, cases[0].N, true);
    const c2 = gpu.kernels.compiled;
    expect(c2 - c1, 'transB is one more variant').toBe(1);
    await run(cases[1].M, cases[1].K, cases[1].N, true);
    expect(gpu.kernels.compiled, 'transB on another shape compiles nothing').toBe(c2);
    expect(gpu.kernels.size).toBe(gpu.kernels.compiled);
  });
});

describe('submits and readbacks', () => {
  it('encoding ops submits nothing; one read submits once', async () => {
    const n = 1000;
    const xs = new Float32Array(n).map((_, i) => (i % 17) - 8);
    const x = tensorFrom(gpu, xs, [n], 'x'); // a write, before we count
    const s0 = gpu.submits;
    const d0 = gpu.dispatches;
    const y = tidy(() => {
      let acc = x;
      for (let i = 0; i < 20; i++) acc = add(acc, x, `acc${i}`);
      return acc;
    });
    expect(gpu.dispatches - d0).toBe(20);
    expect(gpu.submits - s0, 'no submit while ops are only encoded').toBe(0);
    const got = await y.read();
    expect(gpu.submits - s0, 'the read submits once').toBe(1);
    expectClose(got, Float64Array.from(xs, (v) => 21 * v), { abs: 0, rel: 0 }, '20 adds');
    x.dispose();
    y.dispose();
  });
});

describe('validation errors', () => {
  const BROKEN = `
struct Params { n: u32 }
@group(0) @binding(0) var<storage, read_write> c: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i: u32 = gid.x;
  if (i >= params.n) { return; }
  c[i] = i;  // u32 into f32: a WGSL type error
}`;

  it('a WGSL error surfaces as an Error from the next read, naming the shader; the read after is clean', async () => {
    setShaderLoader((p) => (p === 'test/broken.wgsl' ? BROKEN : readFileSync(join(SHADERS, p), 'utf8')));
    const ctx = new GpuContext(await acquireNodeDevice());
    try {
      const c = tensorFrom(ctx, new Float32Array([5, 6, 7, 8]), [4], 'c');
      const kernel = ctx.kernel('test/broken.wgsl');
      ctx.dispatch(kernel, { buffers: { c: c.buffer }, params: { n: 4 }, workgroups: [1] });
      const err = await within(c.read(), 10_000, 'read after a broken kernel').then(
        () => null,
        (e: unknown) => e
      );
      expect(err).toBeInstanceOf(Error);
      const msg = (err as Error).message;
      expect(msg).toMatch(/validation error/);
      expect(msg).toContain('test/broken.wgsl');
      expect(msg).toMatch(/cannot assign 'u32' to 'f32'/);
      // Everything the bad dispatch caused was reported above; the next read succeeds.
      expect(Array.from(await within(c.read(), 10_000, 'second read'))).toEqual([5, 6, 7, 8]);
    } finally {
      ctx.destroy();
    }
  });

  it('a wrongly created buffer bound to a kernel: the next read throws, naming the kernel and the buffer', async () => {
    const ctx = new GpuContext(await acquireNodeDevice());
    try {
      const a = tensorFrom(ctx, new Float32Array([1, 2, 3, 4]), [4], 'a');
      const c = allocTensor(ctx, [4], 'f32', 'c');
      // MAP_READ buffer where the shader needs a storage buffer.
      const bad = ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'not-storage' });
      const kernel = ctx.kernel('engine/add.wgsl', 'add');
      ctx.dispatch(kernel, { buffers: { a: a.buffer, b: bad, c: c.buffer }, params: { n: 4, N: 1, xStride: 64, alpha: 1 }, workgroups: [1] });
      const err = await within(c.read(), 10_000, 'read after a bad binding').then(
        () => null,
        (e: unknown) => e
      );
      expect(err).toBeInstanceOf(Error);
      const msg = (err as Error).message;
      expect(msg).toContain('engine/add.wgsl:add');
      expect(msg).toContain('not-storage');
      expect(Array.from(await within(a.read(), 10_000, 'read after the error'))).toEqual([1, 2, 3, 4]);
      bad.destroy();
    } finally {
      ctx.destroy();
    }
  });
});
