// WordPiece tokenizer (src/lib/model/tokenizer) against Hugging Face's BertTokenizer.
//
// Sources of the expected values, marked on every case:
//   [HF test]   Hugging Face transformers, tests/models/bert/test_tokenization_bert.py (the
//               published expectations, same inputs; where HF used a pretrained vocabulary the case
//               is rebuilt with a small vocabulary holding the pieces HF's expectation uses)
//   [HF algo]   derived by hand from HF's source: transformers/models/bert/tokenization_bert.py
//               (BasicTokenizer, WordpieceTokenizer), tokenization_utils.py (_is_control,
//               _is_whitespace, _is_punctuation, tokenize() with its per-character lowercasing and
//               added-token split) and tokenization_utils_base.py (truncate_sequences,
//               prepare_for_model, pad)

import { describe, it, expect } from 'vitest';
import {
  BasicTokenizer,
  BertTokenizer,
  TokenizerError,
  Vocab,
  WordPiece,
  optionsFromHfConfig,
  type BertTokenizerOptions
} from '../../src/lib/model/tokenizer';
import { isBertControl, isBertPunctuation, isBertWhitespace } from '../../src/lib/model/tokenizer/unicode';

const vocabText = (tokens: string[], eol = '\n'): string => tokens.map((t) => t + eol).join('');

/** The vocabulary of HF's BertTokenizationTest.setUp. */
const HF_VOCAB = [
  '[UNK]', '[CLS]', '[SEP]', '[PAD]', '[MASK]',
  'want', '##want', '##ed', 'wa', 'un', 'runn', '##ing', ',', 'low', 'lowest'
];

/** A small uncased vocabulary for the encoding tests: ids 0-4 are the specials. */
const SMALL = [
  '[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]',
  'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'the', 'cat', 'sat', 'on', 'mat', '.', ',', '?', '!', "'",
  's', 'un', '##aff', '##able', 'hello', 'how', 'are', 'you', 'mask', '[', ']', '##s'
];
const small = (opts: BertTokenizerOptions = {}) => BertTokenizer.fromVocabText(vocabText(SMALL), opts);
const id = (tok: string) => SMALL.indexOf(tok);
const ids = (...toks: string[]) => toks.map(id);

/** A tokenizer.json for `tokens`, as the tokenizers library writes it for BERT. */
function tokenizerJson(tokens: string[], normalizer: Record<string, unknown> = {}): string {
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => {
    if (!(t in vocab)) vocab[t] = i;
  });
  const special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].filter((t) => t in vocab);
  return JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special.map((t) => ({
      id: vocab[t], content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true
    })),
    normalizer: {
      type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true,
      ...normalizer
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]']], tokens: ['[SEP]'] }
      }
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab }
  });
}

describe('character classes', () => {
  it('whitespace, control, punctuation as HF defines them [HF test]', () => {
    for (const c of [' ', '\t', '\r', '\n', '\u00A0']) expect(isBertWhitespace(c), JSON.stringify(c)).toBe(true);
    for (const c of ['A', '-']) expect(isBertWhitespace(c)).toBe(false);
    expect(isBertControl('\u0005')).toBe(true);
    for (const c of ['A', ' ', '\t', '\r']) expect(isBertControl(c), JSON.stringify(c)).toBe(false);
    for (const c of ['-', '$', '`', '.']) expect(isBertPunctuation(c), c).toBe(true);
    for (const c of ['A', ' ']) expect(isBertPunctuation(c)).toBe(false);
  });

  it('every printable ASCII non-alphanumeric is punctuation; Unicode S* is not, P* is [HF algo]', () => {
    for (let cp = 33; cp <= 126; cp++) {
      const c = String.fromCharCode(cp);
      expect(isBertPunctuation(c), c).toBe(!/[A-Za-z0-9]/.test(c));
    }
    for (const c of ['€', '©', '°', '±', '😀']) expect(isBertPunctuation(c), c).toBe(false); // Sc, So, So, Sm, So
    for (const c of ['¿', '«', '»', '—', '、', '。', '‿']) expect(isBertPunctuation(c), c).toBe(true); // Po Pi Pf Pd Po Po Pc
    // Category C* is control: Cc, Cf (soft hyphen, ZWSP, BOM, LRM), Co (private use), Cn (unassigned).
    for (const c of ['\u000B', '\u000C', '\u0085', '\u00AD', '\u200B', '\uFEFF', '\u200E', '\uE000', '\u0378']) {
      expect(isBertControl(c), JSON.stringify(c)).toBe(true);
    }
    // Zs is whitespace; Zl / Zp (U+2028 / U+2029) are neither whitespace nor control for HF.
    for (const c of ['\u3000', '\u2003', '\u202F']) expect(isBertWhitespace(c), JSON.stringify(c)).toBe(true);
    for (const c of ['\u2028', '\u2029']) {
      expect(isBertWhitespace(c)).toBe(false);
      expect(isBertControl(c)).toBe(false);
    }
  });
});

