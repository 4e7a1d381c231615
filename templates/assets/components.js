/* gradbook learning components: flashcards, reorder exercises, checklists
 * (quizzes are in quiz.js) and the per-lesson progress shown on the index and in the sidebar.
 *
 * Plain JavaScript, no dependencies, nothing loaded from anywhere. The
 * HTML written by the site is complete without this file; the script adds
 * behaviour, reveals the controls marked `data-gb-js`, and keeps progress
 * in localStorage under "gradbook:progress:<page path>" as
 *   { cards: { <card id>: { f: 1, m: "known" | "again" } },
 *     tasks: { <task id>: true | false },
 *     summary: { cards, flipped, known, tasks, done } }
 * where ids are derived from each card's or task's text at build time. */
(function () {
  'use strict';

  var PREFIX = 'gradbook:progress:';
  /* Quiz results are kept by quiz.js under their own key. */
  var QUIZ_PREFIX = 'gradbook:quiz:';

  function $$(root, selector) {
    return Array.prototype.slice.call(root.querySelectorAll(selector));
  }

  /* What this page saved, so the page keeps working when storage is
   * disabled or full (it just forgets on reload). */
  var memory = {};

  function isRecord(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  }

  function count(value) {
    return typeof value === 'number' && isFinite(value) && value > 0 ? Math.floor(value) : 0;
  }

  /* A page's saved state, rebuilt from what storage holds and keeping only
   * what has the expected shape: anything else (an old format, a hand
   * edit, another script's data) is dropped, and overwritten by the next
   * save, so a bad entry can never make the page throw. Maps have no
   * prototype, so an id like "__proto__" is only an id. */
  function load(page) {
    var raw = memory[page];
    if (raw === undefined) {
      try {
        raw = window.localStorage.getItem(PREFIX + page);
      } catch (e) {
        raw = null;
      }
    }
    var saved;
    try {
      saved = JSON.parse(raw || '{}');
    } catch (e) {
      saved = null;
    }
    if (!isRecord(saved)) saved = {};
    var state = { cards: Object.create(null), tasks: Object.create(null), summary: null };
    if (isRecord(saved.cards)) {
      Object.keys(saved.cards).forEach(function (id) {
        var c = saved.cards[id];
        if (!isRecord(c)) return;
        var card = {};
        if (c.f) card.f = 1;
        if (c.m === 'known' || c.m === 'again') card.m = c.m;
        state.cards[id] = card;
      });
    }
    if (isRecord(saved.tasks)) {
      Object.keys(saved.tasks).forEach(function (id) {
        if (typeof saved.tasks[id] === 'boolean') state.tasks[id] = saved.tasks[id];
      });
    }
    if (isRecord(saved.summary)) {
      var s = saved.summary;
      state.summary = {
        cards: count(s.cards),
        flipped: count(s.flipped),
        known: count(s.known),
        tasks: count(s.tasks),
        done: count(s.done)
      };
    }
    return state;
  }

  /* Saves a page's state with a fresh summary of everything on this page. */
  function save(page, state) {
    var summary = { cards: 0, flipped: 0, known: 0, tasks: 0, done: 0 };
    $$(document, '[data-gb-page]').forEach(function (root) {
      if (root.getAttribute('data-gb-page') !== page) return;
      $$(root, '.gb-card[data-card-id]').forEach(function (card) {
        var c = state.cards[card.getAttribute('data-card-id')];
        summary.cards += 1;
        if (c && c.f) summary.flipped += 1;
        if (c && c.m === 'known') summary.known += 1;
      });
      $$(root, '.gb-tick[data-task-id]').forEach(function (box) {
        summary.tasks += 1;
        if (box.checked) summary.done += 1;
      });
    });
    state.summary = summary;
    memory[page] = JSON.stringify(state);
    try {
      window.localStorage.setItem(PREFIX + page, memory[page]);
    } catch (e) {
      /* Storage full or disabled: the page still works, it just forgets. */
    }
    showProgress();
  }

  /* A mark counts as a review on the site's review page (review-fsrs.js,
   * loaded on every page of a site with one): "Know it" as Good, "Again"
   * as Again, for the card "<lesson url>#<card id>". */
  function recordReview(page, id, mark) {
    var review = window.gradbookReview;
    if (!review) return;
    try {
      review.record(page.replace(/^\//, '') + '#' + id, mark === 'known' ? 3 : 1);
    } catch (e) {
      /* The page's own marks are saved already; the review state is not
       * worth breaking them for. */
    }
  }

  function reveal(root) {
    $$(root, '[data-gb-js]').forEach(function (el) {
      el.hidden = false;
    });
    root.classList.add('gb-ready');
  }

  function setMeter(root, done, total, text) {
    var meter = root.querySelector('.gb-meter');
    if (meter) {
      meter.setAttribute('aria-valuenow', String(done));
      meter.setAttribute('aria-valuetext', text);
      var fill = meter.querySelector('.gb-meter-fill');
      if (fill) fill.style.width = (total ? (100 * done) / total : 0) + '%';
    }
    var count = root.querySelector('[data-gb-count]');
    if (count) count.textContent = text;
  }

  /* Ignore clicks meant for something inside a card (a link, a button,
   * a bit of text being selected). */
  function isOwnClick(event) {
    if (event.target.closest('a, button, input, select, textarea, summary, label')) return false;
    var selection = window.getSelection && window.getSelection();
    return !(selection && String(selection).length > 0 && selection.type === 'Range');
  }

  /* ---- flashcards ---------------------------------------------------- */

  function initFlashcards(root) {
    var page = root.getAttribute('data-gb-page');
    var cards = $$(root, '.gb-card');

    function update() {
      var state = load(page);
      var flipped = 0;
      var known = 0;
      cards.forEach(function (card) {
        var c = state.cards[card.getAttribute('data-card-id')] || {};
        if (c.f) flipped += 1;
        if (c.m === 'known') known += 1;
        card.classList.toggle('is-seen', !!c.f);
        card.classList.toggle('is-known', c.m === 'known');
        card.classList.toggle('is-again', c.m === 'again');
        $$(card, '[data-gb-mark]').forEach(function (button) {
          button.setAttribute('aria-pressed', String(c.m === button.getAttribute('data-gb-mark')));
        });
        var marks = card.querySelector('.gb-marks');
        if (marks) marks.hidden = !c.f;
      });
      setMeter(root, flipped, cards.length, flipped + ' of ' + cards.length + ' flipped');
      var knownText = root.querySelector('[data-gb-known]');
      if (knownText) {
        knownText.classList.toggle('is-known', known > 0);
        knownText.textContent = known
          ? '· ' + known + ' known'
          : flipped
            ? ''
            : '· start flipping cards to track your progress';
      }
    }

    function flip(card) {
      var front = card.querySelector('.gb-front');
      var back = card.querySelector('.gb-back');
      var flipped = !card.classList.contains('is-flipped');
      card.classList.toggle('is-flipped', flipped);
      front.setAttribute('aria-expanded', String(flipped));
      back.setAttribute('aria-hidden', String(!flipped));
      back.inert = !flipped;
      if (flipped) {
        var state = load(page);
        var id = card.getAttribute('data-card-id');
        var c = state.cards[id] || {};
        c.f = 1;
        state.cards[id] = c;
        save(page, state);
      }
      update();
    }

    cards.forEach(function (card) {
      var inner = card.querySelector('.gb-card-inner');
      var front = card.querySelector('.gb-front');
      var back = card.querySelector('.gb-back');
      front.setAttribute('role', 'button');
      front.tabIndex = 0;
      front.setAttribute('aria-expanded', 'false');
      front.setAttribute('aria-controls', back.id);
      back.setAttribute('aria-hidden', 'true');
      back.inert = true;
      inner.addEventListener('click', function (event) {
        if (isOwnClick(event)) flip(card);
      });
      front.addEventListener('keydown', function (event) {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          flip(card);
        }
      });
      $$(card, '[data-gb-mark]').forEach(function (button) {
        button.addEventListener('click', function () {
          var state = load(page);
          var id = card.getAttribute('data-card-id');
          var c = state.cards[id] || { f: 1 };
          var mark = button.getAttribute('data-gb-mark');
          c.m = c.m === mark ? undefined : mark;
          state.cards[id] = c;
          save(page, state);
          update();
          if (c.m) recordReview(page, id, c.m);
        });
      });
    });

    var reset = root.querySelector('[data-gb-reset]');
    if (reset) {
      reset.addEventListener('click', function () {
        var state = load(page);
        cards.forEach(function (card) {
          delete state.cards[card.getAttribute('data-card-id')];
          if (card.classList.contains('is-flipped')) flip(card);
        });
        save(page, state);
        update();
      });
    }
    reveal(root);
    update();
  }

  /* ---- reorder ------------------------------------------------------- */

  /* The longest run of items already in correct relative order (the
   * longest increasing subsequence of their places in the answer). */
  function orderedRun(places) {
    var tails = [];
    places.forEach(function (x) {
      var lo = 0;
      var hi = tails.length;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (tails[mid] < x) lo = mid + 1;
        else hi = mid;
      }
      tails[lo] = x;
    });
    return tails.length;
  }

  /* A new order for the items whose keys are `current`, as indices into
   * `current`: not the `answer`, not `current` itself, and, as the build's
   * shuffle (src/components/seed.rs), with no item in its place and at most
   * half of them (rounded up) in correct relative order, when the keys
   * allow it. */
  function farShuffle(answer, current) {
    var n = current.length;
    var limit = Math.ceil(n / 2);
    /* Each item's place in the answer; repeated keys take the next place. */
    var used = {};
    var place = current.map(function (key) {
      var from = used[key] === undefined ? 0 : used[key] + 1;
      var at = answer.indexOf(key, from);
      used[key] = at;
      return at;
    });
    function describe(order) {
      var keys = order.map(function (i) {
        return current[i];
      });
      var fixed = 0;
      keys.forEach(function (key, i) {
        if (key === answer[i]) fixed += 1;
      });
      var run = orderedRun(order.map(function (i) {
        return place[i];
      }));
      return {
        far: fixed === 0 && run <= limit,
        fresh: keys.join(' ') !== current.join(' ') && keys.join(' ') !== answer.join(' '),
      };
    }
    var fallback = null;
    for (var tries = 0; tries < 500; tries++) {
      var order = current.map(function (_, i) {
        return i;
      });
      for (var i = n - 1; i > 0; i--) {
        var j = Math.floor(Math.random() * (i + 1));
        var t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      var d = describe(order);
      if (d.fresh && d.far) return order;
      if (d.fresh && !fallback) fallback = order;
    }
    return fallback || current.map(function (_, i) {
      return i;
    });
  }

  function initReorder(root) {
    var list = root.querySelector('.gb-reorder-list');
    var answer = (list.getAttribute('data-gb-order') || '').split(' ');
    var status = root.querySelector('[data-gb-status]');
    var announcer = root.querySelector('[data-gb-announce]') || status;
    var initial = $$(list, '.gb-item');
    var n = initial.length;
    var solution = root.querySelector('.gb-solution');

    function items() {
      return $$(list, '.gb-item');
    }
    function label(item) {
      var text = item.querySelector('.gb-item-text');
      return (text ? text.textContent : '').replace(/\s+/g, ' ').trim();
    }
    /* Moves are told to screen readers only; results are shown to all. */
    function announce(message) {
      if (announcer) announcer.textContent = message;
    }
    function tell(message) {
      if (status) status.textContent = message;
      if (announcer && announcer !== status) announcer.textContent = '';
    }
    function clearMarks() {
      root.classList.remove('is-solved');
      if (status) status.textContent = '';
      items().forEach(function (item) {
        item.classList.remove('is-right', 'is-wrong');
        var mark = item.querySelector('.gb-item-mark');
        if (mark) mark.textContent = '';
      });
    }
    function refreshButtons() {
      items().forEach(function (item, i) {
        var up = item.querySelector('[data-gb-move="-1"]');
        var down = item.querySelector('[data-gb-move="1"]');
        if (up) up.disabled = i === 0;
        if (down) down.disabled = i === n - 1;
      });
    }
    /* Moves `item` to index `target` by moving its neighbours around it,
     * so the item itself never leaves the document: it keeps keyboard
     * focus and the pointer it is being dragged with. */
    function shiftTo(item, target) {
      var all = items();
      var at = all.indexOf(item);
      target = Math.max(0, Math.min(n - 1, target));
      while (at > target) {
        list.insertBefore(all[at - 1], item.nextSibling);
        all = items();
        at -= 1;
      }
      while (at < target) {
        list.insertBefore(all[at + 1], item);
        all = items();
        at += 1;
      }
      return at;
    }
    function moveTo(item, target, button) {
      var from = items().indexOf(item);
      var at = shiftTo(item, target);
      if (at === from) return;
      clearMarks();
      refreshButtons();
      if (button && button.disabled) item.focus();
      announce(label(item) + ': moved to position ' + (at + 1) + ' of ' + n + '.');
    }

    initial.forEach(function (item) {
      item.tabIndex = 0;
      item.setAttribute('aria-roledescription', 'movable step');
      var name = label(item);
      $$(item, '[data-gb-move]').forEach(function (button) {
        var delta = Number(button.getAttribute('data-gb-move'));
        button.setAttribute('aria-label', (delta < 0 ? 'Move up: ' : 'Move down: ') + name);
        button.addEventListener('click', function () {
          moveTo(item, items().indexOf(item) + delta, button);
        });
      });
      item.addEventListener('keydown', function (event) {
        if (event.target !== item) return;
        var at = items().indexOf(item);
        var to = { ArrowUp: at - 1, ArrowDown: at + 1, Home: 0, End: n - 1 }[event.key];
        if (to === undefined) return;
        event.preventDefault();
        moveTo(item, to, null);
      });
      item.addEventListener('pointerdown', function (event) {
        startDrag(item, event);
      });
    });

    /* Dragging with a mouse, a finger or a pen: the item follows the
     * pointer and the others make room as it crosses their middles. Touch
     * starts only on the grip, so the page still scrolls elsewhere. */
    function startDrag(item, event) {
      if (event.button !== 0 || event.target.closest('button')) return;
      var onGrip = !!event.target.closest('.gb-grip');
      if (event.pointerType !== 'mouse' && !onGrip) return;
      event.preventDefault();
      var pointer = event.pointerId;
      var grabOffset = event.clientY - item.getBoundingClientRect().top;
      var startIndex = items().indexOf(item);
      item.classList.add('is-dragging');
      list.classList.add('is-dragging');
      function follow(e) {
        if (e.pointerId !== pointer) return;
        e.preventDefault();
        item.style.transform = '';
        var top = e.clientY - grabOffset;
        var middle = top + item.offsetHeight / 2;
        var others = items().filter(function (other) {
          return other !== item;
        });
        var target = others.length;
        for (var i = 0; i < others.length; i++) {
          var r = others[i].getBoundingClientRect();
          if (middle < r.top + r.height / 2) {
            target = i;
            break;
          }
        }
        if (items().indexOf(item) !== target) {
          shiftTo(item, target);
          clearMarks();
        }
        item.style.transform = 'translateY(' + (top - item.getBoundingClientRect().top) + 'px)';
      }
      function end(e) {
        if (e.pointerId !== pointer) return;
        window.removeEventListener('pointermove', follow);
        window.removeEventListener('pointerup', end);
        window.removeEventListener('pointercancel', end);
        item.classList.remove('is-dragging');
        list.classList.remove('is-dragging');
        item.style.transform = '';
        refreshButtons();
        var at = items().indexOf(item);
        if (at !== startIndex) announce(label(item) + ': moved to position ' + (at + 1) + ' of ' + n + '.');
      }
      window.addEventListener('pointermove', follow);
      window.addEventListener('pointerup', end);
      window.addEventListener('pointercancel', end);
    }

    var check = root.querySelector('[data-gb-check]');
    if (check) {
      check.addEventListener('click', function () {
        var right = 0;
        items().forEach(function (item, i) {
          var ok = item.getAttribute('data-key') === answer[i];
          if (ok) right += 1;
          item.classList.toggle('is-right', ok);
          item.classList.toggle('is-wrong', !ok);
          var mark = item.querySelector('.gb-item-mark');
          if (mark) {
            mark.textContent = '';
            var sr = document.createElement('span');
            sr.className = 'gb-sr';
            sr.textContent = ok ? 'in place' : 'out of place';
            mark.appendChild(sr);
          }
        });
        var solved = right === n;
        root.classList.toggle('is-solved', solved);
        tell(
          solved
            ? 'All ' + n + ' steps are in the right order. Well done!'
            : right + ' of ' + n + ' in place. Move the ones marked out of place and check again.'
        );
      });
    }
    /* "Shuffle again": a new order, never the answer nor the current one,
     * and as far from the answer as the build's shuffle (see farShuffle).
     * Two steps have only one wrong order, so there it stays hidden. */
    var reset = root.querySelector('[data-gb-reset]');
    if (reset && n < 3) {
      reset.removeAttribute('data-gb-js');
      reset.hidden = true;
    } else if (reset) {
      reset.addEventListener('click', function () {
        var current = items();
        var keys = current.map(function (item) {
          return item.getAttribute('data-key');
        });
        farShuffle(answer, keys).forEach(function (i) {
          list.appendChild(current[i]);
        });
        clearMarks();
        refreshButtons();
        tell('');
        announce('The steps are shuffled into a new order.');
      });
    }
    if (solution) {
      solution.open = false;
      var summary = solution.querySelector('summary');
      if (summary) summary.textContent = 'Stuck? Show the correct order';
    }
    reveal(root);
    refreshButtons();
  }

  /* ---- checklists ---------------------------------------------------- */

  function initChecklist(root) {
    var page = root.getAttribute('data-gb-page');
    var boxes = $$(root, '.gb-tick[data-task-id]');
    var state = load(page);
    boxes.forEach(function (box) {
      var saved = state.tasks[box.getAttribute('data-task-id')];
      if (typeof saved === 'boolean') box.checked = saved;
    });

    function update() {
      var done = boxes.filter(function (box) {
        box.closest('.gb-task').classList.toggle('is-done', box.checked);
        return box.checked;
      }).length;
      setMeter(root, done, boxes.length, done + ' of ' + boxes.length + ' done');
      root.classList.toggle('is-complete', boxes.length > 0 && done === boxes.length);
    }
    function store() {
      var state = load(page);
      boxes.forEach(function (box) {
        state.tasks[box.getAttribute('data-task-id')] = box.checked;
      });
      save(page, state);
      update();
    }
    boxes.forEach(function (box) {
      box.addEventListener('change', store);
    });
    var reset = root.querySelector('[data-gb-reset]');
    if (reset) {
      reset.addEventListener('click', function () {
        boxes.forEach(function (box) {
          box.checked = false;
        });
        store();
      });
    }
    reveal(root);
    update();
  }

  /* ---- progress across the site -------------------------------------- */

  /* The summary quiz.js keeps for a page under "gradbook:quiz:<page>":
   * { questions, answered, right }, or null. */
  function quizSummary(page) {
    var saved;
    try {
      saved = JSON.parse(window.localStorage.getItem(QUIZ_PREFIX + page) || 'null');
    } catch (e) {
      saved = null;
    }
    if (!isRecord(saved) || !isRecord(saved.summary)) return null;
    return {
      questions: count(saved.summary.questions),
      answered: count(saved.summary.answered),
      right: count(saved.summary.right)
    };
  }

  /* Fills every element carrying data-progress-page="<page path>" with
   * that lesson's progress ("3/8 cards known · 2/5 done · 1/3 questions
   * right"), or leaves its own text ("Start flipping cards…") while there
   * is none. Optional data-progress-cards / -tasks / -questions give the
   * lesson's totals. */
  function showProgress() {
    $$(document, '[data-progress-page]').forEach(function (el) {
      var target = el.querySelector('[data-progress-text]') || el;
      if (target.gbOriginal === undefined) target.gbOriginal = target.textContent;
      var page = el.getAttribute('data-progress-page');
      var s = load(page).summary;
      var q = quizSummary(page);
      var cards = Number(el.getAttribute('data-progress-cards') || (s && s.cards) || 0);
      var tasks = Number(el.getAttribute('data-progress-tasks') || (s && s.tasks) || 0);
      var questions = Number(el.getAttribute('data-progress-questions') || (q && q.questions) || 0);
      var known = Math.min(cards, (s && s.known) || 0);
      var done = Math.min(tasks, (s && s.done) || 0);
      var right = Math.min(questions, (q && q.right) || 0);
      var started = (s && (s.flipped || known || done)) || (q && q.answered);
      if (!started) {
        target.textContent = target.gbOriginal;
        el.removeAttribute('data-progress-state');
        el.style.removeProperty('--gb-progress');
        return;
      }
      var parts = [];
      if (cards) parts.push(known + '/' + cards + ' cards known');
      if (tasks) parts.push(done + '/' + tasks + ' done');
      if (questions) parts.push(right + '/' + questions + ' questions right');
      target.textContent = parts.join(' · ');
      var total = cards + tasks + questions;
      var fraction = total ? (known + done + right) / total : 0;
      el.setAttribute('data-progress-state', fraction >= 1 ? 'complete' : 'started');
      el.style.setProperty('--gb-progress', String(fraction));
    });
  }

  /* An explorer: the slider picks which precomputed variant is shown; the
   * others are hidden. Without this script every variant stays listed. */
  function initExplore(root) {
    var slider = root.querySelector('[data-gb-slider]');
    var variants = $$(root, '[data-gb-variant]');
    if (!slider || !variants.length) return;
    var output = root.querySelector('output[for="' + slider.id + '"]');
    function show() {
      var current = Math.min(variants.length - 1, Math.max(0, Number(slider.value) || 0));
      variants.forEach(function (variant, i) {
        variant.hidden = i !== current;
      });
      var label = variants[current].getAttribute('data-gb-value');
      slider.setAttribute('aria-valuetext', label);
      if (output) output.textContent = label;
    }
    slider.addEventListener('input', show);
    show();
    reveal(root);
  }

  function init() {
    $$(document, '[data-gb="explore"]').forEach(initExplore);
    $$(document, '[data-gb="flashcards"]').forEach(initFlashcards);
    $$(document, '[data-gb="reorder"]').forEach(initReorder);
    $$(document, '[data-gb="checklist"]').forEach(initChecklist);
    showProgress();
    window.addEventListener('storage', function (event) {
      if (!event.key || event.key.indexOf(PREFIX) === 0 || event.key.indexOf(QUIZ_PREFIX) === 0) {
        showProgress();
      }
    });
    window.addEventListener('gradbook:progress', showProgress);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
