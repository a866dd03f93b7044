// The client/service boundary (see ../shared/design.md, "The boundary"): the public table
// the mechanisms use, the mechanism factory, the PrivatizedBatch message and its validator, the log
// of what crossed, and the client-side pipeline from raw texts to a batch.
export { makePrivacyTable, privacyTableFrom, isExcludedToken, type PrivacyTableOptions, type TokenSource } from './table';
export { createPrivatizer, hasMechanism, availableMechanisms } from './factory';
export {
  MECHANISMS,
  BUDGET_OF,
  PARAMETERS_OF,
  MechanismSpecError,
  budgetOf,
  checkMechanismSpec,
  isMechanismName
} from './spec';
export {
  assertPrivatizedBatch,
  buildPrivatizedBatch,
  batchMechanismName,
  BoundaryError,
  BATCH_KIND,
  BATCH_VERSION,
  MAX_BATCH_SEQUENCES,
  MAX_SEQUENCE_LENGTH,
  type BatchMechanism,
  type BoundaryErrorCode,
  type PrivatizedBatch
} from './batch';
export { BoundaryLog, type AcceptedEntry, type RejectedEntry, type BoundaryLogEntry, type BoundaryLogExport } from './log';
export {
  PrivacyClient,
  PrivatizeInputError,
  type PrivacyClientOptions,
  type PrivatizeDetails,
  type PrivatizeOutput,
  type PrivatizeReadouts,
  type NeighbourhoodRequest,
  type TokenNeighbourhood,
  type TokenDetail
} from './client';
