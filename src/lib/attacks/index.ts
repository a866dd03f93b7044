// Attacks that measure privacy (browser-safe surface; run-node.ts is the Node runner).
export { THREAT_MODEL, ATTACK_KINDS, ATTACK_DESCRIPTIONS, type AttackKind } from './threat-model';
export { ATTACK_DEFAULTS, AttackConfigError, completeAttackConfig, type AttackConfig, type AttackResult } from './config';
export { STOP_WORDS, isStopToken, tokenRecovery, accuracy, majorityRate, privacyOf, type Recovery } from './metrics';
export { estimateTransitions, bayesGuess, identityGuess, meanKeepRate, type TransitionEstimate } from './inversion-nn';
export { LearnedInverter, type LearnedInversionOptions } from './inversion-learned';
export { maskInference, type MaskSite, type MaskSpecials } from './mask-inference';
export { attributeInference, pooledStates, type AttributeOutcome } from './attribute-inference';
export { runAttackCore, type AttackInputs, type AttackHooks } from './run';
