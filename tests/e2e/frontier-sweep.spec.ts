// The Frontier page's in-browser sweep on the built site in Debian's Chromium (SwiftShader): a
// 2-point sweep (2 budgets, soft prompt without RAPT, 1 seed, tiny sizes) set up from the keyboard on the
// built-in model runs to the end — tuning across the client/service boundary, then the
// inversion-nn attack per budget — is kept as an imported sweep and selected, draws the frontier
// chart with 2 points and the attack on x, and exports a CSV of 2 rows. On the way, the PEFT method
// checkboxes (soft prompt, prefix tuning, LoRA, full fine-tuning) are labelled, tabbed through and
// toggled with Space, and the plan text follows them (not run). Screenshot in
// test-results/screenshots/frontier-sweep.png; the sweep's wall time is printed (not asserted).

import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { collectErrors } from './helpers';

const SCREENSHOTS = 'test-results/screenshots';
/** Tiny on purpose: SwiftShader on two shared cores. */
const SIZES = { steps: '4', batchSize: '4', trainLimit: '8', evalLimit: '8', maxLength: '16', attackLimit: '4', auxLimit: '20', candidates: '50', samples: '2' };

async function typeInto(page: Page, testId: string, value: string): Promise<void> {
  await page.getByTestId(testId).focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(value);
}