describe('BasicTokenizer', () => {
  const T = ' \tHeLLo!how  \n Are yoU?  ';
  const TA = ' \tHäLLo!how  \n Are yoU?  ';

  it('lowercases and splits [HF test: test_basic_tokenizer_lower]', () => {
    const b = new BasicTokenizer({ doLowerCase: true });
    expect(b.tokenize(T)).toEqual(['hello', '!', 'how', 'are', 'you', '?']);
    expect(b.tokenize('H\u00E9llo')).toEqual(['hello']);
  });

  it('strip_accents false / true / default with lowercasing [HF test]', () => {
    const f = new BasicTokenizer({ doLowerCase: true, stripAccents: false });
    expect(f.tokenize(TA)).toEqual(['hällo', '!', 'how', 'are', 'you', '?']);
    expect(f.tokenize('H\u00E9llo')).toEqual(['h\u00E9llo']);
    const t = new BasicTokenizer({ doLowerCase: true, stripAccents: true });
    expect(t.tokenize(TA)).toEqual(['hallo', '!', 'how', 'are', 'you', '?']);
    expect(t.tokenize('H\u00E9llo')).toEqual(['hello']);
    const d = new BasicTokenizer({ doLowerCase: true });
    expect(d.tokenize(TA)).toEqual(['hallo', '!', 'how', 'are', 'you', '?']);
    expect(d.tokenize('H\u00E9llo')).toEqual(['hello']);
  });

  it('no lowercasing, with strip_accents default / false / true [HF test]', () => {
    expect(new BasicTokenizer({ doLowerCase: false }).tokenize(T)).toEqual(['HeLLo', '!', 'how', 'Are', 'yoU', '?']);
    expect(new BasicTokenizer({ doLowerCase: false, stripAccents: false }).tokenize(TA)).toEqual([
      'HäLLo', '!', 'how', 'Are', 'yoU', '?'
    ]);
    expect(new BasicTokenizer({ doLowerCase: false, stripAccents: true }).tokenize(TA)).toEqual([
      'HaLLo', '!', 'how', 'Are', 'yoU', '?'
    ]);
  });

  it('respects never_split [HF test: test_basic_tokenizer_respects_never_split_tokens]', () => {
    const b = new BasicTokenizer({ doLowerCase: false, neverSplit: ['[UNK]'] });
    expect(b.tokenize(' \tHeLLo!how  \n Are yoU? [UNK]')).toEqual(['HeLLo', '!', 'how', 'Are', 'yoU', '?', '[UNK]']);
  });

  it('splits on punctuation [HF test: test_basic_tokenizer_splits_on_punctuation]', () => {
    expect(new BasicTokenizer().tokenize("a\n'll !!to?'d of, can't.")).toEqual([
      'a', "'", 'll', '!', '!', 'to', '?', "'", 'd', 'of', ',', 'can', "'", 't', '.'
    ]);
  });

  it('removes the directional marks U+200E U+200F [HF test: test_basic_tokenizer_remove_control_chars_true]', () => {
    expect(new BasicTokenizer().tokenize('\u200E\u200F')).toEqual([]);
  });

  it('splits Chinese characters [HF test: test_chinese]', () => {
    expect(new BasicTokenizer().tokenize('ah\u535A\u63A8zz')).toEqual(['ah', '\u535A', '\u63A8', 'zz']);
  });

  it('ASCII symbols split, Unicode symbols do not [HF algo]', () => {
    const b = new BasicTokenizer();
    expect(b.tokenize('a$b^c~d`e|f+g<h=i>j@k\\l')).toEqual([
      'a', '$', 'b', '^', 'c', '~', 'd', '`', 'e', '|', 'f', '+', 'g', '<', 'h', '=', 'i', '>', 'j', '@', 'k', '\\', 'l'
    ]);
    // € (Sc), © (So), ° (So) stay inside words; ¿ (Po) and — (Pd) split.
    expect(b.tokenize('5€ ©2020 10°C ¿Qué—no')).toEqual(['5€', '©2020', '10°c', '¿', 'que', '—', 'no']);
  });

  it('cleans control characters and odd whitespace [HF algo]', () => {
    const b = new BasicTokenizer();
    // U+0000, U+FFFD, BEL (Cc) and ZWSP (Cf) vanish, joining the letters around them.
    expect(b.tokenize('\u0000a\uFFFDb\u0007c\u200Bd')).toEqual(['abcd']);
    // Vertical tab, form feed and NEL are controls for HF (not whitespace): removed, words join.
    expect(b.tokenize('x\u000By\u000Cz\u0085w')).toEqual(['xyzw']);
    // Soft hyphen (Cf) removed.
    expect(b.tokenize('co\u00ADoperate')).toEqual(['cooperate']);
    // No-break space, ideographic space (Zs) separate; so do U+2028/U+2029 via Python str.split().
    expect(b.tokenize('a\u00A0b\u3000c\u2028d\u2029e')).toEqual(['a', 'b', 'c', 'd', 'e']);
    // With cleaning off (BertNormalizer clean_text false), a control character stays in the word.
    expect(new BasicTokenizer({ cleanText: false }).tokenize('a\u0007b')).toEqual(['a\u0007b']);
  });

  it('CJK ranges: extension B and compatibility ideographs split (then NFC), kana and hangul do not [HF algo]', () => {
    const b = new BasicTokenizer();
    expect(b.tokenize('x\u{20000}y')).toEqual(['x', '\u{20000}', 'y']); // CJK Ext. B, a surrogate pair
    expect(b.tokenize('x\u3400y\u{2F800}z')).toEqual(['x', '\u3400', 'y', '\u4E3D', 'z']); // Ext. A; compat supplement → NFC U+4E3D
    expect(b.tokenize('a\uF900b')).toEqual(['a', '\u8C48', 'b']); // compat ideograph, NFC → U+8C48
    // Kana and hangul are not split. Without lowercasing they stay as they are ...
    expect(new BasicTokenizer({ doLowerCase: false }).tokenize('ひらがなカタカナ한국어')).toEqual(['ひらがなカタカナ한국어']);
    // ... with lowercasing, accent stripping (NFD, drop Mn) removes the voicing mark of が (U+3099)
    // and leaves hangul syllables decomposed into conjoining jamo (category Lo, kept).
    expect(b.tokenize('ひらがな한국어')).toEqual([
      '\u3072\u3089\u304B\u306A\u1112\u1161\u11AB\u1100\u116E\u11A8\u110B\u1165'
    ]);
    expect(new BasicTokenizer({ tokenizeChineseChars: false }).tokenize('ah\u535A\u63A8zz')).toEqual(['ah\u535A\u63A8zz']);
  });

  it('accents: composed, decomposed, uppercase specials [HF algo]', () => {
    const lower = new BasicTokenizer();
    expect(lower.tokenize('Ça va? Ñandú')).toEqual(['ca', 'va', '?', 'nandu']);
    expect(lower.tokenize('Cafe\u0301')).toEqual(['cafe']); // decomposed accent stripped
    // İ lowercases to i + U+0307 (full mapping); the dot is Mn and is stripped.
    expect(lower.tokenize('İstanbul')).toEqual(['istanbul']);
    // Lowercasing is per character (HF's regex `(.+?)`), so no Greek final sigma.
    expect(lower.tokenize('ΟΔΟΣ')).toEqual(['οδοσ']);
    const cased = new BasicTokenizer({ doLowerCase: false });
    expect(cased.tokenize('Ça va? Ñandú')).toEqual(['Ça', 'va', '?', 'Ñandú']);
    // NFC composes a decomposed accent in the slow tokenizer.
    expect(cased.tokenize('Cafe\u0301')).toEqual(['Caf\u00E9']);
    const keep = new BasicTokenizer({ doLowerCase: true, stripAccents: false });
    expect(keep.tokenize('İ')).toEqual(['i\u0307']);
  });
});

