// "Use your own model" and the "Pretraining check" on the built site in Debian's Chromium:
// picked files go to the service worker, which loads them (or names what is wrong with them while
// the model loaded before keeps working), and to the client worker, which privatizes with the
// same model's vocabulary and embeddings; a few masked-LM steps run on a copy of the loaded
// model without changing it. Runs use a fixed privatization seed (NOT PRIVATE, labelled so) so
// that the same text gives the same ids before and after a change.

import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { readSafetensors, writeSafetensors } from '../../src/lib/model/checkpoint/safetensors';
import { collectErrors } from './helpers';
import { referenceOnIds } from './reference';

const SCREENSHOTS = 'test-results/screenshots';
const FIXTURE = 'tests/fixtures/tiny-bert';
const FIXTURE_FILES = ['config.json', 'model.safetensors', 'vocab.txt'].map((f) => `${FIXTURE}/${f}`);
const CONFIG = readFileSync(`${FIXTURE}/config.json`);
const VOCAB = readFileSync(`${FIXTURE}/vocab.txt`);
const WEIGHTS = readFileSync(`${FIXTURE}/model.safetensors`);

type Upload = { name: string; mimeType: string; buffer: Buffer };
const json = (name: string, buffer: Buffer): Upload => ({ name, mimeType: 'application/json', buffer });
const text = (name: string, buffer: Buffer): Upload => ({ name, mimeType: 'text/plain', buffer });
const bin = (name: string, buffer: Buffer): Upload => ({ name, mimeType: 'application/octet-stream', buffer });

/** The fixture's tensors, changed by `edit`, written back as safetensors bytes. */
function editedWeights(edit: (t: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }>) => void): Buffer {
  const { tensors } = readSafetensors(new Uint8Array(WEIGHTS));
  const out: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  for (const [name, t] of Object.entries(tensors)) out[name] = { dtype: 'F32', shape: [...t.shape], data: Float32Array.from(t.data) };
  edit(out);
  return Buffer.from(writeSafetensors(out));
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

/** The privatization seed of every run here (reproducible ids; the page labels such runs NOT PRIVATE). */
const SEED = '7';

async function openHome(page: Page): Promise<string> {
  await page.goto('/');
  await expect(page.getByTestId('home')).toHaveAttribute('data-phase', 'ready');
  await expect(page.getByTestId('model-source')).toHaveAttribute('data-origin', 'builtin');
  await page.getByTestId('seed').fill(SEED);
  return page.getByTestId('model-name').innerText();
}

interface Forward {
  /** the ids the client sent and the service ran on (the first sequence) */
  ids: number[];
  tokens: string[];
  norms: number[];
  /** the MLM table at the selected position: [id, logit] best first, or null without an MLM head */
  top: [number, number][] | null;
}

/** Privatizes the textarea's text, runs the forward pass on it, and reads what the page shows. */
async function runForward(page: Page): Promise<Forward> {
  const timing = page.getByTestId('timing');
  const before = (await timing.count()) > 0 ? await timing.getAttribute('data-ms') : null;
  const button = page.getByRole('button', { name: 'Privatize and run forward pass' });
  await expect(button).toBeEnabled();
  await button.click();
  // A new result: the timing line is (re)drawn with another duration.
  await expect(timing).toHaveAttribute('data-ms', before === null ? /\d/ : new RegExp(`^(?!${before.replace('.', '\\.')}$)`));
  await expect(page.getByRole('button', { name: 'Privatize and run forward pass' })).toBeEnabled();
  await expect(page.getByTestId('run-error')).toHaveCount(0);
  const ids = JSON.parse((await page.getByTestId('result').getAttribute('data-input-ids')) ?? '[]') as number[];
  // The service ran on exactly the ids the client sent.
  expect(JSON.parse((await page.getByTestId('client-tokens').first().getAttribute('data-sent-ids')) ?? '[]')).toEqual(ids);
  const tokens = page.getByTestId('token');
  const shown = await tokens.evaluateAll((els) => els.map((el) => el.getAttribute('data-token') ?? ''));
  const norms = await tokens.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-norm'))));
  const rows = page.getByTestId('mlm-top5').getByTestId('mlm-row');
  const top =
    (await rows.count()) > 0
      ? await rows.evaluateAll((trs) => trs.map((r) => [Number(r.getAttribute('data-id')), Number(r.getAttribute('data-logit'))] as [number, number]))
      : null;
  return { ids, tokens: shown, norms, top };
}

function maxRelDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]) / Math.max(1e-12, Math.abs(b[i]))));
}

async function expectLoaded(page: Page, name: string): Promise<void> {
  await expect(page.getByTestId('own-model')).toHaveAttribute('data-busy', 'false');
  await expect(page.getByTestId('model-name')).toHaveText(name);
}

