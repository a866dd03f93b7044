// The Train page on a model the user checked on Models / Data, on the built site in Debian's
// Chromium (SwiftShader): the tiny fixture folder (tests/fixtures/tiny-bert) passes the check and is
// kept in this browser (only the files the loaders read, with its summary), still listed after a
// reload; the Train page offers it beside the built-in model, and a very short run (3 steps) loads
// its files into both workers — the service gets the files (public) and then only ids of the
// fixture's 1,000-word vocabulary, never a string beyond protocol literals, names and file names —
// finishes and names the model. Deleting it asks first; refusing keeps it. When the browser's
// storage is full the page says so and the model stays pickable in the tab. A link naming a kept
// model this browser does not have says so, uses the built-in model, and keeps the other settings.

import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { collectErrors } from './helpers';
import { defaultModel } from './reference';
import { recordServiceMessages, serviceMessages, stringValues } from './service-recorder';

const FOLDER = 'tests/fixtures/tiny-bert';
const NAME = 'tiny-bert';
const REF = `imported:${NAME}`;
const VOCAB = readFileSync(`${FOLDER}/vocab.txt`, 'utf8').split('\n').filter((l) => l.length > 0).length;
/** The picker's label of the kept fixture (config.json: 2 layers, hidden 32). */
const OPTION = `${NAME} (imported, 2 layers, hidden 32)`;
/** Tiny on purpose: SwiftShader on two shared cores (the fixture's random weights make accuracy meaningless). */
const SETUP = { steps: '3', batchSize: '4', trainLimit: '8', evalLimit: '4', maxLength: '16', plainTokens: '4' };
const SCREENSHOTS = 'test-results/screenshots';

/** Models / Data: start the model service, check the fixture folder, wait until it is kept (or refused). */
async function checkFolder(page: Page): Promise<void> {
  await page.goto('/models');
  await expect(page.getByTestId('models-page')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('start-model-check').click();
  const check = page.getByTestId('model-check');
  await expect(check).toHaveAttribute('data-phase', 'ready', { timeout: 120_000 });
  await check.getByTestId('pick-folder').setInputFiles(FOLDER);
  await expect(check.getByTestId('model-name')).toHaveText(NAME, { timeout: 120_000 });
  await expect(page.getByTestId('own-model')).toHaveAttribute('data-busy', 'false');
}

test('a model checked on Models / Data is kept, picked on Train, trains a short run, and is deleted only after asking', async ({ page }) => {
  test.setTimeout(480_000);
  const errors = collectErrors(page);
  await recordServiceMessages(page);

  await checkFolder(page);
  await expect(page.getByTestId('model-kept')).toContainText(`Kept ${NAME} in this browser (2 layers, hidden 32, 4 heads, vocabulary 1,000,`);
  const kept = page.locator(`[data-testid="imported-model"][data-name="${NAME}"]`);
  await expect(kept).toHaveAttribute('data-session-only', 'false');
  // only what the loaders read: not the folder's README
  await expect(kept).toContainText('config.json, vocab.txt, model.safetensors;');
  await expect(kept).not.toContainText('README');

  // Still there after a reload (IndexedDB), with its summary.
  await page.reload();
  await expect(page.getByTestId('models-page')).toHaveAttribute('data-ready', 'true');
  await expect(kept).toContainText('2 layers, hidden 32, 4 heads, vocabulary 1,000');
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.getByTestId('imported-models').screenshot({ path: `${SCREENSHOTS}/models-kept-model.png` });

  // The Train page offers it beside the built-in model; picking it puts its reference in the URL.
  await page.goto(`/train?${new URLSearchParams(SETUP)}`);
  await expect(page.getByTestId('train')).toHaveAttribute('data-phase', 'ready', { timeout: 120_000 });
  await expect(page.getByTestId('query-errors')).toHaveCount(0);
  const def = defaultModel();
  await expect(page.getByTestId('model').locator('option', { hasText: `${def.name} (built-in)` })).toHaveCount(1);
  await expect(page.getByTestId('imported-models-group').locator('option')).toHaveText([OPTION]);
  await page.getByTestId('model').selectOption({ label: OPTION });
  await expect(page.getByTestId('model')).toHaveValue(REF);
  await expect(page).toHaveURL(new RegExp(`model=imported%3A${NAME}`));
  await page.locator('form.setup').screenshot({ path: `${SCREENSHOTS}/train-imported-model-setup.png` });

  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByTestId('train-result')).toBeVisible({ timeout: 400_000 });
  await expect(page.getByTestId('run-error')).toHaveCount(0);
  await expect(page.getByTestId('train')).toHaveAttribute('data-run', 'done');
  await expect(page.getByTestId('loaded-model')).toHaveAttribute('data-ref', REF);
  await expect(page.getByTestId('loaded-model')).toHaveText(`Loaded: ${NAME} (imported) (2 layers, hidden 32)`);
  await expect(page.getByTestId('result-model')).toHaveText(`${NAME} (imported)`);
  await expect(page.getByTestId('task-loss-chart')).toHaveAttribute('data-points', SETUP.steps);

  // What crossed to the service: the kept files (public), then one training set of ids of the fixture's vocabulary.
  const messages = (await serviceMessages(page)) as { type?: string; path?: string[]; argumentList?: { value?: unknown }[] }[];
  const loads = messages.filter((m) => m.type === 'APPLY' && m.path?.[0] === 'loadModelFiles');
  expect(loads).toHaveLength(1);
  expect(loads[0].argumentList?.[0]?.value).toEqual([{ file: 'config.json' }, { file: 'vocab.txt' }, { file: 'model.safetensors' }]);
  const trains = messages.filter((m) => m.type === 'APPLY' && m.path?.[0] === 'train');
  expect(trains).toHaveLength(1);
  const set = trains[0].argumentList?.[0]?.value as { kind: string; train: { ids: number[][] } };
  expect(set.kind).toBe('privatized-training-set');
  expect(set.train.ids).toHaveLength(Number(SETUP.trainLimit));
  const maxId = Math.max(...set.train.ids.flat());
  expect(maxId, 'the client privatized with the kept model\'s vocabulary').toBeLessThan(VOCAB);
  const allowed = new Set([
    'privatized-training-set', 'dchi', 'prompt', 'mean', 'RAW', 'APPLY', 'GET', 'SET', 'HANDLER', 'RELEASE', 'proxy', def.name, NAME,
    new URL(`/models/${def.path}/`, page.url()).href, 'init', 'loadModel', 'loadModelFiles', 'train', 'boundaryLog', 'controlTraining',
    'config.json', 'vocab.txt', 'model.safetensors'
  ]);
  for (const s of stringValues(messages))
    expect(allowed.has(s) || /^[0-9a-f-]+$/.test(s), `unexpected string ${JSON.stringify(s).slice(0, 80)} sent to the service`).toBe(true);

  // The saved run names the model; a reload brings the choice back from the URL and loads it at start.
  await expect(page.getByTestId('saved-run').first()).toContainText(`${NAME} (imported) · spam`);
  await page.reload();
  await expect(page.getByTestId('train')).toHaveAttribute('data-phase', 'ready', { timeout: 120_000 });
  await expect(page.getByTestId('model')).toHaveValue(REF);
  await expect(page.getByTestId('loaded-model')).toHaveAttribute('data-ref', REF);

  // Deleting asks first: refusing keeps it, accepting removes it (and a reload does not bring it back).
  await page.goto('/models');
  await expect(page.getByTestId('models-page')).toHaveAttribute('data-ready', 'true');
  const asked: string[] = [];
  page.once('dialog', (d) => {
    asked.push(d.message());
    void d.dismiss();
  });
  await page.getByRole('button', { name: `Delete the model ${NAME}` }).click();
  await expect.poll(() => asked.length).toBe(1);
  expect(asked[0]).toBe(`Delete the imported model "${NAME}" from this browser? Your files on disk are not touched.`);
  await expect(kept).toBeVisible();
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: `Delete the model ${NAME}` }).click();
  await expect(kept).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('models-page')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('imported-model')).toHaveCount(0);
  expect(errors, errors.join('\n')).toEqual([]);
});

