// BoundaryLog: everything that crossed the client/service boundary, as the service saw it, for
// the "what the service saw" view and for export as JSON. Accepted batches and training sets are
// recorded in full (mechanism, budget, shape, every token id, the masks, the labels as class
// indices); refused messages are recorded by their error only — never their contents, which may
// be exactly the raw text the boundary kept out.
// Browser-safe.

import type { BatchMechanism, BoundaryErrorCode, PrivatizedBatch } from './batch';
import type { PrivatizedTrainingSet, TrainingSplit, TrainingSplitWithPlain } from './training-set';
import { budgetOf } from './spec';

export interface AcceptedEntry {
  /** 0, 1, 2, … in arrival order (refusals included) */
  seq: number;
  accepted: true;
  kind: 'batch';
  /** Date.now() on the service when the batch arrived */
  receivedAt: number;
  /** the batch's createdAt (client clock) */
  createdAt: number;
  mechanism: BatchMechanism;
  budget: { name: 'eta' | 'epsilon'; value: number };
  seeded: boolean;
  /** [sequences, tokens per sequence] */
  shape: [number, number];
  /** real (unpadded) tokens per sequence */
  lengths: number[];
  /** every token id that crossed, padding included */
  sequences: number[][];
  attentionMask: number[][];
  plainTokens: number[][];
}

/** One split of a training set as the service received it: every id, every class index. */
export interface LoggedSplit {
  examples: number;
  /** token ids over all examples */
  tokens: number;
  ids: number[][];
  labels: number[];
  plainPrivatized?: number[][];
  plainOriginal?: number[][];
}

/** A PrivatizedTrainingSet that passed assertPrivatizedTrainingSet. */
export interface TrainingSetEntry {
  seq: number;
  accepted: true;
  kind: 'training-set';
  receivedAt: number;
  createdAt: number;
  /** null: a clean (unprivatized) set, accepted only by an in-process run on the user's machine */
  mechanism: BatchMechanism | null;
  budget: { name: 'eta' | 'epsilon'; value: number } | null;
  seeded: boolean;
  numClasses: number;
  plainTokens: number;
  splits: { train: LoggedSplit; dev: LoggedSplit; test: LoggedSplit; cleanTest?: LoggedSplit };
  verbalizer?: { template: number[]; labelWords: number[] };
}

export interface RejectedEntry {
  seq: number;
  accepted: false;
  receivedAt: number;
  code: BoundaryErrorCode | 'invalid';
  /** where the message was wrong (a schema path such as "sequences[1]") */
  path: string;
  /** the validator's message (it names keys and types, never string values) */
  error: string;
}

export type BoundaryLogEntry = AcceptedEntry | TrainingSetEntry | RejectedEntry;

function logSplit(s: TrainingSplit | TrainingSplitWithPlain): LoggedSplit {
  const out: LoggedSplit = {
    examples: s.ids.length,
    tokens: s.ids.reduce((n, r) => n + r.length, 0),
    ids: s.ids.map((r) => Array.from(r)),
    labels: Array.from(s.labels)
  };
  const p = s as TrainingSplitWithPlain;
  if (p.plainPrivatized) out.plainPrivatized = p.plainPrivatized.map((r) => Array.from(r));
  if (p.plainOriginal) out.plainOriginal = p.plainOriginal.map((r) => Array.from(r));
  return out;
}

export interface BoundaryLogExport {
  kind: 'rapt-boundary-log';
  version: 1;
  exportedAt: number;
  /** entries dropped from the front because the log was full */
  dropped: number;
  entries: BoundaryLogEntry[];
}

export class BoundaryLog {
  private readonly items: BoundaryLogEntry[] = [];
  private next = 0;
  private droppedCount = 0;
  private readonly listeners = new Set<(e: BoundaryLogEntry) => void>();

  /** keeps the newest `capacity` entries */
  constructor(readonly capacity = 10_000) {}

