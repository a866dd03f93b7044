// The Frontier and Models / Data pages on the built site (no GPU needed by either flow tested
// here): the frontier chart drawn from the shipped sweep (tune rows only: the replaced-fraction
// fallback), its table, CSV and SVG exports checked by content; importing a runs.jsonl with tune and
// attack rows (fixtures/frontier-runs.jsonl, synthetic attack numbers) switches x to attack success
// and survives a reload (IndexedDB + URL); a malformed file names its line and keeps the chart.
// Models / Data: the built-in model and dataset cards, a TSV import with a validation report (kept
// after a reload), and a malformed TSV's error. Full-page screenshots in test-results/screenshots.

import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { collectErrors } from './helpers';

const SCREENSHOTS = 'test-results/screenshots';
const FIX = 'tests/e2e/fixtures';

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

async function downloadText(page: Page, testId: string): Promise<{ name: string; text: string }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const path = await dl.path();
  return { name: dl.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

test('frontier: shipped sweep, table, exports, import with attacks, reload, malformed file', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/frontier');
  await expect(page.getByTestId('frontier-page')).toHaveAttribute('data-ready', 'true');

  // the shipped sweep: 18 tune rows and the four attacks → x opens on the first attack, two curves
  // of three points; privatization strength (fraction replaced) is one pick away
  await expect(page.getByTestId('no-attacks')).toHaveCount(0);
  await expect(page.getByTestId('frontier-chart')).toHaveAttribute('data-x', 'inversion-nn');
  await expect(page.getByTestId('frontier-point')).toHaveCount(6);
  await page.getByTestId('x-select').selectOption('replaced');
  await expect(page.getByTestId('frontier-chart')).toHaveAttribute('data-x', 'replaced');
  await expect(page.getByTestId('x-axis-label')).toContainText('fraction of tokens replaced');
  await expect(page.getByTestId('frontier-curve')).toHaveCount(2);
  await expect(page.getByTestId('frontier-point')).toHaveCount(6);
  await expect(page.getByTestId('frontier-table').locator('tbody tr')).toHaveCount(6);
  await expect(page.getByTestId('frontier-table')).toContainText('d_χ η=80');
  await expect(page.getByTestId('run-sweep-note')).toContainText('rapt.mjs sweep');

  // tooltip on hover, with the exact numbers
  await page.getByTestId('frontier-point').first().hover();
  await expect(page.getByTestId('frontier-tooltip')).toContainText('d_χ η=80');
  await expect(page.getByTestId('frontier-tooltip')).toContainText('config key');
  // and on keyboard focus
  await page.mouse.move(0, 0);
  await page.getByTestId('frontier-point').nth(1).focus();
  await expect(page.getByTestId('frontier-tooltip')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('frontier-tooltip')).toHaveCount(0);
  await screenshot(page, 'frontier');

  // CSV: header and 6 points; the η=80 prompt point is 75.0% ± 4.1 (docs/sweeps/README.md)
  const csv = await downloadText(page, 'export-csv');
  expect(csv.name).toMatch(/^frontier-spam-dchi-replaced-test_privatized_accuracy\.csv$/);
  const lines = csv.text.trim().split(/\r?\n/);
  expect(lines[0]).toBe('curve,budget,mechanism,budget_name,budget_value,x_metric,x_mean,x_std,x_n,y_metric,y_mean,y_std,y_n,seeds,config_key');
  expect(lines).toHaveLength(7);
  const row = lines.find((l) => l.startsWith('prompt,d_χ η=80,'))!.split(',');
  expect(Number(row[10])).toBeCloseTo(0.75, 6);
  expect(Number(row[11])).toBeCloseTo(0.0406, 3);
  expect(row[5]).toBe('replaced_fraction');
  // SVG: a standalone document with the axes and legend
  const svg = await downloadText(page, 'export-svg');
  expect(svg.name).toMatch(/\.svg$/);
  expect(svg.text).toContain('<svg');
  expect(svg.text).toContain('xmlns="http://www.w3.org/2000/svg"');
  expect(svg.text).toContain('fraction of tokens replaced');
  expect(svg.text).toContain('prompt + RAPT');
  // PNG: drawn through a canvas
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
  expect(readFileSync(await png.path()).subarray(1, 4).toString('latin1')).toBe('PNG');

  // import a runs.jsonl with attack results: x becomes attack success
  await page.getByTestId('import-runs').setInputFiles(`${FIX}/frontier-runs.jsonl`);
  await expect(page.getByTestId('import-status')).toContainText('12 tuning runs, 6 attack results');
  await expect(page.getByTestId('frontier-chart')).toHaveAttribute('data-x', 'inversion-nn');
  await expect(page.getByTestId('x-axis-label')).toContainText('attack success (inversion-nn)');
  await expect(page.getByTestId('no-attacks')).toHaveCount(0);
  await expect(page.getByTestId('frontier-point')).toHaveCount(6);
  await expect(page.getByTestId('frontier-table')).toContainText('32.0% ± 2.8%'); // η=80: 0.30, 0.34
  expect(page.url()).toContain('sweep=imported');

  // survives a reload
  await page.reload();
  await expect(page.getByTestId('frontier-page')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('frontier-chart')).toHaveAttribute('data-x', 'inversion-nn');
  await expect(page.getByTestId('sweep-select')).toContainText('frontier-runs.jsonl (imported)');

  // a malformed file: the error names the line; the chart stays
  await page.getByTestId('import-runs').setInputFiles(`${FIX}/frontier-malformed.jsonl`);
  await expect(page.getByTestId('import-error-message')).toContainText('frontier-malformed.jsonl line 2 is not valid JSON');
  await expect(page.getByTestId('import-error')).toContainText('The chart still shows frontier-runs.jsonl');
  await expect(page.getByTestId('frontier-chart')).toHaveAttribute('data-x', 'inversion-nn');
  await expect(page.getByTestId('frontier-point')).toHaveCount(6);
  expect(errors).toEqual([]);
});

