// Light and dark themes follow the system: on every page of the navigation, with the colour scheme
// emulated as light and then dark, the body's background and text colours switch, their contrast is
// at least 4.5:1, and so is every visible piece of text against the background it sits on (large
// text 3:1, disabled controls exempt; WCAG 2 AA). The Frontier page's chart (the shipped committed
// sweep, drawn without any GPU work) draws its axis text in the theme's muted colour.

import { expect, test, type Page } from '@playwright/test';
import { NAV_PAGES } from '../../src/lib/app/nav';
import { contrastOf, scanText } from './contrast';

const SCHEMES = ['light', 'dark'] as const;

interface BodyColours {
  bg: string;
  text: string;
}

async function bodyColours(page: Page): Promise<BodyColours> {
  return page.evaluate(() => {
    const cs = getComputedStyle(document.body);
    return { bg: cs.backgroundColor, text: cs.color };
  });
}

/** Every visible text on the page meets WCAG AA contrast against its background. */
async function expectReadable(page: Page, what: string): Promise<void> {
  const texts = await page.evaluate(scanText);
  expect(texts.length, 'some text was scanned').toBeGreaterThan(5);
  const poor = texts.filter((t) => t.ratio < t.needed);
  expect(
    poor,
    `${what}: text below WCAG AA contrast:\n${poor.map((t) => `  ${t.ratio.toFixed(2)} < ${t.needed}  ${t.fg} on ${t.bg}  ${t.where}  "${t.text}"`).join('\n')}`
  ).toEqual([]);
}

/** The page drawn: its heading is there and the first async work has had a moment to render. */
async function settle(page: Page): Promise<void> {
  await expect(page.locator('main h1').first()).toBeVisible();
  await page.waitForTimeout(800);
}

for (const nav of NAV_PAGES.filter((p) => p.ready)) {
  test(`${nav.label} (${nav.path}): light and dark themes switch and keep text readable`, async ({ page }) => {
    const seen: Record<string, BodyColours> = {};
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme });
      await page.goto(nav.path);
      await settle(page);
      expect(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(colorScheme === 'dark');
      const body = await bodyColours(page);
      seen[colorScheme] = body;
      const c = contrastOf(body.text, body.bg);
      expect(c, `${colorScheme}: body text ${body.text} on ${body.bg}`).toBeGreaterThanOrEqual(4.5);
      await expectReadable(page, colorScheme);
    }
    expect(seen.light.bg, 'the background switches').not.toBe(seen.dark.bg);
    expect(seen.light.text, 'the text colour switches').not.toBe(seen.dark.text);
    // light: dark text on a light background; dark: the other way round
    expect(contrastOf(seen.light.bg, 'rgb(0, 0, 0)')).toBeGreaterThan(contrastOf(seen.dark.bg, 'rgb(0, 0, 0)'));
  });
}

test('the Frontier chart draws its axis text in the theme colour, readable in both themes', async ({ page }) => {
  const ticks: Record<string, string> = {};
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await page.goto('/frontier');
    const chart = page.getByTestId('frontier-chart');
    await expect(chart).toBeVisible({ timeout: 60_000 });
    const tick = chart.locator('svg text.tick').first();
    await expect(tick).toBeVisible();
    const got = await page.evaluate(() => {
      const t = document.querySelector('[data-testid="frontier-chart"] svg text.tick')!;
      const label = document.querySelector('[data-testid="frontier-chart"] [data-testid="x-axis-label"]')!;
      const probe = document.createElement('span');
      probe.style.color = 'var(--muted)';
      document.body.append(probe);
      const muted = getComputedStyle(probe).color;
      probe.style.color = 'var(--text)';
      const text = getComputedStyle(probe).color;
      probe.remove();
      const chartEl = document.querySelector('[data-testid="frontier-chart"]')!;
      return { tick: getComputedStyle(t).fill, label: getComputedStyle(label).fill, muted, text, bg: getComputedStyle(chartEl).backgroundColor };
    });
    expect(got.tick, `${colorScheme}: tick text uses --muted`).toBe(got.muted);
    expect(got.label, `${colorScheme}: axis label uses --text`).toBe(got.text);
    expect(contrastOf(got.tick, got.bg), `${colorScheme}: tick ${got.tick} on ${got.bg}`).toBeGreaterThanOrEqual(4.5);
    ticks[colorScheme] = got.tick;
    // Each curve's tooltip (focus its first point): readable in this theme too.
    const curves = chart.getByTestId('frontier-curve');
    const n = await curves.count();
    expect(n).toBeGreaterThan(0);
    for (let ci = 0; ci < n; ci++) {
      const label = await curves.nth(ci).getAttribute('data-label');
      await chart.locator(`g.points[data-label="${label}"]`).getByTestId('frontier-point').first().focus();
      await expect(page.getByTestId('frontier-tooltip')).toContainText(label!);
      await expectReadable(page, `${colorScheme}, tooltip of ${label}`);
    }
  }
  expect(ticks.light).not.toBe(ticks.dark);
});

test('notices and errors (the Train page with an interrupted run and a bad link) are readable in both themes', async ({ page }) => {
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await page.goto('/service-log');
    await page.evaluate(() =>
      localStorage.setItem('rapt-lab:train:running', JSON.stringify({ query: 'steps=4', startedAt: new Date().toISOString() }))
    );
    await page.goto('/train?steps=ten&method=magic');
    await expect(page.getByTestId('interrupted')).toBeVisible();
    await expect(page.getByTestId('query-errors')).toBeVisible();
    await expectReadable(page, `${colorScheme}, Train notices`);
  }
});
