// The Attack page against a trained run, on the built site in Debian's Chromium (SwiftShader): a
// runs database of version 1 (a run saved before trained tensors were kept) is upgraded when the
// Train page opens it and its row still loads; a very short Train run (3 steps, 8 examples) is
// saved with its tensors; on the Attack page that run is picked as the target (the old one is listed
// but cannot be picked), the token attacks are disabled with the CLI's reason, the attribute attack
// runs on the run's states and its result row and runs.jsonl export name the run; the URL keeps the
// target, and a link to a missing or tensor-less run says so and falls back to the frozen model.
// Screenshot: test-results/screenshots/attack-run.png.

import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { collectErrors } from './helpers';

/** Tiny on purpose (as train.spec.ts): SwiftShader on two shared cores. */
const TRAIN = '/train?steps=3&batchSize=4&trainLimit=8&evalLimit=8&maxLength=16&plainTokens=4';
const ATTACK = '/attack?limit=6&auxLimit=40&steps=20&maxLength=32';
const OLD_ID = 'run-1700000000000-old';
const SCREENSHOTS = 'test-results/screenshots';

/** A version-1 runs database holding one run saved before the trained tensors were kept. */
async function seedVersion1Db(page: Page): Promise<void> {
  await page.evaluate(async (id) => {
    const m = (accuracy: number) => ({ accuracy, macro_f1: accuracy, n: 8 });
    const row = {
      id,
      savedAt: '2023-11-14T22:13:20.000Z',
      result: {
        kind: 'tune',
        config: { model: 'rapt-mini', task: 'spam', method: 'prefix', head: 'mean', mechanism: 'dchi', eta: 100, rapt: false, plainTokens: 40, lambda: 1, reconHidden: 96, promptLength: 10, loraRank: 8, loraAlpha: 16, steps: 3, batchSize: 4, lr: 0.01, seed: 1, maxLength: 16, trainLimit: 8, evalLimit: 8 },
        metrics: { dev_privatized: m(0.5), test_privatized: m(0.5), test_clean: m(0) },
        replaced_fraction: 0.5,
        majority_accuracy: 0.6,
        final_task_loss: 0.7,
        final_recon_loss: null,
        trainable_parameters: 2560,
        wall_seconds: 10,
        tokens_per_s: 100,
        adapter: 'old',
        seeded_not_private: false
      },
      curves: { task: [0.8, 0.75, 0.7], recon: [] },
      query: 'method=prefix',
      modelName: 'rapt-mini',
      labels: ['ham', 'spam']
    };
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open('rapt-lab-train', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('runs', { keyPath: 'id' }).createIndex('savedAt', 'savedAt');
      req.onerror = () => reject(req.error);
      req.onsuccess = () => {
        const db = req.result;
        const tx = db.transaction('runs', 'readwrite');
        tx.objectStore('runs').put(row);
        tx.oncomplete = () => (db.close(), resolve());
        tx.onerror = () => reject(tx.error);
      };
    });
  }, OLD_ID);
}

async function downloaded(page: Page, testId: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return readFileSync(await download.path(), 'utf8');
}

