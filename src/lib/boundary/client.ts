// The client side of the boundary: raw texts in, a PrivatizedBatch (ids only) plus client-only
// details out. Runs wherever raw text may live — the client web worker (client.worker.ts), the
// CLI (the user's own terminal) and the tests — with the same code.
//
//   texts ─► tokenizer ([CLS] … [SEP]) ─► check: non-empty, fits, every id has an embedding
//         ─► one privatize() call over all rows (each position draws its own noise; [CLS]/[SEP]
//            and other non-candidates pass through) ─► split, pad ─► PrivatizedBatch
//
// The details (each token's original and privatized form) hold raw text and never go into the
// batch; the caller keeps them on the client side.
// Browser-safe.

import type { GpuContext } from '../gpu/context';
import type { BertTokenizer } from '../model/tokenizer';
import { NOT_PRIVATE_NOTE } from '../privacy/embedding-mechanism';
import { maxCandidateL1 } from '../privacy/laplace';
import { releaseNearestIndex } from '../privacy/nearest';
import { neighbourhoodView, type NeighbourhoodView } from '../privacy/neighbourhood';
import { deniability, expectedNoiseNormFor, typicalNeighbourDistance } from '../privacy/readouts';
import type { EmbeddingTable, MechanismSpec, Privatizer } from '../privacy/types';
import { buildPrivatizedBatch, MAX_BATCH_SEQUENCES, type BatchMechanism, type PrivatizedBatch } from './batch';
import { createPrivatizer } from './factory';
import { budgetOf, checkMechanismSpec } from './spec';

export class PrivatizeInputError extends Error {
  override name = 'PrivatizeInputError';
}

export interface TokenDetail {
  original: string;
  original_id: number;
  privatized: string;
  privatized_id: number;
  replaced: boolean;
  /** [CLS], [SEP], [UNK], …: passed through without noise */
  special: boolean;
}

export interface PrivatizeReadouts {
  /** E‖z‖ for d_χ and Laplace; null for mechanisms that add no embedding noise */
  expected_noise_norm: number | null;
  typical_neighbour_distance: number;
}

/** What stays on the client: per text, per token, what went in and what came out. */
export interface PrivatizeDetails {
  mechanism: BatchMechanism;
  budget: { name: 'eta' | 'epsilon'; value: number };
  guarantee: string;
  seeded: boolean;
  not_private_warning?: string;
  texts: TokenDetail[][];
  /** replaced / privatizable positions, over the whole batch */
  replaced_fraction: number;
  readouts: PrivatizeReadouts;
  ms: number;
}

export interface PrivatizeOutput {
  batch: PrivatizedBatch;
  details: PrivatizeDetails;
}

/** The neighbourhood of one token under a mechanism (the Privatize page's chart and N_w/S_w). */
export interface TokenNeighbourhood {
  view: NeighbourhoodView;
  /** Feyisetan et al.'s statistics over `trials` privatizations of the token alone, on the GPU */
  deniability: {
    trials: number;
    /** N_w: how often the token came back unchanged */
    unchanged_rate: number;
    /** S_w: how many distinct tokens came back */
    distinct: number;
    top: { id: number; token: string; rate: number }[];
  };
  expected_noise_norm: number | null;
  ms: number;
}

export interface NeighbourhoodRequest {
  /** neighbours shown (default 8, at most 32) */
  k?: number;
  /** illustration draws for d_χ/Laplace (default 24, at most 128) */
  draws?: number;
  /** trials for N_w/S_w (default 256, at most 4096) */
  trials?: number;
  /** ids to place on the chart as outputs (what the page's samples chose) */
  extra?: number[];
}

export interface PrivacyClientOptions {
  /** longest sequence (with [CLS]/[SEP]) accepted; default: no limit */
  maxLength?: number;
  /** most texts per call (default MAX_BATCH_SEQUENCES) */
  maxTexts?: number;
}

export class PrivacyClient {
  private cached: { key: string; privatizer: Privatizer & { isCandidate?(id: number): boolean } } | null = null;
  private neighbour: number | null = null;
  private readonly candidate: Uint8Array;
  private disposed = false;

