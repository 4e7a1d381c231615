// Accessibility audits with axe-core (from npm, injected into the page
// with playwright-core's addScriptTag): every page kind of a site, in the
// light and the dark theme, on a desktop and on a 390 px phone, must have
// no violations at all. The lesson is audited twice: as it loads, and
// after a reader has used its components (a card flipped and marked, a
// reorder checked, every <details> opened), since states such as a
// pressed button have colours of their own.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

/** Runs axe on the page as it is; returns its violations as short lines. */
export async function axeViolations(page) {
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.map(
    (v) =>
      `${v.id} (${v.impact}, ${v.nodes.length}×): ` +
      v.nodes
        .slice(0, 3)
        .map((n) => `${n.target.join(' ')}: ${(n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 160)}`)
        .join(' || '),
  );
}

/** Uses every component on the page, so their states get audited too. */
async function interact(page) {
  const front = page.locator('[data-gb="flashcards"] .gb-front').first();
  if (await front.count()) {
    await front.click();
    const known = page.locator('[data-gb="flashcards"] [data-gb-mark="known"]').first();
    await known.click();
    const again = page.locator('[data-gb="flashcards"] .gb-card').nth(1);
    if (await again.count()) {
      await again.locator('.gb-front').click();
      await again.locator('[data-gb-mark="again"]').click();
    }
  }
  const check = page.locator('[data-gb-check]').first();
  if (await check.count()) await check.click();
  const tick = page.locator('[data-gb="checklist"] .gb-task label').first();
  if (await tick.count()) await tick.click();
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
  // Let transitions (the card's turn) end before colours are measured.
  await page.waitForTimeout(700);
}

/**
 * Audits `pages` ([[kind, path], ...]) of the site at `origin`. Check
 * names read "<label>: axe finds no violations on the <kind> page
 * (<theme>[, phone][, after use])".
 */
export async function auditSite(browser, origin, pages, label, { attempt, expect }) {
  const views = [
    ['light', { viewport: { width: 1280, height: 900 }, colorScheme: 'light' }],
    ['dark', { viewport: { width: 1280, height: 900 }, colorScheme: 'dark' }],
    ['light, phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: 'light' }],
    ['dark, phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: 'dark' }],
  ];
  for (const [view, options] of views) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    for (const [kind, path] of pages) {
      await attempt(`${label}: axe finds no violations on the ${kind} page (${view})`, async () => {
        await page.goto(origin + path, { waitUntil: 'load' });
        const found = await axeViolations(page);
        expect(found.length === 0, found.join(' ## '));
        return path;
      });
      if (kind === 'lesson') {
        await attempt(`${label}: axe finds no violations on the ${kind} page (${view}, after use)`, async () => {
          await page.goto(origin + path, { waitUntil: 'load' });
          await interact(page);
          const found = await axeViolations(page);
          expect(found.length === 0, found.join(' ## '));
          return path;
        });
      }
    }
    await context.close();
  }
}