test('a full storage is named, and the checked model stays pickable in this tab', async ({ page }) => {
  test.setTimeout(300_000);
  // The browser's storage refuses every model write, as it does when the site's quota is used up.
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'models') throw new DOMException('The current transaction exceeded its quota limitations.', 'QuotaExceededError');
      return put.apply(this, args);
    };
  });
  await checkFolder(page);
  await expect(page.getByTestId('model-keep-error')).toContainText(`Could not keep "${NAME}" in this browser: this browser's storage for the site is full`);
  await expect(page.getByTestId('model-keep-error')).toContainText('It can still be picked on the Train page until this tab is closed or reloaded.');
  await expect(page.locator(`[data-testid="imported-model"][data-name="${NAME}"]`)).toHaveAttribute('data-session-only', 'true');
  // In-app navigation keeps the tab: the Train page offers it, marked as this tab's only.
  await page.getByRole('link', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('imported-models-group').locator('option')).toHaveText([`${NAME} (imported, 2 layers, hidden 32, this tab only)`]);
});

test('a link naming a kept model this browser does not have says so and keeps the other settings', async ({ page }) => {
  await page.goto('/train?model=imported:tiny-elsewhere&steps=3&method=lora&evalLimit=4');
  const box = page.getByTestId('query-errors');
  await expect(box).toContainText(
    `model: model "tiny-elsewhere" was imported in another browser or deleted; check its folder again on Models / Data; using ${defaultModel().name}`
  );
  await expect(page.getByTestId('model')).toHaveValue(defaultModel().name);
  await expect(page.getByTestId('steps')).toHaveValue('3');
  await expect(page.getByTestId('method')).toHaveValue('lora');
  await expect(page.getByTestId('evalLimit')).toHaveValue('4');
  await expect(page.getByTestId('imported-models-group')).toHaveCount(0);
});
