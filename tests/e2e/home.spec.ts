// The home page on the built site in Debian's Chromium: with WebGPU (SwiftShader here) it shows the
// adapter and the model and runs a forward pass; without WebGPU it explains why and how to enable it;
// a lost device is reported instead of hanging.

import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { loadBertFolder } from '../../src/lib/model/checkpoint/load-folder-node';
import { bertForwardF64 } from '../../src/lib/model/reference/bert-f64';
import { BertTokenizer } from '../../src/lib/model/tokenizer';
import { hiddenNorms, mlmTopK } from '../../src/lib/app/forward-format';
import { CHROMIUM, NO_WEBGPU_ARGS, collectErrors } from './helpers';

const SCREENSHOTS = 'test-results/screenshots';

/** What the page should show for `text` on the served model, computed in float64 on the CPU. */
/** The model static/models/index.json names as the default (what the page loads first). */
function defaultModel(): { name: string; path: string } {
  const index = JSON.parse(readFileSync('static/models/index.json', 'utf8')) as { default: string; models: { name: string; path: string }[] };
  return index.models.find((m) => m.name === index.default)!;
}

async function reference(text: string) {
  const ck = await loadBertFolder('static/models/' + defaultModel().path);
  const tok = BertTokenizer.fromHfFiles({ vocabTxt: ck.vocabTxt, config: ck.configText }, { modelMaxLength: ck.config.max_position_embeddings });
  const enc = tok.encodeBatch([text]);
  const out = bertForwardF64(ck.weights, { inputIds: enc.input_ids, tokenTypeIds: enc.token_type_ids, attentionMask: enc.attention_mask });
  const T = enc.input_ids[0].length;
  const C = ck.config.hidden_size;
  return {
    tokens: enc.input_ids[0].map((id) => tok.idToToken(id) ?? String(id)),
    norms: hiddenNorms(out.lastHiddenState, 1, T, C, [T])[0],
    top5: mlmTopK(out.mlmLogits!, 1, T, ck.config.vocab_size, [T], (id) => tok.idToToken(id) ?? String(id), 5)[0]
  };
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

test.describe('home with WebGPU', () => {
  test('shows the adapter and the model, and runs a forward pass', async ({ page }) => {
    const errors = collectErrors(page);
    await page.goto('/');
    await expect(page.getByTestId('site-name')).toHaveText('RAPT Lab');

    // The adapter the service worker acquired: SwiftShader on this machine.
    const adapter = page.getByTestId('adapter');
    await expect(adapter).toBeVisible();
    const adapterText = await adapter.innerText();
    if (process.env.RAPT_EXPECT_HARDWARE_GPU === undefined) {
      expect(adapterText, `adapter card:\n${adapterText}`).toMatch(/swiftshader/i);
      await expect(page.getByTestId('adapter-kind')).toHaveAttribute('data-software', 'true');
    }
    await expect(page.getByTestId('adapter-limits').locator('[data-limit="maxStorageBufferBindingSize"]')).not.toBeEmpty();

    // The default model from static/models/index.json, as its config.json describes it.
    const def = defaultModel();
    const cfg = JSON.parse(readFileSync(`static/models/${def.path}/config.json`, 'utf8'));
    await expect(page.getByTestId('model')).toBeVisible();
    await expect(page.getByTestId('home')).toHaveAttribute('data-phase', 'ready');
    await expect(page.getByTestId('model-name')).toHaveText(def.name);
    await expect(page.getByTestId('model-layers')).toHaveText(String(cfg.num_hidden_layers));
    await expect(page.getByTestId('model-hidden')).toHaveText(String(cfg.hidden_size));
    await expect(page.getByTestId('model-heads')).toHaveText(String(cfg.num_attention_heads));
    await expect(page.getByTestId('model-vocab')).toContainText(cfg.vocab_size.toLocaleString('en-US'));
    const params = Number(await page.getByTestId('model-params').getAttribute('data-count'));
    expect(params).toBeGreaterThan(0);

    // Run it from the keyboard: the labelled textarea, then the button.
    const input = page.getByLabel(/Text \(one sequence per line/);
    await expect(input).toHaveValue(/\[MASK\]/);
    const button = page.getByRole('button', { name: 'Run forward pass' });
    await expect(button).toBeEnabled();
    await button.focus();
    await page.keyboard.press('Enter');

    const tokens = page.getByTestId('token');
    await expect(tokens.first()).toBeVisible();
    const count = await tokens.count();
    expect(count).toBeGreaterThan(3);
    await expect(tokens.first()).toHaveAttribute('data-token', '[CLS]');
    await expect(tokens.last()).toHaveAttribute('data-token', '[SEP]');
    const norms = await tokens.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-norm'))));
    expect(norms).toHaveLength(count);
    for (const [i, n] of norms.entries()) {
      expect(Number.isFinite(n) && n > 0, `hidden-state norm at position ${i} is ${n}`).toBe(true);
    }
    // The same numbers as the float64 CPU reference (f32 on the GPU: 1e-3 relative is generous).
    const ref = await reference(await input.inputValue());
    const shown = await tokens.evaluateAll((els) => els.map((el) => el.getAttribute('data-token')));
    expect(shown).toEqual(ref.tokens);
    const worst = Math.max(...norms.map((n, i) => Math.abs(n - ref.norms[i]) / ref.norms[i]));
    expect(worst, `max relative difference of the hidden-state norms: ${worst}`).toBeLessThan(1e-3);

    // The MLM table: five candidates, starting at the [MASK] position.
    const maskAt = await tokens.evaluateAll((els) => els.findIndex((el) => el.getAttribute('data-token') === '[MASK]'));
    expect(maskAt).toBeGreaterThan(0);
    await expect(page.getByTestId('position')).toHaveValue(String(maskAt));
    const table = page.getByTestId('mlm-top5');
    await expect(table.getByTestId('mlm-row')).toHaveCount(5);
    // Compare logits rank by rank (robust to near-ties swapping two ids), and the ids where the gap is clear.
    const rows = await table
      .getByTestId('mlm-row')
      .evaluateAll((trs) => trs.map((r) => [Number(r.getAttribute('data-id')), Number(r.getAttribute('data-logit'))]));
    const want = ref.top5[maskAt];
    const logitDiff = Math.max(...rows.map(([, l], i) => Math.abs(l - want[i][2])));
    expect(logitDiff, `top-5 logits at ${maskAt}: page ${JSON.stringify(rows)}, reference ${JSON.stringify(want)}`).toBeLessThan(1e-3);
    want.forEach(([id, , logit], i) => {
      const gap = Math.min(i > 0 ? want[i - 1][2] - logit : Infinity, i < 4 ? logit - want[i + 1][2] : Infinity);
      if (gap > 1e-3) expect(rows[i][0], `rank ${i + 1} id at position ${maskAt}`).toBe(id);
    });

    // Choosing another position from the keyboard updates the table.
    await page.getByTestId('position').selectOption('1');
    await expect(table.locator('caption')).toContainText('position 1');
    await expect(table.getByTestId('mlm-row')).toHaveCount(5);

    const ms = Number(await page.getByTestId('timing').getAttribute('data-ms'));
    expect(ms).toBeGreaterThan(0);

    await screenshot(page, 'home');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'home-dark');
    expect(errors, errors.join('\n')).toEqual([]);
  });

  test('reports a lost device instead of hanging, and recovers', async ({ page }) => {
    await page.goto('/?debug=1');
    await expect(page.getByTestId('home')).toHaveAttribute('data-phase', 'ready');
    await page.getByTestId('simulate-loss').click();
    const lost = page.getByTestId('device-lost');
    await expect(lost).toBeVisible();
    await expect(lost).toContainText(/lost/i);
    await screenshot(page, 'home-device-lost');

    await page.getByTestId('reload-model').click();
    await expect(page.getByTestId('home')).toHaveAttribute('data-phase', 'ready');
    await page.getByRole('button', { name: 'Run forward pass' }).click();
    await expect(page.getByTestId('mlm-top5').getByTestId('mlm-row')).toHaveCount(5);
  });
});

test.describe('home without WebGPU', () => {
  // Playwright does not allow launchOptions per describe (it would need another worker), so this
  // test launches its own Chromium: the configured arguments without --enable-unsafe-webgpu, and
  // with --disable-gpu so that no adapter can appear either.
  test('explains that WebGPU is unavailable and how to enable it', async ({ playwright, baseURL }) => {
    const browser = await playwright.chromium.launch({ executablePath: CHROMIUM, args: NO_WEBGPU_ARGS });
    try {
      const page = await browser.newPage({ baseURL });
      const errors = collectErrors(page);
      await page.goto('/');
      const hasGpu = await page.evaluate(() => 'gpu' in navigator);
      const box = page.getByTestId('no-webgpu');
      await expect(box).toBeVisible();
      // Either navigator.gpu is missing, or it is there and offers no adapter.
      await expect(box).toHaveAttribute('data-reason', hasGpu ? /no-adapter|no-webgpu/ : 'no-webgpu');
      await expect(box).toContainText('--enable-unsafe-webgpu');
      await expect(box).toContainText(/Chrome or Edge \(version 113 or later\)/);
      await expect(page.getByTestId('adapter')).toHaveCount(0);
      console.log(`without the flag: navigator.gpu ${hasGpu ? 'present' : 'absent'}, reason ${await box.getAttribute('data-reason')}`);
      await screenshot(page, 'home-no-webgpu');
      expect(errors.filter((e) => e.startsWith('pageerror')), errors.join('\n')).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  test('says navigator.gpu is missing when the browser has no WebGPU at all', async ({ page }) => {
    // A browser without WebGPU: remove the entry point before any page script runs.
    await page.addInitScript(() => {
      delete (Navigator.prototype as unknown as { gpu?: unknown }).gpu;
    });
    await page.goto('/');
    const box = page.getByTestId('no-webgpu');
    await expect(box).toBeVisible();
    await expect(box).toHaveAttribute('data-reason', 'no-webgpu');
    await expect(box).toContainText('navigator.gpu');
    await expect(box).toContainText('--enable-unsafe-webgpu');
  });
});
