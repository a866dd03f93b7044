// Truncation of one sequence or a pair, as Hugging Face `PreTrainedTokenizerBase.truncate_sequences`
// (tokenization_utils_base.py) with truncation_side "right":
//   - 'longest_first' with a pair: remove tokens one at a time; each time, from the first sequence
//     if it is strictly longer than the second, otherwise (ties included) from the second.
//   - 'longest_first' with one sequence, and 'only_first': remove `n` tokens from the end of the
//     first sequence, only if it is longer than `n`.
//   - 'only_second': remove `n` tokens from the end of the second sequence, only if it is longer
//     than `n`.
// Where HF logs an error and returns the sequences untouched (too short to remove `n` tokens, or
// 'only_second' without a pair), this throws a TokenizerError instead: the caller asked for a length
// that cannot be met, and a silently over-long row would only fail later in the model.

import { TokenizerError } from './errors';

export type TruncationStrategy = 'longest_first' | 'only_first' | 'only_second';

export interface Truncated {
  ids: number[];
  pairIds: number[] | null;
}

export function truncateSequences(
  ids: readonly number[],
  pairIds: readonly number[] | null,
  numTokensToRemove: number,
  strategy: TruncationStrategy,
  maxLength: number
): Truncated {
  if (numTokensToRemove <= 0) return { ids: [...ids], pairIds: pairIds === null ? null : [...pairIds] };
  if (strategy === 'only_first' || (strategy === 'longest_first' && pairIds === null)) {
    if (ids.length > numTokensToRemove) {
      return { ids: ids.slice(0, ids.length - numTokensToRemove), pairIds: pairIds === null ? null : [...pairIds] };
    }
    throw new TokenizerError(
      `truncation '${strategy}' to max_length ${maxLength}: must remove ${numTokensToRemove} token(s) but the first ` +
        `sequence has only ${ids.length}` +
        (strategy === 'only_first' && pairIds !== null ? "; use 'longest_first' or 'only_second'" : '')
    );
  }
  if (strategy === 'longest_first') {
    let a = ids.length;
    let b = pairIds!.length;
    for (let k = 0; k < numTokensToRemove; k++) {
      if (a > b) a--;
      else if (b > 0) b--;
      else {
        throw new TokenizerError(
          `truncation 'longest_first' to max_length ${maxLength}: both sequences are empty and ` +
            `${numTokensToRemove - k} more token(s) must go (max_length is below the number of special tokens)`
        );
      }
    }
    return { ids: ids.slice(0, a), pairIds: pairIds!.slice(0, b) };
  }
  // only_second
  if (pairIds === null) {
    throw new TokenizerError(
      `truncation 'only_second' to max_length ${maxLength}: there is no second sequence to truncate ` +
        `(${numTokensToRemove} token(s) too many)`
    );
  }
  if (pairIds.length > numTokensToRemove) {
    return { ids: [...ids], pairIds: pairIds.slice(0, pairIds.length - numTokensToRemove) };
  }
  throw new TokenizerError(
    `truncation 'only_second' to max_length ${maxLength}: must remove ${numTokensToRemove} token(s) but the second ` +
      `sequence has only ${pairIds.length}; use 'longest_first' or 'only_first'`
  );
}
