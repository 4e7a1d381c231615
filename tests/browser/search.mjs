// Drives headless Chromium over the search fixture site (tests/fixtures/
// search), built with the real binary, twice: served over http by the
// test's server, and opened from disk as file:// pages. Proves that the
// search box finds pages as the reader types (prefix, stemming, accents,
// Chinese), ranks title matches above heading matches above the text,
// highlights the matching words, is driven by "/", Ctrl-K, the arrow keys,
// Enter and Escape with the ARIA combobox state kept right, and opens the
// right section; that a reader can click from the index to a lesson and
// on to the next one from disk, with progress kept; that links are short
// on the server and name index.html on disk; that nothing is asked of
// another host; and that without JavaScript the box is not shown.
//
// With a fourth argument, a JSON list of {text, stem, terms} computed by
// gradbook's own word rule, it checks that the script splits every text
// into the same terms.
//
// Usage: node search.mjs <http-index-url> <file-index-url> <screenshot-dir> [<words.json>]
// Prints one JSON object per check ({"check", "ok", "detail"}) and a final
// {"done": true, "passed", "failed"} line; exits 1 if any check failed.

import { attempt, expect, finish, launch, report, text } from './harness.mjs';
import fs from 'node:fs';
import path from 'node:path';

const [httpIndex, fileIndex, shotDir, wordsFile] = process.argv.slice(2);
if (!httpIndex || !fileIndex || !shotDir) {
  console.error('usage: node search.mjs <http-index-url> <file-index-url> <screenshot-dir> [<words.json>]');
  process.exit(2);
}
fs.mkdirSync(shotDir, { recursive: true });


const browser = await launch();


/** Watches a page for errors and for requests that leave `base`. */
function watch(page, label, base, problems) {
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(base) && !url.startsWith('data:')) problems.push(`${label}: request to ${url}`);
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const where = message.location().url || '';
    if (where.endsWith('/favicon.ico')) return;
    problems.push(`${label}: console: ${message.text()} (${where})`);
  });
  page.on('pageerror', (error) => problems.push(`${label}: ${error.message}`));
}

/** Types a query into the box and waits for its results. */
async function query(page, words) {
  await page.locator('.search-input').focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(words, { delay: 20 });
  await page.waitForFunction(
    (w) => {
      const input = document.querySelector('.search-input');
      const status = document.querySelector('.search-status');
      return input.value === w && status.textContent.includes(w.trim());
    },
    words,
    { timeout: 5000 }
  );
}

const results = (page) => page.locator('.search-results [role="option"]');
/** The page titles of the results shown, without their section part. */
const titles = (page) =>
  results(page)
    .locator('.search-result-title')
    .evaluateAll((els) =>
      els.map((e) =>
        Array.from(e.childNodes)
          .filter((n) => !(n.classList && n.classList.contains('search-result-heading')))
          .map((n) => n.textContent)
          .join('')
      )
    );

