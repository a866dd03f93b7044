// The Attack page against a trained run, on the built site in Debian's Chromium (SwiftShader): a
// runs database of version 1 (a run saved before trained tensors were kept) is upgraded when the
// Train page opens it and its row still loads; a very short Train run (3 steps, 8 examples) is
// saved with its tensors; on the Attack page that run is picked as the target (the old one is listed
// but cannot be picked), all four attacks are enabled with a note on what each reads, the run's
// model, task, budget and tokens per text are shown read-only, the attribute attack runs on the
// run's states and inversion-nn on its privatized text (tiny sizes), and their result cards, rows
// and runs.jsonl export name the run and what was attacked; the URL keeps the
// target, and a link to a missing or tensor-less run says so and falls back to the frozen model.
// Screenshot: test-results/screenshots/attack-run.png.

import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { collectErrors } from './helpers';

/** Tiny on purpose (as train.spec.ts): SwiftShader on two shared cores. */
const TRAIN = '/train?steps=3&batchSize=4&trainLimit=8&evalLimit=8&maxLength=16&plainTokens=4';
const ATTACK = '/attack?limit=6&auxLimit=40&steps=20&maxLength=32&candidates=40&samples=2';
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

test('a short Train run becomes an Attack target: attribute attack on its states, inversion-nn on its privatized text, the run named in the rows and export', async ({ page }) => {
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

  // all four attacks enabled, with what each reads of the run; the run's setting shown read-only
  for (const k of ['inversion-nn', 'inversion-learned', 'mask', 'attribute']) {
    const box = page.getByTestId(`kind-${k}`);
    await expect(box).toBeEnabled();
    await expect(box).toHaveAttribute('aria-describedby', 'kinds-run-note');
  }
  await expect(page.getByTestId('kinds-run-note')).toHaveText(
    "On a run, the attribute attack reads its hidden states (its trained tensors); the token attacks act on the run's privatized text (its model, task, mechanism, budget and text length: what the service trained on), not on its trained tensors."
  );
  await expect(page.getByTestId('kind-inversion-nn')).toBeChecked();
  await page.getByTestId('kind-attribute').check();
  await expect(page.getByTestId('run-privatization')).toContainText('dχ η = 100');
  await expect(page.getByTestId('task')).toBeDisabled();
  await expect(page.getByTestId('run-model')).toHaveValue("rapt-mini (the run's)");
  await expect(page.getByTestId('run-model')).toHaveAttribute('readonly', '');
  // the run trained on 16-token texts; the link's maxLength=32 is not used
  await expect(page.getByTestId('size-maxLength')).toHaveValue('16');
  await expect(page.getByTestId('size-maxLength')).toHaveAttribute('readonly', '');
  await expect(page.getByTestId('privacy-controls')).toHaveCount(0);

  const t1 = Date.now();
  await runButton.click();
  const card = page.locator('[data-testid="attack-result"][data-attack="attribute"]');
  const invCard = page.locator('[data-testid="attack-result"][data-attack="inversion-nn"]');
  await expect(invCard).toBeVisible({ timeout: 400_000 });
  const invSeconds = (Date.now() - t1) / 1000;
  await expect(card).toBeVisible({ timeout: 400_000 });
  const attackSeconds = (Date.now() - t1) / 1000;
  console.log(
    `attack-run e2e: train (3 steps) ${trainSeconds.toFixed(1)} s; on the run: inversion-nn (limit 6, auxLimit 40, N 40, K 2) ${invSeconds.toFixed(1)} s, then attribute (steps 20) ${(attackSeconds - invSeconds).toFixed(1)} s`
  );
  await expect(page.getByTestId('attack-run-error')).toHaveCount(0);
  await expect(card.getByTestId('attack-target')).toContainText(`the trained run ${id}`);
  await expect(card.getByTestId('attack-target')).toContainText('its hidden states');
  await expect(invCard.getByTestId('attack-target')).toContainText(`the trained run ${id}`);
  await expect(invCard.getByTestId('attack-target')).toContainText('its privatized text, not its tensors');
  for (const c of [card, invCard]) {
    const success = Number(await c.getByTestId('attack-success').getAttribute('data-value'));
    expect(success).toBeGreaterThanOrEqual(0);
    expect(success).toBeLessThanOrEqual(1);
  }
  await expect(page.getByTestId('attack-log')).toContainText(`reading the states of the tuned run browser:${id} (prompt,`);
  const rows = page.getByTestId('attack-run-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.locator('[data-testid="run-target"]')).toHaveText([new RegExp(`Train run ${id}: its hidden states`), new RegExp(`Train run ${id}: its privatized text, not its tensors`)]);

  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/attack-run.png`, fullPage: true });

  // the export names the run each attacked
  const lines = (await downloaded(page, 'export-jsonl')).split('\n').filter((l) => l.trim() !== '');
  expect(lines).toHaveLength(2);
  const rowsOut = lines.map((l) => JSON.parse(l) as { attack: string });
  const attr = rowsOut.find((r) => r.attack === 'attribute');
  const inv = rowsOut.find((r) => r.attack === 'inversion-nn');
  expect(attr).toMatchObject({
    kind: 'attack',
    attack: 'attribute',
    config: { run: `browser:${id}`, model: 'rapt-mini', task: 'spam', mechanism: 'dchi', eta: 100, limit: 6, maxLength: 16 },
    details: { run_method: 'prompt', run_mechanism: 'dchi', run_budget: 100 }
  });
  expect(inv).toMatchObject({
    kind: 'attack',
    attack: 'inversion-nn',
    config: { run: `browser:${id}`, model: 'rapt-mini', task: 'spam', mechanism: 'dchi', eta: 100, limit: 6, maxLength: 16, candidates: 40, samples: 2 },
    details: { run_method: 'prompt', run_mechanism: 'dchi', run_budget: 100, target: `the privatized text of the tuned run browser:${id} (its model, task, mechanism, budget and text length), not its trained tensors` }
  });

  // the URL keeps the target across a reload
  await page.reload();
  await expect(page.getByTestId('target')).toHaveValue(id!);
  await expect(page.getByTestId('kind-mask')).toBeEnabled();
  await expect(page.getByTestId('kind-attribute')).toBeChecked();
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
