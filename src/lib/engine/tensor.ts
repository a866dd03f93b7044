// Tensor: a shape, a dtype and a reference-counted GPU storage from the pool.
// Reshapes share storage. Memory is released deterministically: by dispose(), by
// the tidy() scope the tensor was made in, or by the tape once backward no longer
// needs it — never by the garbage collector.

import type { GpuContext } from '../gpu/context';

export type DType = 'f32' | 'i32' | 'u32';

export class Storage {
  refs = 1;
  constructor(
    readonly gpu: GpuContext,
    readonly buffer: GPUBuffer,
    readonly bytes: number
  ) {}
  ref(): void {
    if (this.refs <= 0) throw new Error(`storage "${this.buffer.label}" used after it was released`);
    this.refs++;
  }
  unref(): void {
    if (this.refs <= 0) throw new Error(`storage "${this.buffer.label}" released twice`);
    if (--this.refs === 0) this.gpu.pool.release(this.buffer);
  }
}

export interface TapeNode {
  name: string;
  inputs: Tensor[];
  backward: (gy: Tensor) => (Tensor | null)[];
  /** storages this node keeps alive for its backward rule */
  saved: Storage[];
}

let nextId = 1;

export class Tensor {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly size: number;
  requiresGrad = false;
  grad: Tensor | null = null;
  /** the op that produced this tensor while a tape was recording */
  creator: TapeNode | null = null;
  /** optional CPU copy of integer data (token ids), used by scatter-add backward rules */
  host: Int32Array | null = null;
  private disposed = false;

  constructor(
    readonly storage: Storage,
    shape: readonly number[],
    readonly dtype: DType,
    readonly name: string
  ) {
    this.shape = Object.freeze([...shape]);
    this.size = shape.reduce((a, b) => a * b, 1);
    scopeHooks.onCreate(this);
  }

  get gpu(): GpuContext {
    return this.storage.gpu;
  }
  get buffer(): GPUBuffer {
    if (this.storage.refs <= 0) throw new Error(`tensor "${this.name}" ${fmtShape(this.shape)} used after it was released`);
    return this.storage.buffer;
  }
  get isDisposed(): boolean {
    return this.disposed;
  }
  get rank(): number {
    return this.shape.length;
  }
  dim(i: number): number {
    return this.shape[i < 0 ? this.shape.length + i : i];
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.storage.unref();
    if (this.grad) {
      this.grad.dispose();
      this.grad = null;
    }
  }

  /** A view with another shape over the same storage. */
  reshape(shape: number[], name = this.name): Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== this.size) throw new Error(`reshape "${this.name}": ${fmtShape(this.shape)} → ${fmtShape(shape)} changes the size`);
    this.storage.ref();
    const t = new Tensor(this.storage, shape, this.dtype, name);
    t.host = this.host;
    if (this.requiresGrad && recordingHook.active()) recordingHook.reshape(this, t);
    return t;
  }

  async read(): Promise<Float32Array | Int32Array | Uint32Array> {
    const ab = await this.gpu.read(this.buffer, 0, this.size * 4);
    return this.dtype === 'f32' ? new Float32Array(ab) : this.dtype === 'i32' ? new Int32Array(ab) : new Uint32Array(ab);
  }
  async readF32(): Promise<Float32Array> {
    if (this.dtype !== 'f32') throw new Error(`tensor "${this.name}" is ${this.dtype}, not f32`);
    return (await this.read()) as Float32Array;
  }
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

// Hooks set by scope.ts and tape.ts (kept here as plain objects to avoid import cycles).
export const scopeHooks = { onCreate: (_t: Tensor): void => {} };
export const recordingHook = {
  active: (): boolean => false,
  reshape: (_from: Tensor, _to: Tensor): void => {}
};

export function allocTensor(gpu: GpuContext, shape: readonly number[], dtype: DType, name: string): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const bytes = Math.max(4, size * 4);
  const buffer = gpu.pool.acquire(bytes, name);
  return new Tensor(new Storage(gpu, buffer, bytes), shape, dtype, name);
}

export function tensorFrom(
  gpu: GpuContext,
  data: Float32Array | Int32Array | Uint32Array | number[],
  shape: readonly number[],
  name: string,
  dtype?: DType
): Tensor {
  const dt: DType = dtype ?? (data instanceof Int32Array ? 'i32' : data instanceof Uint32Array ? 'u32' : 'f32');
  const arr =
    data instanceof Float32Array || data instanceof Int32Array || data instanceof Uint32Array
      ? data
      : dt === 'f32'
        ? new Float32Array(data)
        : dt === 'i32'
          ? new Int32Array(data)
          : new Uint32Array(data);
  const size = shape.reduce((a, b) => a * b, 1);
  if (arr.length !== size) throw new Error(`tensor "${name}": ${arr.length} values for shape ${fmtShape(shape)} (${size})`);
  const t = allocTensor(gpu, shape, dt, name);
  if (size > 0) gpu.write(t.buffer, arr);
  if (dt === 'i32' && arr instanceof Int32Array) t.host = arr;
  return t;
}

/** Reshape and give up the original handle (for temporaries in backward rules). */
export function reshapeMove(t: Tensor, shape: number[]): Tensor {
  const v = t.reshape(shape);
  t.dispose();
  return v;
}

/** Run fn on a temporary view of t, disposing the view afterwards. */
export function withView<T>(t: Tensor, shape: number[], fn: (v: Tensor) => T): T {
  const v = t.reshape(shape);
  try {
    return fn(v);
  } finally {
    v.dispose();
  }
}
