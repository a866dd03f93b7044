// The Train page on a dataset the user imported, on the built site in Debian's Chromium
// (SwiftShader): a small CSV imported on Models / Data is offered in the Train page's dataset
// picker (labelled as imported, with its example count); a very short run on it (3 steps) splits
// it on the device, finishes and is scored on the split's dev and test parts; the URL holds the
// "imported:<name>" reference and a reload keeps it; everything the page posted to the SERVICE
// worker is protocol literals and ids (no text of the file, no clean test split). A link naming an
// imported dataset this browser does not have says so, falls back to the default dataset, and
// keeps the other settings.

import { expect, test } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { collectErrors } from './helpers';
import { defaultModel } from './reference';
import { recordServiceMessages, serviceMessages, stringValues } from './service-recorder';
import { importDataset } from '../../src/lib/data/import';
import { splitImported } from '../../src/lib/data/imported-split';

const FILE = 'tests/e2e/fixtures/reviews-train.csv';
const NAME = 'reviews-train';
/** Tiny on purpose: SwiftShader on two shared cores. */
const SETUP = { steps: '3', batchSize: '4', trainLimit: '8', evalLimit: '4', maxLength: '16', plainTokens: '4' };

/** The file as the page imports it (name from the file name), and the split the client worker makes of it. */
function fixture() {
  const csv = readFileSync(FILE, 'utf8');
  const ds = importDataset(csv, { format: 'csv', textColumn: 'text', labelColumn: 'label', name: NAME, fileName: 'reviews-train.csv' });
  return { ds, split: splitImported(ds) };
}