describe('WordPiece', () => {
  const vocab = new Set(['[UNK]', '[CLS]', '[SEP]', 'want', '##want', '##ed', 'wa', 'un', 'runn', '##ing']);

  it('greedy longest match and whole-word [UNK] [HF test: test_wordpiece_tokenizer]', () => {
    const wp = new WordPiece(vocab, { unkToken: '[UNK]' });
    expect(wp.tokenize('')).toEqual([]);
    expect(wp.tokenize('unwanted running')).toEqual(['un', '##want', '##ed', 'runn', '##ing']);
    expect(wp.tokenize('unwantedX running')).toEqual(['[UNK]', 'runn', '##ing']);
  });

  it('max_input_chars_per_word counts code points [HF algo]', () => {
    const wp = new WordPiece(new Set(['[UNK]', 'a', '##a', '😀', '##😀']), { unkToken: '[UNK]' });
    expect(wp.tokenize('a'.repeat(100))).toEqual(['a', ...new Array(99).fill('##a')]);
    expect(wp.tokenize('a'.repeat(101))).toEqual(['[UNK]']);
    // 100 emoji = 200 UTF-16 units but 100 code points: still segmented.
    expect(wp.tokenize('😀'.repeat(100))).toHaveLength(100);
    expect(wp.tokenize('😀'.repeat(101))).toEqual(['[UNK]']);
  });
});

