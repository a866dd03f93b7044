// GpuContext: the device plus everything that makes it cheap to use — the buffer
// pool, the kernel cache, immutable uniform buffers cached by content, one open
// command encoder that many dispatches share, and readbacks that never hang when
// the device is lost.

import { makeStructuredView } from 'webgpu-utils';
import type { AcquiredDevice, AdapterSummary } from './device';
import { BufferPool, type PoolStats } from './buffer-pool';
import { KernelCache, type Constants, type Kernel } from './kernel-cache';
import { DeviceLostError } from './errors';

export type Workgroups = [number, number?, number?];

export interface DispatchSpec {
  /** storage buffers by WGSL variable name */
  buffers: Record<string, GPUBuffer>;
  /** values of the uniform struct bound as `params` (if the shader has one) */
  params?: Record<string, number | number[]>;
  workgroups: Workgroups;
}

const MAX_DISPATCHES_PER_SUBMIT = 512;
const UNIFORM_CACHE_LIMIT = 4096;
/** How long a failed readback waits for device.lost before it reports its own error. */
const LOST_GRACE_MS = 100;

export class GpuContext {
  readonly device: GPUDevice;
  readonly summary: AdapterSummary;
  readonly pool: BufferPool;
  readonly kernels: KernelCache;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private pending = 0;
  private uniforms = new Map<string, GPUBuffer>();
  private lostError: DeviceLostError | null = null;
  private readonly lostPromise: Promise<DeviceLostError>;
  private validationErrors: string[] = [];
  dispatches = 0;
  submits = 0;
  private placeholder: GPUBuffer | null = null;
  private profiler: KernelProfiler | null = null;

  constructor(acquired: AcquiredDevice) {
    this.device = acquired.device;
    this.summary = acquired.summary;
    this.pool = new BufferPool(this.device);
    this.kernels = new KernelCache(this.device);
    this.lostPromise = acquired.lost.then((err) => {
      this.lostError = err;
      return err;
    });
    this.device.addEventListener('uncapturederror', (ev) => {
      const e = (ev as GPUUncapturedErrorEvent).error;
      if (this.validationErrors.length < 16) this.validationErrors.push(e.message);
    });
  }

  get lost(): DeviceLostError | null {
    return this.lostError;
  }

  /** resolves when the device is lost: the UI listens here to tell the user */
  onLost(): Promise<DeviceLostError> {
    return this.lostPromise;
  }

  private assertAlive(): void {
    if (this.lostError) throw this.lostError;
    if (this.validationErrors.length) {
      const msgs = this.validationErrors.splice(0);
      throw new Error(`WebGPU validation error(s):\n${msgs.join('\n')}`);
    }
  }

  kernel(path: string, entryPoint = 'main', constants: Constants = {}): Kernel {
    return this.kernels.get(path, entryPoint, constants);
  }

  dispatch(kernel: Kernel, spec: DispatchSpec): void {
    if (this.lostError) throw this.lostError;
    const entries: GPUBindGroupEntry[] = [];
    for (const [name, res] of kernel.resources) {
      if (res.kind === 'uniform') {
        entries.push({ binding: res.binding, resource: { buffer: this.uniformBuffer(kernel, name, spec.params ?? {}) } });
      } else {
        const buffer = spec.buffers[name];
        if (!buffer) throw new Error(`${kernel.label}: no buffer given for "${name}"`);
        entries.push({ binding: res.binding, resource: { buffer } });
      }
    }
    const bindGroup = this.device.createBindGroup({ layout: kernel.layout, entries, label: kernel.label });
    const [x, y = 1, z = 1] = spec.workgroups;
    if (x === 0 || y === 0 || z === 0) return;
    const max = this.device.limits.maxComputeWorkgroupsPerDimension;
    if (x > max || y > max || z > max)
      throw new Error(`${kernel.label}: dispatch (${x}, ${y}, ${z}) exceeds maxComputeWorkgroupsPerDimension ${max}`);
    if (this.profiler) {
      // One pass per dispatch, timestamped at its start and end.
      const enc = this.commandEncoder();
      const slot = this.profiler.slot(kernel.label);
      const pass = enc.beginComputePass({ label: kernel.label, timestampWrites: slot });
      pass.setPipeline(kernel.pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(x, y, z);
      pass.end();
    } else {
      const pass = this.computePass();
      pass.setPipeline(kernel.pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(x, y, z);
    }
    this.dispatches++;
    if (++this.pending >= MAX_DISPATCHES_PER_SUBMIT) this.flush();
  }

  private computePass(): GPUComputePassEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder({ label: 'rapt-step' });
    if (!this.pass) this.pass = this.encoder.beginComputePass({ label: 'rapt-pass' });
    return this.pass;
  }

  private commandEncoder(): GPUCommandEncoder {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    if (!this.encoder) this.encoder = this.device.createCommandEncoder({ label: 'rapt-step' });
    return this.encoder;
  }

  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.commandEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
    this.pending++;
  }

