// Character classes and string helpers with the exact semantics of the Python code Hugging Face's
// BertTokenizer is built on (transformers `tokenization_utils.py` `_is_whitespace`, `_is_control`,
// `_is_punctuation`; `tokenization_bert.py` `_is_chinese_char`, `_run_strip_accents`; Python's
// `str.split()` / `str.strip()` whitespace). Python's `unicodedata` categories are matched with
// Unicode property escapes (\p{…}); both follow the Unicode Character Database, so they agree up
// to the Unicode version of the runtime.
//
// All functions work on code points (what Python iterates over), never on UTF-16 code units.

const RE_CATEGORY_C = /^\p{C}$/u; // Cc, Cf, Cs, Co, Cn: Python `category(c).startswith("C")`
const RE_CATEGORY_P = /^\p{P}$/u; // Pc, Pd, Ps, Pe, Pi, Pf, Po
const RE_CATEGORY_ZS = /^\p{Zs}$/u;
const RE_NONSPACING_MARKS = /\p{Mn}/gu;

/**
 * HF `_is_whitespace`: space, tab, newline, carriage return, or general category Zs.
 * (Other control characters such as \v, \f and U+0085 are *controls* here, not whitespace.)
 */
export function isBertWhitespace(ch: string): boolean {
  if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') return true;
  const cp = ch.codePointAt(0)!;
  if (cp < 0x80) return false;
  return RE_CATEGORY_ZS.test(ch);
}

/** HF `_is_control`: any category C* (Cc, Cf, Cs, Co, Cn) except tab, newline and carriage return. */
export function isBertControl(ch: string): boolean {
  if (ch === '\t' || ch === '\n' || ch === '\r') return false;
  const cp = ch.codePointAt(0)!;
  if (cp < 0x80) return cp < 0x20 || cp === 0x7f;
  return RE_CATEGORY_C.test(ch);
}

/**
 * HF `_is_punctuation`: every printable ASCII character that is not a letter or digit
 * (33-47, 58-64, 91-96, 123-126, which includes symbols such as $ + < = > ^ ` | ~ that Unicode
 * classes as S*), plus any character of general category P*.
 */
export function isBertPunctuation(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
    return true;
  }
  if (cp < 0x80) return false;
  return RE_CATEGORY_P.test(ch);
}

/** HF `_is_chinese_char`: the CJK Unified Ideographs blocks, exactly the ranges HF lists. */
export function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/**
 * Python `str.isspace()` for one UTF-16 unit (every Python whitespace character is in the BMP):
 * general category Zs, or bidirectional class WS, B or S. This is the separator set of
 * `str.split()` and `str.strip()` with no argument.
 */
export function isPythonWhitespaceUnit(u: number): boolean {
  return (
    (u >= 0x09 && u <= 0x0d) ||
    (u >= 0x1c && u <= 0x20) ||
    u === 0x85 ||
    u === 0xa0 ||
    u === 0x1680 ||
    (u >= 0x2000 && u <= 0x200a) ||
    u === 0x2028 ||
    u === 0x2029 ||
    u === 0x202f ||
    u === 0x205f ||
    u === 0x3000
  );
}

/** Python `text.split()` (no argument): split on runs of Python whitespace, drop empty pieces. */
export function pythonSplit(text: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    if (isPythonWhitespaceUnit(text.charCodeAt(i))) {
      if (start >= 0) {
        out.push(text.slice(start, i));
        start = -1;
      }
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) out.push(text.slice(start));
  return out;
}

/** Python `text.strip()` (no argument). */
export function pythonStrip(text: string): string {
  let a = 0;
  let b = text.length;
  while (a < b && isPythonWhitespaceUnit(text.charCodeAt(a))) a++;
  while (b > a && isPythonWhitespaceUnit(text.charCodeAt(b - 1))) b--;
  return text.slice(a, b);
}

/**
 * Lowercase one code point at a time. HF's slow tokenizer lowercases the text with
 * `re.sub(..., lambda m: m.groups()[1].lower(), text)` where the pattern `(.+?)` matches one
 * character, and the fast BertNormalizer maps each char with `char::to_lowercase`; neither sees
 * context, so the Greek final-sigma rule of `str.lower()` / `String.prototype.toLowerCase()`
 * never applies ("ΟΔΟΣ" → "οδοσ"). Full (one-to-many) mappings are kept: "İ" → "i̇".
 */
export function lowercasePerChar(text: string): string {
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return text.toLowerCase();
  let out = '';
  for (const ch of text) out += ch.toLowerCase();
  return out;
}

/** HF `_run_strip_accents`: NFD, then drop every nonspacing mark (category Mn). */
export function stripAccents(text: string): string {
  return text.normalize('NFD').replace(RE_NONSPACING_MARKS, '');
}

/** Number of code points (Python `len`). */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    // A high surrogate followed by a low surrogate is one code point.
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < text.length) {
      const v = text.charCodeAt(i + 1);
      if (v >= 0xdc00 && v <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** UTF-16 offsets of the code-point boundaries of `text`: [0, …, text.length]. */
export function codePointBoundaries(text: string): number[] {
  const b: number[] = [0];
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < text.length) {
      const v = text.charCodeAt(i + 1);
      if (v >= 0xdc00 && v <= 0xdfff) i++;
    }
    b.push(i + 1);
  }
  return b;
}
