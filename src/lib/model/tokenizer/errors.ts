// Errors the tokenizer raises: a malformed vocabulary or tokenizer file, a vocabulary missing a
// token BERT needs, an option of the wrong type, or an encoding request that cannot be met
// (e.g. a maximum length shorter than the special tokens). Each message names the source file
// (when known), the key or token, and the numbers involved.

export class TokenizerError extends Error {
  override name = 'TokenizerError';
}
