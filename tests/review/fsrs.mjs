// Unit tests of the review page's scheduler (templates/assets/review-fsrs.js)
// under Node, run by tests/review_fsrs.rs. The expected values were
// computed by hand from the published FSRS-5 formulas with its default
// parameters (worked out below), not by running the script.
//
// Prints one line per passed check and "N checks passed"; exits 1 with the
// failed check on the first failure.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const R = require(path.join(here, '../../templates/assets/review-fsrs.js'));

let passed = 0;
function check(name, fn) {
  try {
    fn();
  } catch (error) {
    console.log(`FAILED ${name}: ${error.message}`);
    process.exit(1);
  }
  passed += 1;
  console.log(`ok ${name}`);
}

const close = (actual, expected, what, eps = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= eps * Math.max(1, Math.abs(expected)), `${what}: ${actual} is not ${expected}`);

const DAY = 86400000;
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

// FSRS-5's published defaults.
const DEFAULTS = [
  0.40255, 1.18385, 3.173, 15.69105, 7.1949, 0.5345, 1.4604, 0.0046, 1.54575, 0.1192, 1.01925,
  1.9395, 0.11, 0.29605, 2.2698, 0.2315, 2.9898, 0.51655, 0.6621,
];

check('the parameters are FSRS-5 defaults', () => {
  assert.deepEqual(R.W, DEFAULTS);
  assert.equal(R.DECAY, -0.5);
  close(R.FACTOR, 19 / 81, 'FACTOR');
});

check('initial stability per grade is w0..w3', () => {
  for (let g = 1; g <= 4; g++) {
    close(R.initStability(g), DEFAULTS[g - 1], `S0(${g})`);
    close(R.review(null, g, T0).stability, DEFAULTS[g - 1], `first review ${g}`);
  }
});

// D0(G) = w4 - e^(w5 (G - 1)) + 1:
//   D0(1) = 7.1949 - 1 + 1 = 7.1949
//   D0(3) = 8.1949 - e^1.069  = 8.1949 - 2.912466 = 5.282434
//   D0(4) = 8.1949 - e^1.6035 = 8.1949 - 4.970399 = 3.224502
check('initial difficulty follows D0(G) = w4 - e^(w5 (G-1)) + 1', () => {
  close(R.initDifficulty(1), 7.1949, 'D0(1)');
  close(R.initDifficulty(3), 5.282434422319005, 'D0(3)');
  close(R.initDifficulty(4), 3.2245015893713678, 'D0(4)');
});

check('R(t, S) is 0.9 after S days and 1 at once', () => {
  close(R.retrievability(0, 7), 1, 'R(0)');
  close(R.retrievability(7, 7), 0.9, 'R(S, S)');
  close(R.retrievability(20, 4), Math.pow(1 + (19 / 81) * 5, -0.5), 'R(20, 4)');
});

// With retention 0.9 the interval is S itself, rounded: Good on a new card
// is round(3.173) = 3 days, Easy round(15.69105) = 16, Hard round(1.18385)
// = 1; Again comes back after ten minutes.
check('a new card: Good in 3 days, Easy in 16, Hard in 1, Again in 10 minutes', () => {
  const waits = R.preview(null, T0);
  assert.deepEqual(waits, [10 * 60000, 1 * DAY, 3 * DAY, 16 * DAY]);
  const good = R.review(null, 3, T0);
  assert.equal(good.due, T0 + 3 * DAY);
  assert.equal(good.state, 'review');
  assert.equal(good.reps, 1);
  const again = R.review(null, 1, T0);
  assert.equal(again.state, 'learning');
  assert.equal(again.due, T0 + 10 * 60000);
  assert.equal(R.describeWait(waits[3]), '16 days');
  assert.equal(R.describeWait(waits[0]), '10 min');
  assert.equal(R.describeWait(R.DAY - 60000), '1 day');
  assert.equal(R.describeWait(5 * 3600000), '5 h');
  assert.equal(R.describeWait(400 * R.DAY), '1.1 years');
});

// A sequence: new, Good; Good 3 days later; Again 11 days after that; Good
// ten minutes later.
//
// 1. S1 = w2 = 3.173, D1 = D0(3) = 5.282434.
// 2. t = 3: R = (1 + 19/81 * 3/3.173)^-0.5 = 1.221775^-0.5 = 0.904698.
//    S2 = S1 (e^w8 (11 - D1) S1^-w9 (e^(w10 (1 - R)) - 1) + 1)
//       = 3.173 (4.691968 * 5.717566 * 0.871414 * 0.102011 + 1) = 10.738926
//    D2: D1 - w6 (3 - 3) (...) = D1, then mean reversion
//       0.0046 * D0(4) + 0.9954 * D1 = 0.014833 + 5.258135 = 5.272968
//    interval round(10.738926) = 11 days.
// 3. t = 11: R = (1 + 19/81 * 11/10.738926)^-0.5 = 0.897929.
//    S3 = w11 D2^-w12 ((S2 + 1)^w13 - 1) e^(w14 (1 - R))
//       = 1.9395 * 0.832864 * 1.073306 * 1.260718 = 2.185775 (< S2, kept)
//    D3: delta = -w6 (1 - 3) = 2.9208, damped by (10 - D2)/9 = 0.525226:
//       D2 + 1.534079 = 6.807047; reverted: 0.0046 * 3.224502
//       + 0.9954 * 6.807049 = 6.790568. Lapses 1, state relearning.
// 4. ten minutes later (same day): S4 = S3 e^(w17 (3 - 3 + w18))
//       = 2.185775 * e^0.342008 = 2.185775 * 1.407771 = 3.077071; D4 = 0.0046 * 3.224502
//       + 0.9954 * 6.790568 = 6.774164; interval round(3.077071) = 3 days.
check('a sequence of reviews matches the hand-computed values', () => {
  const c1 = R.review(null, 3, T0);
  close(c1.stability, 3.173, 'S1');
  close(c1.difficulty, 5.282434422319005, 'D1');
  const t2 = c1.due;
  assert.equal(t2, T0 + 3 * DAY);
  const c2 = R.review(c1, 3, t2);
  close(c2.stability, 10.73892584613159, 'S2', 1e-6);
  close(c2.difficulty, 5.272967931287446, 'D2', 1e-6);
  assert.equal(c2.due, t2 + 11 * DAY);
  const c3 = R.review(c2, 1, c2.due);
  close(c3.stability, 2.185775232039225, 'S3', 1e-6);
  close(c3.difficulty, 6.790567694566929, 'D3', 1e-6);
  assert.equal(c3.lapses, 1);
  assert.equal(c3.state, 'relearning');
  assert.equal(c3.due, c2.due + 10 * 60000);
  const c4 = R.review(c3, 3, c3.due);
  close(c4.stability, 3.077071453551091, 'S4', 1e-6);
  close(c4.difficulty, 6.774163790483029, 'D4', 1e-6);
  assert.equal(c4.due, c3.due + 3 * DAY);
  assert.equal(c4.reps, 4);
  assert.equal(c4.state, 'review');
});

