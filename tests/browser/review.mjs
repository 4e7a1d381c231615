// Drives headless Chromium over the review fixture (tests/fixtures/review),
// built with the real binary and served by the test's server, then opened
// from disk. Proves that the review page shows today's queue and is driven
// from the keyboard (Space shows the answer, 1-4 grade it, with visible
// focus and a live status line), that the header's due count follows,
// that a reload keeps the state, that exported progress imported in a
// fresh browser context restores it, that corrupted stored state does not
// break the page, that "Know it" and "Again" on a lesson page count as
// reviews, that the filters narrow the queue, that the page works from
// disk and without JavaScript, and that axe-core finds no violations.
//
// Usage: node review.mjs <http-site-root> <file-review-url> <screenshot-dir>
// Prints one JSON object per check ({"check", "ok", "detail"}) and a final
// {"done": true, "passed", "failed"} line; exits 1 if any check failed.

import { attempt, expect, finish, launch, text } from './harness.mjs';
import { auditSite, axeViolations } from './axe.mjs';
import fs from 'node:fs';
import path from 'node:path';

const [origin, fileReview, shotDir] = process.argv.slice(2);
if (!origin || !fileReview || !shotDir) {
  console.error('usage: node review.mjs <http-site-root> <file-review-url> <screenshot-dir>');
  process.exit(2);
}
fs.mkdirSync(shotDir, { recursive: true });

const KEY = 'gradbook:review';
const REVIEW = origin + 'review/';
const LESSON = origin + 'basics/slopes/';
const browser = await launch();

/** A fresh context (its own storage) with a page that records errors. */
async function fresh(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { context, page, errors };
}

const stored = (page) => page.evaluate((key) => JSON.parse(localStorage.getItem(key) || 'null'), KEY);
const counts = (page) => text(page.locator('#gb-review-counts'));
const status = (page) => text(page.locator('#gb-review-status'));
const badge = (page) =>
  page.locator('.review-badge').evaluate((el) => (el.hidden ? '' : el.textContent.trim()));
const front = (page) => text(page.locator('#gb-review-front'));

async function openReview(page, url = REVIEW) {
  await page.goto(url, { waitUntil: 'load' });
  await page.locator('[data-gb-review-app]:not([hidden])').waitFor({ timeout: 5000 });
}

const { context, page, errors } = await fresh();

await attempt('review: the queue starts with every card new and nothing due', async () => {
  await openReview(page);
  const shown = await counts(page);
  expect(shown === '0 due · 5 new', shown);
  expect((await badge(page)) === '', 'no badge while nothing is due');
  expect((await front(page)) === 'Where does this lesson live?', await front(page));
  const told = await status(page);
  expect(told.includes('5 cards left today') && told.includes('Space'), told);
  return shown;
});

await attempt('review: Space shows the answer, with each grade\'s next interval', async () => {
  expect(!(await page.locator('#gb-review-grades').isVisible()), 'grades show before the answer');
  expect(!(await page.locator('#gb-review-back').isVisible()), 'the answer shows before Space');
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('Space');
  expect(await page.locator('#gb-review-grades').isVisible(), 'no grades with the answer');
  expect(!(await page.locator('#gb-review-show').isVisible()), '"Show answer" stays');
  await page.locator('#gb-review-back:not([hidden])').waitFor({ timeout: 2000 });
  const back = await text(page.locator('#gb-review-back'));
  expect(back.includes('At the top of the content folder'), back);
  const waits = await page.locator('#gb-review-grades .gb-review-wait').allInnerTexts();
  expect(waits.join('|') === '10 min|1 day|3 days|16 days', waits.join('|'));
  const told = await status(page);
  expect(told.includes('1 Again, 2 Hard, 3 Good, 4 Easy'), told);
  return waits.join(', ');
});

await attempt('review: the focused card shows a visible focus ring', async () => {
  const focus = await page.evaluate(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return { id: el.id, outline: style.outlineStyle, width: style.outlineWidth, visible: el.matches(':focus-visible') };
  });
  expect(focus.id === 'gb-review-card', JSON.stringify(focus));
  expect(focus.visible && focus.outline !== 'none' && focus.width !== '0px', JSON.stringify(focus));
  return JSON.stringify(focus);
});

