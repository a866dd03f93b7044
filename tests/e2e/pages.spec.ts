// The Privatize, Overview and What-the-service-saw pages on the built site in Debian's Chromium
// (SwiftShader WebGPU): privatize a text with a secret word at a small budget and see the replaced
// tokens, the read-outs, the neighbourhood chart and the attacker's recovery; the overview diagram
// with live tokens, walked through with the keyboard; the session log after the home page's forward
// pass, exported as JSON and cleared; and the Privatize page without WebGPU. Full-page screenshots
// go to test-results/screenshots/{privatize,overview,service-log}.png.

import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { CHROMIUM, NO_WEBGPU_ARGS, collectErrors } from './helpers';

const SCREENSHOTS = 'test-results/screenshots';
const SECRET = 'zebrafinch';

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

function pageErrors(errors: string[]): string[] {
  return errors.filter((e) => e.startsWith('pageerror'));
}

test('privatize: samples with replaced tokens, read-outs, neighbourhood chart and the attacker', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/privatize');
  await expect(page.getByTestId('privatize-page')).toHaveAttribute('data-phase', 'ready');
  await page.getByTestId('privatize-text').fill(`the ${SECRET} owes money to the bank`);
  // A small budget: E‖z‖ = 128/50 = 2.56, far larger than the gaps between neighbours.
  await page.getByTestId('budget').fill('50');
  const samples = page.getByTestId('samples');
  await expect(samples).toBeVisible();
  await expect(page.getByTestId('sample-row')).toHaveCount(3);
  await expect(page.getByTestId('guarantee')).toContainText('η = 50');
  // The settings (never the text) are in the URL: a shared link reproduces them.
  await expect(page).toHaveURL(/[?&]budget=50(&|$)/);
  expect(page.url()).not.toContain('owes');
  const replaced = page.locator('[data-testid="sample-token"][data-replaced="true"]');
  expect(await replaced.count()).toBeGreaterThan(0);
  await expect(replaced.first()).toHaveClass(/replaced/);
  expect(Number(await samples.getAttribute('data-replaced-fraction'))).toBeGreaterThan(0.3);

  // Read-outs.
  await expect(page.getByTestId('readout-replaced')).toContainText('%');
  await expect(page.getByTestId('readout-noise')).toContainText('E‖z‖ = 2.56');

  // Choose the first piece of the secret word (keyboard: focus and Enter).
  const originals = page.getByTestId('original-token');
  const texts = await originals.allTextContents();
  const k = texts.findIndex((t) => SECRET.startsWith(t.trim()));
  expect(k, `original tokens: ${texts.join(' ')}`).toBeGreaterThanOrEqual(0);
  await originals.nth(k).focus();
  await page.keyboard.press('Enter');
  await expect(originals.nth(k)).toHaveAttribute('aria-pressed', 'true');
  const chart = page.getByTestId('neighbourhood-chart');
  await expect(chart).toHaveAttribute('data-token', texts[k].trim());
  await expect(chart.locator('[data-role="original"]')).toHaveCount(1);
  expect(await chart.locator('[data-role="neighbour"]').count()).toBe(8);
  await expect(chart.getByTestId('noisy-point')).toHaveCount(24);
  await expect(chart.locator('text', { hasText: 'PC 1' })).toHaveCount(1);
  await expect(page.getByTestId('readout-deniability')).toContainText(/over 256 runs/);

  // The attacker's identity guess, scored.
  await expect(page.getByTestId('guess-row')).toHaveCount(3);
  await expect(page.getByTestId('recovery-rate')).toContainText('of your tokens recovered');
  const recovery = Number(await page.getByTestId('attacker').getAttribute('data-recovery'));
  const frac = Number(await samples.getAttribute('data-replaced-fraction'));
  expect(recovery).toBeCloseTo(1 - frac, 6);

  // A mechanism without embedding noise: no noisy points.
  await page.getByTestId('mechanism').selectOption('santext');
  await expect(page.getByTestId('guarantee')).not.toContainText('η = 50');
  await expect(page.getByTestId('readout-noise')).toContainText('no embedding noise');
  await page.getByTestId('mechanism').selectOption('dchi');
  await page.getByTestId('budget').fill('50');
  await expect(page.getByTestId('guarantee')).toContainText('η = 50');
  await expect(chart.getByTestId('noisy-point')).toHaveCount(24);
  await screenshot(page, 'privatize');
  await page.goto('/privatize?mechanism=custext&budget=2&samples=2');
  await expect(page.getByTestId('sample-row')).toHaveCount(2);
  await expect(page.getByTestId('mechanism')).toHaveValue('custext');
  await expect(page.getByTestId('budget')).toHaveValue('2');
  expect(pageErrors(errors), errors.join('\n')).toEqual([]);
});