describe('BertTokenizer.tokenize', () => {
  const hf = () => BertTokenizer.fromVocabText(vocabText(HF_VOCAB));

  it('full pipeline [HF test: test_full_tokenizer]', () => {
    const tok = hf();
    const tokens = tok.tokenize('UNwant\u00E9d,running');
    expect(tokens).toEqual(['un', '##want', '##ed', ',', 'runn', '##ing']);
    expect(tok.convertTokensToIds(tokens)).toEqual([9, 6, 7, 12, 10, 11]);
  });

  it('decodes back to the text [HF test: get_input_output_texts, with clean_up_tokenization_spaces]', () => {
    const tok = hf();
    const enc = tok.encode('UNwant\u00E9d,running', null, { addSpecialTokens: false });
    expect(tok.decode(enc.input_ids, { cleanUpTokenizationSpaces: true })).toEqual('unwanted, running');
    expect(tok.decode(enc.input_ids)).toEqual('unwanted , running');
  });

  it('soft hyphen alone gives no token [HF test: test_clean_text]', () => {
    const tok = hf();
    expect(['Test', '\xad', 'test'].map((t) => tok.tokenize(t))).toEqual([['[UNK]'], [], ['[UNK]']]);
  });

  it('[MASK] in the text stays one token, cased and uncased [HF test: test_offsets_with_special_characters]', () => {
    const sentence = 'A, naïve [MASK] AllenNLP sentence.';
    const cased = BertTokenizer.fromVocabText(
      vocabText(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'A', ',', 'na', '##ï', '##ve', 'Allen', '##NL', '##P', 'sentence', '.']),
      { doLowerCase: false }
    );
    expect(cased.convertIdsToTokens(cased.encode(sentence).input_ids)).toEqual([
      '[CLS]', 'A', ',', 'na', '##ï', '##ve', '[MASK]', 'Allen', '##NL', '##P', 'sentence', '.', '[SEP]'
    ]);
    const uncased = BertTokenizer.fromVocabText(
      vocabText(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', ',', 'naive', 'allen', '##nl', '##p', 'sentence', '.'])
    );
    expect(uncased.convertIdsToTokens(uncased.encode(sentence).input_ids)).toEqual([
      '[CLS]', 'a', ',', 'naive', '[MASK]', 'allen', '##nl', '##p', 'sentence', '.', '[SEP]'
    ]);
  });

  it('tokenize_chinese_chars on and off [HF test: test_change_tokenize_chinese_chars]', () => {
    const v = vocabText(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '的', '人', '有', '##的', '##人', '##有']);
    expect(BertTokenizer.fromVocabText(v, { tokenizeChineseChars: true }).tokenize('的人有')).toEqual(['的', '人', '有']);
    expect(BertTokenizer.fromVocabText(v, { tokenizeChineseChars: false }).tokenize('的人有')).toEqual(['的', '##人', '##有']);
  });

  it('special tokens: anywhere in the raw text, case-sensitive, never lowercased [HF algo]', () => {
    const tok = small();
    expect(tok.tokenize('The [MASK] sat.')).toEqual(['the', '[MASK]', 'sat', '.']);
    expect(tok.tokenize('a[MASK]b')).toEqual(['a', '[MASK]', 'b']);
    expect(tok.tokenize('[MASK][MASK]')).toEqual(['[MASK]', '[MASK]']);
    expect(tok.tokenize('[CLS] a [SEP] [PAD] [UNK]')).toEqual(['[CLS]', 'a', '[SEP]', '[PAD]', '[UNK]']);
    expect(tok.tokenize('[mask]')).toEqual(['[', 'mask', ']']);
    // A special token that only appears after cleaning is kept whole by never_split (basic
    // tokenizer), then WordPiece finds it in the vocabulary.
    expect(tok.tokenize('[MA\u200BSK]')).toEqual(['[MASK]']);
  });

  it('an unmatched word becomes one [UNK]; a >100-character word too [HF algo]', () => {
    const tok = small();
    expect(tok.tokenize('unaffable cats xyz')).toEqual(['un', '##aff', '##able', 'cat', '##s', '[UNK]']);
    const long = 'a'.repeat(101);
    expect(small().tokenize(`${long} a`)).toEqual(['[UNK]', 'a']);
  });

  it('doBasicTokenize false: WordPiece on whitespace-split text, no lowercasing [HF algo]', () => {
    const tok = small({ doBasicTokenize: false });
    expect(tok.tokenize('the cat, Cat')).toEqual(['the', '[UNK]', '[UNK]']);
  });
});