  /** Submit everything encoded so far. */
  flush(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    if (this.encoder) {
      this.device.queue.submit([this.encoder.finish()]);
      this.encoder = null;
      this.pending = 0;
      this.submits++;
    }
  }

  /** Upload. Pending commands are submitted first so that they see the old contents. */
  write(buffer: GPUBuffer, data: ArrayBufferView, byteOffset = 0): void {
    if (this.lostError) throw this.lostError;
    if (this.pending > 0) this.flush();
    const bytes = new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    const padded = bytes.byteLength % 4 === 0 ? bytes : padTo4(bytes);
    this.device.queue.writeBuffer(buffer, byteOffset, padded);
  }

  /** Read bytes back to the CPU. Rejects with DeviceLostError instead of hanging when the device goes. */
  async read(buffer: GPUBuffer, byteOffset: number, bytes: number): Promise<ArrayBuffer> {
    // Only a lost device stops a read up front. Validation errors are reported after the
    // pending commands have been submitted, so that every error they cause (bind group,
    // finish, submit) surfaces from this read and the next read starts clean.
    if (this.lostError) throw this.lostError;
    const size = Math.ceil(bytes / 4) * 4;
    const staging = this.device.createBuffer({
      size: Math.max(size, 4),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      label: `readback:${buffer.label}`
    });
    try {
      this.commandEncoder().copyBufferToBuffer(buffer, byteOffset, staging, 0, size);
      this.pending++;
      this.flush();
      const lost = this.lostPromise.then((e) => Promise.reject(e));
      await Promise.race([staging.mapAsync(GPUMapMode.READ), lost]);
      const out = staging.getMappedRange().slice(0, bytes);
      staging.unmap();
      this.assertAlive();
      return out;
    } catch (e) {
      // Chromium fails a pending mapAsync ("Buffer was unmapped before mapping was resolved") a
      // moment before device.lost resolves: give the loss that moment, so a read cut off by it says so.
      if (!this.lostError) await Promise.race([this.lostPromise, new Promise((r) => setTimeout(r, LOST_GRACE_MS))]);
      if (this.lostError) throw this.lostError;
      throw e;
    } finally {
      staging.destroy();
    }
  }

  /** Wait until the GPU has finished everything submitted (used by benchmarks). */
  async sync(): Promise<void> {
    this.flush();
    const lost = this.lostPromise.then((e) => Promise.reject(e));
    await Promise.race([this.device.queue.onSubmittedWorkDone(), lost]);
    this.assertAlive();
  }

  private uniformBuffer(kernel: Kernel, name: string, values: Record<string, number | number[]>): GPUBuffer {
    const def = kernel.defs.uniforms[name];
    if (!def) throw new Error(`${kernel.label}: uniform "${name}" has no definition`);
    const view = makeStructuredView(def);
    view.set(values);
    const bytes = new Uint8Array(view.arrayBuffer);
    let key = `${def.size}:`;
    const words = new Uint32Array(view.arrayBuffer);
    for (let i = 0; i < words.length; i++) key += words[i].toString(36) + ',';
    let buf = this.uniforms.get(key);
    if (!buf) {
      if (this.uniforms.size >= UNIFORM_CACHE_LIMIT) this.dropUniforms();
      buf = this.device.createBuffer({
        size: Math.max(16, bytes.byteLength),
        usage: GPUBufferUsage.UNIFORM,
        mappedAtCreation: true,
        label: `uniform:${kernel.label}`
      });
      new Uint8Array(buf.getMappedRange()).set(bytes);
      buf.unmap();
      this.uniforms.set(key, buf);
    }
    return buf;
  }