  constructor(
    readonly gpu: GpuContext,
    readonly table: EmbeddingTable,
    readonly tokenizer: BertTokenizer,
    readonly options: PrivacyClientOptions = {}
  ) {
    this.candidate = new Uint8Array(table.V);
    for (const id of table.candidates) this.candidate[id] = 1;
  }

  /** Median distance between neighbouring candidate embeddings (computed once per table). */
  typicalNeighbourDistance(): number {
    this.neighbour ??= typicalNeighbourDistance(this.table);
    return this.neighbour;
  }

  /** Token ids of one text with [CLS]/[SEP], checked. `index` names the text in errors. */
  encode(text: string, index = 0): Int32Array {
    if (typeof text !== 'string') throw new PrivatizeInputError(`text ${index + 1} is not a string`);
    if (text.trim().length === 0) throw new PrivatizeInputError(`text ${index + 1} is empty: nothing to privatize`);
    const ids = this.tokenizer.encode(text, null, { addSpecialTokens: true, truncation: false }).input_ids;
    if (ids.length <= 2) throw new PrivatizeInputError(`text ${index + 1} has no tokens after tokenization (only whitespace or control characters)`);
    const max = this.options.maxLength;
    if (max !== undefined && ids.length > max)
      throw new PrivatizeInputError(`text ${index + 1} is ${ids.length} tokens with [CLS]/[SEP]; the model takes at most ${max}: shorten it or split it`);
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] >= this.table.V)
        throw new PrivatizeInputError(
          `text ${index + 1}: token ${JSON.stringify(this.tokenizer.idToToken(ids[i]) ?? '?')} (id ${ids[i]}, position ${i}) has no embedding: ` +
            `the model's table has ${this.table.V} rows (ids 0..${this.table.V - 1}), so its vocabulary file is larger than its embedding matrix`
        );
    }
    return Int32Array.from(ids);
  }

  private privatizerFor(spec: MechanismSpec): { privatizer: Privatizer & { isCandidate?(id: number): boolean }; temporary: boolean } {
    if (spec.seed !== undefined) return { privatizer: createPrivatizer(this.gpu, this.table, spec), temporary: true };
    const key = JSON.stringify(spec, Object.keys(spec).sort());
    if (this.cached?.key === key) return { privatizer: this.cached.privatizer, temporary: false };
    const privatizer = createPrivatizer(this.gpu, this.table, spec);
    this.cached?.privatizer.dispose();
    this.cached = { key, privatizer };
    return { privatizer, temporary: false };
  }

  /** Privatize `texts` (one sequence each) with `spec`. A spec with a seed gives the same output for the same input (NOT PRIVATE). */
  async privatize(texts: readonly string[], spec: MechanismSpec): Promise<PrivatizeOutput> {
    if (this.disposed) throw new Error('PrivacyClient used after dispose()');
    const t0 = performance.now();
    checkMechanismSpec(spec);
    if (spec.mechanism === 'laplace' && spec.project === false)
      throw new PrivatizeInputError(
        'laplace with project = false releases noisy embeddings, not token ids, and a PrivatizedBatch carries token ids only: ' +
          'use project = true at the boundary (rapt privatize --no-project prints continuous releases)'
      );
    if (!Array.isArray(texts) || texts.length === 0) throw new PrivatizeInputError('no texts to privatize (give at least one)');
    const maxTexts = this.options.maxTexts ?? MAX_BATCH_SEQUENCES;
    if (texts.length > maxTexts) throw new PrivatizeInputError(`${texts.length} texts at once; at most ${maxTexts}`);
    const rows = texts.map((t, i) => this.encode(t, i));
    const flat = new Int32Array(rows.reduce((a, r) => a + r.length, 0));
    let o = 0;
    for (const r of rows) {
      flat.set(r, o);
      o += r.length;
    }

    const { privatizer, temporary } = this.privatizerFor(spec);
    let out: Int32Array;
    let guarantee: string;
    try {
      const res = await privatizer.privatize(flat);
      out = res.ids;
      guarantee = privatizer.guarantee();
    } finally {
      if (temporary) privatizer.dispose();
    }

    const privRows: Int32Array[] = [];
    const details: TokenDetail[][] = [];
    let n = 0,
      changed = 0;
    o = 0;
    for (const r of rows) {
      const p = out.slice(o, o + r.length);
      o += r.length;
      privRows.push(p);
      details.push(
        Array.from(r, (id, i) => {
          const special = this.candidate[id] !== 1;
          const replaced = p[i] !== id;
          if (!special) {
            n++;
            if (replaced) changed++;
          }
          return {
            original: this.tokenizer.idToToken(id) ?? `[${id}]`,
            original_id: id,
            privatized: this.tokenizer.idToToken(p[i]) ?? `[${p[i]}]`,
            privatized_id: p[i],
            replaced,
            special
          };
        })
      );
    }

    const resolved: Partial<BatchMechanism> = {};
    if (spec.mechanism === 'laplace') {
      resolved.clip = spec.clip ?? maxCandidateL1(this.table);
      resolved.project = true;
    }
    const batch = buildPrivatizedBatch(privRows, spec, { padId: this.tokenizer.padTokenId, resolved });
    const m = spec.mechanism;
    const result: PrivatizeDetails = {
      mechanism: batch.mechanism,
      budget: budgetOf(spec),
      guarantee,
      seeded: batch.seeded,
      texts: details,
      replaced_fraction: n === 0 ? 0 : changed / n,
      readouts: {
        expected_noise_norm: m === 'dchi' || m === 'laplace' ? expectedNoiseNormFor(spec, this.table) : null,
        typical_neighbour_distance: this.typicalNeighbourDistance()
      },
      ms: performance.now() - t0
    };
    if (batch.seeded) result.not_private_warning = NOT_PRIVATE_NOTE;
    return { batch, details: result };
  }

  /**
   * The neighbourhood of candidate token `id` under `spec`: its nearest tokens, illustration draws
   * and their 2-D projection (CPU, float64), and N_w/S_w from `trials` runs of the mechanism itself.
   */
  async neighbourhood(id: number, spec: MechanismSpec, req: NeighbourhoodRequest = {}): Promise<TokenNeighbourhood> {
    if (this.disposed) throw new Error('PrivacyClient used after dispose()');
    const t0 = performance.now();
    checkMechanismSpec(spec);
    if (!Number.isInteger(id) || id < 0 || id >= this.table.V || this.candidate[id] !== 1)
      throw new PrivatizeInputError(`token id ${id} is not a token the mechanisms privatize (special tokens pass through unchanged)`);
    const clamp = (v: number | undefined, d: number, hi: number): number => Math.max(1, Math.min(hi, Math.floor(Number.isFinite(v) ? v! : d)));
    const trials = clamp(req.trials, 256, 4096);
    const { privatizer, temporary } = this.privatizerFor(spec.mechanism === 'laplace' ? { ...spec, project: true } : spec);
    let den;
    try {
      den = await deniability(privatizer, id, trials, { top: 8 });
    } finally {
      if (temporary) privatizer.dispose();
    }
    const extra = [...(req.extra ?? []).filter((y) => Number.isInteger(y) && y >= 0 && y < this.table.V), ...den.top.slice(0, 4).map(([y]) => y)];
    const view = neighbourhoodView(this.table, id, spec, { k: clamp(req.k, 8, 32), draws: clamp(req.draws, 24, 128), extra });
    const m = spec.mechanism;
    return {
      view,
      deniability: {
        trials,
        unchanged_rate: den.unchanged_rate,
        distinct: den.distinct,
        top: den.top.map(([y, rate]) => ({ id: y, token: this.tokenizer.idToToken(y) ?? `[${y}]`, rate }))
      },
      expected_noise_norm: m === 'dchi' || m === 'laplace' ? expectedNoiseNormFor(spec, this.table) : null,
      ms: performance.now() - t0
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.cached?.privatizer.dispose();
    this.cached = null;
    releaseNearestIndex(this.gpu, this.table);
  }
}
