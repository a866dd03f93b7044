// A pool of storage buffers with deterministic release. Buffers are binned by size
// (rounded up to 256 bytes), so a training step with fixed shapes reuses exactly the
// buffers of the step before and allocates nothing new. Live counts and bytes are
// exposed for leak tests and the debug view.

import { BufferTooLargeError } from './errors';

export interface PoolStats {
  /** buffers handed out and not yet released */
  liveBuffers: number;
  liveBytes: number;
  /** released buffers kept for reuse */
  freeBuffers: number;
  freeBytes: number;
  /** highest liveBytes since the last resetPeak() */
  peakLiveBytes: number;
  /** GPU memory held by the pool (live + free) */
  heldBytes: number;
  created: number;
}

const ALIGN = 256;

export function roundSize(bytes: number): number {
  return Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
}

export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  private live = new Map<GPUBuffer, number>();
  private stats: PoolStats = {
    liveBuffers: 0,
    liveBytes: 0,
    freeBuffers: 0,
    freeBytes: 0,
    peakLiveBytes: 0,
    heldBytes: 0,
    created: 0
  };

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: number = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST
  ) {}

  acquire(bytes: number, label: string): GPUBuffer {
    const size = roundSize(bytes);
    const limits = this.device.limits;
    if (size > limits.maxStorageBufferBindingSize)
      throw new BufferTooLargeError(label, bytes, limits.maxStorageBufferBindingSize, 'maxStorageBufferBindingSize');
    if (size > limits.maxBufferSize) throw new BufferTooLargeError(label, bytes, limits.maxBufferSize, 'maxBufferSize');
    const bin = this.free.get(size);
    let buffer = bin?.pop();
    if (buffer) {
      this.stats.freeBuffers--;
      this.stats.freeBytes -= size;
    } else {
      buffer = this.device.createBuffer({ size, usage: this.usage, label });
      this.stats.created++;
      this.stats.heldBytes += size;
    }
    this.live.set(buffer, size);
    this.stats.liveBuffers++;
    this.stats.liveBytes += size;
    if (this.stats.liveBytes > this.stats.peakLiveBytes) this.stats.peakLiveBytes = this.stats.liveBytes;
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    const size = this.live.get(buffer);
    if (size === undefined) throw new Error(`buffer "${buffer.label}" released twice or not from this pool`);
    this.live.delete(buffer);
    this.stats.liveBuffers--;
    this.stats.liveBytes -= size;
    let bin = this.free.get(size);
    if (!bin) this.free.set(size, (bin = []));
    bin.push(buffer);
    this.stats.freeBuffers++;
    this.stats.freeBytes += size;
  }

  /** Destroy every free buffer (GPU memory goes back to the driver). */
  trim(): void {
    for (const bin of this.free.values()) for (const b of bin) b.destroy();
    this.stats.heldBytes -= this.stats.freeBytes;
    this.free.clear();
    this.stats.freeBuffers = 0;
    this.stats.freeBytes = 0;
  }

  resetPeak(): void {
    this.stats.peakLiveBytes = this.stats.liveBytes;
  }

  snapshot(): PoolStats {
    return { ...this.stats };
  }

  destroyAll(): void {
    this.trim();
    for (const b of this.live.keys()) b.destroy();
    this.live.clear();
  }
}
