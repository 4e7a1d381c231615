// Checks the repository's own bundled site (book.toml + content/, built
// with the real binary) in the browser that run.mjs launched: the lesson
// and the index load cleanly and stay on the local server, every stop of
// the keyboard's Tab order shows a visible focus mark, the table of
// contents lists the lesson's own sections, progress made on the lesson
// shows up on the index, nothing is wider than a phone, and, where the
// lesson has executable examples, their results, transcripts, copy
// buttons, plots and formulas work. Saves light, dark and phone
// screenshots of the lesson and the index as book-*.png.

import path from 'node:path';
import { auditSite } from './axe.mjs';

/** Runs every check on the bundled site at `lessonUrl`. `attempt(name, fn)`
 * and `report(name, ok, detail)` record results, as in run.mjs. */
export async function checkBook(browser, lessonUrl, shotDir, { attempt, report, expect }) {
  const origin = new URL(lessonUrl).origin;
  const lessonPath = new URL(lessonUrl).pathname;
  const offHost = [];
  const consoleErrors = [];
  function watch(page, label) {
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(origin + '/') && !url.startsWith('data:') && !url.startsWith('blob:')) {
        offHost.push(`${label}: ${url}`);
      }
    });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${label}: ${message.text()} (${message.location().url || ''})`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`${label}: ${error.message}`));
  }
  const text = (locator) => locator.innerText().then((t) => t.replace(/\s+/g, ' ').trim());
  const shot = (page, name) => page.screenshot({ path: path.join(shotDir, name), fullPage: true });

  // ---- desktop, light --------------------------------------------------
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    colorScheme: 'light',
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  watch(page, 'book');

  await attempt('book: the index loads and invites the reader to start', async () => {
    const response = await page.goto(origin + '/', { waitUntil: 'load' });
    expect(response && response.ok(), `index answered ${response && response.status()}`);
    const hook = page.locator(`.lesson-card [data-progress-page="${lessonPath}"]`);
    expect((await hook.count()) === 1, 'the lesson has no progress line on the index');
    const t = await text(hook);
    expect(t === 'Start flipping cards to track your progress', `index progress reads "${t}"`);
    return t;
  });
  await shot(page, 'book-index-light.png');

  await attempt('book: the lesson loads with its components ready', async () => {
    const response = await page.goto(lessonUrl, { waitUntil: 'load' });
    expect(response && response.ok(), `lesson answered ${response && response.status()}`);
    await page.waitForSelector('[data-gb="flashcards"].gb-ready', { timeout: 5000 });
    return await page.title();
  });

  await attempt('book: "On this page" lists the lesson\'s own sections, math readable', async () => {
    const entries = await page.locator('.toc .toc-open a').evaluateAll((links) =>
      links.map((a) => ({ href: a.getAttribute('href'), text: a.textContent.replace(/\s+/g, ' ').trim() })),
    );
    const sections = await page
      .locator('.prose h2[id], .prose h3[id]')
      .evaluateAll((hs) => hs.filter((h) => !h.closest('.gb')).map((h) => '#' + h.id));
    expect(entries.length > 0, 'no table of contents');
    expect(
      entries.map((e) => e.href).join(' ') === sections.join(' '),
      `toc ${entries.map((e) => e.href)} vs sections ${sections}`,
    );
    const raw = entries.filter((e) => /\$|\\[a-z]+/.test(e.text));
    expect(raw.length === 0, `raw TeX in the toc: ${raw.map((e) => e.text)}`);
    return entries.map((e) => e.text).join(' | ');
  });

  await attempt('book: every Tab stop shows where the focus is', async () => {
    // From a fresh load, as a keyboard user arrives.
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('.gb-ready');
    const seen = [];
    const invisible = [];
    const unmarked = [];
    let first = null;
    for (let i = 0; i < 250; i++) {
      await page.keyboard.press('Tab');
      const info = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const describe = (e) =>
          e.tagName.toLowerCase() +
          (e.id ? '#' + e.id : '') +
          (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') +
          ` "${(e.getAttribute('aria-label') || e.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 30)}"`;
        // What the focus changes on the element and its two closest
        // ancestors (a flashcard's frame is marked through :has()):
        // outline, shadow, border and background, compared with the same
        // element unfocused.
        const look = () => {
          const parts = [];
          for (let e = el, up = 0; e && up < 3; e = e.parentElement, up++) {
            const s = getComputedStyle(e);
            const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : 'none';
            parts.push([outline, s.boxShadow, s.borderColor, s.backgroundColor, s.textDecorationLine].join('|'));
          }
          return parts.join(' / ');
        };
        const focusedLook = look();
        const focusVisible = el.matches(':focus-visible');
        el.blur();
        const restingLook = look();
        el.focus();
        const mark = focusVisible && focusedLook !== restingLook;
        const r = el.getBoundingClientRect();
        return {
          id: describe(el),
          key: el.outerHTML.slice(0, 200),
          visible: r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden',
          mark,
        };
      });
      if (!info) continue;
      if (first === info.key) break;
      if (first === null) first = info.key;
      seen.push(info.id);
      if (!info.visible) invisible.push(info.id);
      if (!info.mark) unmarked.push(info.id);
    }
    expect(seen.length >= 20, `only ${seen.length} Tab stops`);
    expect(new Set(seen).size > seen.length / 2, `Tab keeps landing on the same elements: ${seen.slice(0, 12).join('; ')}`);
    expect(invisible.length === 0, `focus lands on invisible elements: ${invisible.join('; ')}`);
    expect(unmarked.length === 0, `no visible focus on: ${unmarked.join('; ')}`);
    expect(seen[0].startsWith('a.skip-link'), `the first Tab stop is ${seen[0]}, not the skip link`);
    return `${seen.length} stops`;
  });

  // Executable examples, when the lesson has them (run.mjs is told).
  const calcBlocks = await page.locator('[data-calc]').count();
  report('book: the lesson shows its executable examples', calcBlocks > 0, `${calcBlocks} calc blocks`);
  if (calcBlocks > 0) await checkCalc(page, { attempt, expect, text });
  await attempt('book: formulas are set in the math font the site ships', async () => {
    // Chromium has no math font of its own here, so a stretched root or
    // bracket needs the site's STIX Two Math; wait for it, then check that
    // it is what the formulas use and that it loaded from this site.
    await page.evaluate(() => document.fonts.ready);
    const math = page.locator('.prose math').first();
    expect((await math.count()) > 0, 'the lesson has no formula');
    const family = await math.evaluate((el) => getComputedStyle(el).fontFamily);
    expect(family.includes('STIX Two Math'), `math font-family is ${family}`);
    const loaded = await page.evaluate(() => document.fonts.check('16px "STIX Two Math"'));
    expect(loaded, 'STIX Two Math did not load');
    // And brackets stretch in it: a bracket around a tall fraction, set in
    // the site's font, is much taller than the same bracket around a
    // letter. (Chromium may also stretch with a system font's bracket
    // pieces, so this checks the result, while the checks above show the
    // font is the site's.)
    const ratio = await page.evaluate(() => {
      const ns = 'http://www.w3.org/1998/Math/MathML';
      const make = (inner) => {
        const m = document.createElementNS(ns, 'math');
        m.setAttribute('display', 'block');
        m.style.fontFamily = '"STIX Two Math", serif';
        m.innerHTML = `<mrow><mo>(</mo>${inner}<mo>)</mo></mrow>`;
        document.querySelector('.prose').append(m);
        const height = m.querySelector('mo').getBoundingClientRect().height;
        m.remove();
        return height;
      };
      const tall = make('<mfrac><mfrac><mn>1</mn><mn>2</mn></mfrac><mfrac><mn>3</mn><mn>4</mn></mfrac></mfrac>');
      return tall / make('<mi>x</mi>');
    });
    expect(ratio > 1.5, `a bracket around a tall fraction is only ${ratio.toFixed(2)} times as tall`);
    await math.scrollIntoViewIfNeeded();
    await math.screenshot({ path: path.join(shotDir, 'book-math-font.png') });
    return `${family.split(',')[0]}, brackets stretch ${ratio.toFixed(1)}×`;
  });
  await checkExplore(page, new URL(EXPLORE_LESSON, origin).href, { attempt, expect, text });
  await page.goto(lessonUrl, { waitUntil: 'load' });
  await page.waitForSelector('.gb-ready', { timeout: 5000 });

  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'book-lesson-light.png');

  // ---- progress across the site -----------------------------------------
  await attempt('book: progress made on the lesson shows on the index', async () => {
    const deck = page.locator('[data-gb="flashcards"]').first();
    const cards = deck.locator('.gb-card');
    const n = await cards.count();
    expect(n >= 3, `only ${n} cards`);
    for (let i = 0; i < 3; i++) {
      await cards.nth(i).locator('.gb-front').click();
      await cards.nth(i).locator('[data-gb-mark="known"]').click();
    }
    const checklist = page.locator('[data-gb="checklist"]').first();
    const tasks = await checklist.locator('.gb-tick').count();
    await checklist.locator('.gb-task label').first().click();
    // One quiz question answered right, with the value its key holds.
    const quiz = page.locator('[data-gb="quiz"]').first();
    const questions = await quiz.locator('.gb-quiz-q').count();
    const typed = quiz.locator('.gb-quiz-q[data-q-kind="number"]').first();
    await typed.locator('[data-gb-input]').fill(String(Number(await typed.getAttribute('data-gb-value'))));
    await typed.locator('[data-gb-check]').click();
    const verdict = await text(typed.locator('[data-gb-feedback]'));
    expect(verdict === 'Right!', `the quiz says "${verdict}" to its own key`);
    await page.goto(origin + '/', { waitUntil: 'load' });
    const want = `3/${n} cards known · 1/${tasks} done · 1/${questions} questions right`;
    const seen = [];
    for (const where of ['.lesson-card', '.sidebar']) {
      const hook = page.locator(`${where} [data-progress-page="${lessonPath}"]`);
      const t = await text(hook);
      seen.push(`${where}: ${t}`);
      expect(t === want, `${where} reads "${t}", want "${want}"`);
      const state = await hook.getAttribute('data-progress-state');
      expect(state === 'started', `${where} progress state is ${state}`);
    }
    return seen.join('; ');
  });
  await shot(page, 'book-index-progress.png');

  // ---- dark --------------------------------------------------------------
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(lessonUrl, { waitUntil: 'load' });
  await page.waitForSelector('.gb-ready');
  await attempt('book: dark mode keeps body text and links readable', async () => {
    const low = await page.evaluate(() => {
      // Contrast of text against the nearest opaque background.
      // Any CSS colour (rgb(), color(srgb …) from color-mix, …) as
      // [r, g, b, alpha] with r, g, b in 0–255, through a canvas pixel.
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = 1;
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      function rgb(c) {
        ctx.clearRect(0, 0, 1, 1);
        ctx.fillStyle = c;
        ctx.fillRect(0, 0, 1, 1);
        const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
        return [r, g, b, a / 255];
      }
      function lum([r, g, b]) {
        const f = (v) => {
          v /= 255;
          return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      }
      function background(el) {
        for (let e = el; e; e = e.parentElement) {
          const c = rgb(getComputedStyle(e).backgroundColor);
          if (c.length < 4 || c[3] > 0.9) return c;
        }
        return rgb(getComputedStyle(document.body).backgroundColor);
      }
      const bad = [];
      const els = document.querySelectorAll('p, li, a, h1, h2, h3, h4, summary, button, th, td, .toc a, .nav-lesson, figcaption');
      for (const el of els) {
        const r = el.getBoundingClientRect();
        if (!r.width || !r.height || !el.textContent.trim()) continue;
        const s = getComputedStyle(el);
        if (s.visibility === 'hidden' || Number(s.opacity) < 0.5) continue;
        const fg = lum(rgb(s.color));
        const bg = lum(background(el));
        const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
        if (ratio < 4.5) bad.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 24)}" ${ratio.toFixed(2)}`);
      }
      return bad;
    });
    expect(low.length === 0, `low contrast in dark mode: ${low.slice(0, 8).join('; ')}`);
  });
  await shot(page, 'book-lesson-dark.png');
  await page.goto(origin + '/', { waitUntil: 'load' });
  await shot(page, 'book-index-dark.png');
  await context.close();

  // ---- wide screen -----------------------------------------------------------
  const wideContext = await browser.newContext({ viewport: { width: 1500, height: 900 }, colorScheme: 'light' });
  const wide = await wideContext.newPage();
  watch(wide, 'book-wide');
  await wide.goto(lessonUrl, { waitUntil: 'load' });
  await attempt('book: on a wide screen "On this page" stays beside the text and marks the section being read', async () => {
    const toc = wide.locator('nav.toc');
    const heading = wide.locator('.prose h2[id]').nth(3);
    const id = await heading.getAttribute('id');
    await heading.evaluate((h) => window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - 80));
    await wide.waitForTimeout(200);
    const box = await toc.boundingBox();
    const prose = await wide.locator('.prose').boundingBox();
    expect(box.x >= prose.x + prose.width, `toc at x=${box.x} overlaps the text ending at ${prose.x + prose.width}`);
    expect(box.y >= 0 && box.y + box.height <= 900, `toc scrolled out of view: y=${box.y}`);
    const current = await toc.locator('.toc-open a[aria-current]').getAttribute('href');
    expect(current === '#' + id, `current entry is ${current}, want #${id}`);
    return current;
  });
  await attempt('book: heading links name the section they link to', async () => {
    const labels = await wide.locator('.heading-anchor').evaluateAll((as) => as.map((a) => a.getAttribute('aria-label')));
    expect(labels.length > 0, 'no heading links');
    expect(new Set(labels).size === labels.length, `repeated labels: ${labels.join('; ')}`);
    expect((await wide.locator('.gb-head .heading-anchor').count()) === 0, 'component titles carry heading links');
    return labels[0];
  });
  await attempt('book: at the end of the page the sidebar is still in place', async () => {
    await wide.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await wide.waitForTimeout(100);
    const top = await wide.locator('.sidebar').evaluate((el) => el.getBoundingClientRect().top);
    const bar = await wide.locator('.topbar').evaluate((el) => el.getBoundingClientRect().bottom);
    expect(Math.abs(top - bar) < 2, `sidebar top at ${top}px, top bar ends at ${bar}px`);
    expect(await wide.locator('.site-footer').isVisible(), 'footer not visible at the end');
    return `${top}px`;
  });
  await wide.screenshot({ path: path.join(shotDir, 'book-lesson-wide.png') });
  await wideContext.close();

  // ---- phone ---------------------------------------------------------------
  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    hasTouch: true,
    isMobile: true,
    colorScheme: 'light',
  });
  const mobile = await phone.newPage();
  watch(mobile, 'book-phone');
  await attempt('book: on a phone the lesson does not move once painted (no layout shift)', async () => {
    await mobile.goto(lessonUrl, { waitUntil: 'load' });
    await mobile.waitForTimeout(500);
    const shift = await mobile.evaluate(
      () =>
        new Promise((resolve) => {
          let total = 0;
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
          }).observe({ type: 'layout-shift', buffered: true });
          setTimeout(() => resolve(total), 200);
        }),
    );
    expect(shift < 0.01, `cumulative layout shift ${shift}`);
    const folded = mobile.locator('.toc details.toc-fold');
    expect(await folded.isVisible(), '"On this page" is not folded on a phone');
    expect(!(await folded.evaluate((d) => d.open)), '"On this page" is open on a phone');
    return `CLS ${shift.toFixed(4)}`;
  });

  await attempt('book: on a phone a table too wide for the screen shows that it scrolls, and the keyboard scrolls it', async () => {
    await mobile.goto(lessonUrl, { waitUntil: 'load' });
    const wide = mobile.locator('.calc-table-wrap.scrolls-right').first();
    expect((await wide.count()) === 1, 'no table marked as scrolling to the right');
    const hidden = await wide.evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(hidden > 8, `a fade for only ${hidden}px of table`);
    expect((await wide.getAttribute('tabindex')) === '0', 'the scrolling table is not focusable');
    const mask = await wide.evaluate((el) => getComputedStyle(el).maskImage || getComputedStyle(el).webkitMaskImage);
    expect(/gradient/.test(mask), `no fade at the edge: ${mask}`);
    await wide.focus();
    await mobile.keyboard.press('ArrowRight');
    await mobile.waitForTimeout(300);
    const left = await wide.evaluate((el) => el.scrollLeft);
    expect(left > 0, 'ArrowRight did not scroll the table');
    expect(await wide.evaluate((el) => el.classList.contains('scrolls-left')), 'no fade on the left once scrolled');
    return `scrolled to ${left}px`;
  });

  await attempt('book: on a phone figure labels are at least 11 px and the nudge table is closed at the bottom', async () => {
    await mobile.goto(lessonUrl, { waitUntil: 'load' });
    const sizes = await mobile.evaluate(() =>
      [...document.querySelectorAll('svg.calc-fig text')].map((t) => {
        const svg = t.closest('svg');
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return parseFloat(getComputedStyle(t).fontSize) * scale;
      }),
    );
    expect(sizes.length > 10, `only ${sizes.length} labels`);
    const smallest = Math.min(...sizes);
    expect(smallest >= 11, `a label is ${smallest.toFixed(1)} px`);
    const bottom = await mobile.evaluate(() => {
      const cells = document.querySelectorAll('.calc-nudge tr:last-child td, .calc-nudge tr:last-child th');
      return [...cells].map((c) => getComputedStyle(c).borderBottomWidth);
    });
    expect(bottom.length > 0 && bottom.every((w) => parseFloat(w) >= 1), `nudge table bottom borders: ${bottom}`);
    return `smallest label ${smallest.toFixed(1)} px`;
  });

  for (const [url, name] of [
    [lessonUrl, 'lesson'],
    [origin + '/', 'index'],
  ]) {
    await mobile.goto(url, { waitUntil: 'load' });
    await attempt(`book: the ${name} fits a 390 px phone screen`, async () => {
      const wide = await mobile.evaluate(() => {
        const limit = document.documentElement.clientWidth;
        const out = [];
        for (const el of document.querySelectorAll('body *')) {
          const r = el.getBoundingClientRect();
          if (r.width === 0 || r.right <= limit + 0.5) continue;
          // Inside a scroll box of its own (a wide table or code block)
          // is fine; the page itself must not scroll sideways.
          let boxed = false;
          for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
            const s = getComputedStyle(e);
            if (/(auto|scroll|hidden)/.test(s.overflowX) && e.getBoundingClientRect().right <= limit + 0.5) {
              boxed = true;
              break;
            }
          }
          if (!boxed && !el.closest('.sidebar')) out.push(`${el.tagName.toLowerCase()}.${el.className} right=${Math.round(r.right)}`);
        }
        return { page: document.documentElement.scrollWidth, limit, out: out.slice(0, 6) };
      });
      expect(wide.page <= wide.limit, `page is ${wide.page}px wide on a ${wide.limit}px screen`);
      expect(wide.out.length === 0, `sticking out: ${wide.out.join('; ')}`);
      return `${wide.page}px`;
    });
    await shot(mobile, `book-${name}-phone.png`);
  }
  await phone.close();

  // ---- JavaScript off ---------------------------------------------------------
  const plain = await browser.newContext({ viewport: { width: 1100, height: 900 }, javaScriptEnabled: false });
  const noJs = await plain.newPage();
  watch(noJs, 'book-no-js');
  await noJs.goto(lessonUrl, { waitUntil: 'load' });
  await attempt('book: with JavaScript off the lesson reads in full and promises nothing it cannot keep', async () => {
    const results = noJs.locator('[data-calc] .calc-steps');
    const n = await results.count();
    expect(n > 0, 'no calc results');
    for (let i = 0; i < n; i++) expect(await results.nth(i).isVisible(), `calc block ${i + 1} results hidden`);
    expect((await noJs.locator('.calc-copy:visible').count()) === 0, 'copy buttons shown without a script to run them');
    expect((await noJs.locator('[data-gb-js]:visible').count()) === 0, 'script-only controls shown');
    const backs = noJs.locator('[data-gb="flashcards"] .gb-back');
    expect(await backs.first().isVisible(), 'card backs hidden');
    await noJs.goto(new URL('/', lessonUrl).href, { waitUntil: 'load' });
    const hooks = await noJs.locator('[data-progress-page]:visible').count();
    expect(hooks === 0, `${hooks} progress lines shown, but progress needs the script`);
    return `${n} calc blocks`;
  });
  await attempt('explore: with JavaScript off every variant is listed under its value', async () => {
    await noJs.goto(new URL(EXPLORE_LESSON, origin).href, { waitUntil: 'load' });
    const explorer = noJs.locator('[data-gb="explore"]').first();
    const variants = explorer.locator('.gb-variant');
    const n = await variants.count();
    expect(n >= 2, `${n} variants`);
    for (let i = 0; i < n; i++) {
      expect(await variants.nth(i).isVisible(), `variant ${i + 1} hidden`);
      expect(await variants.nth(i).locator('.gb-variant-title').isVisible(), `variant ${i + 1} has no visible value`);
    }
    expect(!(await explorer.locator('input[type=range]').isVisible()), 'the slider shows without a script to move it');
    return `${n} variants listed`;
  });
  await noJs.goto(lessonUrl, { waitUntil: 'load' });
  await shot(noJs, 'book-lesson-no-js.png');
  await plain.close();

  // ---- accessibility audit of every page of the book --------------------
  // Every page kind, every lesson (what one lesson shows another may not:
  // a formula in a table's header, a result wider than a phone, the same
  // descent twice) and the review page. The first lesson is also audited
  // after use (its components in every state); the others as they load.
  const lessons = await bookLessons(browser, origin);
  await attempt('book: the audit covers every lesson of the book', async () => {
    expect(lessons.length >= 8, `${lessons.length} lessons found in the sidebar: ${lessons.join(', ')}`);
    expect(lessons.includes(lessonPath) && lessons.includes(EXPLORE_LESSON), lessons.join(', '));
    return `${lessons.length} lessons`;
  });
  const others = lessons
    .filter((p) => p !== lessonPath && p !== EXPLORE_LESSON)
    .map((p) => [`lesson ${p}`, p]);
  await auditSite(
    browser,
    origin,
    [
      ['index', '/'],
      ['section', lessonPath.replace(/[^/]+\/$/, '')],
      ['lesson', lessonPath],
      ['explorer lesson', EXPLORE_LESSON],
      ...others,
      ['review', '/review/'],
      ['404', '/404.html'],
    ],
    'book',
    { attempt, expect },
  );

  report('book: no console errors', consoleErrors.length === 0, consoleErrors.join(' | '));
  report('book: no request leaves the local server', offHost.length === 0, offHost.join(' | '));
}

