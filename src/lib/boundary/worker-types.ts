// The comlink APIs of the two boundary workers, as the page sees them. Every method returns an
// Outcome (a value or an error as data), so a failure shows on the page instead of hanging it.
import type { MechanismName, MechanismSpec } from '../privacy/types';
import type { NeighbourhoodRequest, PrivatizeOutput, TokenNeighbourhood } from './client';
import type { BoundaryLogExport } from './log';
import type { PrivatizedTrainingSet } from './training-set';
import type { TuneConfig } from '../rapt/config';
import type { ClientSetSummary } from '../rapt/client-set';
import type { Dataset } from '../data/types';

export interface BoundaryFailure {
  /** 'input': the user's text or spec; 'boundary': a message the service refused; 'model': loading; 'internal': anything else */
  kind: 'input' | 'boundary' | 'model' | 'gpu' | 'internal';
  message: string;
  /** the error class name (BoundaryError, MechanismSpecError, …) */
  name?: string;
}

export type BoundaryOutcome<T> = { ok: true; value: T } | { ok: false; error: BoundaryFailure };

export interface ClientModelInfo {
  /** the model folder's URL, or "files:" + a display name for files the user picked */
  url: string;
  /** rows and width of the embedding table */
  V: number;
  C: number;
  /** ids a mechanism may output (the real vocabulary) */
  candidates: number;
  maxPositions: number;
  /** true when only the word embeddings were fetched (HTTP Range) */
  ranged: boolean;
  weightBytes: number;
  mechanisms: MechanismName[];
  adapter: string;
  ms: number;
}

/** What the Train page asks the client worker to prepare (see ../rapt/client-set.ts). */
export interface PrepareTrainingRequest {
  /** the site's data folder (static/data/), resolved by the page */
  dataUrl: string;
  /**
   * the dataset the user imported (raw examples, read by the page from this browser's IndexedDB):
   * when given, it is split here (../data/imported-split.ts) and used instead of fetching config.task
   */
  imported?: Dataset;
  /** the whole run's configuration (task names a built-in dataset, or the imported one; mechanism must not be none) */
  config: TuneConfig;
  /** the privatizer: config's mechanism and budget, and a seed only when the user gave one (NOT PRIVATE) */
  spec: MechanismSpec;
  /** also send the test split unprivatized (public built-in data only: refused with `imported`), for the clean reference metric */
  includeCleanTest: boolean;
}

export interface PreparedTraining {
  /** for the service: token ids and class indices only */
  set: PrivatizedTrainingSet;
  /** for this page only (it names the labels) */
  summary: ClientSetSummary;
}

/** The CLIENT worker (client.worker.ts): the only worker that ever holds raw text. */
export interface ClientWorkerApi {
  /** Fetch the vocabulary and word embeddings of the model folder at modelUrl; acquire a WebGPU device. */
  init(modelUrl: string): Promise<BoundaryOutcome<ClientModelInfo>>;
  /**
   * The same from model files the user picked (config.json, model.safetensors or an index and its
   * shards, vocab.txt or tokenizer.json): the files the service loaded, so that both sides share
   * one vocabulary. On failure the table loaded before stays in use.
   */
  initFiles(files: File[], name?: string): Promise<BoundaryOutcome<ClientModelInfo>>;
  /** Raw texts in; a PrivatizedBatch (for the service) and details (for this page only) out. */
  privatize(texts: string[], spec: MechanismSpec): Promise<BoundaryOutcome<PrivatizeOutput>>;
  /** The embedding neighbourhood of one token id under a mechanism, with N_w/S_w (client-only: the id came from the user's text). */
  neighbourhood(id: number, spec: MechanismSpec, req?: NeighbourhoodRequest): Promise<BoundaryOutcome<TokenNeighbourhood>>;
  /**
   * Fetch a built-in dataset (or split the imported one handed over), draw the run's subsets, tokenize and privatize them (text and RAPT's
   * plain tokens) with the loaded table: a PrivatizedTrainingSet for the service, a summary for the page.
   */
  prepareTraining(request: PrepareTrainingRequest): Promise<BoundaryOutcome<PreparedTraining>>;
}

export interface ReceiveReceipt {
  /** the BoundaryLog entry number */
  seq: number;
  shape: [number, number];
}

/** A service-side endpoint that takes PrivatizedBatches (the test service worker implements it). */
export interface BoundaryServiceApi {
  /** the model's vocabulary size (ids ≥ it are refused) */
  setVocabSize(v: number): Promise<void>;
  /** hand over a batch: validated, logged, and (in the real service) fed to the model */
  receive(batch: unknown): Promise<BoundaryOutcome<ReceiveReceipt>>;
  /** the BoundaryLog: what the service saw */
  log(): Promise<BoundaryLogExport>;
  /** every message event that reached the worker, as it arrived (structured clones) */
  received(): Promise<unknown[]>;
  clear(): Promise<void>;
}
