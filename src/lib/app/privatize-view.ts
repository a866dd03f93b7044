// What the Privatize and Overview pages compute from the client worker's details (pure): the
// inversion attacker's identity / nearest-neighbour guess scored against the original tokens.
// The mechanisms output a real token whose embedding's nearest neighbour is itself, so the
// nearest-neighbour inversion of an observed token y is y: the attacker "recovers" exactly the
// positions the mechanism kept. Special tokens ([CLS], [SEP], …) pass through and are not scored.
// GPU-free and DOM-free.

import type { TokenDetail } from '../boundary/client';

export interface SampleScore {
  /** privatizable positions */
  scored: number;
  /** positions where the guess equals the original */
  recovered: number;
  rate: number;
}

export interface PositionScore {
  index: number;
  original: string;
  /** samples whose guess at this position equals the original */
  recoveredIn: number;
}

export interface IdentityGuessScore {
  samples: SampleScore[];
  /** over all samples */
  overall: SampleScore;
  /** per privatizable position of the original */
  positions: PositionScore[];
}

/**
 * Score the identity guess of each sample (rows of the same text privatized independently).
 * Rows must have the same original ids position by position.
 */
export function scoreIdentityGuess(rows: readonly (readonly TokenDetail[])[]): IdentityGuessScore {
  const first = rows[0] ?? [];
  for (const [s, r] of rows.entries()) {
    if (r.length !== first.length || r.some((t, i) => t.original_id !== first[i].original_id))
      throw new Error(`scoreIdentityGuess: sample ${s + 1} is not the same text as sample 1`);
  }
  const positions: PositionScore[] = [];
  first.forEach((t, i) => {
    if (!t.special) positions.push({ index: i, original: t.original, recoveredIn: rows.filter((r) => r[i].privatized_id === r[i].original_id).length });
  });
  const samples = rows.map((r) => {
    let scored = 0,
      recovered = 0;
    for (const t of r) {
      if (t.special) continue;
      scored++;
      if (t.privatized_id === t.original_id) recovered++;
    }
    return { scored, recovered, rate: scored === 0 ? 0 : recovered / scored };
  });
  const scored = samples.reduce((a, s) => a + s.scored, 0);
  const recovered = samples.reduce((a, s) => a + s.recovered, 0);
  return { samples, overall: { scored, recovered, rate: scored === 0 ? 0 : recovered / scored }, positions };
}

/**
 * Join WordPiece continuation pieces ("##…") back onto the piece before them, for display. With
 * `indices` (each token's position in the text), a piece joins only its neighbour at the position
 * before it; a piece whose neighbour is not in the list is shown as "…piece".
 */
export function joinPieces(tokens: readonly string[], indices?: readonly number[]): string {
  let out = '';
  tokens.forEach((t, i) => {
    if (t.startsWith('##')) {
      const adjacent = i > 0 && (!indices || indices[i] === indices[i - 1] + 1);
      out += adjacent ? t.slice(2) : (out ? ' ' : '') + '…' + t.slice(2);
    } else out += (out ? ' ' : '') + t;
  });
  return out;
}

/** Greedy line wrapping of tokens for SVG text: lines of at most `maxChars` characters (a longer token gets a line of its own); indices kept. */
export function wrapTokens<T extends { text: string }>(tokens: readonly T[], maxChars: number, maxLines = Infinity): T[][] {
  const lines: T[][] = [];
  let line: T[] = [];
  let used = 0;
  for (const t of tokens) {
    const w = t.text.length + (line.length ? 1 : 0);
    if (line.length && used + w > maxChars) {
      lines.push(line);
      line = [];
      used = 0;
    }
    used += t.text.length + (line.length ? 1 : 0);
    line.push(t);
  }
  if (line.length) lines.push(line);
  return lines.slice(0, maxLines);
}
