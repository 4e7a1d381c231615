/* gradbook review: the FSRS-5 scheduler, the stored review state and the
 * header's count of due cards.
 *
 * Loaded on every page of a site with flashcards: the review page
 * (review.js) schedules with it, a lesson's "Know it" / "Again" marks
 * (components.js) record reviews through it, and every page's header shows
 * how many cards are due. Plain JavaScript, no dependencies; under Node it
 * exports the same object (tests/review_fsrs.rs tests it there).
 *
 * The scheduler is FSRS-5 with its published default parameters and a
 * desired retention of 0.9 (see docs/SPEC.md, "The review page"). Its state
 * lives in localStorage under "gradbook:review":
 *   { version: 1, newPerDay: 20, today: { date: "YYYY-MM-DD", new: 3 },
 *     cards: { "<lesson url>#<card id>": { due, stability, difficulty,
 *              reps, lapses, last, state, grade } } }
 * with times in milliseconds since 1970 (UTC). Whatever does not have that
 * shape is dropped entry by entry when read, never trusted. */
(function (root) {
  'use strict';

  var KEY = 'gradbook:review';
  var VERSION = 1;
  var MINUTE = 60 * 1000;
  var DAY = 24 * 60 * MINUTE;
  /* FSRS-5's default parameters w0..w18. */
  var W = [
    0.40255, 1.18385, 3.173, 15.69105, 7.1949, 0.5345, 1.4604, 0.0046, 1.54575, 0.1192,
    1.01925, 1.9395, 0.11, 0.29605, 2.2698, 0.2315, 2.9898, 0.51655, 0.6621
  ];
  var DECAY = -0.5;
  /* Chosen so that R(S, S) = 0.9: 0.9^(1/DECAY) - 1 = 19/81. */
  var FACTOR = 19 / 81;
  var RETENTION = 0.9;
  var MAX_DAYS = 36500;
  /* A card answered Again comes back after this long. */
  var AGAIN_STEP = 10 * MINUTE;
  /* Cards in (re)learning are shown up to this long before they are due,
   * as Anki's "learn ahead" does, so a session does not stall on them. */
  var LEARN_AHEAD = 20 * MINUTE;
  var STATES = ['learning', 'review', 'relearning'];
  var GRADES = ['Again', 'Hard', 'Good', 'Easy'];
  var DEFAULT_NEW_PER_DAY = 20;

  function clamp(x, lo, hi) {
    return Math.min(hi, Math.max(lo, x));
  }

  /* ---- the model ------------------------------------------------------ */

  /* Probability of recall t days after a review, for stability S. */
  function retrievability(t, s) {
    return Math.pow(1 + (FACTOR * t) / s, DECAY);
  }

  /* Days until recall falls to the desired retention, whole, at least 1. */
  function intervalDays(s) {
    var days = (s / FACTOR) * (Math.pow(RETENTION, 1 / DECAY) - 1);
    return clamp(Math.round(days), 1, MAX_DAYS);
  }

  function initStability(g) {
    return W[g - 1];
  }

  function initDifficulty(g) {
    return clamp(W[4] - Math.exp(W[5] * (g - 1)) + 1, 1, 10);
  }

  /* Difficulty moves by -w6 (G - 3), damped as it nears 10, then reverts
   * a little (w7) towards the initial difficulty of an Easy card. */
  function nextDifficulty(d, g) {
    var moved = d - W[6] * (g - 3) * ((10 - d) / 9);
    var target = W[4] - Math.exp(W[5] * 3) + 1;
    return clamp(W[7] * target + (1 - W[7]) * moved, 1, 10);
  }

  /* Stability after a successful review (Hard, Good or Easy). */
  function recallStability(d, s, r, g) {
    var hard = g === 2 ? W[15] : 1;
    var easy = g === 4 ? W[16] : 1;
    var growth =
      Math.exp(W[8]) * (11 - d) * Math.pow(s, -W[9]) * (Math.exp(W[10] * (1 - r)) - 1);
    return s * (growth * hard * easy + 1);
  }

  /* Stability after a lapse (Again), never above the stability before. */
  function forgetStability(d, s, r) {
    var after =
      W[11] * Math.pow(d, -W[12]) * (Math.pow(s + 1, W[13]) - 1) * Math.exp(W[14] * (1 - r));
    return Math.min(after, s);
  }

  /* Stability after a second review on the same day. */
  function shortTermStability(s, g) {
    return s * Math.exp(W[17] * (g - 3 + W[18]));
  }

  /* The card after grade `g` (1 Again .. 4 Easy) at time `now`; `card` is
   * null for a card never reviewed. */
  function review(card, g, now) {
    var s;
    var d;
    var lapses = card ? card.lapses : 0;
    if (!card) {
      s = initStability(g);
      d = initDifficulty(g);
    } else {
      var days = Math.max(0, (now - card.last) / DAY);
      if (days < 1) {
        s = shortTermStability(card.stability, g);
      } else {
        var r = retrievability(days, card.stability);
        s =
          g === 1
            ? forgetStability(card.difficulty, card.stability, r)
            : recallStability(card.difficulty, card.stability, r, g);
      }
      d = nextDifficulty(card.difficulty, g);
      if (g === 1 && card.state === 'review') lapses += 1;
    }
    s = clamp(s, 0.001, MAX_DAYS);
    var state;
    var due;
    if (g === 1) {
      state = card && card.state !== 'learning' ? 'relearning' : 'learning';
      due = now + AGAIN_STEP;
    } else {
      state = 'review';
      due = now + intervalDays(s) * DAY;
    }
    return {
      due: due,
      stability: s,
      difficulty: d,
      reps: (card ? card.reps : 0) + 1,
      lapses: lapses,
      last: now,
      state: state,
      grade: g
    };
  }

  /* How long until the card is due after each grade, in milliseconds. */
  function preview(card, now) {
    return [1, 2, 3, 4].map(function (g) {
      return review(card, g, now).due - now;
    });
  }

  /* "10 min", "1 day", "12 days", "3.5 months", "2.1 years". */
  function describeWait(ms) {
    var minutes = Math.max(1, Math.round(ms / MINUTE));
    if (minutes < 60) return minutes + ' min';
    var hours = Math.round(ms / (60 * MINUTE));
    if (hours < 24) return hours + ' h';
    var days = Math.max(1, Math.round(ms / DAY));
    if (days < 31) return days === 1 ? '1 day' : days + ' days';
    if (days < 365) return (days / 30.44).toFixed(1) + ' months';
    return (days / 365.25).toFixed(1) + ' years';
  }

  /* ---- the stored state ----------------------------------------------- */

  function isRecord(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  }

  function finite(x) {
    return typeof x === 'number' && isFinite(x);
  }

  function count(x) {
    return finite(x) && x >= 0 && Math.floor(x) === x;
  }

  /* A stored card as the scheduler needs it, or null when any field is
   * missing or out of range. */
  function cleanCard(c) {
    if (!isRecord(c)) return null;
    var ok =
      finite(c.due) &&
      finite(c.last) &&
      finite(c.stability) &&
      c.stability > 0 &&
      c.stability <= MAX_DAYS &&
      finite(c.difficulty) &&
      c.difficulty >= 1 &&
      c.difficulty <= 10 &&
      count(c.reps) &&
      count(c.lapses) &&
      STATES.indexOf(c.state) >= 0 &&
      (c.grade === 1 || c.grade === 2 || c.grade === 3 || c.grade === 4);
    if (!ok) return null;
    return {
      due: c.due,
      stability: c.stability,
      difficulty: c.difficulty,
      reps: c.reps,
      lapses: c.lapses,
      last: c.last,
      state: c.state,
      grade: c.grade
    };
  }

  function empty() {
    return {
      version: VERSION,
      newPerDay: DEFAULT_NEW_PER_DAY,
      today: { date: '', new: 0 },
      cards: Object.create(null)
    };
  }

  /* Reads a state from parsed JSON, keeping every well-formed part; says
   * how many card entries were dropped. Another version's data is not
   * read at all (`dropped` counts its cards). */
  function fromJson(data) {
    var state = empty();
    var result = { state: state, kept: 0, dropped: 0, valid: false };
    if (!isRecord(data)) return result;
    var cards = isRecord(data.cards) ? data.cards : {};
    if (data.version !== VERSION) {
      result.dropped = Object.keys(cards).length;
      return result;
    }
    result.valid = true;
    if (count(data.newPerDay) && data.newPerDay <= 9999) state.newPerDay = data.newPerDay;
    if (isRecord(data.today) && typeof data.today.date === 'string' && count(data.today.new)) {
      state.today = { date: data.today.date, new: data.today.new };
    }
    Object.keys(cards).forEach(function (key) {
      var card = key.indexOf('#') > 0 ? cleanCard(cards[key]) : null;
      if (card) {
        state.cards[key] = card;
        result.kept += 1;
      } else {
        result.dropped += 1;
      }
    });
    return result;
  }

  function parse(text) {
    try {
      return fromJson(JSON.parse(text));
    } catch (e) {
      return fromJson(null);
    }
  }

  /* What this page saved, for when storage is disabled or full. */
  var memory = null;

  function storage() {
    try {
      return root.localStorage || null;
    } catch (e) {
      return null;
    }
  }

  function load() {
    if (memory !== null) return parse(memory).state;
    var store = storage();
    var raw = null;
    try {
      raw = store ? store.getItem(KEY) : null;
    } catch (e) {
      raw = null;
    }
    return parse(raw || '{}').state;
  }

  function save(state) {
    var text = JSON.stringify(state);
    memory = text;
    var store = storage();
    try {
      if (store) {
        store.setItem(KEY, text);
        memory = null;
      }
    } catch (e) {
      /* Storage full or disabled: this page keeps it in memory. */
    }
    showBadges();
  }

  /* The local date of `now`, "YYYY-MM-DD". */
  function dayOf(now) {
    var t = new Date(now);
    var pad = function (n) {
      return (n < 10 ? '0' : '') + n;
    };
    return t.getFullYear() + '-' + pad(t.getMonth() + 1) + '-' + pad(t.getDate());
  }

  /* Midnight at the start of the day after `now`, local time. */
  function tomorrow(now) {
    var t = new Date(now);
    return new Date(t.getFullYear(), t.getMonth(), t.getDate() + 1).getTime();
  }

  /* Whether a scheduled card is due: a card in review on its due day, a
   * card in (re)learning a little ahead of its due time. */
  function isDue(card, now) {
    if (card.state === 'review') return card.due < tomorrow(now);
    return card.due <= now + LEARN_AHEAD;
  }

  /* New cards that may still be started today. */
  function newLeft(state, now) {
    var used = state.today.date === dayOf(now) ? state.today.new : 0;
    return Math.max(0, state.newPerDay - used);
  }

  /* Records grade `g` for the card `key` and saves; returns the card. */
  function record(key, g, now) {
    now = now === undefined ? Date.now() : now;
    var state = load();
    var before = state.cards[key] || null;
    if (!before) {
      var date = dayOf(now);
      if (state.today.date !== date) state.today = { date: date, new: 0 };
      state.today.new += 1;
    }
    state.cards[key] = review(before, g, now);
    save(state);
    return state.cards[key];
  }

  function dueCount(state, now) {
    var n = 0;
    Object.keys(state.cards).forEach(function (key) {
      if (isDue(state.cards[key], now)) n += 1;
    });
    return n;
  }

  /* Merges `incoming` cards into `state`: the more recently reviewed
   * record of each card wins. Returns how many were taken. */
  function merge(state, incoming) {
    var taken = 0;
    Object.keys(incoming.cards).forEach(function (key) {
      var here = state.cards[key];
      var there = incoming.cards[key];
      if (!here || there.last > here.last) {
        state.cards[key] = there;
        taken += 1;
      }
    });
    return taken;
  }

  /* ---- the header badge ------------------------------------------------ */

  function showBadges() {
    if (!root.document) return;
    var n = dueCount(load(), Date.now());
    var badges = root.document.querySelectorAll('[data-gb-review-due]');
    Array.prototype.forEach.call(badges, function (badge) {
      badge.hidden = n === 0;
      badge.textContent = n + ' due';
    });
  }

  var api = {
    KEY: KEY,
    VERSION: VERSION,
    W: W,
    DECAY: DECAY,
    FACTOR: FACTOR,
    DAY: DAY,
    MINUTE: MINUTE,
    GRADES: GRADES,
    retrievability: retrievability,
    intervalDays: intervalDays,
    initStability: initStability,
    initDifficulty: initDifficulty,
    nextDifficulty: nextDifficulty,
    recallStability: recallStability,
    forgetStability: forgetStability,
    shortTermStability: shortTermStability,
    review: review,
    preview: preview,
    describeWait: describeWait,
    cleanCard: cleanCard,
    fromJson: fromJson,
    parse: parse,
    empty: empty,
    load: load,
    save: save,
    dayOf: dayOf,
    isDue: isDue,
    newLeft: newLeft,
    record: record,
    dueCount: dueCount,
    merge: merge,
    showBadges: showBadges
  };

  if (typeof module === 'object' && module.exports) module.exports = api;
  root.gradbookReview = api;

  if (root.document) {
    if (root.document.readyState === 'loading') {
      root.document.addEventListener('DOMContentLoaded', showBadges);
    } else {
      showBadges();
    }
    root.addEventListener('storage', function (event) {
      if (!event.key || event.key === KEY) showBadges();
    });
  }
})(typeof window !== 'undefined' ? window : globalThis);