await attempt('review: 1 grades Again, and the header counts the card as due', async () => {
  await page.keyboard.press('1');
  await page.waitForFunction(() => document.querySelector('#gb-review-status').textContent.startsWith('Again'));
  const told = await status(page);
  expect(told.startsWith('Again: next review in 10 min.'), told);
  const shown = await badge(page);
  expect(shown === '1 due', `badge: ${shown}`);
  const state = await stored(page);
  const card = state.cards['top/#a08bf37e1b'];
  expect(card && card.grade === 1 && card.state === 'learning' && card.reps === 1, JSON.stringify(state));
  expect((await front(page)) === 'What is the chain rule?', await front(page));
  const line = await text(page.locator('[data-key="top/#a08bf37e1b"] .gb-review-due'));
  expect(line.startsWith('Due in 10 min.') && line.endsWith('Last answer: Again.'), line);
  return told;
});

await attempt('review: 3 and 4 grade Good and Easy, and the list shows when each is due', async () => {
  await page.keyboard.press('Space');
  await page.keyboard.press('3');
  await page.keyboard.press('Space');
  await page.keyboard.press('4');
  const state = await stored(page);
  const keys = Object.keys(state.cards);
  expect(keys.length === 3, keys.join(', '));
  const good = state.cards['advanced/chain/#0e51736e84'];
  expect(good.grade === 3 && Math.round((good.due - good.last) / 86400000) === 3, JSON.stringify(good));
  const easy = state.cards['advanced/chain/#0f55fb274e'];
  expect(easy.grade === 4 && Math.round((easy.due - easy.last) / 86400000) === 16, JSON.stringify(easy));
  const line = await text(page.locator('[data-key="advanced/chain/#0e51736e84"] .gb-review-due'));
  expect(line.startsWith('Due in 3 days'), line);
  const shown = await counts(page);
  expect(shown === '1 due · 2 new', shown);
  return shown;
});

await attempt('review: 2 grades Hard, and the computed value is on the card', async () => {
  expect((await front(page)) === 'What is the slope of J at w = 2?', await front(page));
  await page.keyboard.press('Space');
  const back = await text(page.locator('#gb-review-back'));
  expect(back.startsWith('It is 7,'), back);
  await page.keyboard.press('2');
  const state = await stored(page);
  expect(state.cards['basics/slopes/#3453d109ec'].grade === 2, JSON.stringify(state));
  return back;
});

await page.screenshot({ path: path.join(shotDir, 'review-light.png'), fullPage: true });

await attempt('review: a reload keeps the state, the queue and the badge', async () => {
  const before = await stored(page);
  await openReview(page);
  const after = await stored(page);
  expect(JSON.stringify(before) === JSON.stringify(after), 'state changed on reload');
  const shown = await counts(page);
  expect(shown === '1 due · 1 new', shown);
  expect((await badge(page)) === '1 due', await badge(page));
  expect(after.today.new === 4 && after.newPerDay === 20, JSON.stringify(after.today));
  return shown;
});

await attempt('review: other pages\' headers show the due count too', async () => {
  await page.goto(origin + 'basics/plain/', { waitUntil: 'load' });
  await page.waitForFunction(() => !document.querySelector('.review-badge').hidden);
  const shown = await badge(page);
  expect(shown === '1 due', shown);
  return shown;
});

let exported = '';
await attempt('review: "Export progress" downloads the state as JSON', async () => {
  await openReview(page);
  await page.locator('.gb-review-transfer summary').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#gb-review-export').click()]);
  expect(/^gradbook-review-\d{4}-\d{2}-\d{2}\.json$/.test(download.suggestedFilename()), download.suggestedFilename());
  exported = path.join(shotDir, 'review-export.json');
  await download.saveAs(exported);
  const data = JSON.parse(fs.readFileSync(exported, 'utf8'));
  expect(data.version === 1 && Object.keys(data.cards).length === 4, JSON.stringify(data));
  const report = await text(page.locator('#gb-review-report'));
  expect(report.startsWith('Exported 4 reviewed cards'), report);
  return report;
});

await attempt('review: the new-card limit is adjustable and stored', async () => {
  await page.locator('#gb-review-new').fill('0');
  await page.locator('#gb-review-new').dispatchEvent('change');
  expect((await counts(page)) === '1 due · 0 new', await counts(page));
  await openReview(page);
  expect((await page.locator('#gb-review-new').inputValue()) === '0', 'limit not kept');
  expect((await stored(page)).newPerDay === 0, 'not stored');
  await page.locator('#gb-review-new').fill('20');
  await page.locator('#gb-review-new').dispatchEvent('change');
  return await counts(page);
});