/** Every check of the search box, on the site at `index` (http or file). */
async function checkSearch(label, index, onDisk) {
  const base = onDisk ? 'file://' : new URL(index).origin + '/';
  const problems = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  watch(page, label, base, problems);
  const lesson = new URL('calculus/chain-rule/' + (onDisk ? 'index.html' : ''), index).href;
  await page.goto(lesson, { waitUntil: 'load' });

  await attempt(`${label}: the search box shows and "/" focuses it`, async () => {
    expect(await page.locator('.search').isVisible(), 'the search box is hidden');
    await page.keyboard.press('/');
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    expect(focused === 'gb-search-input', `focus is on "${focused}"`);
  });

  await attempt(`${label}: Ctrl-K focuses it from elsewhere on the page`, async () => {
    await page.locator('.pager-link').first().focus();
    await page.keyboard.press('Control+k');
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    expect(focused === 'gb-search-input', `focus is on "${focused}"`);
  });

  await attempt(`${label}: "grad" ranks the title, then a heading, then the text`, async () => {
    await query(page, 'grad');
    const got = await titles(page);
    expect(
      JSON.stringify(got) === JSON.stringify(['Gradients', 'Derivatives', 'The Chain Rule', 'Vectors']),
      `results ${JSON.stringify(got)}`
    );
    const input = page.locator('.search-input');
    expect((await input.getAttribute('aria-expanded')) === 'true', 'aria-expanded is not true');
    const status = await text(page.locator('.search-status'));
    expect(status === '4 results for “grad”', `status reads "${status}"`);
    const first = await results(page).first().getAttribute('href');
    const top = onDisk ? 'calculus/gradients/index.html' : 'calculus/gradients/';
    expect(first.endsWith(top), `a title match opens the top of the page, not ${first}`);
    const heading = await text(results(page).nth(1).locator('.search-result-heading'));
    expect(heading === '› Descent by the gradient', `second result's section: "${heading}"`);
    const marks = await results(page).nth(2).locator('mark').allInnerTexts();
    expect(marks.includes('gradient'), `marks in the third snippet: ${JSON.stringify(marks)}`);
    return got.join(', ');
  });

  await page.screenshot({ path: path.join(shotDir, `search-${label}.png`) });

  await attempt(`${label}: the arrow keys choose a result and keep the combobox state`, async () => {
    const input = page.locator('.search-input');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    const selected = await page.locator('[role="option"][aria-selected="true"]').evaluateAll((els) => els.map((e) => e.id));
    expect(selected.length === 1, `${selected.length} options selected`);
    expect((await input.getAttribute('aria-activedescendant')) === selected[0], 'aria-activedescendant does not name it');
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    expect(focused === 'gb-search-input', 'the focus left the box');
    const outline = await page.locator(`#${selected[0]}`).evaluate((el) => getComputedStyle(el).borderTopColor);
    expect(outline !== 'rgba(0, 0, 0, 0)', 'the chosen result has no visible mark');
    return selected[0];
  });

  await attempt(`${label}: Enter opens the chosen result at its section`, async () => {
    await page.keyboard.press('Enter');
    await page.waitForURL(/derivatives/, { timeout: 5000 });
    await page.waitForLoadState('load');
    const url = page.url();
    const expected = onDisk ? '/calculus/derivatives/index.html#descent-by-the-gradient' : '/calculus/derivatives/#descent-by-the-gradient';
    expect(url.endsWith(expected), `went to ${url}`);
    const top = await page.locator('#descent-by-the-gradient').evaluate((el) => el.getBoundingClientRect().top);
    expect(top >= 0 && top < 450, `the section is ${top}px from the top`);
    return url;
  });

  await attempt(`${label}: Escape closes the list, a second Escape empties the box`, async () => {
    await query(page, 'tangent');
    expect(await results(page).count() === 1, 'tangent is on one page');
    await page.keyboard.press('Escape');
    const input = page.locator('.search-input');
    expect((await input.getAttribute('aria-expanded')) === 'false', 'still expanded');
    expect(!(await page.locator('.search-panel').isVisible()), 'the list is still shown');
    expect((await input.inputValue()) === 'tangent', 'the first Escape emptied the box');
    await page.keyboard.press('Escape');
    expect((await input.inputValue()) === '', 'the second Escape left the text');
  });

  await attempt(`${label}: plurals, accents and Chinese characters are found`, async () => {
    await query(page, 'naive products ');
    const naive = await titles(page);
    expect(JSON.stringify(naive) === '["Vectors"]', `naive products: ${JSON.stringify(naive)}`);
    const marks = await results(page).first().locator('mark').allInnerTexts();
    expect(marks.includes('Naïve') && marks.includes('products'), `marks ${JSON.stringify(marks)}`);
    await query(page, '梯度');
    const chinese = await titles(page);
    expect(JSON.stringify(chinese) === '["Vectors"]', `梯度: ${JSON.stringify(chinese)}`);
    await query(page, 'derivatives composed');
    const both = await titles(page);
    expect(JSON.stringify(both) === '["The Chain Rule"]', `derivatives composed: ${JSON.stringify(both)}`);
  });

  await attempt(`${label}: a word found nowhere says so`, async () => {
    await query(page, 'xylophone');
    expect((await results(page).count()) === 0, 'results for a word on no page');
    const status = await text(page.locator('.search-status'));
    expect(status === 'No results for “xylophone”', `status reads "${status}"`);
  });

  await attempt(`${label}: a click on a result opens it`, async () => {
    await query(page, 'partial');
    await results(page).first().click();
    await page.waitForURL(/gradients/, { timeout: 5000 });
    await page.waitForLoadState('load');
    return page.url();
  });

  report(`${label}: no console errors and no request to another host`, problems.length === 0, problems.join(' | '));
  await context.close();
}