test('a short run on a dataset imported on Models / Data: picked, split on the device, scored, and no text to the service', async ({ page }) => {
  test.setTimeout(480_000);
  const errors = collectErrors(page);
  await recordServiceMessages(page);
  const { ds, split } = fixture();

  // Import it on Models / Data.
  await page.goto('/models');
  await expect(page.getByTestId('models-page')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('pick-dataset').setInputFiles(FILE);
  await expect(page.getByTestId('ds-text')).toHaveValue('text');
  await expect(page.getByTestId('ds-label')).toHaveValue('label');
  await expect(page.getByTestId('ds-name')).toHaveValue(NAME);
  await page.getByTestId('ds-import').click();
  await expect(page.getByTestId('dataset-report')).toHaveAttribute('data-rows', String(ds.examples.length));

  // Pick it on the Train page: listed under the imported group, with its example count.
  const query = new URLSearchParams(SETUP).toString();
  await page.goto(`/train?${query}`);
  await expect(page.getByTestId('train')).toHaveAttribute('data-phase', 'ready', { timeout: 120_000 });
  await expect(page.getByTestId('query-errors')).toHaveCount(0);
  const option = page.getByTestId('imported-group').locator('option');
  await expect(option).toHaveCount(1);
  await expect(option).toHaveText(`${NAME} (imported, ${ds.examples.length} examples)`);
  await page.getByTestId('task').selectOption({ label: `${NAME} (imported, ${ds.examples.length} examples)` });
  await expect(page.getByTestId('task')).toHaveValue(`imported:${NAME}`);
  await expect(page).toHaveURL(new RegExp(`task=imported%3A${NAME}`));
  await expect(page.getByTestId('imported-split-note')).toContainText('80/10/10, stratified by label, with seed 13');
  await expect(page.getByTestId('cleanTest')).toBeDisabled();
  await expect(page.getByTestId('cleanTest')).not.toBeChecked();

  mkdirSync('test-results/screenshots', { recursive: true });
  await page.getByTestId('task').screenshot({ path: 'test-results/screenshots/train-imported-picker.png' });
  await page.locator('form.setup').screenshot({ path: 'test-results/screenshots/train-imported-setup.png' });
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByTestId('train-result')).toBeVisible({ timeout: 400_000 });
  await expect(page.getByTestId('run-error')).toHaveCount(0);
  await expect(page.getByTestId('train')).toHaveAttribute('data-run', 'done');

  // Trained and scored on the device's split of the file.
  const n = (part: 'train' | 'dev' | 'test', limit: string) => Math.min(Number(limit), split.splits[part].examples.length);
  await expect(page.getByTestId('client-summary')).toContainText(
    `${n('train', SETUP.trainLimit)} training, ${n('dev', SETUP.evalLimit)} dev and ${n('test', SETUP.evalLimit)} test examples`
  );
  await expect(page.getByTestId('client-summary')).toContainText('Labels: neg, pos');
  await expect(page.getByTestId('metric-test_privatized')).toHaveAttribute('data-n', String(n('test', SETUP.evalLimit)));
  await expect(page.getByTestId('metric-dev_privatized')).toHaveAttribute('data-n', String(n('dev', SETUP.evalLimit)));
  await expect(page.getByTestId('metric-test_clean')).toHaveAttribute('data-n', '0');
  await expect(page.getByTestId('task-loss-chart')).toHaveAttribute('data-points', SETUP.steps);

  // What crossed to the service: one training set of ids, no clean test split, and no string but protocol literals.
  const messages = await serviceMessages(page);
  const calls = messages as { type?: string; path?: string[]; argumentList?: { value?: unknown }[] }[];
  const trains = calls.filter((m) => m.type === 'APPLY' && m.path?.[0] === 'train');
  expect(trains).toHaveLength(1);
  const set = trains[0].argumentList?.[0]?.value as { kind: string; train: { ids: number[][]; labels: number[] }; cleanTest?: unknown };
  expect(set.kind).toBe('privatized-training-set');
  expect(set.train.ids).toHaveLength(n('train', SETUP.trainLimit));
  expect(set.cleanTest).toBeUndefined();
  const def = defaultModel();
  const allowed = new Set([
    'privatized-training-set', 'dchi', 'prompt', 'mean', 'RAW', 'APPLY', 'GET', 'SET', 'HANDLER', 'RELEASE', 'proxy', def.name,
    new URL(`/models/${def.path}/`, page.url()).href, 'init', 'loadModel', 'train', 'boundaryLog', 'controlTraining'
  ]);
  for (const s of stringValues(messages))
    expect(allowed.has(s) || /^[0-9a-f-]+$/.test(s), `unexpected string ${JSON.stringify(s).slice(0, 80)} sent to the service`).toBe(true);
  const all = JSON.stringify(messages).toLowerCase();
  expect(all.includes(NAME), 'the dataset name reached the service').toBe(false);
  for (const ex of ds.examples) {
    const head = ex.text.toLowerCase().slice(0, 20);
    expect(all.includes(head), `the start of an example ("${head}") reached the service`).toBe(false);
  }

  // A reload: the imported choice comes back from the URL; the saved run names it.
  await page.reload();
  await expect(page.getByTestId('task')).toHaveValue(`imported:${NAME}`);
  await expect(page.getByTestId('steps')).toHaveValue(SETUP.steps);
  await expect(page.getByTestId('saved-run')).toContainText(`imported:${NAME}`);
  await expect(page.getByTestId('query-errors')).toHaveCount(0);
  expect(errors, errors.join('\n')).toEqual([]);
});

test('a link naming an imported dataset this browser does not have says so and keeps the other settings', async ({ page }) => {
  await page.goto('/train?task=imported:reviews-elsewhere&steps=3&method=lora&evalLimit=4');
  const box = page.getByTestId('query-errors');
  await expect(box).toContainText('task: dataset "reviews-elsewhere" was imported in another browser or deleted; import it on Models / Data; using spam');
  await expect(page.getByTestId('task')).toHaveValue('spam');
  await expect(page.getByTestId('steps')).toHaveValue('3');
  await expect(page.getByTestId('method')).toHaveValue('lora');
  await expect(page.getByTestId('evalLimit')).toHaveValue('4');
  await expect(page.getByTestId('imported-group')).toHaveCount(0);
});