test('models: built-in model and dataset cards, TSV import with a validation report, malformed TSV', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/models');
  await expect(page.getByTestId('models-page')).toHaveAttribute('data-ready', 'true');
  const model = page.locator('[data-testid="builtin-model-card"][data-name="rapt-mini"]');
  await expect(model).toContainText('built in, default');
  await expect(model.getByTestId('model-arch')).toContainText('2 layers, hidden 128');
  await expect(model.getByTestId('model-parameters')).toContainText('1,503,488');
  const spam = page.locator('[data-testid="dataset-card"][data-name="spam"]');
  await expect(spam.getByTestId('dataset-labels')).toHaveText('ham, spam');
  await expect(spam.getByTestId('dataset-counts')).toContainText('4,656');
  await expect(spam.getByTestId('dataset-license')).toContainText('CC0');
  await expect(page.locator('[data-testid="dataset-card"][data-name="sotu-party"]')).toBeVisible();
  await expect(page.getByTestId('start-model-check')).toBeVisible();

  // a malformed TSV: the error names the line
  await page.getByTestId('pick-dataset').setInputFiles(`${FIX}/reviews-bad.tsv`);
  await page.getByTestId('ds-import').click();
  await expect(page.getByTestId('dataset-error-message')).toContainText('reviews-bad.tsv: line 4');

  // a good one: validation report, kept after a reload
  await page.getByTestId('pick-dataset').setInputFiles(`${FIX}/reviews.tsv`);
  await expect(page.getByTestId('ds-text')).toHaveValue('sentence');
  await expect(page.getByTestId('ds-label')).toHaveValue('label');
  await page.getByTestId('ds-import').click();
  await expect(page.getByTestId('dataset-report')).toHaveAttribute('data-rows', '6');
  await expect(page.getByTestId('report-labels')).toContainText('0: 3 (50.0%)');
  await expect(page.getByTestId('report-problems')).toContainText('only 6 rows');
  await expect(page.getByTestId('dataset-error')).toHaveCount(0);
  await expect(page.locator('[data-testid="imported-dataset"][data-name="reviews"]')).toBeVisible();
  await screenshot(page, 'models');
  await page.reload();
  await expect(page.getByTestId('models-page')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('[data-testid="imported-dataset"][data-name="reviews"]')).toContainText('6 rows');
  expect(errors).toEqual([]);
});

test('models: checking a Hugging Face BERT folder (WebGPU, started on request)', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/models');
  await expect(page.getByTestId('models-page')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('start-model-check').click();
  const check = page.getByTestId('model-check');
  await expect(check).toHaveAttribute('data-phase', 'ready', { timeout: 120_000 });
  await expect(check.getByTestId('model-name')).toHaveText('rapt-mini');
  await check.getByTestId('pick-folder').setInputFiles('tests/fixtures/tiny-bert');
  await expect(check.getByTestId('model-name')).toHaveText('tiny-bert', { timeout: 120_000 });
  await expect(check.getByTestId('file-progress').locator('[data-file="tiny-bert/model.safetensors"]')).toHaveAttribute('data-state', 'read');
  expect(errors).toEqual([]);
});
