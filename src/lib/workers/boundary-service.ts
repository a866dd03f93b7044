// The service side of the client/service boundary: ServiceInbox is the one way privatized input
// enters the service worker. Every message goes through assertPrivatizedBatch (anything else is
// refused, and the refusal — not the message — is logged), then the ids are checked against the
// model's vocabulary, recorded in the BoundaryLog ("what the service saw"), and handed back in the
// shape BertModel.forward takes (flat ids [B, T], token types, attention mask rows). A whole
// tuning run's data arrives the same way as a PrivatizedTrainingSet (receiveTrainingSet).
// No GPU, no DOM: usable in the service worker, in tests, and in Node.

import { assertPrivatizedBatch, BoundaryError, type BatchMechanism, type PrivatizedBatch } from '../boundary/batch';
import { BoundaryLog, type AcceptedEntry, type TrainingSetEntry } from '../boundary/log';
import { assertPrivatizedTrainingSet, type PrivatizedTrainingSet } from '../boundary/training-set';

export interface ModelInput {
  /** row-major [B, T] token ids */
  inputIds: Int32Array;
  /** [B, T] zeros (one segment per sequence) */
  tokenTypeIds: Int32Array;
  /** B rows of T 0/1 flags */
  attentionMask: number[][];
  shape: [number, number];
  mechanism: BatchMechanism;
  seeded: boolean;
  /** the log entry this batch made */
  entry: AcceptedEntry;
}

export interface ServiceInboxOptions {
  /** rows of the model's embedding table: ids ≥ this are refused */
  vocabSize?: number;
  log?: BoundaryLog;
}

export class ServiceInbox {
  readonly log: BoundaryLog;
  private vocab: number | undefined;

  constructor(opts: ServiceInboxOptions = {}) {
    this.log = opts.log ?? new BoundaryLog();
    this.vocab = opts.vocabSize;
  }

  /** Set when the service loads (another) model. */
  setVocabSize(v: number | undefined): void {
    this.vocab = v;
  }

  get vocabSize(): number | undefined {
    return this.vocab;
  }

  /**
   * Validate, log and unpack one message. Throws BoundaryError (after logging the refusal) for
   * anything that is not a well-formed PrivatizedBatch within the model's vocabulary.
   */
  receive(message: unknown): ModelInput {
    const receivedAt = Date.now();
    try {
      assertPrivatizedBatch(message);
      this.checkVocabulary(message);
    } catch (e) {
      const err =
        e instanceof BoundaryError ? e : new BoundaryError('bad-value', 'batch', (e as Error)?.message ?? 'invalid message');
      this.log.recordRejected(err, receivedAt);
      throw err;
    }
    const entry = this.log.recordAccepted(message, receivedAt);
    const B = message.sequences.length;
    const T = message.sequences[0].length;
    const inputIds = new Int32Array(B * T);
    message.sequences.forEach((s, b) => inputIds.set(s, b * T));
    return {
      inputIds,
      tokenTypeIds: new Int32Array(B * T),
      attentionMask: message.attentionMask.map((m) => Array.from(m)),
      shape: [B, T],
      mechanism: message.mechanism,
      seeded: message.seeded,
      entry
    };
  }

  /**
   * Validate and log one training set (assertPrivatizedTrainingSet, ids within the vocabulary).
   * Throws BoundaryError (after logging the refusal) otherwise. `allowClean` admits an unprivatized
   * set: only for a run wholly on the user's machine (the CLI), never in the browser's service worker.
   */
  receiveTrainingSet(message: unknown, opts: { allowClean?: boolean } = {}): { set: PrivatizedTrainingSet; entry: TrainingSetEntry } {
    const receivedAt = Date.now();
    try {
      assertPrivatizedTrainingSet(message, { vocabSize: this.vocab, allowClean: opts.allowClean ?? false });
    } catch (e) {
      const err =
        e instanceof BoundaryError ? e : new BoundaryError('bad-value', 'set', (e as Error)?.message ?? 'invalid message', 'PrivatizedTrainingSet');
      this.log.recordRejected(err, receivedAt);
      throw err;
    }
    return { set: message, entry: this.log.recordTrainingSet(message, receivedAt) };
  }

  private checkVocabulary(batch: PrivatizedBatch): void {
    const V = this.vocab;
    if (V === undefined) return;
    const check = (rows: Int32Array[], name: string): void => {
      rows.forEach((s, b) => {
        for (let i = 0; i < s.length; i++)
          if (s[i] >= V)
            throw new BoundaryError('bad-value', `${name}[${b}][${i}]`, `token id ${s[i]} is outside the model's vocabulary (${V} ids, 0..${V - 1})`);
      });
    };
    check(batch.sequences, 'sequences');
    check(batch.plainTokens ?? [], 'plainTokens');
  }
}
