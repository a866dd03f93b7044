// Scoring the inversion attacker's identity guess on the Privatize/Overview pages
// (src/lib/app/privatize-view.ts), and the budget slider's log scale (privacy-settings.ts).
import { describe, expect, it } from 'vitest';
import { joinPieces, scoreIdentityGuess } from '../../src/lib/app/privatize-view';
import { BUDGET_RANGE, budgetToSlider, SLIDER_STEPS, sliderToBudget } from '../../src/lib/app/privacy-settings';
import type { TokenDetail } from '../../src/lib/boundary/client';

function row(orig: number[], priv: number[], special: boolean[] = []): TokenDetail[] {
  return orig.map((o, i) => ({
    original: `t${o}`,
    original_id: o,
    privatized: `t${priv[i]}`,
    privatized_id: priv[i],
    replaced: o !== priv[i],
    special: special[i] ?? false
  }));
}

describe('scoreIdentityGuess', () => {
  it('counts kept privatizable positions per sample, overall and per position', () => {
    const sp = [true, false, false, false, true];
    const a = row([2, 10, 11, 12, 3], [2, 10, 99, 12, 3], sp);
    const b = row([2, 10, 11, 12, 3], [2, 98, 97, 12, 3], sp);
    const s = scoreIdentityGuess([a, b]);
    expect(s.samples).toEqual([
      { scored: 3, recovered: 2, rate: 2 / 3 },
      { scored: 3, recovered: 1, rate: 1 / 3 }
    ]);
    expect(s.overall).toEqual({ scored: 6, recovered: 3, rate: 0.5 });
    expect(s.positions.map((p) => [p.index, p.recoveredIn])).toEqual([
      [1, 1],
      [2, 0],
      [3, 2]
    ]);
  });

  it('refuses samples of different texts and handles nothing to score', () => {
    expect(() => scoreIdentityGuess([row([1, 2], [1, 2]), row([1, 3], [1, 3])])).toThrow(/sample 2/);
    expect(scoreIdentityGuess([]).overall.rate).toBe(0);
    expect(scoreIdentityGuess([row([2, 3], [2, 3], [true, true])]).overall).toEqual({ scored: 0, recovered: 0, rate: 0 });
  });

  it('joinPieces glues WordPiece continuations', () => {
    expect(joinPieces(['zebra', '##finch', 'sang', '.'])).toBe('zebrafinch sang .');
    expect(joinPieces(['zebra', '##finch', '##es'], [1, 2, 4])).toBe('zebrafinch …es');
    expect(joinPieces(['##x'])).toBe('…x');
  });
});

describe('budget slider', () => {
  it('maps the ends of the range to the ends of the slider and round-trips', () => {
    for (const [m, r] of Object.entries(BUDGET_RANGE) as [keyof typeof BUDGET_RANGE, { min: number; max: number }][]) {
      expect(budgetToSlider(m, r.min)).toBe(0);
      expect(budgetToSlider(m, r.max)).toBe(SLIDER_STEPS);
      expect(sliderToBudget(m, 0)).toBe(r.min);
      expect(sliderToBudget(m, SLIDER_STEPS)).toBe(r.max);
      for (let p = 0; p <= SLIDER_STEPS; p += 7) expect(Math.abs(budgetToSlider(m, sliderToBudget(m, p)) - p)).toBeLessThanOrEqual(2);
    }
    expect(budgetToSlider('dchi', 1e9)).toBe(SLIDER_STEPS);
    expect(budgetToSlider('dchi', -1)).toBe(SLIDER_STEPS / 2);
    expect(budgetToSlider('dchi', NaN)).toBe(SLIDER_STEPS / 2);
  });
});

describe('wrapTokens', () => {
  it('wraps greedily, keeps long tokens on their own line, and caps the lines', async () => {
    const { wrapTokens } = await import('../../src/lib/app/privatize-view');
    const t = (s: string) => ({ text: s });
    const lines = wrapTokens(['ab', 'cd', 'ef', 'averyverylongtoken', 'g'].map(t), 6);
    expect(lines.map((l) => l.map((x) => x.text).join(' '))).toEqual(['ab cd', 'ef', 'averyverylongtoken', 'g']);
    expect(wrapTokens(['ab', 'cd', 'ef'].map(t), 2, 2)).toHaveLength(2);
    expect(wrapTokens([], 5)).toEqual([]);
  });
});

describe('settings in the URL', () => {
  it('omits defaults, round-trips, and falls back on bad values', async () => {
    const { queryFromSettings, settingsFromQuery } = await import('../../src/lib/app/privacy-url');
    expect(queryFromSettings({ mechanism: 'dchi', budget: '100', samples: 3 })).toBe('');
    const q = queryFromSettings({ mechanism: 'santext', budget: '2.5', samples: 5 }, new URLSearchParams('debug=1'));
    expect(q).toBe('?debug=1&mechanism=santext&budget=2.5&samples=5');
    expect(settingsFromQuery(new URLSearchParams(q))).toEqual({ mechanism: 'santext', budget: '2.5', samples: 5 });
    expect(settingsFromQuery(new URLSearchParams('mechanism=nope&budget=-1&samples=99'))).toEqual({ mechanism: 'dchi', budget: '100', samples: 3 });
    expect(settingsFromQuery(new URLSearchParams('mechanism=laplace'))).toEqual({ mechanism: 'laplace', budget: '200', samples: 3 });
  });
});