test('a 2-point sweep on the built-in model that draws the frontier chart and exports CSV', async ({ page }) => {
  test.setTimeout(560_000);
  const errors = collectErrors(page);
  await page.goto('/frontier');
  await expect(page.getByTestId('frontier-page')).toHaveAttribute('data-ready', 'true');
  const panel = page.getByTestId('browser-sweep');
  await expect(panel).toContainText('Privatized budgets only');

  // Set up from the keyboard: labelled controls.
  await expect(panel.getByLabel('Budgets: d_χ η values')).toHaveValue('60, 200');
  await typeInto(page, 'sweep-budgets', '60, 200');
  await typeInto(page, 'sweep-seeds', '1');
  await page.getByRole('checkbox', { name: 'with RAPT', exact: true }).focus();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('sweep-rapt')).not.toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'without RAPT', exact: true })).toBeChecked();
  // the PEFT methods: labelled checkboxes in a described group, operable from the keyboard
  const methods = panel.getByRole('group', { name: 'PEFT methods' });
  await expect(methods).toHaveAccessibleDescription(/rapt tune's defaults .*full fine-tuning trains all/);
  const boxes = methods.getByRole('checkbox');
  await expect(boxes).toHaveCount(4);
  const names = ['soft prompt', 'prefix tuning', 'LoRA', 'full fine-tuning'];
  for (let i = 0; i < names.length; i++) await expect(boxes.nth(i)).toHaveAccessibleName(names[i]);
  await expect(methods.getByRole('checkbox', { name: 'soft prompt', exact: true })).toBeChecked();
  for (const n of names.slice(1)) await expect(methods.getByRole('checkbox', { name: n, exact: true })).not.toBeChecked();
  await methods.getByRole('checkbox', { name: 'soft prompt', exact: true }).focus();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('sweep-method-prefix')).toBeFocused();
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('sweep-method-lora')).toBeFocused();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('sweep-plan')).toHaveText('6 tuning runs (2 budgets × 3 methods without RAPT × 1 seed) and 2 inversion-nn attacks');
  await page.keyboard.press('Space');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Space');
  await expect(page.getByTestId('sweep-method-prefix')).not.toBeChecked();
  await expect(page.getByTestId('sweep-method-lora')).not.toBeChecked();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Space');
  await expect(page.getByTestId('sweep-method-prompt')).not.toBeChecked();
  await expect(page.getByTestId('sweep-form-error')).toHaveText('choose at least one method: soft prompt, prefix tuning, LoRA or full fine-tuning');
  await page.keyboard.press('Space');
  await expect(page.getByTestId('sweep-method-prompt')).toBeChecked();
  await expect(page.getByTestId('sweep-attack')).toHaveValue('inversion-nn');
  // the clean test split (unprivatized ids to the service) is opt-in
  await expect(page.getByLabel('also score clean test inputs')).not.toBeChecked();
  await panel.locator('summary', { hasText: 'Sizes' }).focus();
  await page.keyboard.press('Enter');
  for (const [k, v] of Object.entries(SIZES)) await typeInto(page, `sweep-${k}`, v);
  // a bad value is named, and the button waits for a good one
  await typeInto(page, 'sweep-budgets', '60, 0');
  await expect(page.getByTestId('sweep-form-error')).toContainText('refused by the browser service');
  await expect(page.getByTestId('sweep-run')).toBeDisabled();
  await typeInto(page, 'sweep-budgets', '60, 200');
  await expect(page.getByTestId('sweep-plan')).toHaveText('2 tuning runs (2 budgets × 1 method without RAPT × 1 seed) and 2 inversion-nn attacks');

  const run = page.getByRole('button', { name: 'Run the sweep' });
  await expect(run).toBeEnabled();
  await run.focus();
  const t0 = Date.now();
  await page.keyboard.press('Enter');
  await expect(panel).toHaveAttribute('data-running', 'true');
  await expect(page.getByTestId('sweep-stop')).toBeVisible();
  await expect(page.getByTestId('sweep-progress-text')).toContainText('Run 1 of 4');
  await expect(page.getByTestId('sweep-finished')).toBeVisible({ timeout: 520_000 });
  const seconds = (Date.now() - t0) / 1000;
  console.log(`browser sweep: 2 tuning runs + 2 attacks in ${seconds.toFixed(0)} s`);
  await expect(page.getByTestId('sweep-error')).toHaveCount(0);
  const items = page.getByTestId('sweep-run-item');
  await expect(items).toHaveCount(4);
  for (let i = 0; i < 4; i++) await expect(items.nth(i)).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('sweep-finished')).toContainText('2 tuning runs and 2 attacks');

  // Kept as an imported sweep and selected: the chart shows 2 points with the attack on x.
  await expect(page.getByTestId('sweep-select').locator('option:checked')).toContainText(/^browser sweep \d{4}-\d\d-\d\d \d\d:\d\d \(imported\)$/);
  const chart = page.getByTestId('frontier-chart');
  await expect(chart).toHaveAttribute('data-x', 'inversion-nn');
  await expect(page.getByTestId('x-axis-label')).toContainText('inversion-nn');
  await expect(page.getByTestId('frontier-curve')).toHaveCount(1);
  await expect(page.getByTestId('frontier-point')).toHaveCount(2);
  await expect(page.getByTestId('frontier-table').locator('tbody tr')).toHaveCount(2);
  await expect(page.getByTestId('frontier-table')).toContainText('d_χ η=60');
  await expect(page.getByTestId('frontier-table')).toContainText('d_χ η=200');

  // CSV export: 2 rows, x = inversion-nn success, y = privatized test accuracy, both fractions.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  expect(dl.suggestedFilename()).toMatch(/^frontier-browser_sweep_.*-inversion-nn-test_privatized_accuracy\.csv$/);
  const lines = readFileSync(await dl.path(), 'utf8').trim().split(/\r?\n/);
  expect(lines).toHaveLength(3);
  const header = lines[0].split(',');
  const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
  expect(rows.map((r) => r.budget_value).sort()).toEqual(['200', '60']);
  for (const r of rows) {
    expect(r.x_metric).toBe('inversion-nn');
    expect(r.y_metric).toBe('test_privatized_accuracy');
    for (const k of ['x_mean', 'y_mean']) expect(Number(r[k]) >= 0 && Number(r[k]) <= 1, `${k} ${r[k]}`).toBe(true);
    expect(r.seeds).toBe('1');
  }

  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/frontier-sweep.png`, fullPage: true });
  expect(errors).toEqual([]);
});

test('Stop ends a browser sweep after the current run and keeps what finished', async ({ page }) => {
  test.setTimeout(240_000);
  const errors = collectErrors(page);
  await page.goto('/frontier');
  await expect(page.getByTestId('frontier-page')).toHaveAttribute('data-ready', 'true');
  await typeInto(page, 'sweep-budgets', '60, 200');
  await page.getByTestId('sweep-rapt').uncheck();
  await page.locator('summary', { hasText: 'Sizes' }).click();
  for (const [k, v] of Object.entries({ ...SIZES, steps: '30' })) await typeInto(page, `sweep-${k}`, v);
  await page.getByTestId('sweep-run').click();
  // Stop while the first tuning run trains: it finishes, nothing after it starts
  await expect(page.getByTestId('sweep-run-item').first()).toHaveAttribute('data-status', 'running');
  await page.getByTestId('sweep-stop').click();
  await expect(page.getByTestId('sweep-stop')).toHaveText('Stopping after this run…');
  await expect(page.getByTestId('sweep-finished')).toBeVisible({ timeout: 200_000 });
  await expect(page.getByTestId('sweep-finished')).toContainText(/^Stopped in .*: 1 tuning run and 0 attacks\./);
  const items = page.getByTestId('sweep-run-item');
  await expect(items.nth(0)).toHaveAttribute('data-status', 'done');
  for (let i = 1; i < 4; i++) await expect(items.nth(i)).toHaveAttribute('data-status', 'skipped');
  // the finished run is kept and shown: no attack, so x falls back to the fraction replaced
  await expect(page.getByTestId('sweep-select').locator('option:checked')).toContainText('browser sweep');
  await expect(page.getByTestId('frontier-chart')).toHaveAttribute('data-x', 'replaced');
  await expect(page.getByTestId('frontier-point')).toHaveCount(1);
  expect(errors).toEqual([]);
});