/** From disk: index → lesson → next lesson → home, with progress kept. */
async function checkFromDisk(index) {
  const problems = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  watch(page, 'disk', 'file://', problems);
  await page.goto(index, { waitUntil: 'load' });

  await attempt('disk: a click on a lesson card opens the lesson, not a folder', async () => {
    await page.locator('.lesson-card a').first().click();
    await page.waitForLoadState('load');
    expect(page.url().endsWith('/calculus/gradients/index.html'), `went to ${page.url()}`);
    expect((await text(page.locator('h1'))) === 'Gradients', 'no lesson title');
    expect(await page.locator('link[href$="gradbook.css"]').count(), 'no stylesheet');
    const styled = await page.locator('.topbar').evaluate((el) => getComputedStyle(el).position);
    expect(styled === 'sticky', 'the stylesheet did not load');
  });

  await attempt('disk: a ticked task is remembered across pages', async () => {
    const task = page.locator('[data-gb="checklist"] .gb-task input').first();
    await page.locator('[data-gb="checklist"] .gb-task label').first().click();
    expect(await task.isChecked(), 'the task did not tick');
    // Wait for each navigation itself: 'load' of the page being left
    // would do as well, on a slow machine.
    await page.locator('.pager-link.next').click();
    await page.waitForURL(/\/calculus\/derivatives\/index\.html$/, { timeout: 10000, waitUntil: 'load' });
    await page.locator('.breadcrumbs a').first().click();
    await page.waitForURL((url) => !url.pathname.includes('/calculus/'), { timeout: 10000, waitUntil: 'load' });
    expect(page.url().endsWith('/index.html'), `home went to ${page.url()}`);
    // The progress is filled in by a script after the page loads.
    const line = page.locator('.lesson-card [data-progress-page="/calculus/gradients/"]');
    let t = '';
    for (let tries = 0; tries < 50 && t !== '1/2 done'; tries++) {
      t = await text(line);
      if (t !== '1/2 done') await page.waitForTimeout(100);
    }
    expect(t === '1/2 done', `progress on the index reads "${t}"`);
    return t;
  });

  await attempt('disk: every link between pages names a file', async () => {
    const hrefs = await page.locator('a[href]').evaluateAll((els) => els.map((a) => a.getAttribute('href')));
    const folders = hrefs.filter((h) => !h.startsWith('#') && !/^[a-z]+:/.test(h) && /(^|\/)(\.\.?)?(#.*)?$/.test(h.split('?')[0]));
    expect(folders.length === 0, `links to folders: ${folders.join(' ')}`);
    return `${hrefs.length} links`;
  });

  report('disk: no console errors and nothing loaded from elsewhere', problems.length === 0, problems.join(' | '));
  await context.close();
}

/** On the server: links are short, and so is the address. */
async function checkShortUrls(index) {
  const problems = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  watch(page, 'http', new URL(index).origin + '/', problems);
  await page.goto(new URL('calculus/derivatives/index.html#tangent-lines', index).href, { waitUntil: 'load' });

  await attempt('http: the address and the links lose index.html', async () => {
    const url = page.url();
    expect(url.endsWith('/calculus/derivatives/#tangent-lines'), `address is ${url}`);
    const hrefs = await page.locator('a[href]').evaluateAll((els) => els.map((a) => a.getAttribute('href')));
    const long = hrefs.filter((h) => h.includes('index.html'));
    expect(long.length === 0, `links still naming index.html: ${long.join(' ')}`);
    expect((await page.locator('a[rel=next]').getAttribute('href')) === '../../calculus/chain-rule/', 'next link');
    await page.locator('a[rel=next]').click();
    await page.waitForLoadState('load');
    expect(page.url().endsWith('/calculus/chain-rule/'), `next went to ${page.url()}`);
  });

  report('http: no console errors and no request to another host', problems.length === 0, problems.join(' | '));
  await context.close();
}

/** On a phone, the results fit the screen. */
async function checkPhone(index) {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(new URL('calculus/derivatives/', index).href, { waitUntil: 'load' });
  await attempt('phone: the search box and its results fit the screen', async () => {
    await page.locator('.search-input').tap();
    await page.keyboard.type('slope', { delay: 20 });
    await page.waitForSelector('.search-results [role="option"]');
    const box = await page.locator('.search-panel').boundingBox();
    const input = await page.locator('.search-input').boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 375, `panel at ${JSON.stringify(box)}`);
    expect(input && input.width >= 80, `the box is ${input && input.width}px wide`);
    const widths = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(widths <= 375, `page is ${widths}px wide`);
  });
  await page.screenshot({ path: path.join(shotDir, 'search-phone.png') });
  await context.close();
}

/** Without JavaScript the box is not there. */
async function checkNoScript(index) {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(index, { waitUntil: 'load' });
  await attempt('no script: the search box is not shown, the lessons are listed', async () => {
    expect(!(await page.locator('.search').isVisible()), 'the search box shows');
    expect((await page.locator('.lesson-card').count()) === 4, 'the lessons are not listed');
  });
  await context.close();
}

/** The script's word rule gives the terms gradbook's gives. */
async function checkWords(index, file) {
  const cases = JSON.parse(fs.readFileSync(file, 'utf8'));
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(index, { waitUntil: 'load' });
  await attempt(`words: the script splits ${cases.length} texts as the index does`, async () => {
    const got = await page.evaluate((all) => all.map((c) => window.gradbookSearch.terms(c.text, c.stem)), cases);
    const wrong = cases.filter((c, i) => JSON.stringify(got[i]) !== JSON.stringify(c.terms));
    expect(
      wrong.length === 0,
      wrong.map((c) => `${JSON.stringify(c.text)}: script ${JSON.stringify(got[cases.indexOf(c)])}, index ${JSON.stringify(c.terms)}`).join('; ')
    );
  });
  await context.close();
}

try {
  if (wordsFile) await checkWords(httpIndex, wordsFile);
  await checkSearch('http', httpIndex, false);
  await checkSearch('disk', fileIndex, true);
  await checkFromDisk(fileIndex);
  await checkShortUrls(httpIndex);
  await checkPhone(httpIndex);
  await checkNoScript(fileIndex);
} catch (error) {
  report('search browser run', false, error && error.stack ? error.stack : error);
} finally {
  await browser.close();
}

finish();