await attempt('review: the filters narrow the queue to a lesson, a section, or cards answered Again', async () => {
  await page.locator('#gb-review-filter').selectOption('l:basics/slopes/');
  const lesson = await counts(page);
  expect(lesson === '0 due · 1 new', lesson);
  await page.locator('#gb-review-filter').selectOption('s:advanced/');
  const section = await counts(page);
  expect(section === '0 due · 0 new', section);
  await page.locator('#gb-review-filter').selectOption('');
  await page.locator('#gb-review-again').check();
  const again = await counts(page);
  expect(again === '1 marked Again', again);
  expect((await front(page)) === 'Where does this lesson live?', await front(page));
  await page.locator('#gb-review-again').uncheck();
  return `${lesson}; ${section}; ${again}`;
});

await attempt('review: axe finds no violations on the review page in use', async () => {
  await page.locator('#gb-review-card').focus();
  await page.keyboard.press('Space');
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
  const found = await axeViolations(page);
  expect(found.length === 0, found.join(' ## '));
});

await attempt('review: importing the exported file in a fresh browser restores the progress', async () => {
  const other = await fresh();
  await openReview(other.page);
  expect((await counts(other.page)) === '0 due · 5 new', await counts(other.page));
  await other.page.locator('.gb-review-transfer summary').click();
  await other.page.locator('#gb-review-file').setInputFiles(exported);
  await other.page.waitForFunction(() => document.querySelector('#gb-review-report').textContent.length > 0);
  const report = await text(other.page.locator('#gb-review-report'));
  expect(report.startsWith('Merged the file: 4 reviewed cards read, 4 taken'), report);
  const restored = await stored(other.page);
  const original = JSON.parse(fs.readFileSync(exported, 'utf8'));
  expect(JSON.stringify(restored.cards) === JSON.stringify(original.cards), 'cards differ');
  // Four of the five cards are reviewed there: one is left new.
  expect((await counts(other.page)) === '1 due · 1 new', await counts(other.page));
  expect((await badge(other.page)) === '1 due', await badge(other.page));
  // A file that is not progress is refused, with a reason.
  const junk = path.join(shotDir, 'review-junk.json');
  fs.writeFileSync(junk, '{"hello": "world"}');
  await other.page.locator('#gb-review-file').setInputFiles(junk);
  await other.page.waitForFunction(() => document.querySelector('#gb-review-report').textContent.startsWith('Nothing'));
  expect(Object.keys((await stored(other.page)).cards).length === 4, 'junk changed the state');
  // "Replace" takes the file's state as it is: here one card and one
  // malformed entry, which is ignored and said so.
  const one = JSON.parse(fs.readFileSync(exported, 'utf8'));
  const [kept] = Object.keys(one.cards);
  one.cards = { [kept]: one.cards[kept], 'top/#broken': { due: 'never' } };
  const single = path.join(shotDir, 'review-one.json');
  fs.writeFileSync(single, JSON.stringify(one));
  await other.page.locator('input[name="gb-review-mode"][value="replace"]').check();
  await other.page.locator('#gb-review-file').setInputFiles(single);
  await other.page.waitForFunction(() => document.querySelector('#gb-review-report').textContent.startsWith('Replaced'));
  const replaced = await text(other.page.locator('#gb-review-report'));
  expect(replaced === 'Replaced your progress with the file: 1 reviewed card. 1 malformed entry was ignored.', replaced);
  expect(Object.keys((await stored(other.page)).cards).join() === kept, JSON.stringify(await stored(other.page)));
  expect(other.errors.length === 0, other.errors.join(' | '));
  await other.context.close();
  return report;
});

await attempt('review: corrupted stored state does not break the page', async () => {
  const bad = [
    '{not json',
    '[1,2,3]',
    '{"version":1,"newPerDay":"lots","today":7,"cards":[1,2]}',
    '{"version":1,"cards":{"top/#a08bf37e1b":{"due":"soon"},"x":5,"basics/slopes/#3453d109ec":null}}',
    '{"version":99,"cards":{"top/#a08bf37e1b":{}}}',
  ];
  const seen = [];
  for (const value of bad) {
    const other = await fresh();
    await other.page.addInitScript(([key, v]) => {
      if (!sessionStorage.getItem('seeded')) {
        localStorage.setItem(key, v);
        sessionStorage.setItem('seeded', '1');
      }
    }, [KEY, value]);
    await openReview(other.page);
    const shown = await counts(other.page);
    expect(shown === '0 due · 5 new', `${value}: ${shown}`);
    await other.page.keyboard.press('Space');
    await other.page.keyboard.press('3');
    const state = await stored(other.page);
    expect(state.version === 1 && Object.keys(state.cards).length === 1, `${value}: ${JSON.stringify(state)}`);
    expect(other.errors.length === 0, `${value}: ${other.errors.join(' | ')}`);
    seen.push(shown);
    await other.context.close();
  }
  return seen.join('; ');
});