// After the first Good (S = 3.173, D = 5.282434) and 3 days, Hard gets the
// penalty w15 = 0.2315 and Easy the bonus w16 = 2.9898 on the growth term
// 2.384471: S = 3.173 (1 + 0.2315 * 2.384447) = 4.924512 (5 days) and
// 3.173 (1 + 2.9898 * 2.384447) = 25.793605 (26 days).
check('Hard and Easy after a review take the penalty and the bonus', () => {
  const c1 = R.review(null, 3, T0);
  const waits = R.preview(c1, c1.due).map((ms) => ms / DAY);
  assert.deepEqual(waits.slice(1), [5, 11, 26]);
  close(R.review(c1, 2, c1.due).stability, 4.924511833379462, 'hard', 1e-6);
  close(R.review(c1, 4, c1.due).stability, 25.79360509476422, 'easy', 1e-6);
});

check('difficulty stays within 1 and 10', () => {
  let card = null;
  for (let i = 0; i < 30; i++) card = R.review(card, 1, T0 + i * DAY * 2);
  assert.ok(card.difficulty <= 10 && card.difficulty > 9.5, String(card.difficulty));
  for (let i = 0; i < 60; i++) card = R.review(card, 4, card.due);
  assert.ok(card.difficulty >= 1, String(card.difficulty));
  assert.ok(card.stability <= 36500);
});

check('stored state is read entry by entry, bad entries dropped', () => {
  const good = R.review(null, 3, T0);
  const read = R.fromJson({
    version: 1,
    newPerDay: 7,
    cards: {
      'a/#one': good,
      'a/#two': { ...good, due: 'soon' },
      'a/#three': { ...good, difficulty: 11 },
      'a/#four': { ...good, state: 'new' },
      'no-hash': good,
    },
  });
  // A key that is an object's prototype elsewhere is only a key here.
  const proto = R.parse('{"version":1,"cards":{"__proto__":{},"a/#__proto__":' + JSON.stringify(good) + '}}');
  assert.deepEqual(Object.keys(proto.state.cards), ['a/#__proto__']);
  assert.equal(proto.dropped, 1);
  assert.equal(read.valid, true);
  assert.equal(read.kept, 1);
  assert.equal(read.dropped, 4);
  assert.equal(read.state.newPerDay, 7);
  assert.deepEqual(Object.keys(read.state.cards), ['a/#one']);
  for (const bad of ['', '{', 'null', '[]', '{"version":2,"cards":{"a/#x":{}}}', '{"version":1,"cards":[1]}']) {
    const r = R.parse(bad);
    assert.equal(Object.keys(r.state.cards).length, 0, bad);
    assert.equal(r.state.newPerDay, 20, bad);
  }
  assert.equal(R.parse('{"version":2,"cards":{"a/#x":{}}}').valid, false);
});

check('merging keeps the latest review of each card', () => {
  const older = R.review(null, 3, T0);
  const newer = R.review(null, 1, T0 + DAY);
  const here = R.empty();
  here.cards['a/#x'] = newer;
  here.cards['a/#y'] = older;
  const there = R.empty();
  there.cards['a/#x'] = older;
  there.cards['a/#y'] = newer;
  there.cards['a/#z'] = older;
  assert.equal(R.merge(here, there), 2);
  assert.equal(here.cards['a/#x'], newer);
  assert.equal(here.cards['a/#y'], newer);
  assert.equal(here.cards['a/#z'], older);
});

check('due cards: reviews on their day, learning cards a little ahead', () => {
  const good = R.review(null, 3, T0);
  assert.equal(R.isDue(good, T0), false);
  assert.equal(R.isDue(good, good.due - 60000), true);
  const again = R.review(null, 1, T0);
  assert.equal(R.isDue(again, T0), true);
  assert.equal(R.isDue({ ...again, due: T0 + 3600000 }, T0), false);
  const state = R.empty();
  state.cards['a/#x'] = good;
  state.cards['a/#y'] = again;
  assert.equal(R.dueCount(state, T0), 1);
  state.newPerDay = 5;
  state.today = { date: R.dayOf(T0), new: 2 };
  assert.equal(R.newLeft(state, T0), 3);
  assert.equal(R.newLeft(state, T0 + DAY), 5);
});

console.log(`${passed} checks passed`);
