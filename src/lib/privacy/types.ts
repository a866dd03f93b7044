// The privatization interface shared by the client worker, the CLI and the mechanisms.
// Text-to-text local DP: token ids in, token ids out. The raw text never leaves the
// client; only the output ids (and public metadata) cross to the service.

export type MechanismName = 'dchi' | 'laplace' | 'santext' | 'santext+' | 'custext';

export interface MechanismSpec {
  mechanism: MechanismName;
  /** d_χ: noise density ∝ exp(−η‖z‖) */
  eta?: number;
  /** Laplace, SanText, SanText+, CusText */
  epsilon?: number;
  /** Laplace: L1 norm bound C each embedding is clipped to before noise */
  clip?: number;
  /** Laplace: replace the noisy embedding by its nearest token (default true) */
  project?: boolean;
  /** SanText+: probability that a non-sensitive token is replaced (default 0.2) */
  p?: number;
  /** SanText+: least-frequent fraction of the vocabulary that is sensitive (default 0.5) */
  w?: number;
  /** CusText: size of each token's output set (default 20) */
  k?: number;
  /**
   * Fixed seed for reproducibility. When set, outputs are labelled NOT PRIVATE: anyone
   * with the seed can replay the noise. Without it, every run draws a fresh 64-bit Philox key
   * from crypto.getRandomValues.
   */
  seed?: number;
}

/** The public table the mechanisms work on: the model's word embeddings and vocabulary. */
export interface EmbeddingTable {
  /** [V, C] row-major */
  embeddings: Float32Array;
  V: number;
  C: number;
  /** token strings by id */
  tokens: string[];
  /** ids that may be produced (the real vocabulary: no [PAD] [CLS] [SEP] [MASK] [UNK] or [unused…]) */
  candidates: Int32Array;
  /** corpus frequency per id (SanText+ decides which tokens are sensitive); optional */
  frequencies?: Float64Array;
}

export interface PrivatizeResult {
  /** privatized ids, same length and order as the input */
  ids: Int32Array;
  /** positions whose id changed */
  replaced: number;
  /** true when a fixed seed made the run reproducible (and so not private) */
  seeded: boolean;
  /** for continuous releases (Laplace without projection): the noisy embeddings [n, C] */
  embeddings?: Float32Array;
}

export interface Privatizer {
  readonly spec: MechanismSpec;
  /** Privatize one sequence of ids (special tokens such as [CLS]/[SEP] pass through unchanged). */
  privatize(ids: Int32Array): Promise<PrivatizeResult>;
  /** A one-line statement of what this mechanism guarantees for this budget. */
  guarantee(): string;
  dispose(): void;
}
