// Shared by the e2e tests: page error collection and the browser arguments.
import type { Page } from '@playwright/test';
import { chromiumArgs } from '../../playwright.config';

export const CHROMIUM = process.env.RAPT_CHROMIUM ?? '/usr/bin/chromium';

/** playwright.config.ts's arguments without --enable-unsafe-webgpu, and no GPU at all. */
export const NO_WEBGPU_ARGS = [...chromiumArgs, '--disable-gpu'];

/** Uncaught page errors and console errors, collected while the test runs. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}