  /** Record a batch that passed assertPrivatizedBatch. */
  recordAccepted(batch: PrivatizedBatch, receivedAt = Date.now()): AcceptedEntry {
    const sequences = batch.sequences.map((s) => Array.from(s));
    const attentionMask = batch.attentionMask.map((m) => Array.from(m));
    const entry: AcceptedEntry = {
      seq: this.next++,
      accepted: true,
      kind: 'batch',
      receivedAt,
      createdAt: batch.createdAt,
      mechanism: { ...batch.mechanism },
      budget: budgetOf(batch.mechanism),
      seeded: batch.seeded,
      shape: [sequences.length, sequences[0]?.length ?? 0],
      lengths: attentionMask.map((m) => m.reduce((a, x) => a + x, 0)),
      sequences,
      attentionMask,
      plainTokens: (batch.plainTokens ?? []).map((p) => Array.from(p))
    };
    this.push(entry);
    return entry;
  }

  /** Record a training set that passed assertPrivatizedTrainingSet. */
  recordTrainingSet(set: PrivatizedTrainingSet, receivedAt = Date.now()): TrainingSetEntry {
    const entry: TrainingSetEntry = {
      seq: this.next++,
      accepted: true,
      kind: 'training-set',
      receivedAt,
      createdAt: set.createdAt,
      mechanism: set.mechanism ? { ...set.mechanism } : null,
      budget: set.mechanism ? budgetOf(set.mechanism) : null,
      seeded: set.seeded,
      numClasses: set.numClasses,
      plainTokens: set.plainTokens,
      splits: {
        train: logSplit(set.train),
        dev: logSplit(set.dev),
        test: logSplit(set.test),
        ...(set.cleanTest ? { cleanTest: logSplit(set.cleanTest) } : {})
      },
      ...(set.verbalizer ? { verbalizer: { template: Array.from(set.verbalizer.template), labelWords: Array.from(set.verbalizer.labelWords) } } : {})
    };
    this.push(entry);
    return entry;
  }

  /** Record a refused message: its error, never its contents. */
  recordRejected(err: { code?: BoundaryErrorCode; path?: string; message: string }, receivedAt = Date.now()): RejectedEntry {
    const entry: RejectedEntry = {
      seq: this.next++,
      accepted: false,
      receivedAt,
      code: err.code ?? 'invalid',
      path: err.path ?? 'batch',
      error: err.message
    };
    this.push(entry);
    return entry;
  }

  private push(e: BoundaryLogEntry): void {
    this.items.push(e);
    if (this.items.length > this.capacity) {
      this.items.shift();
      this.droppedCount++;
    }
    for (const l of this.listeners) l(e);
  }

  /** Called with each new entry; returns an unsubscribe function. */
  subscribe(listener: (e: BoundaryLogEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get entries(): readonly BoundaryLogEntry[] {
    return this.items;
  }

  get size(): number {
    return this.items.length;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  /** Totals for a summary line: batches, sequences, tokens (real, unpadded) accepted, training sets, refusals. */
  summary(): { batches: number; sequences: number; tokens: number; trainingSets: number; rejected: number } {
    let batches = 0,
      sequences = 0,
      tokens = 0,
      trainingSets = 0,
      rejected = 0;
    for (const e of this.items) {
      if (!e.accepted) {
        rejected++;
        continue;
      }
      if (e.kind === 'training-set') {
        trainingSets++;
        continue;
      }
      batches++;
      sequences += e.shape[0];
      tokens += e.lengths.reduce((a, x) => a + x, 0);
    }
    return { batches, sequences, tokens, trainingSets, rejected };
  }

  clear(): void {
    this.items.length = 0;
    this.droppedCount = 0;
  }

  /** A structured-clone- and JSON-safe copy of the log. */
  toJSON(): BoundaryLogExport {
    return {
      kind: 'rapt-boundary-log',
      version: 1,
      exportedAt: Date.now(),
      dropped: this.droppedCount,
      entries: this.items.map((e) => structuredClone(e))
    };
  }

  /** The log as a JSON document (for a download link). */
  exportJson(space?: number): string {
    return JSON.stringify(this.toJSON(), null, space);
  }
}
