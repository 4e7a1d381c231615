/* gradbook review page: today's queue of flashcards, graded Again / Hard /
 * Good / Easy and scheduled by review-fsrs.js (which must load first).
 *
 * The cards are in the page itself (every one listed under "All cards",
 * front and back in a <details>), so the page works opened from disk and
 * without this script; the script reads them from there, shows the queue
 * one card at a time, and writes each card's next due date into the list.
 * Keys: Space shows the answer, 1-4 grade it. */
(function () {
  'use strict';

  var R = window.gradbookReview;
  if (!R) return;

  function $(selector) {
    return document.querySelector(selector);
  }
  function $$(root, selector) {
    return Array.prototype.slice.call(root.querySelectorAll(selector));
  }

  /* Every card of the page, in reading order. */
  function readCards() {
    return $$(document, '.gb-review-item[data-key]').map(function (item) {
      var lesson = item.closest('[data-lesson]');
      var link = lesson && lesson.querySelector('.gb-review-lesson-title a');
      return {
        key: item.getAttribute('data-key'),
        item: item,
        front: item.querySelector('.gb-review-q'),
        back: item.querySelector('.gb-review-answer'),
        lesson: lesson ? lesson.getAttribute('data-lesson') : '',
        section: lesson ? lesson.getAttribute('data-section') : '',
        lessonTitle: link ? link.textContent : '',
        lessonHref: link ? link.getAttribute('href') : ''
      };
    });
  }

  /* A copy of a card face to show in the session, without ids (the list
   * keeps the originals). */
  function copyOf(node) {
    var copy = node.cloneNode(true);
    copy.removeAttribute('id');
    $$(copy, '[id]').forEach(function (el) {
      el.removeAttribute('id');
    });
    return copy;
  }

  function init() {
    var app = $('[data-gb-review-app]');
    if (!app) return;
    var cards = readCards();
    var el = {
      filter: $('#gb-review-filter'),
      againOnly: $('#gb-review-again'),
      perDay: $('#gb-review-new'),
      status: $('#gb-review-status'),
      counts: $('#gb-review-counts'),
      card: $('#gb-review-card'),
      where: $('#gb-review-where'),
      front: $('#gb-review-front'),
      back: $('#gb-review-back'),
      show: $('#gb-review-show'),
      grades: $('#gb-review-grades'),
      done: $('#gb-review-done'),
      exportButton: $('#gb-review-export'),
      file: $('#gb-review-file'),
      report: $('#gb-review-report')
    };
    var current = null;
    var flipped = false;

    function selected() {
      var value = el.filter.value;
      return cards.filter(function (card) {
        if (value.indexOf('s:') === 0) return card.section === value.slice(2);
        if (value.indexOf('l:') === 0) return card.lesson === value.slice(2);
        return true;
      });
    }

    /* Today's queue: cards due by now, by due time, then new cards up to
     * the day's limit, then cards in (re)learning that will be due within
     * minutes (so a card answered Again comes back after the others); or,
     * with "only cards I marked Again", every card whose last answer was
     * Again. */
    function queue(state, now) {
      var pool = selected();
      var due = [];
      var ahead = [];
      var fresh = [];
      pool.forEach(function (card) {
        var saved = state.cards[card.key];
        if (el.againOnly.checked) {
          if (saved && saved.grade === 1) due.push(card);
        } else if (saved) {
          if (saved.due <= now) due.push(card);
          else if (R.isDue(saved, now)) ahead.push(card);
        } else {
          fresh.push(card);
        }
      });
      var byDue = function (a, b) {
        return state.cards[a.key].due - state.cards[b.key].due;
      };
      due.sort(byDue);
      ahead.sort(byDue);
      fresh = fresh.slice(0, el.againOnly.checked ? 0 : R.newLeft(state, now));
      return {
        due: due.length + ahead.length,
        fresh: fresh.length,
        cards: due.concat(fresh, ahead)
      };
    }

    function describeCard(saved, now) {
      if (!saved) return 'New card, not reviewed yet.';
      var last = saved.grade === 1 ? ' Last answer: Again.' : '';
      if (saved.due <= now) return 'Due now.' + last;
      if (saved.state === 'review' && R.isDue(saved, now)) return 'Due today.' + last;
      var wait = saved.due - now;
      var date = wait >= R.DAY / 2 ? ' (' + R.dayOf(saved.due) + ')' : '';
      return 'Due in ' + R.describeWait(wait) + date + '.' + last;
    }

    function showList(state, now) {
      cards.forEach(function (card) {
        var line = card.item.querySelector('.gb-review-due');
        if (line) {
          line.hidden = false;
          line.textContent = describeCard(state.cards[card.key], now);
        }
      });
    }

    function say(text) {
      el.status.textContent = text;
    }

    /* Shows the first card of the queue (or that the day is done). */
    function render(note) {
      var now = Date.now();
      var state = R.load();
      var q = queue(state, now);
      el.counts.textContent =
        q.due + (el.againOnly.checked ? ' marked Again' : ' due') +
        (el.againOnly.checked ? '' : ' · ' + q.fresh + ' new');
      showList(state, now);
      current = q.cards[0] || null;
      flipped = false;
      el.card.hidden = !current;
      el.done.hidden = !!current;
      var left = q.cards.length + (q.cards.length === 1 ? ' card' : ' cards') + ' left today.';
      if (!current) {
        say((note ? note + ' ' : '') + 'No cards left to review here today.');
        return;
      }
      var saved = state.cards[current.key] || null;
      el.where.textContent = '';
      if (current.lessonHref) {
        var a = document.createElement('a');
        a.href = current.lessonHref;
        a.textContent = current.lessonTitle;
        el.where.appendChild(document.createTextNode('From '));
        el.where.appendChild(a);
        el.where.appendChild(document.createTextNode(saved ? '' : ' · new card'));
      }
      el.front.textContent = '';
      el.front.appendChild(copyOf(current.front));
      el.back.textContent = '';
      el.back.appendChild(copyOf(current.back));
      el.back.hidden = true;
      el.grades.hidden = true;
      el.show.hidden = false;
      var waits = R.preview(saved, now);
      $$(el.grades, '[data-grade]').forEach(function (button) {
        var g = Number(button.getAttribute('data-grade'));
        var wait = R.describeWait(waits[g - 1]);
        button.querySelector('.gb-review-wait').textContent = wait;
      });
      say((note ? note + ' ' : '') + left + ' Press Space to show the answer.');
    }

    function flip() {
      if (!current || flipped) return;
      flipped = true;
      el.back.hidden = false;
      el.grades.hidden = false;
      el.show.hidden = true;
      el.card.focus();
      say('Answer shown. Grade it: 1 Again, 2 Hard, 3 Good, 4 Easy.');
    }

    function grade(g) {
      if (!current || !flipped) return;
      var card = R.record(current.key, g, Date.now());
      var note = R.GRADES[g - 1] + ': next review in ' + R.describeWait(card.due - card.last) + '.';
      render(note);
      el.card.focus();
    }

    el.show.addEventListener('click', flip);
    $$(el.grades, '[data-grade]').forEach(function (button) {
      button.addEventListener('click', function () {
        grade(Number(button.getAttribute('data-grade')));
      });
    });
    document.addEventListener('keydown', function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      var target = event.target;
      if (target.closest && target.closest('input, select, textarea, a, summary, [contenteditable]')) return;
      if (event.key === ' ' || event.key === 'Spacebar') {
        /* A focused button does what Space does to buttons. */
        if (target.closest && target.closest('button')) return;
        if (current && !flipped) {
          event.preventDefault();
          flip();
        }
      } else if (/^[1-4]$/.test(event.key) && current && flipped) {
        event.preventDefault();
        grade(Number(event.key));
      }
    });
    el.filter.addEventListener('change', function () {
      render('');
    });
    el.againOnly.addEventListener('change', function () {
      render('');
    });

    var state = R.load();
    el.perDay.value = String(state.newPerDay);
    el.perDay.addEventListener('change', function () {
      var n = Math.floor(Number(el.perDay.value));
      var s = R.load();
      if (isFinite(n) && n >= 0 && n <= 9999) {
        s.newPerDay = n;
        R.save(s);
      }
      el.perDay.value = String(s.newPerDay);
      render('New cards per day: ' + s.newPerDay + '.');
    });

    el.exportButton.addEventListener('click', function () {
      var text = JSON.stringify(R.load(), null, 1);
      var blob = new Blob([text], { type: 'application/json' });
      var a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = 'gradbook-review-' + R.dayOf(Date.now()) + '.json';
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () {
        URL.revokeObjectURL(a.href);
      }, 1000);
      el.report.textContent =
        'Exported ' + reviewedCards(Object.keys(R.load().cards).length) + ' to ' + a.download + '.';
    });

    el.file.addEventListener('change', function () {
      var file = el.file.files && el.file.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        el.report.textContent = importText(String(reader.result));
        el.file.value = '';
        el.perDay.value = String(R.load().newPerDay);
        render('');
      };
      reader.onerror = function () {
        el.report.textContent = 'That file could not be read.';
      };
      reader.readAsText(file);
    });

    /* Reviews made in another tab (a lesson's marks, this page) show
     * here too, unless an answer is being graded. */
    window.addEventListener('storage', function (event) {
      if (event.key === R.KEY && !flipped) render('');
    });

    app.hidden = false;
    render('');
  }

  /* Imports exported progress; returns what happened, in a sentence. */
  function importText(text) {
    var read = R.parse(text);
    if (!read.valid) {
      return (
        'Nothing imported: that file is not gradbook review progress (version ' +
        R.VERSION + ').'
      );
    }
    var replace = document.querySelector('input[name="gb-review-mode"]:checked');
    replace = replace && replace.value === 'replace';
    var state = R.load();
    var taken;
    if (replace) {
      taken = read.kept;
      state = read.state;
    } else {
      taken = R.merge(state, read.state);
    }
    R.save(state);
    var ignored = '';
    if (read.dropped === 1) ignored = ' 1 malformed entry was ignored.';
    else if (read.dropped > 1) ignored = ' ' + read.dropped + ' malformed entries were ignored.';
    if (replace) {
      return 'Replaced your progress with the file: ' + reviewedCards(taken) + '.' + ignored;
    }
    return (
      'Merged the file: ' + reviewedCards(read.kept) + ' read, ' + taken +
      ' taken (new here or reviewed more recently).' + ignored
    );
  }

  /* "1 reviewed card", "4 reviewed cards". */
  function reviewedCards(n) {
    return n + (n === 1 ? ' reviewed card' : ' reviewed cards');
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