  private dropUniforms(): void {
    // Commands already encoded may still reference these: submit them before destroying.
    this.flush();
    for (const b of this.uniforms.values()) b.destroy();
    this.uniforms.clear();
  }

  /** A small buffer bound where an entry point declares a resource it does not use in this variant. */
  dummyBuffer(): GPUBuffer {
    if (!this.placeholder)
      this.placeholder = this.device.createBuffer({
        size: 256,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
        label: 'unused-binding'
      });
    return this.placeholder;
  }

  /**
   * Per-kernel GPU timing with timestamp queries (the `?debug=1` view and `rapt bench --profile`).
   * Returns false when the device lacks the 'timestamp-query' feature.
   */
  startProfiling(): boolean {
    if (!this.device.features.has('timestamp-query')) return false;
    this.flush();
    this.profiler = new KernelProfiler(this.device);
    return true;
  }

  /** Stop profiling and return milliseconds and dispatch counts per kernel, slowest first. */
  async stopProfiling(): Promise<{ kernel: string; ms: number; count: number }[]> {
    const p = this.profiler;
    if (!p) return [];
    this.profiler = null;
    const out = await p.collect(this);
    return out;
  }

  stats(): PoolStats & { kernels: number; uniforms: number; dispatches: number; submits: number } {
    return {
      ...this.pool.snapshot(),
      kernels: this.kernels.size,
      uniforms: this.uniforms.size,
      dispatches: this.dispatches,
      submits: this.submits
    };
  }

  destroy(): void {
    this.flush();
    this.dropUniforms();
    this.pool.destroyAll();
    this.device.destroy();
  }
}

function padTo4(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
  out.set(bytes);
  return out;
}

const QUERY_CHUNK = 512;

/** Timestamp queries in chunks of 512 pairs, resolved when profiling stops. */
class KernelProfiler {
  private sets: { set: GPUQuerySet; labels: string[] }[] = [];
  constructor(private readonly device: GPUDevice) {}

  slot(label: string): GPUComputePassTimestampWrites {
    let cur = this.sets[this.sets.length - 1];
    if (!cur || cur.labels.length >= QUERY_CHUNK) {
      cur = { set: this.device.createQuerySet({ type: 'timestamp', count: QUERY_CHUNK * 2, label: 'profile' }), labels: [] };
      this.sets.push(cur);
    }
    const i = cur.labels.length;
    cur.labels.push(label);
    return { querySet: cur.set, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  async collect(ctx: GpuContext): Promise<{ kernel: string; ms: number; count: number }[]> {
    const totals = new Map<string, { ms: number; count: number }>();
    for (const cur of this.sets) {
      const n = cur.labels.length;
      const resolved = this.device.createBuffer({ size: Math.max(16, n * 16), usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, label: 'profile-resolve' });
      const enc = this.device.createCommandEncoder();
      enc.resolveQuerySet(cur.set, 0, n * 2, resolved, 0);
      ctx.flush();
      this.device.queue.submit([enc.finish()]);
      const ab = await ctx.read(resolved, 0, n * 16);
      const t = new BigInt64Array(ab);
      for (let i = 0; i < n; i++) {
        const ms = Number(t[2 * i + 1] - t[2 * i]) / 1e6;
        const key = cur.labels[i];
        const e = totals.get(key) ?? { ms: 0, count: 0 };
        e.ms += ms;
        e.count++;
        totals.set(key, e);
      }
      resolved.destroy();
      cur.set.destroy();
    }
    return [...totals.entries()].map(([kernel, v]) => ({ kernel, ...v })).sort((a, b) => b.ms - a.ms);
  }
}
