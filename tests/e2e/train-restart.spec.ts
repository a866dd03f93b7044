// The Train page when a run is cut off, on the built site in Debian's Chromium (SwiftShader): the
// service's GPU device destroyed mid-run (the page's ?debug button) is reported with the run and the
// step it reached, the losses so far stay on the chart as cut off, and "Restart this run" reruns the
// setup on new workers to the end; a run cut off by leaving the page is reported on the next visit
// with its step and restarts in one click. The lost-device report is readable in both themes.
// Runs are tiny (12 steps, losses read every 3).

import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { collectErrors } from './helpers';
import { scanText } from './contrast';

const SCREENSHOTS = 'test-results/screenshots';
const STEPS = 12;
const SETUP = `steps=${STEPS}&batchSize=4&trainLimit=8&evalLimit=8&maxLength=16&plainTokens=4`;
const RECORD_KEY = 'rapt-lab:train:running';

async function ready(page: Page): Promise<void> {
  await expect(page.getByTestId('train')).toHaveAttribute('data-phase', 'ready', { timeout: 120_000 });
}

/** The step the progress line shows once the first losses came back (0 < step < STEPS). */
async function firstSteps(page: Page): Promise<number> {
  const text = page.getByTestId('progress-text');
  await expect(text).toContainText(new RegExp(`step [1-9]\\d* / ${STEPS}`), { timeout: 300_000 });
  return Number(/step (\d+)/.exec(await text.innerText())![1]);
}

test('a run cut off by a lost GPU device says where it stopped, keeps its curve, and restarts to the end', async ({ page }) => {
  test.setTimeout(600_000);
  const errors = collectErrors(page);
  await page.goto(`/train?debug=1&${SETUP}`);
  await ready(page);
  await expect(page.getByTestId('steps')).toHaveValue(String(STEPS));
  await page.getByRole('button', { name: 'Start training' }).click();
  const reached = await firstSteps(page);
  expect(reached).toBeLessThan(STEPS);
  await page.getByTestId('simulate-loss').click();

  // The report: which run, which step; the curve so far kept (dashed, as its own series).
  const alert = page.getByTestId('load-error');
  await expect(alert).toContainText('The GPU device was lost', { timeout: 60_000 });
  const cut = page.getByTestId('cut-off');
  const at = Number(await cut.getAttribute('data-step'));
  expect(at).toBeGreaterThanOrEqual(reached);
  expect(at).toBeLessThan(STEPS);
  await expect(cut).toContainText(`spam · prompt + RAPT · dχ, η = 100 · ${STEPS} steps`);
  await expect(cut).toContainText(`at step ${at} of ${STEPS}`);
  await expect(page.getByTestId('train')).toHaveAttribute('data-run', 'failed');
  await expect(page.getByTestId('run-error')).toHaveText(`Cut off at step ${at} of ${STEPS}: the GPU device was lost (see above to restart it).`);
  const chart = page.getByTestId('task-loss-chart');
  await expect(chart).toHaveAttribute('data-points', `0,${at}`);
  await expect(chart).toContainText(`cut off at step ${at}`);
  expect(await chart.getByTestId('loss-line').nth(1).getAttribute('stroke-dasharray')).toBeTruthy();
  // Nothing the user had is gone: the settings, and the record a reload would report.
  await expect(page.getByTestId('steps')).toHaveValue(String(STEPS));
  const record = JSON.parse((await page.evaluate((k) => localStorage.getItem(k), RECORD_KEY)) ?? 'null') as { cause?: string; step?: number } | null;
  expect(record).toMatchObject({ cause: 'device-lost', step: at });
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/train-device-lost.png`, fullPage: true });
  // The report is readable in both themes (theme.spec.ts cannot reach this state cheaply).
  for (const colorScheme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme });
    const poor = (await page.evaluate(scanText)).filter((t) => t.ratio < t.needed);
    expect(poor, `${colorScheme}: ${JSON.stringify(poor)}`).toEqual([]);
  }

  // Restart: new workers, the same setup, to the end; the cut-off curve stays beside the new one.
  await alert.getByRole('button', { name: 'Restart this run' }).click();
  const restarted = page.getByTestId('restarted');
  await expect(restarted).toBeVisible({ timeout: 120_000 });
  await expect(restarted).toHaveAttribute('data-from-step', String(at));
  await expect(restarted).toContainText('Restarted from step 0 on a new GPU device');
  await expect(page.getByTestId('load-error')).toHaveCount(0);
  await expect(page.getByTestId('train-result')).toBeVisible({ timeout: 400_000 });
  await expect(page.getByTestId('train')).toHaveAttribute('data-run', 'done');
  await expect(page.getByTestId('run-error')).toHaveCount(0);
  await expect(chart).toHaveAttribute('data-points', `${STEPS},${at}`);
  await expect(page.getByTestId('metric-test_privatized')).toHaveAttribute('data-n', '8');
  await expect(page.getByTestId('saved-runs')).toHaveAttribute('data-count', '1');
  expect(await page.evaluate((k) => localStorage.getItem(k), RECORD_KEY)).toBeNull();
  // The new device's service saw exactly one training set (the first one's log went to the session log).
  const log = JSON.parse((await page.getByTestId('service-log-json').textContent()) || '{"entries":[]}') as { entries: { kind?: string; accepted: boolean }[] };
  expect(log.entries.filter((e) => e.accepted && e.kind === 'training-set')).toHaveLength(1);
  expect(errors, errors.join('\n')).toEqual([]);
});

test('a run cut off by leaving the page is reported with its step, and restarts in one click', async ({ page }) => {
  test.setTimeout(600_000);
  const errors = collectErrors(page);
  await page.goto(`/train?${SETUP}`);
  await ready(page);
  await expect(page.getByTestId('interrupted')).toHaveCount(0);
  await page.getByRole('button', { name: 'Start training' }).click();
  const reached = await firstSteps(page);
  await page.goto('/train');

  const notice = page.getByTestId('interrupted');
  await expect(notice).toContainText('A run was interrupted');
  await expect(notice).toHaveAttribute('data-cause', 'reload');
  await expect(notice).toContainText(`spam · prompt + RAPT · dχ, η = 100 · ${STEPS} steps`);
  const m = new RegExp(`at step (\\d+) of ${STEPS}`).exec(await notice.innerText());
  expect(m, await notice.innerText()).not.toBeNull();
  expect(Number(m![1])).toBeGreaterThanOrEqual(reached);
  await expect(page.getByTestId('steps')).toHaveValue('30'); // the defaults until asked
  await ready(page);
  await notice.getByRole('button', { name: 'Restart this run' }).click();
  await expect(notice).toHaveCount(0);
  await expect(page.getByTestId('steps')).toHaveValue(String(STEPS));
  await expect(page).toHaveURL(new RegExp(`steps=${STEPS}`));
  await expect(page.getByTestId('train-result')).toBeVisible({ timeout: 400_000 });
  await expect(page.getByTestId('task-loss-chart')).toHaveAttribute('data-points', String(STEPS));
  await expect(page.getByTestId('saved-runs')).toHaveAttribute('data-count', '1');
  expect(await page.evaluate((k) => localStorage.getItem(k), RECORD_KEY)).toBeNull();
  expect(errors, errors.join('\n')).toEqual([]);
});
