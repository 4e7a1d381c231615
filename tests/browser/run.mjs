// Drives headless Chromium over a built gradbook site and proves that the
// learning components work for a reader: flashcards flip by click, tap and
// keyboard and remember progress; senior angles open; a reorder exercise
// can be solved by keyboard, mouse drag and touch drag; checklist ticks
// persist; saved progress of the wrong shape is ignored and overwritten,
// never thrown on; progress shows up across the site; every page stays on the
// local server and logs no errors; and everything reads with JavaScript
// off. Saves light, dark and phone screenshots.
//
// With a third argument, the URL of the bundled site's lesson, it then runs
// the checks of book.mjs on that site in the same browser (among them the
// explorer's slider, moved by the keyboard); with a fourth,
// the URL of the first lesson of a site `gradbook init` wrote, it audits
// that site's pages with axe-core (axe.mjs) as well.
//
// Usage: node run.mjs <lesson-url> <screenshot-dir> [<book-lesson-url> [<course-lesson-url>]]
// Prints one JSON object per check ({"check", "ok", "detail"}) and a final
// {"done": true, "passed", "failed"} line; exits 1 if any check failed.

import { attempt, expect, finish, launch, report, text } from './harness.mjs';
import fs from 'node:fs';
import path from 'node:path';

const [lessonUrl, shotDir, bookUrl, courseUrl] = process.argv.slice(2);
if (!lessonUrl || !shotDir) {
  console.error('usage: node run.mjs <lesson-url> <screenshot-dir> [<book-lesson-url> [<course-lesson-url>]]');
  process.exit(2);
}
const origin = new URL(lessonUrl).origin;
const lessonPath = new URL(lessonUrl).pathname;
fs.mkdirSync(shotDir, { recursive: true });


const offHost = [];
const consoleErrors = [];
function watch(page, label) {
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin + '/') && url !== origin && !url.startsWith('data:') && !url.startsWith('blob:')) {
      offHost.push(`${label}: ${url}`);
    }
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // Browsers ask for /favicon.ico on their own; a site without one is
    // not a page error.
    const where = message.location().url || '';
    if (new URL(where, origin).pathname === '/favicon.ico') return;
    consoleErrors.push(`${label}: ${message.text()} (${where})`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`${label}: ${error.message}`));
}

// Playwright gives every launch a fresh, temporary --user-data-dir.
const browser = await launch();