describe('BertTokenizer.encode', () => {
  it('[CLS] A [SEP] and [CLS] A [SEP] B [SEP] with token types [HF algo: build_inputs_with_special_tokens]', () => {
    const tok = small();
    expect(tok.encode('The cat sat.')).toEqual({
      input_ids: ids('[CLS]', 'the', 'cat', 'sat', '.', '[SEP]'),
      token_type_ids: [0, 0, 0, 0, 0, 0],
      attention_mask: [1, 1, 1, 1, 1, 1]
    });
    expect(tok.encode('the cat', 'on a mat')).toEqual({
      input_ids: ids('[CLS]', 'the', 'cat', '[SEP]', 'on', 'a', 'mat', '[SEP]'),
      token_type_ids: [0, 0, 0, 0, 1, 1, 1, 1],
      attention_mask: [1, 1, 1, 1, 1, 1, 1, 1]
    });
    expect(tok.encode('the cat', 'on a mat', { addSpecialTokens: false })).toEqual({
      input_ids: ids('the', 'cat', 'on', 'a', 'mat'),
      token_type_ids: [0, 0, 0, 0, 0],
      attention_mask: [1, 1, 1, 1, 1]
    });
  });

  it('empty texts [HF algo]', () => {
    const tok = small();
    expect(tok.encode('')).toEqual({ input_ids: ids('[CLS]', '[SEP]'), token_type_ids: [0, 0], attention_mask: [1, 1] });
    expect(tok.encode('  \n\u200B ')).toEqual(tok.encode(''));
    expect(tok.encode('', '')).toEqual({
      input_ids: ids('[CLS]', '[SEP]', '[SEP]'),
      token_type_ids: [0, 0, 1],
      attention_mask: [1, 1, 1]
    });
    expect(tok.encode('', '', { addSpecialTokens: false })).toEqual({ input_ids: [], token_type_ids: [], attention_mask: [] });
    expect(tok.tokenize('')).toEqual([]);
  });

  it("truncation 'longest_first' removes from the longer, ties from the second [HF algo: truncate_sequences]", () => {
    const tok = small();
    // 5 + 3 tokens + 3 specials = 11; max 8 → remove 3: (5,3)→(4,3)→(3,3)→(3,2).
    const e = tok.encode('a b c d e', 'f g h', { maxLength: 8, truncation: 'longest_first' });
    expect(e.input_ids).toEqual(ids('[CLS]', 'a', 'b', 'c', '[SEP]', 'f', 'g', '[SEP]'));
    expect(e.token_type_ids).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);
    // Tie: (4,4), remove 1 → from the second.
    expect(tok.encode('a b c d', 'e f g h', { maxLength: 10, truncation: true }).input_ids).toEqual(
      ids('[CLS]', 'a', 'b', 'c', 'd', '[SEP]', 'e', 'f', 'g', '[SEP]')
    );
    // (4,4), remove 3 → (4,3) → (3,3) → (3,2).
    expect(tok.encode('a b c d', 'e f g h', { maxLength: 8 }).input_ids).toEqual(
      ids('[CLS]', 'a', 'b', 'c', '[SEP]', 'e', 'f', '[SEP]')
    );
    // Single sequence: cut the end.
    expect(tok.encode('a b c d e', null, { maxLength: 4 }).input_ids).toEqual(ids('[CLS]', 'a', 'b', '[SEP]'));
    // Short enough: untouched.
    expect(tok.encode('a b', 'c', { maxLength: 6 }).input_ids).toEqual(ids('[CLS]', 'a', 'b', '[SEP]', 'c', '[SEP]'));
  });

  it("truncation 'only_first' and 'only_second' [HF algo: truncate_sequences]", () => {
    const tok = small();
    expect(tok.encode('a b c d e', 'f g h', { maxLength: 8, truncation: 'only_first' }).input_ids).toEqual(
      ids('[CLS]', 'a', 'b', '[SEP]', 'f', 'g', 'h', '[SEP]')
    );
    expect(tok.encode('a b c d e', 'f g h', { maxLength: 9, truncation: 'only_second' }).input_ids).toEqual(
      ids('[CLS]', 'a', 'b', 'c', 'd', 'e', '[SEP]', 'f', '[SEP]')
    );
    // HF refuses (logs an error) when the chosen sequence is not longer than what must go: we throw.
    expect(() => tok.encode('a b c d e', 'f g h', { maxLength: 7, truncation: 'only_second' })).toThrow(TokenizerError);
    expect(() => tok.encode('a b', 'f g h', { maxLength: 5, truncation: 'only_first' })).toThrow(/first sequence has only 2/);
    expect(() => tok.encode('a b c', null, { maxLength: 1 })).toThrow(TokenizerError);
    expect(() => tok.encode('a b c', null, { maxLength: 4, truncation: 'only_second' })).toThrow(/no second sequence/);
    // truncation: false keeps the row long.
    expect(tok.encode('a b c d e', null, { maxLength: 4, truncation: false }).input_ids).toHaveLength(7);
  });

  it("padding 'max_length' and the modelMaxLength option [HF algo: pad]", () => {
    const tok = small();
    expect(tok.encode('a b', 'c', { maxLength: 9, padding: 'max_length' })).toEqual({
      input_ids: [...ids('[CLS]', 'a', 'b', '[SEP]', 'c', '[SEP]'), 0, 0, 0],
      token_type_ids: [0, 0, 0, 0, 1, 1, 0, 0, 0],
      attention_mask: [1, 1, 1, 1, 1, 1, 0, 0, 0]
    });
    const capped = small({ modelMaxLength: 5 });
    expect(capped.encode('a b c d e f', null, { truncation: true, padding: 'max_length' }).input_ids).toEqual(
      ids('[CLS]', 'a', 'b', 'c', '[SEP]')
    );
    expect(capped.encode('a', null, { padding: 'max_length' }).attention_mask).toEqual([1, 1, 1, 0, 0]);
    expect(() => tok.encode('a', null, { padding: 'max_length' })).toThrow(/needs maxLength/);
    expect(() => tok.encode('a', null, { maxLength: 0 })).toThrow(/positive integer/);
  });
});