await attempt('review: "Know it" and "Again" on a lesson page count as reviews', async () => {
  const other = await fresh();
  // The review page, open in another tab, follows.
  const tab = await other.context.newPage();
  await openReview(tab);
  expect((await counts(tab)) === '0 due · 5 new', await counts(tab));
  await other.page.goto(LESSON, { waitUntil: 'load' });
  const cards = other.page.locator('.gb-card');
  await cards.nth(0).locator('.gb-front').click();
  await cards.nth(0).locator('[data-gb-mark="known"]').click();
  await cards.nth(1).locator('.gb-front').click();
  await cards.nth(1).locator('[data-gb-mark="again"]').click();
  // The lesson's own marks still work.
  const pressed = await cards.nth(0).locator('[data-gb-mark="known"]').getAttribute('aria-pressed');
  expect(pressed === 'true', `know it pressed: ${pressed}`);
  const own = await other.page.evaluate(() => JSON.parse(localStorage.getItem('gradbook:progress:/basics/slopes/')));
  expect(own && own.summary && own.summary.known === 1, JSON.stringify(own));
  expect((await badge(other.page)) === '1 due', await badge(other.page));
  await tab.waitForFunction(() => document.querySelector('#gb-review-counts').textContent === '1 due · 3 new');
  expect((await badge(tab)) === '1 due', await badge(tab));
  await openReview(other.page);
  const state = await stored(other.page);
  const known = state.cards['basics/slopes/#3453d109ec'];
  const again = state.cards['basics/slopes/#85e5503b41'];
  expect(known && known.grade === 3 && again && again.grade === 1, JSON.stringify(state));
  const line = await text(other.page.locator('[data-key="basics/slopes/#3453d109ec"] .gb-review-due'));
  expect(line.startsWith('Due in 3 days'), line);
  await other.page.locator('#gb-review-again').check();
  expect((await counts(other.page)) === '1 marked Again', await counts(other.page));
  expect((await front(other.page)) === 'What does a derivative measure?', await front(other.page));
  expect(other.errors.length === 0, other.errors.join(' | '));
  await other.context.close();
  return line;
});

await attempt('review: the page works opened from disk', async () => {
  const other = await fresh();
  const outside = [];
  other.page.on('request', (r) => {
    if (!r.url().startsWith('file://') && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) outside.push(r.url());
  });
  await openReview(other.page, fileReview);
  const shown = await counts(other.page);
  expect(shown.endsWith('5 new'), shown);
  await other.page.keyboard.press('Space');
  await other.page.keyboard.press('3');
  const state = await stored(other.page);
  expect(state && Object.keys(state.cards).length >= 1, JSON.stringify(state));
  expect(outside.length === 0, outside.join(', '));
  expect(other.errors.length === 0, other.errors.join(' | '));
  await other.context.close();
  return shown;
});

await attempt('review: without JavaScript every card is listed with its answer', async () => {
  const other = await fresh({ javaScriptEnabled: false });
  await other.page.goto(REVIEW, { waitUntil: 'load' });
  expect(!(await other.page.locator('[data-gb-review-app]').isVisible()), 'the queue shows');
  const items = await other.page.locator('.gb-review-item details').count();
  expect(items === 5, `${items} cards`);
  expect(!(await other.page.locator('.review-badge').isVisible()), 'a badge shows');
  await other.page.locator('.gb-review-item summary').first().click();
  const answer = await text(other.page.locator('.gb-review-answer').first());
  expect(answer.includes('At the top of the content folder'), answer);
  await other.page.screenshot({ path: path.join(shotDir, 'review-no-js.png'), fullPage: true });
  await other.context.close();
  return `${items} cards`;
});

await attempt('review: no script errors on the page', async () => {
  expect(errors.length === 0, errors.join(' | '));
});
await context.close();

await auditSite(browser, origin, [['review', 'review/']], 'review', { attempt, expect });

await browser.close();
finish();
