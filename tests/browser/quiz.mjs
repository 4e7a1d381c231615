// Drives headless Chromium over the quiz fixture (tests/fixtures/quiz/site)
// and proves that a reader can take a quiz: a wrong choice says "not
// quite" and shows the explanation, a right one says so; typed numbers,
// `~` numbers and expressions are graded against the key computed at build
// time (`w*2` for 2*w); an unreadable input is told so, not marked wrong;
// results survive a reload and reach the sidebar's progress; the keyboard
// alone can answer, with a visible focus; the page has no axe-core
// violations before or after use, in both themes; and without JavaScript
// the answers and explanations are there to open.
//
// Usage: node quiz.mjs <lesson-url>
// Prints one JSON object per check and a closing {"done": true, …} line.

import { attempt, expect, finish, launch, text } from './harness.mjs';
import { axeViolations } from './axe.mjs';

const [lessonUrl] = process.argv.slice(2);
if (!lessonUrl) {
  console.error('usage: node quiz.mjs <lesson-url>');
  process.exit(2);
}
const lessonPath = new URL(lessonUrl).pathname;
const errors = [];
const browser = await launch();

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !(message.location().url || '').endsWith('/favicon.ico')) {
      errors.push(message.text());
    }
  });
  await page.goto(lessonUrl, { waitUntil: 'load' });
  await page.waitForSelector('[data-gb="quiz"] [data-gb-check]', { state: 'visible', timeout: 5000 });

  const quiz = page.locator('[data-gb="quiz"]');
  const question = (n) => quiz.locator('.gb-quiz-q').nth(n);
  const feedback = (n) => text(question(n).locator('[data-gb-feedback]'));
  const check = (n) => question(n).locator('[data-gb-check]').click();
  const retry = (n) => question(n).locator('[data-gb-retry]').click();
  const type = async (n, value) => {
    await question(n).locator('[data-gb-input]').fill(value);
    await check(n);
  };
  const score = () => text(quiz.locator('[data-gb-score]'));

  await attempt('quiz: the script hides the answers until a question is checked', async () => {
    const keys = await quiz.locator('[data-gb-key]').count();
    const hidden = await quiz.locator('[data-gb-key]:visible').count();
    expect(keys === 6 && hidden === 0, `${keys} keys, ${hidden} visible`);
    const s = await score();
    expect(s === '0 of 6 answered right', `score reads "${s}"`);
    return s;
  });

  await attempt('quiz: a wrong choice says not quite and shows the explanation', async () => {
    await question(0).locator('label', { hasText: '9' }).click();
    await check(0);
    const said = await feedback(0);
    expect(said.startsWith('Not quite.'), `feedback "${said}"`);
    const explanation = question(0).locator('.gb-quiz-explanation');
    expect(await explanation.isVisible(), 'explanation hidden after a wrong answer');
    expect(!(await question(0).locator('[data-gb-answer]').isVisible()), 'the answer is given away');
    expect((await question(0).getAttribute('data-state')) === 'wrong', 'not marked wrong');
    const retryButton = question(0).locator('[data-gb-retry]');
    expect(await retryButton.evaluate((b) => b === document.activeElement), 'focus is not on "Try again"');
    return said;
  });

  await attempt('quiz: after a retry the right choice is right and counts', async () => {
    await retry(0);
    expect(!(await question(0).locator('[data-gb-key]').isVisible()), 'explanation still shown after retry');
    await question(0).locator('label', { hasText: '6' }).click();
    await check(0);
    const said = await feedback(0);
    expect(said === 'Right!', `feedback "${said}"`);
    expect(await question(0).locator('[data-gb-answer]').isVisible(), 'answer not shown when right');
    const s = await score();
    expect(s === '1 of 6 answered right', `score reads "${s}"`);
    return s;
  });

  await attempt('quiz: a typed number is graded with the number rule', async () => {
    await type(1, '5');
    const wrong = await feedback(1);
    expect(wrong.startsWith('Not quite.'), `5: "${wrong}"`);
    await retry(1);
    await question(1).locator('[data-gb-input]').fill('2*2');
    await question(1).locator('[data-gb-input]').press('Enter');
    const right = await feedback(1);
    expect(right === 'Right!', `2*2 (by Enter): "${right}"`);
    return `${wrong} / ${right}`;
  });

  await attempt('quiz: a typed expression matches as a function (w*2 for 2*w)', async () => {
    await type(2, 'w**2');
    const wrong = await feedback(2);
    expect(wrong.startsWith('Not quite.'), `w**2: "${wrong}"`);
    await retry(2);
    await type(2, 'w*2');
    const right = await feedback(2);
    expect(right === 'Right!', `w*2: "${right}"`);
    return right;
  });

  await attempt('quiz: unreadable input is explained, not marked wrong', async () => {
    await retry(2);
    await type(2, '2w');
    const said = await feedback(2);
    expect(said.startsWith('I could not read that'), `2w: "${said}"`);
    expect(said.includes('2*w'), `no hint in "${said}"`);
    expect((await question(2).getAttribute('data-state')) === 'unread', 'marked as graded');
    expect(await question(2).locator('[data-gb-check]').isVisible(), 'cannot check again');
    await type(2, 'x + 1');
    const other = await feedback(2);
    expect(other.includes('not a variable here') && other.includes('use w'), `x + 1: "${other}"`);
    await type(2, 'w + w');
    const right = await feedback(2);
    expect(right === 'Right!', `w + w: "${right}"`);
    return said;
  });

  await attempt('quiz: a ~ answer accepts what rounds to it', async () => {
    await type(3, '0.88');
    const wrong = await feedback(3);
    expect(wrong.startsWith('Not quite.'), `0.88: "${wrong}"`);
    await retry(3);
    await type(3, '0.8808');
    const right = await feedback(3);
    expect(right === 'Right!', `0.8808: "${right}"`);
    return right;
  });

  await attempt('quiz: select all that apply needs every right choice', async () => {
    const boxes = await question(4).locator('input[type="checkbox"]').count();
    expect(boxes === 4, `${boxes} checkboxes`);
    await question(4).locator('label', { hasText: 'w = 1' }).click();
    await check(4);
    const partial = await feedback(4);
    expect(partial.startsWith('Not quite.'), `one of two: "${partial}"`);
    await retry(4);
    await question(4).locator('label', { hasText: 'w = 3' }).click();
    await check(4);
    const right = await feedback(4);
    expect(right === 'Right!', `both: "${right}"`);
    return right;
  });

  await attempt('quiz: the descent step lands at the computed 2.4', async () => {
    await type(5, '2.4');
    const said = await feedback(5);
    expect(said === 'Right!', `2.4: "${said}"`);
    const s = await score();
    expect(s === '6 of 6 answered right', `score reads "${s}"`);
    return s;
  });

  await attempt('quiz: the reader side of the parser follows the calc language', async () => {
    const results = await page.evaluate(() => {
      const q = window.gradbookQuiz;
      const at = (src, w) => q.evaluate(q.parse(src, ['w']), [w]);
      return [
        at('-w**2', 3),
        at('2**3**2', 0),
        at('2^-1', 0),
        at('sigmoid(0) + relu(-w) + abs(-2)', 1),
        at('exp(log(w)) * sqrt(4) - tanh(0)', 5),
        at('e**0 + pi - pi', 0),
        at('2*-3', 0),
        at('log(0 - w)', 1),
      ];
    });
    const want = [-9, 512, 0.5, 2.5, 10, 1, -6, null];
    const same = results.every((r, i) => (want[i] === null ? r === null || Number.isNaN(r) : Math.abs(r - want[i]) < 1e-12));
    expect(same, `got ${JSON.stringify(results)}`);
    return JSON.stringify(results);
  });

  await attempt('quiz: results survive a reload and show in the sidebar', async () => {
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('[data-gb="quiz"] [data-gb-retry]', { state: 'visible', timeout: 5000 });
    const s = await score();
    expect(s === '6 of 6 answered right', `score after reload "${s}"`);
    const said = await feedback(0);
    expect(said.startsWith('Right'), `first question after reload: "${said}"`);
    expect(await question(0).locator('input[value="2"]').isChecked(), 'choice not restored');
    expect((await question(2).locator('[data-gb-input]').inputValue()) === 'w + w', 'typed answer not restored');
    const stored = await page.evaluate((p) => JSON.parse(localStorage.getItem('gradbook:quiz:' + p)), lessonPath);
    expect(stored && stored.summary && stored.summary.right === 6, `stored ${JSON.stringify(stored)}`);
    const sidebar = await text(page.locator(`.nav-progress[data-progress-page="${lessonPath}"]`));
    expect(sidebar.includes('6/6 questions right'), `sidebar reads "${sidebar}"`);
    return sidebar;
  });

  await attempt('quiz: clearing answers resets the score', async () => {
    await quiz.locator('[data-gb-reset]').click();
    const s = await score();
    expect(s === '0 of 6 answered right', `score reads "${s}"`);
    expect(!(await question(0).locator('input[value="2"]').isChecked()), 'choice still picked');
    return s;
  });

  await attempt('quiz: the keyboard alone answers a question, with a visible focus', async () => {
    await question(0).locator('input[type="radio"]').first().focus();
    await page.keyboard.press('ArrowDown');
    expect(await question(0).locator('input[value="2"]').isChecked(), 'an arrow key did not pick the next choice');
    await page.keyboard.press('Tab');
    const onCheck = await page.evaluate(() => document.activeElement.hasAttribute('data-gb-check'));
    expect(onCheck, 'Tab from the choices does not reach Check');
    await page.keyboard.press('Enter');
    const said = await feedback(0);
    expect(said === 'Right!', `feedback "${said}"`);
    const focus = await page.evaluate(() => {
      const el = document.activeElement;
      return `${el.hasAttribute('data-gb-retry')} ${getComputedStyle(el).outlineStyle}`;
    });
    expect(focus === 'true solid', `focus after Check: ${focus}`);
    return said;
  });

  for (const scheme of ['light', 'dark']) {
    await attempt(`quiz: axe finds no violations on the quiz page (${scheme})`, async () => {
      const view = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
      const p = await view.newPage();
      await p.goto(lessonUrl, { waitUntil: 'load' });
      await p.waitForSelector('[data-gb="quiz"] [data-gb-check]', { state: 'visible' });
      const before = await axeViolations(p);
      // Use it: one wrong, one right, one unreadable.
      const qs = p.locator('.gb-quiz-q');
      await qs.nth(0).locator('label', { hasText: '9' }).click();
      await qs.nth(0).locator('[data-gb-check]').click();
      await qs.nth(1).locator('[data-gb-input]').fill('4');
      await qs.nth(1).locator('[data-gb-check]').click();
      await qs.nth(2).locator('[data-gb-input]').fill('((');
      await qs.nth(2).locator('[data-gb-check]').click();
      const after = await axeViolations(p);
      await view.close();
      expect(before.length === 0 && after.length === 0, [...before, ...after].join(' ## '));
      return 'before and after use';
    });
  }

  await attempt('quiz: without JavaScript the answers and explanations open from details', async () => {
    const view = await browser.newContext({ javaScriptEnabled: false });
    const p = await view.newPage();
    await p.goto(lessonUrl, { waitUntil: 'load' });
    const checks = await p.locator('[data-gb="quiz"] [data-gb-check]:visible').count();
    expect(checks === 0, `${checks} Check buttons visible without JavaScript`);
    const summaries = p.locator('[data-gb="quiz"] details.gb-quiz-key > summary');
    expect((await summaries.count()) === 6, 'not one answer per question');
    await summaries.first().click();
    const answer = await text(p.locator('[data-gb-answer]').first());
    expect(answer === 'Answer: 6', `answer reads "${answer}"`);
    await view.close();
    return answer;
  });

  await attempt('quiz: no script errors', async () => {
    expect(errors.length === 0, errors.join(' | '));
  });
} finally {
  await browser.close();
}
finish();