describe('BertTokenizer.encodeBatch', () => {
  it('pads to the longest item with [PAD], token type 0, attention 0', () => {
    const tok = small();
    const pad = id('[PAD]');
    const b = tok.encodeBatch(['the cat', ['a', 'b c'], '']);
    expect(b.input_ids).toEqual([
      [...ids('[CLS]', 'the', 'cat', '[SEP]'), pad, pad],
      ids('[CLS]', 'a', '[SEP]', 'b', 'c', '[SEP]'),
      [...ids('[CLS]', '[SEP]'), pad, pad, pad, pad]
    ]);
    expect(b.token_type_ids).toEqual([
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 1, 1, 1],
      [0, 0, 0, 0, 0, 0]
    ]);
    expect(b.attention_mask).toEqual([
      [1, 1, 1, 1, 0, 0],
      [1, 1, 1, 1, 1, 1],
      [1, 1, 0, 0, 0, 0]
    ]);
  });

  it('truncates each item, pads to max_length or not at all', () => {
    const tok = small();
    const b = tok.encodeBatch(['a b c d e', 'a'], { maxLength: 5, padding: 'max_length' });
    expect(b.input_ids).toEqual([ids('[CLS]', 'a', 'b', 'c', '[SEP]'), [...ids('[CLS]', 'a', '[SEP]'), 0, 0]]);
    const r = tok.encodeBatch(['a b', 'a'], { padding: false });
    expect(r.input_ids.map((x) => x.length)).toEqual([4, 3]);
    expect(tok.encodeBatch([])).toEqual({ input_ids: [], token_type_ids: [], attention_mask: [] });
    expect(tok.encodeBatch(['a b'])).toEqual({
      input_ids: [tok.encode('a b').input_ids],
      token_type_ids: [tok.encode('a b').token_type_ids],
      attention_mask: [tok.encode('a b').attention_mask]
    });
  });
});

describe('decode and id conversion', () => {
  it('joins pieces, skips special tokens on request, unknown ids read as [UNK] [HF algo]', () => {
    const tok = small();
    const e = tok.encode('Unaffable cats, the [MASK]!');
    expect(tok.convertIdsToTokens(e.input_ids)).toEqual([
      '[CLS]', 'un', '##aff', '##able', 'cat', '##s', ',', 'the', '[MASK]', '!', '[SEP]'
    ]);
    expect(tok.decode(e.input_ids)).toBe('[CLS] unaffable cats , the [MASK] ! [SEP]');
    expect(tok.decode(e.input_ids, { skipSpecialTokens: true })).toBe('unaffable cats , the !');
    expect(tok.decode(e.input_ids, { skipSpecialTokens: true, cleanUpTokenizationSpaces: true })).toBe('unaffable cats, the!');
    expect(tok.convertIdsToTokens([9999])).toEqual(['[UNK]']);
    expect(tok.convertTokensToIds(['cat', 'dog'])).toEqual([id('cat'), id('[UNK]')]);
    expect(tok.decode([])).toBe('');
  });

  it('exposes special ids and sizes', () => {
    const tok = small();
    expect([tok.padTokenId, tok.unkTokenId, tok.clsTokenId, tok.sepTokenId, tok.maskTokenId]).toEqual([0, 1, 2, 3, 4]);
    expect(tok.vocabSize).toBe(SMALL.length);
    expect([...tok.specialTokens].sort()).toEqual(['[CLS]', '[MASK]', '[PAD]', '[SEP]', '[UNK]']);
  });
});

