// The home page on the built site in Debian's Chromium: with WebGPU (SwiftShader here) it shows the
// adapter and the model, privatizes the text in the CLIENT worker and runs a forward pass in the
// SERVICE worker on the privatized ids only, and shows the service's log of what it received;
// the service refuses messages that carry text, and logs the refusal; without WebGPU the page
// explains why and how to enable it; a lost device is reported instead of hanging.

import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { CHROMIUM, NO_WEBGPU_ARGS, collectErrors } from './helpers';
import { defaultModel, referenceOnIds } from './reference';
import { rawPieces, recordServiceMessages, serviceMessages, stringValues } from './service-recorder';

const SCREENSHOTS = 'test-results/screenshots';
const SECRET = 'zebrafinch';
const TEXT = `Call me Ishmael, said the ${SECRET}. Some years ago I thought I would [MASK] about a little.`;
const RUN = 'Privatize and run forward pass';

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

interface LogJson {
  entries: {
    seq: number;
    accepted: boolean;
    sequences?: number[][];
    lengths?: number[];
    mechanism?: Record<string, unknown>;
    seeded?: boolean;
    code?: string;
    path?: string;
    error?: string;
  }[];
}

async function serviceLog(page: Page): Promise<LogJson> {
  return JSON.parse((await page.getByTestId('service-log-json').textContent()) || '{"entries":[]}') as LogJson;
}

/** The ids the client worker sent for the first text (from the "what was sent" table). */
async function sentIds(page: Page): Promise<number[]> {
  return JSON.parse((await page.getByTestId('client-tokens').first().getAttribute('data-sent-ids')) ?? '[]') as number[];
}