test('loads a model from picked files and a picked folder, runs it, and goes back to the built-in model', async ({ page }) => {
  const errors = collectErrors(page);
  const builtin = await openHome(page);

  // (a) the three files of the fixture through the multi-file input.
  await page.getByTestId('pick-files').setInputFiles(FIXTURE_FILES);
  await expectLoaded(page, 'your model');
  const source = page.getByTestId('model-source');
  await expect(source).toHaveAttribute('data-origin', 'files');
  await expect(source).toContainText('config.json, model.safetensors, vocab.txt');
  await expect(page.getByTestId('model-layers')).toHaveText('2');
  await expect(page.getByTestId('model-hidden')).toHaveText('32');
  await expect(page.getByTestId('model-vocab')).toContainText('1,000');
  await expect(page.getByTestId('file-progress').locator('li')).toHaveCount(3);
  await expect(page.getByTestId('file-progress').locator('li[data-state="read"]')).toHaveCount(3);
  await expect(page.getByTestId('files-error')).toHaveCount(0);
  await expect(page.getByTestId('back-to-builtin')).toBeVisible();

  // The client worker read the same files: its table is the fixture's (vocabulary 1000, hidden 32).
  await expect(page.getByTestId('client-status')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('client-status')).toContainText('1,000 × 32');

  // A privatized forward pass on it: ids of the fixture's vocabulary, and the same numbers as the
  // float64 reference of the fixture on those ids.
  const fwd = await runForward(page);
  await expect(page.getByTestId('not-private')).toContainText('NOT PRIVATE');
  expect(Math.max(...fwd.ids)).toBeLessThan(1000);
  const ref = await referenceOnIds(FIXTURE, fwd.ids);
  expect(fwd.tokens).toEqual(ref.tokens);
  const worst = maxRelDiff(fwd.norms, ref.norms);
  expect(worst, `max relative difference of the hidden-state norms: ${worst}`).toBeLessThan(1e-3);
  expect(fwd.top).toHaveLength(5);
  await screenshot(page, 'model-files-loaded');

  // The folder picker: the folder's name becomes the model's; files the loader does not need are listed as such.
  await page.getByTestId('pick-folder').setInputFiles(FIXTURE);
  await expectLoaded(page, 'tiny-bert');
  await expect(page.getByTestId('file-progress').locator('[data-file="tiny-bert/README.md"]')).toHaveAttribute('data-state', 'ignored');
  await expect(page.getByTestId('file-progress').locator('[data-file="tiny-bert/model.safetensors"]')).toHaveAttribute('data-state', 'read');
  await expect(source).toContainText('tiny-bert/model.safetensors');

  // Forward passes use the uploaded weights: a checkpoint whose MLM bias favours "whale" (id 211) predicts it everywhere.
  const WHALE = 211;
  const boosted = editedWeights((t) => {
    t['cls.predictions.bias'].data[WHALE] += 100;
  });
  await page.getByTestId('pick-files').setInputFiles([json('config.json', CONFIG), bin('model.safetensors', boosted), text('vocab.txt', VOCAB)]);
  await expectLoaded(page, 'your model');
  const favoured = await runForward(page);
  expect(favoured.top?.[0]?.[0], `top candidate ${JSON.stringify(favoured.top)}`).toBe(WHALE);
  expect(favoured.top![0][1]).toBeGreaterThan(50);

  // Back to the built-in model.
  await page.getByTestId('back-to-builtin').click();
  await expectLoaded(page, builtin);
  await expect(source).toHaveAttribute('data-origin', 'builtin');
  await expect(page.getByTestId('back-to-builtin')).toHaveCount(0);
  await expect(page.getByTestId('client-status')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('client-status')).not.toContainText('1,000 × 32');
  const back = await runForward(page);
  expect(back.top![0][1], `top candidate after going back ${JSON.stringify(back.top)}`).toBeLessThan(50);
  // Every batch the service received was privatized with the seed and logged.
  await expect(page.getByTestId('service-saw')).toHaveAttribute('data-accepted', '3');
  await expect(page.getByTestId('service-saw')).toHaveAttribute('data-refused', '0');
  expect(errors, errors.join('\n')).toEqual([]);
});

