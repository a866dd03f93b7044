// First-load timing of every page on the built site (measured, not asserted: machines are shared
// and noisy). For each page in the navigation: the browser's navigation timing (DOM interactive,
// DOMContentLoaded, load), first contentful paint, and when the page's main heading is visible
// (the shell is usable; model loading continues lazily with its own progress). Written to
// test-results/load-timing.json and printed; the README's "Playground" section quotes a run.
import { expect, test } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { NAV_PAGES } from '../../src/lib/app/nav';
import { collectErrors } from './helpers';

interface Timing {
  page: string;
  dom_interactive_ms: number;
  dom_content_loaded_ms: number;
  load_ms: number;
  first_contentful_paint_ms: number | null;
  heading_visible_ms: number;
  transferred_bytes: number;
}

test('first-load timing of each page (reported, not asserted)', async ({ browser }) => {
  const rows: Timing[] = [];
  for (const p of NAV_PAGES.filter((x) => x.ready)) {
    // a fresh context per page: a cold cache, as a first visit
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = collectErrors(page);
    const t0 = Date.now();
    await page.goto(p.path);
    await expect(page.locator('h1').first()).toBeVisible();
    const heading = Date.now() - t0;
    const t = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      const bytes = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).reduce((n, r) => n + (r.transferSize || 0), nav.transferSize || 0);
      return { di: nav.domInteractive, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, fcp: fcp ? fcp.startTime : null, bytes };
    });
    rows.push({
      page: p.path,
      dom_interactive_ms: Math.round(t.di),
      dom_content_loaded_ms: Math.round(t.dcl),
      load_ms: Math.round(t.load),
      first_contentful_paint_ms: t.fcp === null ? null : Math.round(t.fcp),
      heading_visible_ms: heading,
      transferred_bytes: t.bytes
    });
    expect(errors.filter((e) => e.startsWith('pageerror')), `${p.path}: uncaught errors`).toEqual([]);
    await context.close();
  }
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/load-timing.json', JSON.stringify(rows, null, 2) + '\n');
  console.log(rows.map((r) => `${r.page}: DOM interactive ${r.dom_interactive_ms} ms, FCP ${r.first_contentful_paint_ms} ms, heading ${r.heading_visible_ms} ms, ${(r.transferred_bytes / 1024).toFixed(0)} KiB`).join('\n'));
  expect(rows.length).toBe(NAV_PAGES.filter((x) => x.ready).length);
});