/** The path of every lesson of the site at `origin`, in reading order,
 * from the index page's sidebar (small sites list every lesson there). */
async function bookLessons(browser, origin) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(origin + '/', { waitUntil: 'load' });
  const paths = await page.evaluate(() =>
    Array.from(document.querySelectorAll('#sidebar .nav-lessons a'), (a) =>
      new URL(a.href).pathname.replace(/index\.html$/, ''),
    ),
  );
  await context.close();
  return [...new Set(paths)];
}

/** A lesson of the bundled site with an `explore` component. */
const EXPLORE_LESSON = '/calculus/learning-rate/';

/** An explorer: one variant shown at a time, the slider moved by the
 * keyboard shows the next one and says its value. */
async function checkExplore(page, url, { attempt, expect, text }) {
  await attempt('explore: arrow keys on the slider show the next variant and its value', async () => {
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('[data-gb="explore"].gb-ready', { timeout: 5000 });
    const explorer = page.locator('[data-gb="explore"]').first();
    const slider = explorer.locator('input[type=range]');
    const variants = explorer.locator('.gb-variant');
    const shown = () => variants.evaluateAll((vs) => vs.map((v, i) => (v.hidden ? -1 : i)).filter((i) => i >= 0));
    expect(await slider.isVisible(), 'the slider is hidden');
    const label = await explorer.locator(`label[for="${await slider.getAttribute('id')}"]`).innerText();
    expect(label.trim().length > 0, 'the slider has no visible label');
    const start = Number(await slider.inputValue());
    const before = await shown();
    expect(before.length === 1 && before[0] === start, `variants shown before: ${before}, slider at ${start}`);
    expect(start + 1 < (await variants.count()), 'the slider starts at the last value');
    await slider.focus();
    await page.keyboard.press('ArrowRight');
    const after = await shown();
    expect(after.length === 1 && after[0] === start + 1, `variants shown after ArrowRight: ${after}`);
    const value = await variants.nth(start + 1).getAttribute('data-gb-value');
    const output = await text(explorer.locator('output'));
    expect(output === value, `the value next to the slider reads "${output}", want "${value}"`);
    const valuetext = await slider.getAttribute('aria-valuetext');
    expect(valuetext === value, `aria-valuetext is "${valuetext}"`);
    expect(await variants.nth(start + 1).locator('.calc-steps').isVisible(), 'the result of the new value is not shown');
    await page.keyboard.press('End');
    const last = await shown();
    expect(last.length === 1 && last[0] === (await variants.count()) - 1, `End shows ${last}`);
    return `${label.trim()}: ${value}`;
  });
}