test('a broken model names the file and the problem, and the model loaded before keeps working', async ({ page }) => {
  const builtin = await openHome(page);
  const baseline = await runForward(page);
  const error = page.getByTestId('files-error');

  // (b) a truncated model.safetensors (the first 60% of the fixture's bytes).
  const truncated = WEIGHTS.subarray(0, Math.floor(WEIGHTS.length * 0.6));
  await page.getByTestId('pick-files').setInputFiles([json('config.json', CONFIG), bin('model.safetensors', truncated), text('vocab.txt', VOCAB)]);
  await expect(error).toBeVisible();
  await expect(error).toHaveAttribute('data-file', 'model.safetensors');
  await expect(page.getByTestId('files-error-message')).toContainText('model.safetensors');
  await expect(page.getByTestId('files-error-message')).toContainText(/truncated/);
  await expect(page.getByTestId('file-progress').locator('[data-file="model.safetensors"]')).toHaveAttribute('data-state', 'error');
  await expect(page.getByTestId('file-progress').locator('[data-file="config.json"]')).toHaveAttribute('data-state', 'read');
  await expect(page.getByTestId('file-progress').locator('[data-file="vocab.txt"]')).toHaveAttribute('data-state', 'skipped');
  await expect(page.getByTestId('files-kept')).toContainText(builtin);
  await expect(page.getByTestId('model-name')).toHaveText(builtin);
  await screenshot(page, 'model-files-truncated');
  const after = await runForward(page);
  expect(after.tokens).toEqual(baseline.tokens);
  expect(maxRelDiff(after.norms, baseline.norms)).toBeLessThan(1e-6);

  // No config.json.
  await page.getByTestId('pick-files').setInputFiles([bin('model.safetensors', WEIGHTS), text('vocab.txt', VOCAB)]);
  await expect(page.getByTestId('files-error-message')).toContainText('config.json is not among the picked files');
  await expect(page.getByTestId('model-name')).toHaveText(builtin);

  // A tensor of the wrong shape: the error names it.
  const QUERY = 'bert.encoder.layer.0.attention.self.query.weight';
  const misshapen = editedWeights((t) => {
    t[QUERY] = { dtype: 'F32', shape: [32, 16], data: t[QUERY].data.slice(0, 32 * 16) };
  });
  await page.getByTestId('pick-files').setInputFiles([json('config.json', CONFIG), bin('model.safetensors', misshapen), text('vocab.txt', VOCAB)]);
  await expect(page.getByTestId('files-error-message')).toContainText(QUERY);
  await expect(page.getByTestId('files-error-message')).toContainText('32');
  await expect(page.getByTestId('model-name')).toHaveText(builtin);
  await screenshot(page, 'model-files-wrong-shape');

  // A good model, then a broken one: the user's model is the one that stays.
  await page.getByTestId('pick-files').setInputFiles(FIXTURE_FILES);
  await expectLoaded(page, 'your model');
  await expect(error).toHaveCount(0);
  const userBefore = await runForward(page);
  await page.getByTestId('pick-files').setInputFiles([json('config.json', CONFIG), bin('model.safetensors', truncated), text('vocab.txt', VOCAB)]);
  await expect(page.getByTestId('files-kept')).toContainText('your model');
  await expect(page.getByTestId('model-name')).toHaveText('your model');
  await expect(page.getByTestId('model-source')).toHaveAttribute('data-origin', 'files');
  const user = await runForward(page);
  expect(user.tokens).toEqual(userBefore.tokens);
  expect(maxRelDiff(user.norms, userBefore.norms)).toBeLessThan(1e-6);
});

test('the pretraining check runs 3 masked-LM steps on a copy and leaves the loaded model as it was', async ({ page }) => {
  const errors = collectErrors(page);
  await openHome(page);
  const before = await runForward(page);

  // (c) three steps (the default) on the built-in model.
  const panel = page.getByTestId('pretrain-check');
  await expect(panel.getByTestId('probe-steps')).toHaveValue('3');
  await panel.getByRole('button', { name: 'Run pretraining check' }).click();
  const steps = panel.getByTestId('probe-step');
  await expect(steps).toHaveCount(3);
  const summary = panel.getByTestId('probe-summary');
  await expect(summary).toBeVisible();
  const losses = await steps.evaluateAll((trs) => trs.map((r) => Number(r.getAttribute('data-loss'))));
  expect(losses).toHaveLength(3);
  for (const [i, l] of losses.entries()) expect(Number.isFinite(l) && l > 0, `loss at step ${i + 1} is ${l}`).toBe(true);
  const tps = Number(await summary.getAttribute('data-tokens-per-second'));
  expect(tps).toBeGreaterThan(0);
  // Everything the run allocated was released.
  const buffersBefore = Number(await summary.getAttribute('data-buffers-before'));
  const buffersAfter = Number(await summary.getAttribute('data-buffers-after'));
  expect(buffersAfter, `live GPU buffers: ${buffersBefore} before, ${buffersAfter} after`).toBe(buffersBefore);
  console.log(`pretraining check losses ${losses.map((l) => l.toFixed(4)).join(', ')}; ${tps.toFixed(0)} tokens/s; ${buffersBefore} live buffers before and after`);
  await screenshot(page, 'pretrain-check');

  // The loaded model was not touched: the same forward pass gives the same numbers.
  const after = await runForward(page);
  expect(after.tokens).toEqual(before.tokens);
  expect(maxRelDiff(after.norms, before.norms), 'hidden-state norms before and after the pretraining check').toBeLessThan(1e-6);
  expect(after.top).toEqual(before.top);

  // A model without an MLM head cannot be pretrained, and the panel says so.
  const headless = editedWeights((t) => {
    for (const name of Object.keys(t)) if (name.startsWith('cls.')) delete t[name];
  });
  await page.getByTestId('pick-files').setInputFiles([json('config.json', CONFIG), bin('model.safetensors', headless), text('vocab.txt', VOCAB)]);
  await expectLoaded(page, 'your model');
  await expect(panel.getByTestId('probe-no-mlm')).toContainText('no masked-LM head');
  await expect(panel.getByRole('button', { name: 'Run pretraining check' })).toHaveCount(0);
  await expect(steps).toHaveCount(0);
  expect(errors, errors.join('\n')).toEqual([]);
});
