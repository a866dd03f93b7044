// The client/service boundary with both real web workers, in Debian's Chromium on the built site
// (dev route /dev/boundary). A sentence with a distinctive secret word goes into the CLIENT
// worker; the page hands the PrivatizedBatch to a SERVICE-side worker that records every message
// event that reached it. Everything the service received is then read back and searched: the
// secret and every raw word are absent, the only strings are protocol literals, and the ids it
// logged are exactly the privatized ids the client produced.

import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { collectErrors } from './helpers';

const SECRET = 'zebrafinch';
const TEXT = `the whale swam past a ${SECRET} near the ship`;

async function screenshot(page: Page): Promise<void> {
  mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: 'test-results/screenshots/boundary.png', fullPage: true });
}

/** Every string value (not key) in v. */
function stringValues(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringValues(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) stringValues(x, out);
  return out;
}

/** Every 4-character piece of the raw words longer than 3 characters. */
function rawPieces(text: string): string[] {
  const pieces = new Set<string>();
  for (const w of text.toLowerCase().split(/[^a-z0-9]+/).filter((x) => x.length > 3))
    for (let i = 0; i + 4 <= w.length; i++) pieces.add(w.slice(i, i + 4));
  return [...pieces];
}

test('no raw text reaches the service worker; it logs exactly the privatized ids', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/dev/boundary');
  const root = page.getByTestId('boundary');
  await expect(root).toHaveAttribute('data-phase', 'ready');
  await expect(page.getByTestId('client-info')).toContainText('candidates');

  await page.getByTestId('texts').fill(TEXT);
  await page.getByTestId('mechanism').selectOption('dchi');
  await page.getByTestId('budget').fill('8');
  await page.getByTestId('send').click();
  await expect(root).toHaveAttribute('data-sent', '1');
  await expect(root).toHaveAttribute('data-phase', 'ready');
  await expect(page.getByTestId('error')).toHaveCount(0);

  // The client side shows the user's own tokens (it holds the raw text)…
  const clientTokens = await page.getByTestId('client-tokens').first().innerText();
  expect(clientTokens).toContain('whale');
  const clientIds = JSON.parse((await page.getByTestId('client-ids').textContent()) ?? '[]') as number[][];
  expect(clientIds).toHaveLength(1);

  // …the service side: every message event that reached its worker, as it arrived.
  const receivedText = (await page.getByTestId('service-received').textContent()) ?? '';
  const received = JSON.parse(receivedText) as unknown[];
  expect(received.length).toBeGreaterThan(0);
  const lower = receivedText.toLowerCase();
  expect(lower, 'the secret word reached the service').not.toContain(SECRET);
  for (const p of rawPieces(TEXT)) expect(lower.includes(p), `"${p}" (from the raw text) reached the service`).toBe(false);
  // Strings that crossed: comlink's envelope (message ids, call types, method names) and the batch's two literals.
  const strings = stringValues(received);
  expect(strings).toContain('privatized-batch');
  expect(strings).toContain('dchi');
  for (const s of strings)
    expect(['privatized-batch', 'dchi', 'RAW', 'APPLY', 'GET', 'SET', 'HANDLER', 'RELEASE', 'ENDPOINT', 'CONSTRUCT'].includes(s) || /^[0-9a-f-]+$/.test(s) || /^(setVocabSize|receive|log|received|clear)$/.test(s), `unexpected string ${JSON.stringify(s)}`).toBe(true);

  // The batch as it arrived (inside comlink's call envelope) is the client's privatized ids, padded.
  const calls = received as { type?: string; path?: string[]; argumentList?: { value?: { kind?: string; sequences?: number[][] } }[] }[];
  const arrived = calls.filter((m) => m.type === 'APPLY' && m.path?.[0] === 'receive').map((m) => m.argumentList?.[0]?.value);
  expect(arrived).toHaveLength(1);
  expect(arrived[0]?.kind).toBe('privatized-batch');
  expect(arrived[0]?.sequences?.map((s) => s.slice(0, clientIds[0].length))).toEqual(clientIds);

  // The BoundaryLog: one accepted batch, holding exactly the client's privatized ids.
  const log = JSON.parse((await page.getByTestId('service-log').textContent()) ?? '{}') as {
    entries: { accepted: boolean; sequences: number[][]; lengths: number[]; attentionMask: number[][]; mechanism: Record<string, unknown>; budget: unknown; seeded: boolean }[];
  };
  expect(log.entries).toHaveLength(1);
  const e = log.entries[0];
  expect(e.accepted).toBe(true);
  expect(e.mechanism).toEqual({ mechanism: 'dchi', eta: 8 });
  expect(e.budget).toEqual({ name: 'eta', value: 8 });
  expect(e.seeded).toBe(false);
  expect(e.sequences.map((s, b) => s.slice(0, e.lengths[b]))).toEqual(clientIds);
  expect(e.lengths).toEqual(clientIds.map((r) => r.length));
  expect(JSON.stringify(log).toLowerCase()).not.toContain(SECRET);

  await screenshot(page);

  // A forged message with a text field is refused, and the log keeps the refusal, not the text.
  await page.getByTestId('forge').click();
  await expect(page.getByTestId('refusal')).toContainText('unexpected "text"');
  const log2 = JSON.parse((await page.getByTestId('service-log').textContent()) ?? '{}') as { entries: { accepted: boolean; error?: string }[] };
  expect(log2.entries.map((x) => x.accepted)).toEqual([true, false]);
  expect(JSON.stringify(log2).toLowerCase()).not.toContain(SECRET);

  // Clear errors at the client: an invalid budget never leaves it.
  await page.getByTestId('clear').click();
  await page.getByTestId('budget').fill('0');
  await page.getByTestId('send').click();
  await expect(page.getByTestId('error')).toContainText('eta must be > 0, got 0');
  await expect(page.getByTestId('error')).toHaveAttribute('data-kind', 'input');
  const log3 = JSON.parse((await page.getByTestId('service-log').textContent()) ?? '{}') as { entries: unknown[] };
  expect(log3.entries).toHaveLength(0);

  expect(errors, errors.join('\n')).toEqual([]);
});