/** Executable examples: results with a transcript toggle and a copy
 * button, plots and formulas with a real size. */
async function checkCalc(page, { attempt, expect, text }) {
  const block = page.locator('[data-calc]').first();

  await attempt('calc: the transcript opens and closes by click and by keyboard', async () => {
    const raw = block.locator('details.calc-raw');
    const summary = raw.locator('summary');
    expect(!(await raw.evaluate((d) => d.open)), 'transcript open before asking');
    await summary.click();
    expect(await raw.evaluate((d) => d.open), 'a click did not open the transcript');
    expect(await raw.locator('pre').isVisible(), 'transcript not visible when open');
    await summary.click();
    expect(!(await raw.evaluate((d) => d.open)), 'a click did not close the transcript');
    await summary.focus();
    await page.keyboard.press('Enter');
    expect(await raw.evaluate((d) => d.open), 'Enter did not open the transcript');
    await page.keyboard.press(' ');
    expect(!(await raw.evaluate((d) => d.open)), 'Space did not close the transcript');
    return await text(summary);
  });

  await attempt('calc: the copy button puts the transcript on the clipboard', async () => {
    const button = block.locator('.calc-copy');
    expect(await button.isVisible(), 'copy button hidden');
    const transcript = (await block.locator('details.calc-raw pre').textContent()).trim();
    await button.click();
    await page.waitForFunction((b) => b.getAttribute('data-state'), await button.elementHandle(), { timeout: 2000 });
    const label = await text(button);
    const spoken = await text(block.locator('.calc-copy-status'));
    expect(label === 'Copied', `button reads "${label}" after copying`);
    expect(/copied/i.test(spoken), `screen readers hear "${spoken}"`);
    const clip = await page.evaluate(() => navigator.clipboard.readText().catch((e) => 'ERR ' + e));
    expect(clip.trim() === transcript, `clipboard holds "${clip.slice(0, 60)}", want "${transcript.slice(0, 60)}"`);
    return `"${label}"; ${transcript.split('\n').length} lines copied`;
  });

  await attempt('calc: plots are drawn with a real size', async () => {
    const plots = page.locator('[data-calc] svg.calc-fig');
    const n = await plots.count();
    expect(n > 0, 'no plot on the lesson');
    const sizes = await plots.evaluateAll((svgs) =>
      svgs.map((s) => {
        const r = s.getBoundingClientRect();
        return { w: Math.round(r.width), h: Math.round(r.height), shown: getComputedStyle(s).visibility !== 'hidden' };
      }),
    );
    expect(sizes.every((s) => s.w > 100 && s.h > 60 && s.shown), `plot sizes ${JSON.stringify(sizes)}`);
    return JSON.stringify(sizes);
  });

  await attempt('calc: MathML formulas are laid out with a real size', async () => {
    const sizes = await page.locator('.prose math').evaluateAll((maths) =>
      maths
        .filter((m) => !m.closest('details:not([open])'))
        .map((m) => {
          const r = m.getBoundingClientRect();
          return { w: r.width, h: r.height, tex: (m.textContent || '').slice(0, 20) };
        }),
    );
    expect(sizes.length > 5, `only ${sizes.length} formulas`);
    const empty = sizes.filter((s) => !(s.w > 0 && s.h > 0));
    expect(empty.length === 0, `${empty.length} of ${sizes.length} formulas have no size: ${JSON.stringify(empty.slice(0, 4))}`);
    return `${sizes.length} formulas`;
  });
}