describe('vocabulary loading', () => {
  it('vocab.txt: CRLF, no trailing newline, empty line, duplicates (last line wins, as HF load_vocab) [HF algo]', () => {
    const lf = BertTokenizer.fromVocabText(vocabText(SMALL));
    const crlf = BertTokenizer.fromVocabText(vocabText(SMALL, '\r\n'));
    const noEol = BertTokenizer.fromVocabText(SMALL.join('\n'));
    const text = 'The cat, unaffable [MASK]!';
    expect(crlf.encode(text)).toEqual(lf.encode(text));
    expect(noEol.encode(text)).toEqual(lf.encode(text));
    expect(crlf.vocabSize).toBe(SMALL.length);
    expect(noEol.vocabSize).toBe(SMALL.length);
    expect(crlf.tokenToId('cat')).toBe(id('cat'));

    const v = Vocab.fromVocabText('[PAD]\n[UNK]\n\ncat\ncat\n');
    expect(v.size).toBe(5);
    expect(v.id('')).toBe(2);
    expect(v.id('cat')).toBe(4);
    expect(v.token(3)).toBeUndefined();
    expect(v.token(4)).toBe('cat');
    const withBom = Vocab.fromVocabText('\uFEFF[PAD]\n[UNK]\n');
    expect(withBom.id('[PAD]')).toBe(0);
  });

  it('vocab.txt and tokenizer.json give identical ids', () => {
    const fromTxt = small();
    const fromJson = BertTokenizer.fromTokenizerJson(tokenizerJson(SMALL));
    const texts = ['The cat sat on the mat.', 'Unaffable CATS?! [MASK] xyz', '', 'ÀBC 的 a\u0000b', 'a'.repeat(101)];
    for (const t of texts) {
      expect(fromJson.tokenize(t), t).toEqual(fromTxt.tokenize(t));
      expect(fromJson.encode(t, 'hello how are you'), t).toEqual(fromTxt.encode(t, 'hello how are you'));
    }
    expect(fromJson.vocabSize).toBe(fromTxt.vocabSize);
    expect([fromJson.clsTokenId, fromJson.sepTokenId, fromJson.padTokenId, fromJson.unkTokenId, fromJson.maskTokenId]).toEqual([
      fromTxt.clsTokenId, fromTxt.sepTokenId, fromTxt.padTokenId, fromTxt.unkTokenId, fromTxt.maskTokenId
    ]);
    const batch = ['the cat', ['a b', 'c'] as [string, string]];
    expect(fromJson.encodeBatch(batch)).toEqual(fromTxt.encodeBatch(batch));
  });

  it('tokenizer.json normalizer settings are honoured, options override them', () => {
    const cased = BertTokenizer.fromTokenizerJson(tokenizerJson([...SMALL, 'The', 'Ça'], { lowercase: false }));
    expect(cased.tokenize('The Ça')).toEqual(['The', 'Ça']);
    const casedStrip = BertTokenizer.fromTokenizerJson(tokenizerJson([...SMALL, 'The', 'Ca'], { lowercase: false, strip_accents: true }));
    expect(casedStrip.tokenize('The Ça')).toEqual(['The', 'Ca']);
    const overridden = BertTokenizer.fromTokenizerJson(tokenizerJson([...SMALL, 'The', 'Ça'], { lowercase: false }), {
      doLowerCase: true
    });
    expect(overridden.tokenize('The')).toEqual(['the']);
    const noCjk = BertTokenizer.fromTokenizerJson(tokenizerJson([...SMALL, '的', '##人'], { handle_chinese_chars: false }));
    expect(noCjk.tokenize('的人')).toEqual(['的', '##人']);
  });

  it('tokenizer.json: max_input_chars_per_word, prefix and unk token come from the model section', () => {
    const json = JSON.parse(tokenizerJson(SMALL));
    json.model.max_input_chars_per_word = 3;
    const tok = BertTokenizer.fromTokenizerJson(JSON.stringify(json));
    expect(tok.tokenize('the mask')).toEqual(['the', '[UNK]']);
  });

  it('options from tokenizer_config.json and config.json', () => {
    const cfg = optionsFromHfConfig(
      '{"do_lower_case": false, "model_max_length": 512, "tokenizer_class": "BertTokenizer", "mask_token": {"content": "[MASK]", "__type": "AddedToken"}}',
      { do_lower_case: true, tokenize_chinese_chars: false }
    );
    expect(cfg).toMatchObject({ doLowerCase: false, modelMaxLength: 512, tokenizeChineseChars: false, maskToken: '[MASK]' });
    expect(optionsFromHfConfig({ model_max_length: 1000000000000000019884624838656 }).modelMaxLength).toBeUndefined();
    expect(optionsFromHfConfig({ strip_accents: null }).stripAccents).toBeNull();
    expect(() => optionsFromHfConfig('{"do_lower_case": "yes"}')).toThrow(/tokenizer_config.json: "do_lower_case" must be true or false/);
    expect(() => optionsFromHfConfig('{oops')).toThrow(/tokenizer_config.json: not valid JSON/);
    const tok = small(optionsFromHfConfig({ do_lower_case: false }));
    expect(tok.tokenize('The cat')).toEqual(['[UNK]', 'cat']);
  });

  it('fromHfFiles: tokenizer.json preferred, configs override its normalizer', () => {
    const json = tokenizerJson([...SMALL, 'The']);
    expect(BertTokenizer.fromHfFiles({ tokenizerJson: json, vocabTxt: 'ignored' }).tokenize('The')).toEqual(['the']);
    expect(
      BertTokenizer.fromHfFiles({ tokenizerJson: json, tokenizerConfig: '{"do_lower_case": false}' }).tokenize('The')
    ).toEqual(['The']);
    expect(
      BertTokenizer.fromHfFiles({ vocabTxt: vocabText([...SMALL, 'The']), tokenizerConfig: { do_lower_case: false } }).tokenize('The')
    ).toEqual(['The']);
    expect(() => BertTokenizer.fromHfFiles({})).toThrow(/needs tokenizer.json or vocab.txt/);
  });

  it('malformed vocabularies are clear errors', () => {
    expect(() => BertTokenizer.fromVocabText('')).toThrow(/vocab.txt: the vocabulary is empty/);
    expect(() => BertTokenizer.fromVocabText('\n\n\n')).toThrow(/all are blank/);
    expect(() => BertTokenizer.fromVocabText(vocabText(['[PAD]', '[UNK]', 'a']))).toThrow(/lacks "\[CLS\]", "\[SEP\]"/);
    expect(() => BertTokenizer.fromVocabText(vocabText(['[CLS]', '[SEP]', '[PAD]', 'a']))).toThrow(/lacks "\[UNK\]"/);
    expect(() => BertTokenizer.fromVocabText(tokenizerJson(SMALL))).toThrow(/looks like JSON/);
    expect(() => BertTokenizer.fromTokenizerJson('{"model": ')).toThrow(/tokenizer.json: not valid JSON/);
    expect(() => BertTokenizer.fromTokenizerJson('[]')).toThrow(/JSON object/);
    expect(() => BertTokenizer.fromTokenizerJson('{}')).toThrow(/missing the "model" object/);
    expect(() => BertTokenizer.fromTokenizerJson('{"model": {"type": "BPE", "vocab": {}}}')).toThrow(/only WordPiece/);
    expect(() => BertTokenizer.fromTokenizerJson('{"model": {"type": "WordPiece", "vocab": {}}}')).toThrow(/empty/);
    expect(() => BertTokenizer.fromTokenizerJson('{"model": {"type": "WordPiece", "vocab": {"a": -1}}}')).toThrow(
      /model.vocab\["a"\] must be a non-negative integer/
    );
    expect(() => BertTokenizer.fromTokenizerJson('{"model": {"type": "WordPiece", "vocab": {"a": 0, "b": 0}}}')).toThrow(
      /id 0 to both "a" and "b"/
    );
    const noSep = JSON.parse(tokenizerJson(SMALL.filter((t) => t !== '[SEP]')));
    expect(() => BertTokenizer.fromTokenizerJson(JSON.stringify(noSep))).toThrow(/tokenizer.json: .*lacks "\[SEP\]"/);
    const otherNorm = JSON.parse(tokenizerJson(SMALL));
    otherNorm.normalizer = { type: 'Lowercase' };
    expect(() => BertTokenizer.fromTokenizerJson(JSON.stringify(otherNorm))).toThrow(/normalizer type "Lowercase"/);
  });

  it('a vocabulary without [MASK] still works; [MASK] is then ordinary text', () => {
    const tok = BertTokenizer.fromVocabText(vocabText(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[', 'mask', ']']));
    expect(tok.maskTokenId).toBeNull();
    expect(tok.tokenize('[MASK]')).toEqual(['[', 'mask', ']']);
  });
});
