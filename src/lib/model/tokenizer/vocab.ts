// A WordPiece vocabulary: token ⇄ id.
//
// From `vocab.txt` (HF `load_vocab` in tokenization_bert.py): one token per line, id = line index.
// Python reads the file in text mode with universal newlines, so "\n", "\r\n" and a lone "\r" all end
// a line, a final newline does not start an extra (empty) token, and an empty line in the middle is
// the token "" at its index. A token listed twice maps to its LAST line (Python
// `vocab[token] = index` overwrites); the earlier line's id then has no token of its own and reads
// back as the unknown token, as `ids_to_tokens` does in HF. A leading byte-order mark is dropped
// (the browser's TextDecoder drops it too).
//
// From `tokenizer.json` the map `model.vocab` is taken as is (see tokenizer-json.ts).
//
// `size` is the number of id slots (largest id + 1), i.e. the rows of an embedding table for this
// vocabulary; `uniqueTokens` is the number of distinct tokens (HF `vocab_size` for vocab.txt).

import { TokenizerError } from './errors';

export class Vocab {
  private readonly byToken: Map<string, number>;
  private readonly byId: (string | undefined)[];

  private constructor(
    byToken: Map<string, number>,
    byId: (string | undefined)[],
    /** Where the vocabulary came from, for error messages. */
    readonly source: string
  ) {
    this.byToken = byToken;
    this.byId = byId;
  }

  /** Parse `vocab.txt` text. */
  static fromVocabText(text: string, source = 'vocab.txt'): Vocab {
    if (typeof text !== 'string') {
      throw new TokenizerError(`${source}: expected the file's text (a string), got ${typeof text}`);
    }
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    if (body.length === 0) throw new TokenizerError(`${source}: the vocabulary is empty (no lines)`);
    const lines = body.split(/\r\n|\r|\n/);
    if (/[\r\n]$/.test(body)) lines.pop();
    const byToken = new Map<string, number>();
    const byId: (string | undefined)[] = new Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const token = lines[i];
      const previous = byToken.get(token);
      if (previous !== undefined) byId[previous] = undefined;
      byToken.set(token, i);
      byId[i] = token;
    }
    if (lines.every((l) => l.trim() === '')) {
      throw new TokenizerError(`${source}: the vocabulary has ${lines.length} line(s) but all are blank`);
    }
    return new Vocab(byToken, byId, source);
  }

  /** Build from a token → id map (e.g. `model.vocab` of tokenizer.json). */
  static fromTokenMap(map: Readonly<Record<string, unknown>>, source = 'tokenizer.json'): Vocab {
    const entries = Object.entries(map);
    if (entries.length === 0) throw new TokenizerError(`${source}: the vocabulary (model.vocab) is empty`);
    const byToken = new Map<string, number>();
    let maxId = -1;
    for (const [token, id] of entries) {
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
        throw new TokenizerError(
          `${source}: model.vocab[${JSON.stringify(token)}] must be a non-negative integer id, got ${JSON.stringify(id)}`
        );
      }
      byToken.set(token, id);
      if (id > maxId) maxId = id;
    }
    const byId: (string | undefined)[] = new Array(maxId + 1);
    for (const [token, id] of byToken) {
      const other = byId[id];
      if (other !== undefined) {
        throw new TokenizerError(
          `${source}: model.vocab gives id ${id} to both ${JSON.stringify(other)} and ${JSON.stringify(token)}`
        );
      }
      byId[id] = token;
    }
    return new Vocab(byToken, byId, source);
  }

  /** Number of id slots: largest id + 1. */
  get size(): number {
    return this.byId.length;
  }

  /** Number of distinct tokens. */
  get uniqueTokens(): number {
    return this.byToken.size;
  }

  has(token: string): boolean {
    return this.byToken.has(token);
  }

  /** The id of `token`, or undefined when it is not in the vocabulary. */
  id(token: string): number | undefined {
    return this.byToken.get(token);
  }

  /** The token with this id, or undefined (out of range, a gap, or a line shadowed by a later duplicate). */
  token(id: number): string | undefined {
    return id >= 0 && id < this.byId.length ? this.byId[id] : undefined;
  }

  /** All (token, id) pairs, in id order. */
  *entries(): IterableIterator<[string, number]> {
    for (let id = 0; id < this.byId.length; id++) {
      const t = this.byId[id];
      if (t !== undefined) yield [t, id];
    }
  }
}