test.describe('home with WebGPU', () => {
  test('privatizes on the client, runs the model on the privatized ids, and shows what the service saw', async ({ page }) => {
    const errors = collectErrors(page);
    await recordServiceMessages(page);
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
    const cfg = JSON.parse(readFileSync(`${def.folder}/config.json`, 'utf8'));
    await expect(page.getByTestId('model')).toBeVisible();
    await expect(page.getByTestId('home')).toHaveAttribute('data-phase', 'ready');
    await expect(page.getByTestId('model-name')).toHaveText(def.name);
    await expect(page.getByTestId('model-layers')).toHaveText(String(cfg.num_hidden_layers));
    await expect(page.getByTestId('model-hidden')).toHaveText(String(cfg.hidden_size));
    await expect(page.getByTestId('model-heads')).toHaveText(String(cfg.num_attention_heads));
    await expect(page.getByTestId('model-vocab')).toContainText(cfg.vocab_size.toLocaleString('en-US'));
    const params = Number(await page.getByTestId('model-params').getAttribute('data-count'));
    expect(params).toBeGreaterThan(0);

    // The client worker holds the same model's vocabulary and embeddings.
    await expect(page.getByTestId('client-status')).toHaveAttribute('data-state', 'ready');
    await expect(page.getByTestId('client-status')).toContainText(`${cfg.vocab_size.toLocaleString('en-US')} × ${cfg.hidden_size}`);
    await expect(page.getByTestId('saw-empty')).toBeVisible();

    // Privatization is always on: d_χ with its default budget, fresh noise (no seed).
    await expect(page.getByTestId('mechanism')).toHaveValue('dchi');
    await expect(page.getByTestId('budget')).toHaveValue('100');
    await expect(page.getByTestId('seed')).toHaveValue('');

    // Run it from the keyboard: the labelled textarea, then the button.
    const input = page.getByLabel(/Text \(one sequence per line/);
    await expect(input).toHaveValue(/\[MASK\]/);
    await input.fill(TEXT);
    const button = page.getByRole('button', { name: RUN });
    await expect(button).toBeEnabled();
    await button.focus();
    await page.keyboard.press('Enter');

    const tokens = page.getByTestId('token');
    await expect(tokens.first()).toBeVisible();
    await expect(page.getByTestId('run-error')).toHaveCount(0);

    // On the client side: the user's own tokens, and the ids that were sent.
    const diff = page.getByTestId('client-tokens');
    const originals = await diff.getByTestId('original-token').allInnerTexts();
    expect(originals.join(' ').toLowerCase()).toContain('ishmael');
    const ids = await sentIds(page);
    expect(ids.length).toBe(originals.length);
    await expect(page.getByTestId('guarantee')).toContainText('η = 100');
    await expect(page.getByTestId('not-private')).toHaveCount(0);

    // The service ran on exactly those ids.
    const received = JSON.parse((await page.getByTestId('result').getAttribute('data-input-ids')) ?? '[]') as number[];
    expect(received).toEqual(ids);
    const count = await tokens.count();
    expect(count).toBe(ids.length);
    await expect(tokens.first()).toHaveAttribute('data-token', '[CLS]');
    await expect(tokens.last()).toHaveAttribute('data-token', '[SEP]');
    const norms = await tokens.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-norm'))));
    for (const [i, n] of norms.entries()) expect(Number.isFinite(n) && n > 0, `hidden-state norm at position ${i} is ${n}`).toBe(true);

    // The same numbers as the float64 CPU reference on those ids (f32 on the GPU: 1e-3 relative is generous).
    const ref = await referenceOnIds(def.folder, ids);
    const shown = await tokens.evaluateAll((els) => els.map((el) => el.getAttribute('data-token')));
    expect(shown).toEqual(ref.tokens);
    const worst = Math.max(...norms.map((n, i) => Math.abs(n - ref.norms[i]) / ref.norms[i]));
    expect(worst, `max relative difference of the hidden-state norms: ${worst}`).toBeLessThan(1e-3);

    // [MASK] is special: it passes privatization unchanged, and the MLM table starts there.
    const maskAt = shown.indexOf('[MASK]');
    expect(maskAt).toBeGreaterThan(0);
    await expect(page.getByTestId('position')).toHaveValue(String(maskAt));
    const table = page.getByTestId('mlm-top5');
    await expect(table.getByTestId('mlm-row')).toHaveCount(5);
    // Compare logits rank by rank (robust to near-ties swapping two ids), and the ids where the gap is clear.
    const rows = await table
      .getByTestId('mlm-row')
      .evaluateAll((trs) => trs.map((r) => [Number(r.getAttribute('data-id')), Number(r.getAttribute('data-logit'))]));
    const want = ref.top5![maskAt];
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

    // What the service saw: one accepted batch, exactly the ids the client sent, d_χ η = 100, no seed.
    const saw = page.getByTestId('service-saw');
    await expect(saw).toHaveAttribute('data-accepted', '1');
    await expect(saw).toHaveAttribute('data-refused', '0');
    await expect(saw.getByTestId('saw-ids')).toHaveText(ids.join(' '));
    const log = await serviceLog(page);
    expect(log.entries).toHaveLength(1);
    const e = log.entries[0];
    expect(e.accepted).toBe(true);
    expect(e.mechanism).toEqual({ mechanism: 'dchi', eta: 100 });
    expect(e.seeded).toBe(false);
    expect(e.sequences!.map((s, b) => s.slice(0, e.lengths![b]))).toEqual([ids]);

    // Everything the page ever posted to the service worker: no piece of the raw text, and no string
    // but comlink's envelope, the method names, the model's folder URL and name, and the batch's literals.
    const messages = await serviceMessages(page);
    const all = JSON.stringify(messages).toLowerCase();
    expect(all, 'the secret word reached the service').not.toContain(SECRET);
    for (const p of rawPieces(TEXT.replace('[MASK]', ''))) {
      const strings = stringValues(messages).map((x) => x.toLowerCase());
      expect(strings.some((x) => x.includes(p)), `"${p}" (from the raw text) reached the service`).toBe(false);
    }
    const folderUrl = new URL(`/models/${def.path}/`, page.url()).href;
    const allowed = new Set(['privatized-batch', 'dchi', 'RAW', 'APPLY', 'GET', 'SET', 'HANDLER', 'RELEASE', 'proxy', def.name, folderUrl]);
    for (const s of stringValues(messages))
      expect(allowed.has(s) || /^[0-9a-f-]+$/.test(s) || /^(init|loadModel|forward|boundaryLog)$/.test(s), `unexpected string ${JSON.stringify(s)} sent to the service`).toBe(true);
    const calls = messages as { type?: string; path?: string[]; argumentList?: { value?: { kind?: string; sequences?: number[][] } }[] }[];
    const forwards = calls.filter((m) => m.type === 'APPLY' && m.path?.[0] === 'forward').map((m) => m.argumentList?.[0]?.value);
    expect(forwards).toHaveLength(1);
    expect(forwards[0]?.kind).toBe('privatized-batch');
    expect(forwards[0]?.sequences?.[0]).toEqual(ids);

    await screenshot(page, 'home');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'home-dark');
    expect(errors, errors.join('\n')).toEqual([]);
  });

  test('the service refuses messages that carry text, says why, and logs the refusal (not the text)', async ({ page }) => {
    const errors = collectErrors(page);
    await page.goto('/?debug=1');
    await expect(page.getByTestId('home')).toHaveAttribute('data-phase', 'ready');
    await expect(page.getByTestId('client-status')).toHaveAttribute('data-state', 'ready');
    await page.getByTestId('input-text').fill(TEXT);
    await page.getByTestId('seed').fill('7');
    await page.getByRole('button', { name: RUN }).click();
    await expect(page.getByTestId('mlm-top5').getByTestId('mlm-row')).toHaveCount(5);
    // A seeded run is labelled, on the client and in the service's log.
    await expect(page.getByTestId('not-private')).toContainText('NOT PRIVATE');
    await expect(page.getByTestId('saw-entry')).toContainText('seeded: NOT PRIVATE');

    // Forged messages, as a broken or malicious client would send them, through the same API.
    const outcomes = await page.evaluate(
      async ({ text, secret }) => {
        const d = (window as unknown as { raptDebug: { lastBatch(): Record<string, unknown>; send(m: unknown): Promise<{ ok: boolean; error?: { kind: string; message: string } }> } }).raptDebug;
        const batch = d.lastBatch();
        const seqs = batch.sequences as Int32Array[];
        const forged: [string, unknown][] = [
          ['a text field', { ...batch, text }],
          ['strings among the ids', { ...batch, sequences: seqs.map((s) => Array.from(s, (id) => String(id))) }],
          ['a text instead of the ids', { ...batch, sequences: [text] }],
          ['a bare string', text],
          ['text as the mechanism name', { ...batch, mechanism: { mechanism: secret, eta: 10 } }]
        ];
        const out: { what: string; ok: boolean; kind?: string; message?: string }[] = [];
        for (const [what, m] of forged) {
          const r = await d.send(m);
          out.push({ what, ok: r.ok, kind: r.error?.kind, message: r.error?.message });
        }
        return out;
      },
      { text: TEXT, secret: SECRET }
    );
    const expected: [string, string][] = [
      ['a text field', 'PrivatizedBatch rejected at batch: unexpected "text"'],
      ['strings among the ids', 'PrivatizedBatch rejected at sequences[0]: expected an Int32Array of token ids, got an Array of'],
      ['a text instead of the ids', 'PrivatizedBatch rejected at sequences[0]: a string ('],
      ['a bare string', 'PrivatizedBatch rejected at batch: a string ('],
      ['text as the mechanism name', 'PrivatizedBatch rejected at mechanism.mechanism: a string (10 characters) that is not a mechanism name']
    ];
    for (const [i, [what, message]] of expected.entries()) {
      const o = outcomes[i];
      expect(o.what).toBe(what);
      expect(o.ok, `${what} was accepted`).toBe(false);
      expect(o.kind, `${what}: ${o.message}`).toBe('boundary');
      expect(o.message, what).toContain(message);
      expect(o.message!.toLowerCase(), `${what}: the error echoes the text`).not.toContain(SECRET);
    }
    expect(outcomes[2].message).toContain('never text');

    // The log: the accepted batch, then the five refusals by their error — and never the text.
    const saw = page.getByTestId('service-saw');
    await expect(saw).toHaveAttribute('data-refused', '5');
    await expect(saw).toHaveAttribute('data-accepted', '1');
    await expect(saw.getByTestId('saw-error').first()).toContainText('not a mechanism name');
    const log = await serviceLog(page);
    expect(log.entries.map((x) => x.accepted)).toEqual([true, false, false, false, false, false]);
    expect(log.entries.slice(1).map((x) => [x.code, x.path])).toEqual([
      ['unknown-key', 'batch'],
      ['not-integer-array', 'sequences[0]'],
      ['string-value', 'sequences[0]'],
      ['string-value', 'batch'],
      ['string-value', 'mechanism.mechanism']
    ]);
    expect(JSON.stringify(log).toLowerCase()).not.toContain(SECRET);
    expect(JSON.stringify(log).toLowerCase()).not.toContain('ishmael');
    await screenshot(page, 'home-refused');

    // The service still works: the same seed gives the same ids and the same result.
    const before = await page.getByTestId('result').getAttribute('data-input-ids');
    await page.getByRole('button', { name: RUN }).click();
    await expect(saw).toHaveAttribute('data-accepted', '2');
    expect(await page.getByTestId('result').getAttribute('data-input-ids')).toBe(before);
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
    await page.getByRole('button', { name: RUN }).click();
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
