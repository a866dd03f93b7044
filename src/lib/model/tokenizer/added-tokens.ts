// Split raw text around special ("added") tokens such as [CLS], [SEP], [MASK] before any
// normalisation, so that "[MASK]" typed in the input stays one token.
//
// This is what Hugging Face's `PreTrainedTokenizer.tokenize` does with its `tokens_trie`
// (and the fast tokenizer with its added-vocabulary matcher): matching is on the raw text, case-
// sensitive ("[mask]" is ordinary text), anywhere in the text (also inside a word: "a[MASK]b"),
// leftmost first and, among matches starting at the same place, longest first.

export interface TextSegment {
  text: string;
  /** True when `text` is one of the added tokens. */
  added: boolean;
}

export class AddedTokenSplitter {
  private readonly tokens: string[];
  /** First UTF-16 unit of every token: positions starting with anything else are skipped. */
  private readonly firstUnits: ReadonlySet<number>;

  constructor(tokens: Iterable<string>) {
    // Longest first so that the first match at a position is the longest one.
    this.tokens = [...new Set(tokens)].filter((t) => t.length > 0).sort((a, b) => b.length - a.length);
    this.firstUnits = new Set(this.tokens.map((t) => t.charCodeAt(0)));
  }

  get size(): number {
    return this.tokens.length;
  }

  /** Segments in order; empty plain segments are left out. */
  split(text: string): TextSegment[] {
    const out: TextSegment[] = [];
    if (this.tokens.length === 0) {
      if (text.length > 0) out.push({ text, added: false });
      return out;
    }
    let plainStart = 0;
    let i = 0;
    while (i < text.length) {
      if (!this.firstUnits.has(text.charCodeAt(i))) {
        i++;
        continue;
      }
      let match: string | null = null;
      for (const t of this.tokens) {
        if (text.startsWith(t, i)) {
          match = t;
          break;
        }
      }
      if (match === null) {
        i++;
        continue;
      }
      if (i > plainStart) out.push({ text: text.slice(plainStart, i), added: false });
      out.push({ text: match, added: true });
      i += match.length;
      plainStart = i;
    }
    if (plainStart < text.length) out.push({ text: text.slice(plainStart), added: false });
    return out;
  }
}