test('overview: the pipeline diagram with live tokens, walked through with the keyboard', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/overview');
  const diagram = page.getByTestId('pipeline-diagram');
  await expect(diagram).toHaveAttribute('data-live', 'true');
  await expect(page.getByTestId('diagram-user')).toContainText('bank');
  expect((await page.getByTestId('diagram-sent').textContent())?.trim().length).toBeGreaterThan(0);
  await expect(page.getByTestId('diagram-replaced')).toContainText('% of tokens replaced');
  await expect(page.getByTestId('diagram-recovered')).toContainText('recovers');
  await expect(page.getByTestId('threat-model')).toContainText('never sees raw user text');

  // Smaller budget → more replaced (fresh noise each time, so compare against a tiny η).
  await page.getByTestId('budget').fill('5');
  await expect(page.getByTestId('diagram-replaced')).toContainText(/^(9\d|100) %/);

  // Keyboard: focus the first box, step with the arrow keys and Enter.
  await page.getByRole('button', { name: /^1\. Your device/ }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('step-explain')).toHaveAttribute('data-step', 'user');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('step-explain')).toHaveAttribute('data-step', 'privatizer');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('step-explain')).toHaveAttribute('data-step', 'boundary');
  await expect(page.getByTestId('step-status')).toContainText('Step 3 of 5');
  await page.getByTestId('step-next').click();
  await page.getByTestId('step-next').click();
  await expect(page.getByTestId('step-explain')).toHaveAttribute('data-step', 'attacker');
  await expect(page.getByTestId('step-next')).toBeDisabled();
  await page.getByTestId('budget').fill('100');
  await expect(page.getByTestId('diagram-spec')).toHaveText('dχ, η = 100');
  await screenshot(page, 'overview');
  expect(pageErrors(errors), errors.join('\n')).toEqual([]);
});

test('service-log: the home page forward pass shows up, exports as JSON and clears', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/service-log');
  await expect(page.getByTestId('session-empty')).toBeVisible();

  await page.goto('/');
  await expect(page.getByTestId('home')).toHaveAttribute('data-phase', 'ready');
  await expect(page.getByTestId('client-status')).toHaveAttribute('data-state', 'ready');
  await page.getByTestId('input-text').fill(`the ${SECRET} sang a [MASK] song`);
  await page.getByTestId('run-forward').click();
  await expect(page.getByTestId('result')).toBeVisible();
  await expect(page.getByTestId('saw-entry')).toHaveCount(1);
  const sent = JSON.parse((await page.getByTestId('client-tokens').first().getAttribute('data-sent-ids')) ?? '[]') as number[];

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'What the service saw' }).click();
  await expect(page.getByTestId('service-log-page')).toBeVisible();
  await expect(page.getByTestId('session-entry')).toHaveCount(1);
  await expect(page.getByTestId('session-entry').first()).toHaveAttribute('data-page', '/');
  await expect(page.getByTestId('session-summary')).toHaveAttribute('data-accepted', '1');
  await expect(page.getByTestId('session-entry').first()).toContainText(sent.join(' '));
  await screenshot(page, 'service-log');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('session-export').click()]);
  expect(download.suggestedFilename()).toBe('rapt-session-boundary-log.json');
  const raw = readFileSync(await download.path(), 'utf8');
  expect(raw).not.toContain(SECRET);
  const doc = JSON.parse(raw);
  expect(doc).toMatchObject({ kind: 'rapt-session-boundary-log', version: 1 });
  expect(doc.sources).toHaveLength(1);
  const entry = doc.sources[0].log.entries[0];
  expect(entry.accepted).toBe(true);
  expect(entry.sequences[0].slice(0, entry.lengths[0])).toEqual(sent);

  // A reload keeps it (sessionStorage); clearing asks first, then empties it.
  await page.reload();
  await expect(page.getByTestId('session-entry')).toHaveCount(1);
  await page.getByTestId('session-clear').click();
  await page.getByTestId('session-clear-confirm').click();
  await expect(page.getByTestId('session-empty')).toBeVisible();
  expect(pageErrors(errors), errors.join('\n')).toEqual([]);
});

test('privatize without WebGPU explains why', async ({ playwright, baseURL }) => {
  const browser = await playwright.chromium.launch({ executablePath: CHROMIUM, args: NO_WEBGPU_ARGS });
  try {
    const page = await browser.newPage({ baseURL });
    await page.goto('/privatize');
    await expect(page.getByTestId('no-webgpu')).toBeVisible();
    await expect(page.getByTestId('samples')).toHaveCount(0);
  } finally {
    await browser.close();
  }
});