test('a short Train run becomes an Attack target: attribute attack on its states, token attacks off with the reason, the run named in the row and export', async ({ page }) => {
  test.setTimeout(900_000);
  const errors = collectErrors(page);
  await page.goto('/service-log');
  await seedVersion1Db(page);

  // ── Train: a 3-step run, saved with its trained tensors; the old row still loads after the upgrade ──
  await page.goto(TRAIN);
  await expect(page.getByTestId('train')).toHaveAttribute('data-phase', 'ready', { timeout: 120_000 });
  await expect(page.getByTestId('saved-runs')).toHaveAttribute('data-count', '1');
  await expect(page.getByTestId('steps')).toHaveValue('3');
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByTestId('train-result')).toBeVisible({ timeout: 400_000 });
  const trainSeconds = (Date.now() - t0) / 1000;
  await expect(page.getByTestId('run-error')).toHaveCount(0);
  await expect(page.getByTestId('saved-runs')).toHaveAttribute('data-count', '2');
  const newRow = page.getByTestId('saved-run').first();
  const id = await newRow.getAttribute('data-id');
  expect(id).toMatch(/^run-\d+-[0-9a-z]+$/);
  expect(id).not.toBe(OLD_ID);
  // the new run can be attacked from its row; the old one (no tensors) cannot
  await expect(newRow.getByRole('link', { name: `Attack run ${id} (attribute inference on its hidden states)` })).toBeVisible();
  await expect(page.locator(`[data-testid="saved-run"][data-id="${OLD_ID}"]`).getByRole('link')).toHaveCount(0);

  // ── Attack: pick the run as the target ──
  await page.goto(ATTACK);
  const runButton = page.getByTestId('run-attack');
  await expect(runButton).toBeEnabled({ timeout: 120_000 });
  const target = page.getByTestId('target');
  await expect(target).toHaveValue('');
  await expect(target.locator(`option[value="${OLD_ID}"]`)).toBeDisabled();
  await expect(page.getByTestId('target-no-state')).toContainText('1 older run was saved without their trained tensors');
  const option = target.locator(`option[value="${id}"]`);
  await expect(option).toBeEnabled();
  // method, budget, seed, accuracy and date
  await expect(option).toContainText(/^Train run: prompt \+ RAPT · spam · dχ η = 100 · seed 1 · test acc\. \d+\.\d% · /);
  await target.focus();
  await target.selectOption(id!);
  await expect(page).toHaveURL(/target=run%3Arun-/);
  expect(new URL(page.url()).searchParams.get('target')).toBe(`run:${id}`);

  // token attacks off, with the CLI's reason; the attribute attack chosen; the run's privatization shown
  for (const k of ['inversion-nn', 'inversion-learned', 'mask']) {
    const box = page.getByTestId(`kind-${k}`);
    await expect(box).toBeDisabled();
    await expect(box).not.toBeChecked();
    await expect(box).toHaveAttribute('aria-describedby', 'kinds-run-reason');
  }
  await expect(page.getByTestId('kinds-run-reason')).toHaveText('Only for the frozen model: the token attacks read the privatized ids, which tuning does not change.');
  await expect(page.getByTestId('kind-attribute')).toBeChecked();
  await expect(page.getByTestId('kind-attribute')).toBeEnabled();
  await expect(page.getByTestId('run-privatization')).toContainText('dχ η = 100');
  await expect(page.getByTestId('task')).toBeDisabled();
  await expect(page.getByTestId('privacy-controls')).toHaveCount(0);

  const t1 = Date.now();
  await runButton.click();
  const card = page.getByTestId('attack-result');
  await expect(card).toBeVisible({ timeout: 400_000 });
  const attackSeconds = (Date.now() - t1) / 1000;
  console.log(`attack-run e2e: train (3 steps) ${trainSeconds.toFixed(1)} s, attribute attack on the run (limit 6, auxLimit 40, steps 20) ${attackSeconds.toFixed(1)} s`);
  await expect(page.getByTestId('attack-run-error')).toHaveCount(0);
  await expect(card).toHaveAttribute('data-attack', 'attribute');
  await expect(card.getByTestId('attack-target')).toContainText(`the trained run ${id}`);
  const success = Number(await card.getByTestId('attack-success').getAttribute('data-value'));
  expect(success).toBeGreaterThanOrEqual(0);
  expect(success).toBeLessThanOrEqual(1);
  await expect(page.getByTestId('attack-log')).toContainText(`reading the states of the tuned run browser:${id} (prompt,`);
  const row = page.getByTestId('attack-run-row');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('run-target')).toContainText(`Train run ${id}`);

  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/attack-run.png`, fullPage: true });

  // the export names the run it attacked
  const lines = (await downloaded(page, 'export-jsonl')).split('\n').filter((l) => l.trim() !== '');
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0])).toMatchObject({
    kind: 'attack',
    attack: 'attribute',
    config: { run: `browser:${id}`, model: 'rapt-mini', task: 'spam', mechanism: 'dchi', eta: 100, limit: 6 },
    details: { run_method: 'prompt', run_mechanism: 'dchi', run_budget: 100 }
  });

  // the URL keeps the target across a reload
  await page.reload();
  await expect(page.getByTestId('target')).toHaveValue(id!);
  await expect(page.getByTestId('kind-mask')).toBeDisabled();
  await expect(page.getByTestId('target-notice')).toHaveCount(0);

  // a link to a missing run, and to a run without tensors: a clear message, and the frozen model
  await page.goto('/attack?target=run:run-0-gone&attack=attribute');
  await expect(page.getByTestId('target-notice')).toContainText('The saved Train run run-0-gone is not in this browser');
  await expect(page.getByTestId('target')).toHaveValue('');
  await expect(page.getByTestId('kind-mask')).toBeEnabled();
  await expect(page).not.toHaveURL(/target=/);
  await page.goto(`/attack?target=run:${OLD_ID}`);
  await expect(page.getByTestId('target-notice')).toContainText(`The saved Train run ${OLD_ID} was saved without its trained tensors`);
  await expect(page.getByTestId('target')).toHaveValue('');

  expect(errors, errors.join('\n')).toEqual([]);
});
