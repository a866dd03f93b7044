// The Attack page on the built site in Debian's Chromium (SwiftShader): the attack worker runs the
// nearest-neighbour inversion at a dχ budget on spam with tiny sizes (from the URL, so the shared
// link is exercised too), the page shows success and baseline numbers and the d3 chart; the run is
// still listed after a reload; the JSON and runs.jsonl exports parse; a bad budget is refused with
// a clear error and loses nothing; Stop ends a run and the next one starts a fresh worker; without
// WebGPU the page says why. Screenshot: test-results/screenshots/attack.png.

import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { CHROMIUM, NO_WEBGPU_ARGS, collectErrors } from './helpers';

const SCREENSHOTS = 'test-results/screenshots';
// Tiny sizes: 6 test texts, 40 auxiliary texts, 100 candidates × 4 Monte Carlo draws.
const URL = '/attack?limit=6&auxLimit=40&candidates=100&samples=4&maxLength=48';

async function downloaded(page: Page, testId: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const path = await download.path();
  return readFileSync(path, 'utf8');
}

test('runs inversion-nn on spam at a dχ budget, keeps the run across a reload, exports it, and refuses a bad budget', async ({ page }) => {
  test.setTimeout(420_000);
  const errors = collectErrors(page);
  await page.goto(URL);
  await expect(page.getByRole('heading', { name: 'Attack', level: 1 })).toBeVisible();
  await expect(page.getByText('A simulation of the adversary, on public data')).toBeVisible();
  await expect(page.getByTestId('size-limit')).toHaveValue('6');
  await expect(page.getByTestId('kind-inversion-nn')).toBeChecked();
  await expect(page.getByTestId('mechanism')).toHaveValue('dchi');
  await expect(page.getByTestId('budget')).toHaveValue('100');

  const runButton = page.getByTestId('run-attack');
  await expect(runButton).toBeEnabled({ timeout: 120_000 });
  const t0 = Date.now();
  await runButton.click();
  await expect(page.getByTestId('stop-attack')).toBeEnabled();
  const card = page.getByTestId('attack-result');
  await expect(card).toBeVisible({ timeout: 360_000 });
  const seconds = (Date.now() - t0) / 1000;
  console.log(`attack e2e: inversion-nn (limit 6, auxLimit 40, candidates 100, samples 4) finished in ${seconds.toFixed(1)} s`);
  test.info().annotations.push({ type: 'attack run seconds', description: seconds.toFixed(1) });

  const success = Number(await card.getByTestId('attack-success').getAttribute('data-value'));
  const baseline = Number(await card.getByTestId('attack-baseline').getAttribute('data-value'));
  const privacy = Number(await card.getByTestId('attack-privacy').getAttribute('data-value'));
  for (const v of [success, baseline, privacy]) expect(v).toBeGreaterThanOrEqual(0), expect(v).toBeLessThanOrEqual(1);
  expect(privacy).toBeCloseTo(1 - success, 5);
  // dχ at η = 100 on rapt-mini replaces some tokens but not all: the identity guess is neither 0 nor 1
  expect(baseline).toBeGreaterThan(0);
  expect(baseline).toBeLessThan(1);
  await expect(card.getByTestId('attack-success')).toContainText('%');
  await expect(card.getByText('Baseline (identity guess)')).toBeVisible();
  await expect(card.getByTestId('attack-excluding')).toContainText('%');
  await expect(card.getByText('Threat model.', { exact: false })).toBeVisible();
  // the chart: four bars (attack and identity, all positions and excluding stop words) and two axes with ticks
  const chart = card.getByTestId('attack-chart');
  await expect(chart.getByTestId('attack-bar')).toHaveCount(4);
  expect(await chart.locator('g.axis .tick').count()).toBeGreaterThan(4);
  await expect(chart).toContainText('success rate (%)');
  await expect(chart).toContainText('excluding stop words');
  await expect(page.getByTestId('attack-log')).toContainText('inversion-nn: success');
  await expect(page.getByTestId('attack-status')).toContainText('Finished');

  const rows = page.getByTestId('attack-run-row');
  await expect(rows).toHaveCount(1);
  const key = await card.getAttribute('data-key');
  expect(key).toMatch(/^[0-9a-f]{16}$/);
  await expect(rows.first()).toHaveAttribute('data-key', key!);

  // a bad budget: a clear error, nothing lost (the card, the run, the other fields stay)
  await page.getByTestId('budget').fill('abc');
  await runButton.click();
  await expect(page.getByTestId('attack-error')).toContainText('η (eta, the dchi budget) must be a number, got "abc"');
  await expect(card).toBeVisible();
  await expect(rows).toHaveCount(1);
  await expect(page.getByTestId('size-limit')).toHaveValue('6');
  await page.getByTestId('budget').fill('0');
  await runButton.click();
  await expect(page.getByTestId('attack-error')).toContainText('eta (the dchi budget) must be a finite number > 0, got 0');
  await page.getByTestId('budget').fill('100');

  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/attack.png`, fullPage: true });

  // the exports parse, and carry the run and its key
  const json = JSON.parse(await downloaded(page, 'export-json')) as { format: string; version: number; runs: { kind: string; key: string; success: number }[] };
  expect(json.format).toBe('rapt-lab/attack-runs');
  expect(json.version).toBe(1);
  expect(json.runs).toHaveLength(1);
  expect(json.runs[0]).toMatchObject({ kind: 'attack', key, success });
  const lines = (await downloaded(page, 'export-jsonl')).split('\n').filter((l) => l.trim() !== '');
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0])).toMatchObject({ kind: 'attack', attack: 'inversion-nn', key, config: { task: 'spam', mechanism: 'dchi', eta: 100, limit: 6 } });

  // after a reload the run is still listed, and its card opens from the table
  await page.reload();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-key', key!);
  await rows.first().getByRole('button', { name: /Show/ }).click();
  await expect(page.getByTestId('attack-result')).toHaveAttribute('data-key', key!);

  expect(errors, errors.join('\n')).toEqual([]);
});

test('Stop ends a running attack, saves nothing half-done, and the next run starts a fresh worker', async ({ page }) => {
  test.setTimeout(300_000);
  const errors = collectErrors(page);
  await page.goto('/attack?limit=6&auxLimit=40&candidates=100&samples=4&maxLength=48&seed=2');
  const runButton = page.getByTestId('run-attack');
  await expect(runButton).toBeEnabled({ timeout: 120_000 });
  await runButton.click();
  await expect(page.getByTestId('attack-log')).toContainText('loading the built-in model');
  await page.getByTestId('stop-attack').click();
  await expect(page.getByTestId('attack-notice')).toContainText('Stopped. 0 of 1 attack had finished');
  await expect(page.getByTestId('attack-runs-empty')).toBeVisible();
  await expect(runButton).toBeEnabled();
  // a fresh worker runs the next one to the end
  await runButton.click();
  await expect(page.getByTestId('attack-result')).toBeVisible({ timeout: 240_000 });
  await expect(page.getByTestId('attack-run-row')).toHaveCount(1);
  expect(errors, errors.join('\n')).toEqual([]);
});

test('without WebGPU the Attack page explains why, and still lists saved runs', async ({ playwright, baseURL }) => {
  const browser = await playwright.chromium.launch({ executablePath: CHROMIUM, args: NO_WEBGPU_ARGS });
  try {
    const page = await browser.newPage({ baseURL });
    const errors = collectErrors(page);
    await page.goto('/attack');
    await expect(page.getByTestId('no-webgpu')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('run-attack')).toHaveCount(0);
    await expect(page.getByTestId('attack-runs-empty')).toBeVisible();
    expect(errors.filter((e) => e.startsWith('pageerror')), errors.join('\n')).toEqual([]);
  } finally {
    await browser.close();
  }
});
