// What the embedding-noise mechanisms (d_χ, Laplace) share: validation, keys, the table on
// the GPU, and the pipeline  gather + noise (one kernel) → nearest-token projection.
//
// Keys and counters: every privatize() call uses Philox counter word 3 = the call number of
// this privatizer (0, 1, 2, …) and word 0 = the token's position in the input. Without a seed,
// each call also draws a fresh key from crypto.getRandomValues. With a seed the key is fixed:
// two privatizers built with the same seed give the same outputs call for call (reproducible,
// NOT PRIVATE), while successive calls of one privatizer still get independent noise.
//
// Positions whose id is not a candidate ([CLS], [SEP], [PAD], [MASK], [UNK], [unused…], or
// any id the table's candidate list leaves out) pass through unchanged and draw no noise.

import type { GpuContext } from '../gpu/context';
import { tensorFrom, type Tensor } from '../engine/tensor';
import type { NoiseDraw } from './noise';
import { nearestTokens } from './nearest';
import { freshKey, seededKey } from './seed';
import type { EmbeddingTable, MechanismName, MechanismSpec, PrivatizeResult, Privatizer } from './types';
import { validateIds, validateTable } from './validate';

/** Largest number of tokens noised in one dispatch (bounded further by the storage binding limit). */
const MAX_CHUNK = 16384;

export const NOT_PRIVATE_NOTE = 'NOT PRIVATE: fixed seed (anyone with the seed can replay the noise)';

export abstract class EmbeddingMechanism implements Privatizer {
  readonly spec: MechanismSpec;
  readonly seeded: boolean;
  protected readonly label: string;
  private readonly seedKey: [number, number] | null;
  private readonly candidate: Uint8Array;
  private tableTensor: Tensor | null = null;
  private calls = 0;
  private disposed = false;

  protected constructor(
    protected readonly gpu: GpuContext,
    protected readonly table: EmbeddingTable,
    spec: MechanismSpec,
    mechanism: MechanismName
  ) {
    this.label = mechanism;
    if (spec.mechanism !== mechanism) throw new Error(`${mechanism}: spec is for mechanism "${spec.mechanism}"`);
    validateTable(table, mechanism);
    this.spec = { ...spec };
    if (spec.seed !== undefined) {
      this.seedKey = seededKey(spec.seed).key;
      this.seeded = true;
    } else {
      this.seedKey = null;
      this.seeded = false;
    }
    this.candidate = new Uint8Array(table.V);
    for (const id of table.candidates) this.candidate[id] = 1;
  }

  /** the noise kernel: noisy embeddings [n, C] of table rows ids at positions pos */
  protected abstract noise(table: Tensor, ids: Tensor, pos: Tensor, draw: NoiseDraw): Tensor;
  /** true: output the nearest token; false: release the noisy embeddings */
  protected abstract get project(): boolean;
  abstract guarantee(): string;

  /** whether id is privatized (false: passes through unchanged) */
  isCandidate(id: number): boolean {
    return id >= 0 && id < this.table.V && this.candidate[id] === 1;
  }

  private tableOnGpu(): Tensor {
    if (!this.tableTensor) this.tableTensor = tensorFrom(this.gpu, this.table.embeddings, [this.table.V, this.table.C], `${this.label}.table`);
    return this.tableTensor;
  }

  private nextDraw(): NoiseDraw {
    if (this.calls > 0xffffffff) throw new Error(`${this.label}: more than 2^32 privatize calls on one privatizer`);
    const call = this.calls++;
    return { key: this.seedKey ?? freshKey().key, call };
  }

  async privatize(ids: Int32Array): Promise<PrivatizeResult> {
    if (this.disposed) throw new Error(`${this.label}: privatizer used after dispose()`);
    const { V, C } = this.table;
    validateIds(ids, V, this.label);
    const draw = this.nextDraw();
    const positions: number[] = [];
    for (let i = 0; i < ids.length; i++) if (this.candidate[ids[i]] === 1) positions.push(i);
    const out = Int32Array.from(ids);
    const project = this.project;
    const embeddings = project ? undefined : new Float32Array(ids.length * C);
    if (embeddings) for (let i = 0; i < ids.length; i++) embeddings.set(this.table.embeddings.subarray(ids[i] * C, ids[i] * C + C), i * C);
    let replaced = 0;
    const limit = Math.min(this.gpu.device.limits.maxStorageBufferBindingSize, this.gpu.device.limits.maxBufferSize);
    const chunk = Math.max(1, Math.min(MAX_CHUNK, Math.floor(limit / (4 * C))));
    const table = this.tableOnGpu();
    for (let s = 0; s < positions.length; s += chunk) {
      const pos = Uint32Array.from(positions.slice(s, s + chunk));
      const sel = Int32Array.from(pos, (p) => ids[p]);
      const idsT = tensorFrom(this.gpu, sel, [sel.length], `${this.label}.ids`);
      const posT = tensorFrom(this.gpu, pos, [pos.length], `${this.label}.pos`, 'u32');
      let noisy: Tensor | null = null;
      try {
        noisy = this.noise(table, idsT, posT, draw);
        if (project) {
          const nearest = await nearestTokens(this.gpu, this.table, noisy);
          for (let k = 0; k < pos.length; k++) {
            if (nearest[k] !== out[pos[k]]) replaced++;
            out[pos[k]] = nearest[k];
          }
        } else {
          const y = await noisy.readF32();
          for (let k = 0; k < pos.length; k++) {
            embeddings!.set(y.subarray(k * C, k * C + C), pos[k] * C);
            out[pos[k]] = -1;
            replaced++;
          }
        }
      } finally {
        idsT.dispose();
        posT.dispose();
        noisy?.dispose();
      }
    }
    return embeddings ? { ids: out, replaced, seeded: this.seeded, embeddings } : { ids: out, replaced, seeded: this.seeded };
  }

  /** appends the NOT PRIVATE label for seeded runs */
  protected withSeedNote(text: string): string {
    return this.seeded ? `${text}. ${NOT_PRIVATE_NOTE}` : text;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.tableTensor?.dispose();
    this.tableTensor = null;
  }
}