try {
  // ---- desktop, mouse and keyboard --------------------------------------
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  const page = await context.newPage();
  watch(page, 'desktop');
  await page.goto(lessonUrl, { waitUntil: 'load' });
  await page.waitForSelector('.gb-ready', { timeout: 5000 });

  const deck = page.locator('[data-gb="flashcards"]').first();
  const cards = deck.locator('.gb-card');
  const cardCount = await cards.count();
  const progress = deck.locator('[data-gb-count]');

  await attempt('flashcards start unflipped with a progress count', async () => {
    expect(cardCount >= 3, `want at least 3 cards, found ${cardCount}`);
    const t = await text(progress);
    expect(t === `0 of ${cardCount} flipped`, `progress reads "${t}"`);
    const hidden = await cards.nth(0).locator('.gb-back').getAttribute('aria-hidden');
    expect(hidden === 'true', `back aria-hidden=${hidden} before flipping`);
    return t;
  });

  await attempt('a click flips a card and updates the progress', async () => {
    await cards.nth(0).locator('.gb-front').click();
    await page.waitForTimeout(50);
    const flipped = await cards.nth(0).evaluate((el) => el.classList.contains('is-flipped'));
    expect(flipped, 'card 1 is not flipped');
    expect((await cards.nth(0).locator('.gb-front').getAttribute('aria-expanded')) === 'true', 'aria-expanded not true');
    expect((await cards.nth(0).locator('.gb-back').getAttribute('aria-hidden')) === 'false', 'back still hidden from assistive tech');
    const t = await text(progress);
    expect(t === `1 of ${cardCount} flipped`, `progress reads "${t}"`);
    await page.waitForTimeout(600); // let the turn finish before looking
    expect(await cards.nth(0).locator('.gb-back').isVisible(), 'back not visible');
    return t;
  });

  await attempt('a turned card shows its question, small, above the answer', async () => {
    const back = cards.nth(0).locator('.gb-back');
    const question = back.locator('.gb-back-q');
    expect(await question.isVisible(), 'no question on the back');
    const front = await text(cards.nth(0).locator('.gb-front-text'));
    const asked = await text(question);
    expect(asked === front, `the back asks "${asked}", the front "${front}"`);
    const sizes = await cards.nth(0).evaluate((card) => [
      parseFloat(getComputedStyle(card.querySelector('.gb-back-q')).fontSize),
      parseFloat(getComputedStyle(card.querySelector('.gb-back-body')).fontSize),
    ]);
    expect(sizes[0] < sizes[1], `question ${sizes[0]}px, answer ${sizes[1]}px`);
    const qBox = await question.boundingBox();
    const aBox = await back.locator('.gb-back-body').boundingBox();
    expect(qBox.y + qBox.height <= aBox.y + 1, 'the question is not above the answer');
    return asked;
  });

  await attempt('a mouse user is told to click, not to tap', async () => {
    const hint = await text(cards.nth(3).locator('.gb-flip-hint'));
    expect(hint === 'Click to reveal', `the hint reads "${hint}"`);
    return hint;
  });

  await attempt('Enter and Space flip cards from the keyboard', async () => {
    await cards.nth(1).locator('.gb-front').focus();
    await page.keyboard.press('Enter');
    await cards.nth(2).locator('.gb-front').focus();
    await page.keyboard.press(' ');
    const states = await cards.evaluateAll((els) => els.slice(0, 3).map((el) => el.classList.contains('is-flipped')));
    expect(states.every(Boolean), `flipped states ${states}`);
    const t = await text(progress);
    expect(t === `3 of ${cardCount} flipped`, `progress reads "${t}"`);
    return t;
  });

  await attempt('Tab reaches the card fronts', async () => {
    await page.locator('body').focus();
    await cards.nth(0).locator('.gb-front').focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.className);
    expect(String(focused).includes('gb-front'), `focus is on "${focused}"`);
  });

  await attempt('"know it" and "again" marks are kept', async () => {
    await cards.nth(0).locator('[data-gb-mark="known"]').click();
    await cards.nth(1).locator('[data-gb-mark="again"]').click();
    const known = await text(deck.locator('[data-gb-known]'));
    expect(known.includes('1 known'), `known count reads "${known}"`);
  });

  await page.screenshot({ path: path.join(shotDir, 'lesson-light-interacted.png'), fullPage: true });

  await attempt('flashcard progress survives a reload', async () => {
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('.gb-ready');
    const t = await text(progress);
    expect(t === `3 of ${cardCount} flipped`, `after reload progress reads "${t}"`);
    const pressed = await cards.nth(0).locator('[data-gb-mark="known"]').getAttribute('aria-pressed');
    expect(pressed === 'true', `know-it mark after reload: aria-pressed=${pressed}`);
    const again = await cards.nth(1).evaluate((el) => el.classList.contains('is-again'));
    expect(again, 'again mark lost after reload');
    return t;
  });

  // ---- interview -------------------------------------------------------
  await attempt('an interview answer stays hidden until asked for, then opens from the keyboard', async () => {
    const reveal = page.locator('[data-gb="interview"] details.gb-reveal').first();
    expect(await reveal.count(), 'no answer <details> on the page');
    expect(!(await reveal.locator('.gb-answer').isVisible()), 'answer visible before asking');
    await reveal.locator('summary').first().focus();
    await page.keyboard.press('Enter');
    expect(await reveal.evaluate((d) => d.open), 'the answer did not open');
    expect(await reveal.locator('.gb-answer').isVisible(), 'answer not visible once open');
    return await text(reveal.locator('summary').first());
  });

  await attempt('a senior angle opens from the keyboard', async () => {
    const senior = page.locator('[data-gb="interview"] details.gb-senior').first();
    expect(await senior.count(), 'no senior angle <details> on the page');
    expect(!(await senior.evaluate((d) => d.open)), 'senior angle open before asking');
    expect(!(await senior.locator('.gb-senior-body').isVisible()), 'senior angle visible before asking');
    await senior.locator('summary').focus();
    await page.keyboard.press('Enter');
    expect(await senior.evaluate((d) => d.open), 'senior angle did not open');
    expect(await senior.locator('.gb-senior-body').isVisible(), 'senior angle body not visible');
    return await text(senior.locator('summary'));
  });

  // ---- reorder ---------------------------------------------------------
  const flow = page.locator('[data-gb="reorder"]').first();
  const list = flow.locator('.gb-reorder-list');
  const status = flow.locator('[data-gb-status]');
  const announcer = flow.locator('[data-gb-announce]');
  const answer = ((await list.getAttribute('data-gb-order')) || '').split(' ');
  const keys = () => list.locator('.gb-item').evaluateAll((els) => els.map((el) => el.getAttribute('data-key')));
  const startOrder = await keys();

  // No step in its place, and at most half of them (rounded up) in the
  // right order relative to each other (the longest increasing
  // subsequence of their places in the answer).
  function farFromAnswer(order) {
    const places = order.map((key) => answer.indexOf(key));
    const inPlace = order.filter((key, i) => key === answer[i]).length;
    const tails = [];
    for (const x of places) {
      let i = tails.findIndex((t) => t >= x);
      if (i < 0) i = tails.length;
      tails[i] = x;
    }
    const run = tails.length;
    const limit = Math.ceil(order.length / 2);
    return { ok: inPlace === 0 && run <= limit, detail: `${inPlace} in place, ${run} in order (limit ${limit})` };
  }

  await attempt('the flow starts shuffled far from the answer and "check" fails for it', async () => {
    expect(answer.length >= 4, `answer has ${answer.length} items`);
    expect(startOrder.join(' ') !== answer.join(' '), 'the starting order is already the answer');
    const far = farFromAnswer(startOrder);
    expect(far.ok, `the starting order ${startOrder} is close to the answer: ${far.detail}`);
    await flow.locator('[data-gb-check]').click();
    const s = await text(status);
    expect(/ of \d+ in place/.test(s), `status reads "${s}"`);
    const wrong = await flow.locator('.gb-item.is-wrong').count();
    expect(wrong > 0, 'no item marked out of place');
    return s;
  });

  await attempt('arrow keys reorder the flow, announced in a live region', async () => {
    for (let i = 0; i < answer.length; i++) {
      const order = await keys();
      const at = order.indexOf(answer[i]);
      const item = list.locator('.gb-item').nth(at);
      await item.focus();
      for (let k = at; k > i; k--) await page.keyboard.press('ArrowUp');
    }
    const order = await keys();
    expect(order.join(' ') === answer.join(' '), `order is ${order}`);
    const s = await announcer.textContent();
    expect(/moved to position \d+ of \d+/.test(s), `live region reads "${s}"`);
    expect((await announcer.getAttribute('aria-live')) === 'polite', 'announcer is not a polite live region');
    expect((await status.getAttribute('role')) === 'status', 'check results are not in a status region');
    await flow.locator('[data-gb-check]').click();
    const done = await text(status);
    expect(/^All \d+ steps are in the right order/.test(done), `status reads "${done}"`);
    expect((await flow.locator('.gb-item.is-right').count()) === answer.length, 'not every item marked in place');
    return done;
  });

  await attempt('keyboard focus is visible on cards, steps and buttons', async () => {
    const seen = [];
    const probes = [
      [list.locator('.gb-item').first(), (el) => getComputedStyle(el).outlineStyle],
      [flow.locator('[data-gb-check]'), (el) => getComputedStyle(el).outlineStyle],
      [cards.first().locator('.gb-front'), (el) => getComputedStyle(el.closest('.gb-card-inner')).outlineStyle],
    ];
    for (const [target, outline] of probes) {
      await target.focus();
      await page.keyboard.press('Shift');
      const style = await target.evaluate(outline);
      seen.push(style);
      expect(style !== 'none', `no outline on a focused ${await target.evaluate((el) => el.className)}`);
    }
    return seen.join(', ');
  });

  await attempt('"shuffle again" gives a new order far from the answer, every time', async () => {
    let before = await keys();
    const seen = new Set();
    for (let round = 0; round < 25; round++) {
      await flow.locator('[data-gb-reset]').click();
      const order = await keys();
      expect(order.join(' ') !== before.join(' '), `round ${round}: the order did not change: ${order}`);
      expect(order.join(' ') !== answer.join(' '), `round ${round}: shuffled into the answer`);
      const far = farFromAnswer(order);
      expect(far.ok, `round ${round}: ${order} is close to the answer: ${far.detail}`);
      seen.add(order.join(' '));
      before = order;
    }
    expect(seen.size >= 5, `only ${seen.size} different orders in 25 shuffles`);
    return `${seen.size} different orders`;
  });

  await attempt('the up/down buttons move an item', async () => {
    const order = await keys();
    const second = list.locator('.gb-item').nth(1);
    const moved = await second.getAttribute('data-key');
    await second.locator('[data-gb-move="-1"]').click();
    const after = await keys();
    expect(after[0] === moved, `item did not move up: ${after}`);
    expect(await list.locator('.gb-item').nth(0).locator('[data-gb-move="-1"]').isDisabled(), 'top item can still move up');
    await flow.locator('[data-gb-reset]').click();
    return `${order} -> ${after}`;
  });

  async function dragTo(pageRef, listRef, key, targetIndex, pointer) {
    const from = listRef.locator(`.gb-item[data-key="${key}"]`);
    const grip = await from.locator('.gb-grip').boundingBox();
    const target = await listRef.locator('.gb-item').nth(targetIndex).boundingBox();
    const x = grip.x + grip.width / 2;
    const y = grip.y + grip.height / 2;
    const ty = target.y + 4;
    await pointer.down(x, y);
    const steps = 8;
    for (let s = 1; s <= steps; s++) await pointer.move(x, y + ((ty - y) * s) / steps);
    await pointer.up(x, ty);
  }

  const mouse = {
    down: async (x, y) => {
      await page.mouse.move(x, y);
      await page.mouse.down();
    },
    move: (x, y) => page.mouse.move(x, y),
    up: () => page.mouse.up(),
  };

  await attempt('dragging with the mouse solves the flow', async () => {
    for (let i = 0; i < answer.length; i++) {
      const order = await keys();
      if (order[i] === answer[i]) continue;
      await dragTo(page, list, answer[i], i, mouse);
    }
    const order = await keys();
    expect(order.join(' ') === answer.join(' '), `order after dragging is ${order}`);
    await flow.locator('[data-gb-check]').click();
    const done = await text(status);
    expect(/^All \d+ steps are in the right order/.test(done), `status reads "${done}"`);
    return done;
  });

  // ---- checklist ---------------------------------------------------------
  const checklist = page.locator('[data-gb="checklist"]').first();
  const taskCount = await checklist.locator('.gb-tick').count();
  await attempt('ticking a checklist item counts it', async () => {
    const before = await text(checklist.locator('[data-gb-count]'));
    expect(before === `0 of ${taskCount} done`, `count reads "${before}"`);
    await checklist.locator('.gb-task label').first().click();
    expect(await checklist.locator('.gb-tick').first().isChecked(), 'box not ticked');
    const after = await text(checklist.locator('[data-gb-count]'));
    expect(after === `1 of ${taskCount} done`, `count reads "${after}"`);
    return after;
  });

  await attempt('checklist ticks survive a reload', async () => {
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('.gb-ready');
    expect(await checklist.locator('.gb-tick').first().isChecked(), 'tick lost after reload');
    const after = await text(checklist.locator('[data-gb-count]'));
    expect(after === `1 of ${taskCount} done`, `count reads "${after}"`);
    return after;
  });

  // ---- progress across the site --------------------------------------------
  await attempt('lesson progress shows on the index page and in the sidebar', async () => {
    const want = new RegExp(`1/${cardCount} cards known · 1/${taskCount} done`);
    const seen = [];
    for (const url of [origin + '/', lessonUrl]) {
      await page.goto(url, { waitUntil: 'load' });
      const marks = page.locator(`[data-progress-page="${lessonPath}"]`);
      const n = await marks.count();
      for (let i = 0; i < n; i++) seen.push(`${new URL(url).pathname}: ${await text(marks.nth(i))}`);
    }
    expect(seen.length > 0, `no element carries data-progress-page="${lessonPath}"`);
    expect(seen.some((s) => s.startsWith('/:')), `no progress on the index page; seen: ${seen.join('; ')}`);
    expect(seen.every((s) => want.test(s)), `progress reads: ${seen.join('; ')}`);
    return seen.join('; ');
  });

  await page.goto(lessonUrl, { waitUntil: 'load' });
  await page.waitForSelector('.gb-ready');
  await page.screenshot({ path: path.join(shotDir, 'lesson-light.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(100);
  await page.screenshot({ path: path.join(shotDir, 'lesson-dark.png'), fullPage: true });
  await page.goto(origin + '/', { waitUntil: 'load' });
  await page.screenshot({ path: path.join(shotDir, 'index-dark.png'), fullPage: true });
  await context.close();

  // ---- phone: touch ----------------------------------------------------
  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    hasTouch: true,
    isMobile: true,
    colorScheme: 'light',
  });
  const mobile = await phone.newPage();
  watch(mobile, 'phone');
  await mobile.goto(lessonUrl, { waitUntil: 'load' });
  await mobile.waitForSelector('.gb-ready');

  await attempt('a phone user is told to tap', async () => {
    const hint = await text(mobile.locator('[data-gb="flashcards"] .gb-card .gb-flip-hint').first());
    expect(hint === 'Tap to reveal', `the hint reads "${hint}"`);
    return hint;
  });

  await attempt('the reorder grip is a 44 × 44 px touch target', async () => {
    const box = await mobile.locator('[data-gb="reorder"] .gb-grip').first().boundingBox();
    expect(box.width >= 44 && box.height >= 44, `grip is ${box.width} × ${box.height}`);
    return `${box.width} × ${box.height}`;
  });

  await attempt('a tap flips a card on a phone', async () => {
    const card = mobile.locator('[data-gb="flashcards"] .gb-card').first();
    await card.locator('.gb-front').tap();
    expect(await card.evaluate((el) => el.classList.contains('is-flipped')), 'card not flipped by a tap');
    const t = await text(mobile.locator('[data-gb="flashcards"] [data-gb-count]').first());
    expect(t.startsWith('1 of '), `progress reads "${t}"`);
    return t;
  });

  await attempt('a touch drag on the grip moves a step', async () => {
    const flowM = mobile.locator('[data-gb="reorder"]').first();
    const listM = flowM.locator('.gb-reorder-list');
    const order = await listM.locator('.gb-item').evaluateAll((els) => els.map((el) => el.getAttribute('data-key')));
    const cdp = await phone.newCDPSession(mobile);
    const touch = (type, x, y) =>
      cdp.send('Input.dispatchTouchEvent', {
        type,
        touchPoints: type === 'touchEnd' ? [] : [{ x, y, id: 1, radiusX: 2, radiusY: 2, force: 1 }],
      });
    const pointer = {
      down: (x, y) => touch('touchStart', x, y),
      move: (x, y) => touch('touchMove', x, y),
      up: (x, y) => touch('touchEnd', x, y),
    };
    // Bring the last item to the top.
    await listM.scrollIntoViewIfNeeded();
    await dragTo(mobile, listM, order[order.length - 1], 0, pointer);
    const after = await listM.locator('.gb-item').evaluateAll((els) => els.map((el) => el.getAttribute('data-key')));
    expect(after[0] === order[order.length - 1], `touch drag did not move the item: ${order} -> ${after}`);
    return `${order.join(',')} -> ${after.join(',')}`;
  });

  await attempt('nothing is wider than a phone screen', async () => {
    const widths = await mobile.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }));
    expect(widths.page <= widths.screen, `page is ${widths.page}px wide on a ${widths.screen}px screen`);
    return JSON.stringify(widths);
  });

  await mobile.screenshot({ path: path.join(shotDir, 'lesson-phone.png'), fullPage: true });
  await phone.close();

  // ---- reduced motion ----------------------------------------------------
  const calm = await browser.newContext({ viewport: { width: 1000, height: 800 }, reducedMotion: 'reduce' });
  const still = await calm.newPage();
  watch(still, 'reduced-motion');
  await still.goto(lessonUrl, { waitUntil: 'load' });
  await still.waitForSelector('.gb-ready');
  await attempt('with reduced motion a card shows its back at once, without turning', async () => {
    const card = still.locator('[data-gb="flashcards"] .gb-card').first();
    await card.locator('.gb-front').click();
    const info = await card.evaluate((el) => {
      const inner = getComputedStyle(el.querySelector('.gb-card-inner'));
      return { transform: inner.transform, duration: inner.transitionDuration, back: getComputedStyle(el.querySelector('.gb-back')).opacity };
    });
    expect(info.transform === 'none', `card is transformed: ${info.transform}`);
    expect(info.back === '1', `back opacity ${info.back}`);
    return JSON.stringify(info);
  });
  await calm.close();

  // ---- storage disabled ---------------------------------------------------
  const locked = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  await locked.addInitScript(() => {
    Object.defineProperty(window, 'localStorage', {
      get() {
        throw new DOMException('storage is disabled', 'SecurityError');
      },
    });
  });
  const noStore = await locked.newPage();
  watch(noStore, 'no-storage');
  await noStore.goto(lessonUrl, { waitUntil: 'load' });
  await attempt('with storage disabled the components still work for the visit', async () => {
    await noStore.waitForSelector('.gb-ready', { timeout: 5000 });
    const deckN = noStore.locator('[data-gb="flashcards"]').first();
    await deckN.locator('.gb-front').first().click();
    const t = await text(deckN.locator('[data-gb-count]'));
    expect(t.startsWith('1 of '), `progress reads "${t}"`);
    const list = noStore.locator('[data-gb="checklist"]').first();
    await list.locator('.gb-task label').first().click();
    const done = await text(list.locator('[data-gb-count]'));
    expect(done.startsWith('1 of '), `checklist count reads "${done}"`);
    return `${t}; ${done}`;
  });
  await attempt('with storage disabled the theme toggle still goes through every choice', async () => {
    const seen = [];
    for (let i = 0; i < 4; i++) {
      await noStore.locator('.theme-toggle').click();
      seen.push(await noStore.evaluate(() => document.documentElement.getAttribute('data-theme-choice')));
    }
    expect(seen.join(' ') === 'light dark auto light', `choices: ${seen.join(' ')}`);
    return seen.join(' → ');
  });
  await locked.close();

  // ---- saved progress of the wrong shape ----------------------------------
  const corrupt = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const bad = await corrupt.newPage();
  watch(bad, 'bad-progress');
  await bad.goto(lessonUrl, { waitUntil: 'load' });
  await bad.waitForSelector('.gb-ready', { timeout: 5000 });
  const ids = await bad.evaluate(() => ({
    page: document.querySelector('[data-gb="flashcards"]').getAttribute('data-gb-page'),
    card: document.querySelector('[data-gb="flashcards"] .gb-card').getAttribute('data-card-id'),
    task: document.querySelector('[data-gb="checklist"] .gb-tick').getAttribute('data-task-id'),
  }));
  const shapes = [
    { cards: { [ids.card]: 5 }, tasks: [], summary: 'x' },
    { cards: [1, 2], tasks: { [ids.task]: 'yes' }, summary: { cards: 'many', known: -3 } },
    { cards: { [ids.card]: null, __proto__: { f: 1 } }, tasks: null },
    'just a string',
    null,
    [],
    7,
  ];
  const raws = shapes.map((shape) => JSON.stringify(shape)).concat(['{not json', '']);
  for (const raw of raws) {
    await attempt(`saved progress ${raw.slice(0, 50) || '(empty)'} is ignored and overwritten`, async () => {
      await bad.evaluate(([key, value]) => localStorage.setItem(key, value), ['gradbook:progress:' + ids.page, raw]);
      await bad.reload({ waitUntil: 'load' });
      await bad.waitForSelector('.gb-ready', { timeout: 5000 });
      const deckB = bad.locator('[data-gb="flashcards"]').first();
      const before = await text(deckB.locator('[data-gb-count]'));
      expect(before.startsWith('0 of '), `progress reads "${before}" before flipping`);
      await deckB.locator('.gb-front').first().click();
      const after = await text(deckB.locator('[data-gb-count]'));
      expect(after.startsWith('1 of '), `progress reads "${after}" after a flip`);
      const list = bad.locator('[data-gb="checklist"]').first();
      await list.locator('.gb-task label').first().click();
      const saved = await bad.evaluate((key) => JSON.parse(localStorage.getItem(key)), 'gradbook:progress:' + ids.page);
      expect(saved && saved.cards && !Array.isArray(saved.cards), `cards saved as ${JSON.stringify(saved)}`);
      expect(saved.cards[ids.card] && saved.cards[ids.card].f === 1, `card saved as ${JSON.stringify(saved.cards)}`);
      expect(!Array.isArray(saved.tasks) && saved.tasks[ids.task] === true, `tasks saved as ${JSON.stringify(saved.tasks)}`);
      expect(typeof saved.summary.cards === 'number', `summary saved as ${JSON.stringify(saved.summary)}`);
      await bad.reload({ waitUntil: 'load' });
      await bad.waitForSelector('.gb-ready', { timeout: 5000 });
      const ticked = await bad.locator('[data-gb="checklist"] .gb-tick').first().isChecked();
      expect(ticked, 'the tick was lost on reload');
      return after;
    });
  }
  await corrupt.close();

  // ---- JavaScript off ----------------------------------------------------
  const plain = await browser.newContext({ viewport: { width: 1000, height: 800 }, javaScriptEnabled: false });
  const noJs = await plain.newPage();
  watch(noJs, 'no-js');
  await noJs.goto(lessonUrl, { waitUntil: 'load' });
  await attempt('with JavaScript off every component reads in full', async () => {
    const backs = noJs.locator('[data-gb="flashcards"] .gb-back');
    const n = await backs.count();
    for (let i = 0; i < n; i++) expect(await backs.nth(i).isVisible(), `card ${i + 1} back hidden`);
    expect(await noJs.locator('[data-gb="flashcards"] .gb-front').first().isVisible(), 'card front hidden');
    const solution = noJs.locator('[data-gb="reorder"] .gb-solution').first();
    expect(await solution.evaluate((d) => d.open), 'the correct order is not shown');
    expect(await solution.locator('li').first().isVisible(), 'the correct order is not visible');
    expect((await noJs.locator('details.gb-senior').count()) > 0, 'senior angle is not a <details>');
    const reveal = noJs.locator('details.gb-reveal').first();
    await reveal.locator('summary').first().click();
    expect(await reveal.locator('.gb-answer').isVisible(), 'an interview answer does not open without JavaScript');
    expect(!(await noJs.locator('.gb-back-q').first().isVisible()), 'the question is repeated on the back without the card turning');
    const controls = await noJs.locator('[data-gb-js]:visible').count();
    expect(controls === 0, `${controls} script-only controls visible`);
    return `${n} card backs visible`;
  });
  await noJs.screenshot({ path: path.join(shotDir, 'lesson-no-js.png'), fullPage: true });
  await plain.close();

  report('no console errors', consoleErrors.length === 0, consoleErrors.join(' | '));
  report('no request leaves the local server', offHost.length === 0, offHost.join(' | '));

  // ---- the bundled site -------------------------------------------------
  if (bookUrl) {
    const { checkBook } = await import('./book.mjs');
    await checkBook(browser, bookUrl, shotDir, { attempt, report, expect });
  }

  // ---- the site `gradbook init` writes ------------------------------------
  if (courseUrl) {
    const { auditSite } = await import('./axe.mjs');
    const course = new URL(courseUrl);
    const section = course.pathname.replace(/[^/]+\/$/, '');
    await auditSite(
      browser,
      course.origin,
      [
        ['index', '/'],
        ['section', section],
        ['lesson', course.pathname],
        ['explorer lesson', section + 'gradient-descent/'],
        ['404', '/404.html'],
      ],
      'course',
      { attempt, expect },
    );
  }
} catch (error) {
  report('browser run', false, error && error.stack ? error.stack : error);
} finally {
  await browser.close();
}

finish();
