// The paper's way to classify with a masked LM: append a template with [MASK] and read the MLM
// logits of one label word per class at that position. Label words must be single tokens of
// the model's vocabulary. Built-in tasks have chosen words (shown in results and the README);
// for other tasks each label's own lower-cased name is used when it is one token.
// Browser-safe.

import type { BertTokenizer } from '../model/tokenizer';

export interface Verbalizer {
  template: string;
  /** label name → label word */
  words: Record<string, string>;
}

/** Chosen for the built-in tasks (each word is one token of rapt-mini's vocabulary). */
export const BUILTIN_VERBALIZERS: Record<string, Verbalizer> = {
  spam: { template: 'this message is [MASK] .', words: { ham: 'personal', spam: 'spam' } },
  'sotu-party': { template: 'the speaker is [MASK] .', words: { Democratic: 'democratic', Republican: 'republic' } }
};

export interface ResolvedVerbalizer {
  template: string;
  words: string[];
  templateIds: Int32Array;
  labelWordIds: Int32Array;
}

export function resolveVerbalizer(task: string, labels: readonly string[], tok: BertTokenizer): ResolvedVerbalizer {
  const v = BUILTIN_VERBALIZERS[task] ?? { template: 'it is [MASK] .', words: Object.fromEntries(labels.map((l) => [l, l.toLowerCase()])) };
  const words = labels.map((l) => {
    const w = v.words[l];
    if (w === undefined) throw new Error(`verbalizer for "${task}": no label word for label "${l}"`);
    return w;
  });
  const labelWordIds = Int32Array.from(
    words.map((w, i) => {
      const id = tok.tokenToId(w);
      if (id === undefined)
        throw new Error(`verbalizer for "${task}": label word "${w}" (label "${labels[i]}") is not a single token of this vocabulary; use the [CLS] head (--head cls)`);
      return id;
    })
  );
  if (new Set(labelWordIds).size !== labelWordIds.length) throw new Error(`verbalizer for "${task}": two labels share a label word`);
  const templateIds = Int32Array.from(tok.convertTokensToIds(tok.tokenize(v.template)));
  const mask = tok.maskTokenId;
  if (mask === null || templateIds.filter((id) => id === mask).length !== 1)
    throw new Error(`verbalizer template "${v.template}" must tokenize to exactly one [MASK]`);
  return { template: v.template, words, templateIds, labelWordIds };
}
