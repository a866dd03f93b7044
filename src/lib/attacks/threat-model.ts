// The threat model every attack in this folder is measured under, and one line per attack.
// Exported as text so the README, the CLI and the UI state the same thing. Browser-safe.
//
// An attack's success s ∈ [0, 1] is the rate at which the adversary recovers what the user
// hid (a token, an attribute); privacy = 1 − s. Each attack is compared with a trivial baseline
// (the identity guess for tokens, the majority class for attributes) on the same examples.

export const THREAT_MODEL =
  'The adversary is the service (or anyone who sees what crosses the boundary): it sees the privatized token ids and ' +
  "everything computed from them (embeddings, the tuned model's hidden states), knows the mechanism and its budget, knows " +
  'the public embedding table, and has public auxiliary text of the same kind (a disjoint split) to train on. ' +
  'It never sees raw user text.';

export type AttackKind = 'inversion-nn' | 'inversion-learned' | 'mask' | 'attribute';

export const ATTACK_KINDS: readonly AttackKind[] = ['inversion-nn', 'inversion-learned', 'mask', 'attribute'];

/** What each attack does, in one sentence (README, UI, CLI help). */
export const ATTACK_DESCRIPTIONS: Record<AttackKind, string> = {
  'inversion-nn':
    'Embedding inversion, nearest neighbour: guess each original token as the observed privatized token (identity = nearest neighbour of its embedding), ' +
    'and as the Bayes-optimal argmax_x prior(x)·P̂(y | x) with P̂ estimated by running the known mechanism K times on each of the N most frequent auxiliary tokens.',
  'inversion-learned':
    'Embedding inversion, learned: an MLP over the public embeddings of a window of privatized tokens, trained on auxiliary text privatized with the same ' +
    'mechanism and budget, predicts each original token (among the N most frequent auxiliary tokens, or "keep the observed token").',
  mask:
    'Mask-token inference: the pretrained MLM predicts each original token with its position masked in the privatized context; knowing the mechanism, the attacker takes the ' +
    'most likely original given both, MLM probability × P̂(observed token | original) (Monte Carlo, as inversion-nn); the MLM alone is reported too.',
  attribute:
    'Attribute inference: an MLP trained on the representations the service holds (mean-pooled hidden states of the frozen model, or of a tuned run’s model, on privatized inputs) ' +
    'predicts a sensitive attribute of the text.'
};
