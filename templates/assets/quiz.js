/* gradbook quizzes: grading, feedback, scores and saved results.
 *
 * Plain JavaScript, no dependencies. The page is complete without this
 * file: each question is followed by its answer and explanation in a
 * <details>. The script grades what the reader picks or types against the
 * key the site computed at build time:
 *   - choices: data-gb-right lists the right choices (1-based);
 *   - a number: data-gb-value, and data-gb-decimals for an answer written
 *     with `~` (the reader's value must round to it at that many places);
 *   - an expression: data-gb-vars, and data-gb-points / data-gb-values,
 *     the answer's values at sample points. The reader's expression is
 *     evaluated at the same points by the small parser below, which reads
 *     the calc language's arithmetic, so the math engine itself is never
 *     needed in the browser.
 * Numbers match as in the lessons' calc blocks: within a relative error of
 * 1e-9 (absolute 1e-12 near zero; 1e-10 for expressions' values).
 *
 * Results are kept in localStorage under "gradbook:quiz:<page path>" as
 *   { answers: { <question id>: { v: <what the reader gave>, ok: bool } },
 *     summary: { questions, answered, right } }
 * and are graded again when the page loads, so a changed key is honoured.
 * The sidebar and index progress (components.js) read the summary. */
(function () {
  'use strict';

  var PREFIX = 'gradbook:quiz:';
  var RELATIVE = 1e-9;
  var ABSOLUTE = 1e-12;
  var ABSOLUTE_EXPR = 1e-10;
  var MAX_INPUT = 500;
  var MAX_DEPTH = 64;

  function $$(root, selector) {
    return Array.prototype.slice.call(root.querySelectorAll(selector));
  }

  /* ---- reading a reader's expression ---------------------------------- */

  var FUNCTIONS = {
    sin: Math.sin,
    cos: Math.cos,
    tan: Math.tan,
    exp: Math.exp,
    log: realLog,
    ln: realLog,
    sqrt: function (x) { return x < 0 ? NaN : Math.sqrt(x); },
    abs: Math.abs,
    sign: function (x) { return x > 0 ? 1 : x < 0 ? -1 : 0; },
    step: function (x) { return x > 0 ? 1 : 0; },
    sigmoid: function (x) { return 1 / (1 + Math.exp(-x)); },
    tanh: Math.tanh,
    relu: function (x) { return x > 0 ? x : 0; },
    softplus: function (x) { return x > 30 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)); }
  };
  var CONSTANTS = { pi: Math.PI, e: Math.E };

  function realLog(x) {
    return x <= 0 ? NaN : Math.log(x);
  }

  /* Why an input could not be read; the message is shown to the reader. */
  function Unreadable(message) {
    this.message = message;
  }

  /* Splits the input into tokens: numbers, names, operators. Typographic
   * signs a reader may paste (−, ×, ·, π) are read as their ASCII forms. */
  function tokenize(text) {
    var src = text.replace(/\u2212/g, '-').replace(/[\u00d7\u00b7\u22c5]/g, '*').replace(/\u03c0/g, 'pi');
    var tokens = [];
    var i = 0;
    while (i < src.length) {
      var c = src[i];
      if (/\s/.test(c)) {
        i += 1;
        continue;
      }
      var number = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
      if (number) {
        tokens.push({ type: 'num', value: Number(number[0]), text: number[0] });
        i += number[0].length;
        continue;
      }
      var name = /^[A-Za-z_\u0370-\u03ff][A-Za-z0-9_\u0370-\u03ff]*/.exec(src.slice(i));
      if (name) {
        tokens.push({ type: 'name', text: name[0] });
        i += name[0].length;
        continue;
      }
      if (src.slice(i, i + 2) === '**') {
        tokens.push({ type: 'op', text: '**' });
        i += 2;
        continue;
      }
      if ('+-*/^(),'.indexOf(c) >= 0) {
        tokens.push({ type: 'op', text: c === '^' ? '**' : c });
        i += 1;
        continue;
      }
      throw new Unreadable('the character \u201c' + c + '\u201d is not part of an expression');
    }
    return tokens;
  }

  /* Parses tokens into a tree with the calc language's precedence
   * (Python's): + and - lowest, then * and /, then unary minus, then **,
   * which is right-associative and binds tighter than a unary minus on its
   * left (-w**2 is -(w**2)) but takes one on its right (2**-1). */
  function parse(text, vars) {
    if (text.length > MAX_INPUT) throw new Unreadable('the answer is too long');
    var tokens = tokenize(text);
    var pos = 0;
    var depth = 0;

    function peek() {
      return tokens[pos];
    }
    function isOp(token, op) {
      return token && token.type === 'op' && token.text === op;
    }
    function expect(op) {
      if (!isOp(peek(), op)) {
        var found = peek() ? '\u201c' + peek().text + '\u201d' : 'the end';
        throw new Unreadable('expected \u201c' + op + '\u201d but found ' + found);
      }
      pos += 1;
    }
    function enter() {
      depth += 1;
      if (depth > MAX_DEPTH) throw new Unreadable('the answer is nested too deeply');
    }

    function sum() {
      enter();
      var node = product();
      while (isOp(peek(), '+') || isOp(peek(), '-')) {
        var op = tokens[pos++].text;
        node = { op: op, a: node, b: product() };
      }
      depth -= 1;
      return node;
    }
    function product() {
      var node = unary();
      while (isOp(peek(), '*') || isOp(peek(), '/')) {
        var op = tokens[pos++].text;
        node = { op: op, a: node, b: unary() };
      }
      return node;
    }
    function unary() {
      if (isOp(peek(), '-') || isOp(peek(), '+')) {
        var op = tokens[pos++].text;
        enter();
        var operand = unary();
        depth -= 1;
        return op === '-' ? { op: 'neg', a: operand } : operand;
      }
      return power();
    }
    function power() {
      var base = atom();
      if (isOp(peek(), '**')) {
        pos += 1;
        enter();
        var exponent = unary();
        depth -= 1;
        return { op: '**', a: base, b: exponent };
      }
      return base;
    }
    function atom() {
      var token = peek();
      if (!token) throw new Unreadable('the answer ends too soon');
      pos += 1;
      var node;
      if (token.type === 'num') {
        node = { op: 'num', value: token.value };
      } else if (token.type === 'name') {
        node = named(token.text);
      } else if (token.text === '(') {
        node = sum();
        expect(')');
      } else {
        throw new Unreadable('\u201c' + token.text + '\u201d cannot start a term');
      }
      var next = peek();
      if (next && (next.type === 'num' || next.type === 'name' || isOp(next, '('))) {
        throw new Unreadable('write the multiplication out, as in 2*w rather than 2w');
      }
      return node;
    }
    function named(name) {
      if (Object.prototype.hasOwnProperty.call(FUNCTIONS, name)) {
        if (!isOp(peek(), '(')) throw new Unreadable(name + ' is a function: write ' + name + '(\u2026)');
        pos += 1;
        var arg = sum();
        if (isOp(peek(), ',')) throw new Unreadable(name + ' takes one argument');
        expect(')');
        return { op: 'call', f: FUNCTIONS[name], a: arg };
      }
      if (vars.indexOf(name) >= 0) return { op: 'var', index: vars.indexOf(name) };
      if (Object.prototype.hasOwnProperty.call(CONSTANTS, name)) {
        return { op: 'num', value: CONSTANTS[name] };
      }
      if (!vars.length) throw new Unreadable('\u201c' + name + '\u201d is not a number; the answer is a number');
      throw new Unreadable('\u201c' + name + '\u201d is not a variable here; use ' + vars.join(', '));
    }

    if (!tokens.length) throw new Unreadable('the answer is empty');
    var tree = sum();
    if (pos < tokens.length) {
      throw new Unreadable('\u201c' + tokens[pos].text + '\u201d is left over after the expression');
    }
    return tree;
  }

  function evaluate(node, point) {
    switch (node.op) {
      case 'num': return node.value;
      case 'var': return point[node.index];
      case 'neg': return -evaluate(node.a, point);
      case '+': return evaluate(node.a, point) + evaluate(node.b, point);
      case '-': return evaluate(node.a, point) - evaluate(node.b, point);
      case '*': return evaluate(node.a, point) * evaluate(node.b, point);
      case '/': return evaluate(node.a, point) / evaluate(node.b, point);
      case '**': return Math.pow(evaluate(node.a, point), evaluate(node.b, point));
      case 'call': return node.f(evaluate(node.a, point));
    }
    return NaN;
  }

  /* ---- grading -------------------------------------------------------- */

  function close(a, b, absolute) {
    var diff = Math.abs(a - b);
    return diff <= absolute || diff <= RELATIVE * Math.max(Math.abs(a), Math.abs(b));
  }

  /* Whether `value` rounded to `decimals` places is `written`, as the
   * lessons' `~` numbers are compared. */
  function roundsTo(value, written, decimals) {
    var scale = Math.pow(10, decimals);
    var target = Math.round(written * scale);
    return Math.round(value * scale) === target ||
      Math.abs(value * scale - target) <= 0.5 + 1e-9 * Math.max(Math.abs(target), 1);
  }

  function numbers(attribute) {
    return (attribute || '').split(';').filter(Boolean).map(function (part) {
      return part.split(',').map(Number);
    });
  }

  /* Grades what the reader gave: 'right', 'wrong', 'empty', or an
   * Unreadable with the reason. */
  function grade(question, given) {
    var kind = question.getAttribute('data-q-kind');
    if (kind === 'single' || kind === 'multiple') {
      if (!given.length) return 'empty';
      var right = (question.getAttribute('data-gb-right') || '').split(' ').filter(Boolean).sort();
      var picked = given.slice().sort();
      return right.join(' ') === picked.join(' ') ? 'right' : 'wrong';
    }
    if (!given.trim()) return 'empty';
    try {
      if (kind === 'number') {
        var answer = Number(question.getAttribute('data-gb-value'));
        var value = evaluate(parse(given, []), []);
        if (!isFinite(value)) throw new Unreadable('that has no value (a division by zero or a log of a negative number?)');
        var decimals = question.getAttribute('data-gb-decimals');
        var ok = decimals !== null ? roundsTo(value, answer, Number(decimals)) : close(value, answer, ABSOLUTE);
        return ok ? 'right' : 'wrong';
      }
      var vars = (question.getAttribute('data-gb-vars') || '').split(' ').filter(Boolean);
      var tree = parse(given, vars);
      var points = numbers(question.getAttribute('data-gb-points'));
      var values = numbers(question.getAttribute('data-gb-values')).map(function (v) { return v[0]; });
      var agreed = 0;
      for (var i = 0; i < points.length && i < values.length; i += 1) {
        var got = evaluate(tree, points[i]);
        if (!isFinite(got)) continue;
        if (!close(got, values[i], ABSOLUTE_EXPR)) return 'wrong';
        agreed += 1;
      }
      return agreed > 0 && agreed * 2 >= points.length ? 'right' : 'wrong';
    } catch (e) {
      if (e instanceof Unreadable) return e;
      throw e;
    }
  }

  /* ---- storage -------------------------------------------------------- */

  var memory = {};

  function isRecord(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  }

  /* The saved answers of a page, keeping only entries of the expected
   * shape (anything else is dropped and overwritten by the next save). */
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
    var answers = Object.create(null);
    if (isRecord(saved) && isRecord(saved.answers)) {
      Object.keys(saved.answers).forEach(function (id) {
        var a = saved.answers[id];
        if (!isRecord(a)) return;
        var v = a.v;
        var text = typeof v === 'string' && v.length <= MAX_INPUT;
        var list = Array.isArray(v) && v.length <= 100 && v.every(function (x) { return typeof x === 'string'; });
        if (text || list) answers[id] = { v: v, ok: a.ok === true };
      });
    }
    return answers;
  }

  function save(page, answers) {
    var summary = { questions: 0, answered: 0, right: 0 };
    $$(document, '[data-gb="quiz"]').forEach(function (root) {
      if (root.getAttribute('data-gb-page') !== page) return;
      $$(root, '.gb-quiz-q[data-q-id]').forEach(function (question) {
        var a = answers[question.getAttribute('data-q-id')];
        summary.questions += 1;
        if (a) summary.answered += 1;
        if (a && a.ok) summary.right += 1;
      });
    });
    memory[page] = JSON.stringify({ answers: answers, summary: summary });
    try {
      window.localStorage.setItem(PREFIX + page, memory[page]);
    } catch (e) {
      /* Storage full or disabled: the quiz still works, it just forgets. */
    }
    try {
      window.dispatchEvent(new CustomEvent('gradbook:progress'));
    } catch (e) {
      /* Very old browsers: the progress shows on the next page load. */
    }
  }

  /* ---- one quiz ------------------------------------------------------- */

  function initQuiz(root) {
    var page = root.getAttribute('data-gb-page');
    var answers = load(page);
    var questions = $$(root, '.gb-quiz-q[data-q-id]');
    var score = root.querySelector('[data-gb-score]');

    function showScore() {
      var right = questions.filter(function (q) {
        var a = answers[q.getAttribute('data-q-id')];
        return a && a.ok;
      }).length;
      if (score) score.textContent = right + ' of ' + questions.length + ' answered right';
    }

    questions.forEach(function (question) {
      var id = question.getAttribute('data-q-id');
      var choices = $$(question, '[data-gb-choice]');
      var input = question.querySelector('[data-gb-input]');
      var check = question.querySelector('[data-gb-check]');
      var retry = question.querySelector('[data-gb-retry]');
      var feedback = question.querySelector('[data-gb-feedback]');
      var key = question.querySelector('[data-gb-key]');
      var answerLine = question.querySelector('[data-gb-answer]');
      var explanation = question.querySelector('.gb-quiz-explanation');

      function given() {
        if (input) return input.value;
        return choices.filter(function (c) { return c.checked; }).map(function (c) { return c.value; });
      }

      function setGiven(v) {
        if (input) {
          input.value = typeof v === 'string' ? v : '';
        } else {
          choices.forEach(function (c) {
            c.checked = Array.isArray(v) && v.indexOf(c.value) >= 0;
          });
        }
      }

      function lock(locked) {
        choices.forEach(function (c) { c.disabled = locked; });
        if (input) input.readOnly = locked;
        check.hidden = locked;
        retry.hidden = !locked;
      }

      /* Shows a graded answer: the verdict in the live region, then the
       * explanation (and, when right, the answer itself). */
      function show(result) {
        question.setAttribute('data-state', result === 'right' ? 'right' : 'wrong');
        feedback.textContent = result === 'right'
          ? 'Right!'
          : 'Not quite.' + (explanation ? ' Read the explanation below, then try again.' : ' Try again.');
        answerLine.hidden = result !== 'right';
        key.hidden = result !== 'right' && !explanation;
        key.open = true;
        lock(true);
      }

      function clear() {
        question.removeAttribute('data-state');
        feedback.textContent = '';
        key.hidden = true;
        key.open = false;
        lock(false);
      }

      check.addEventListener('click', function () {
        var v = given();
        var result = grade(question, v);
        if (result === 'empty') {
          question.setAttribute('data-state', 'unread');
          feedback.textContent = input ? 'Type an answer first.' : 'Pick an answer first.';
          return;
        }
        if (result instanceof Unreadable) {
          question.setAttribute('data-state', 'unread');
          feedback.textContent = 'I could not read that: ' + result.message + '.';
          if (input) input.focus();
          return;
        }
        answers[id] = { v: v, ok: result === 'right' };
        show(result);
        save(page, answers);
        showScore();
        retry.focus();
      });

      retry.addEventListener('click', function () {
        delete answers[id];
        clear();
        save(page, answers);
        showScore();
        var first = input || choices[0];
        if (first) first.focus();
      });

      if (input) {
        input.addEventListener('keydown', function (event) {
          if (event.key === 'Enter' && !input.readOnly) {
            event.preventDefault();
            check.click();
          }
        });
      }

      /* "Clear answers": forget this question's answer, keep the focus
       * where it is. */
      question.gbReset = function () {
        delete answers[id];
        clear();
        setGiven(input ? '' : []);
      };

      clear();
      var saved = answers[id];
      if (saved) {
        setGiven(saved.v);
        var again = grade(question, saved.v);
        if (again === 'right' || again === 'wrong') {
          saved.ok = again === 'right';
          show(again);
          feedback.textContent = (again === 'right' ? 'Right' : 'Not quite') + ' (your saved answer).';
        } else {
          delete answers[id];
          setGiven(input ? '' : []);
        }
      }
    });

    var reset = root.querySelector('[data-gb-reset]');
    if (reset) {
      reset.addEventListener('click', function () {
        questions.forEach(function (question) {
          question.gbReset();
        });
        save(page, answers);
        showScore();
      });
    }

    $$(root, '[data-gb-js]').forEach(function (el) {
      el.hidden = false;
    });
    showScore();
  }

  function init() {
    $$(document, '[data-gb="quiz"]').forEach(initQuiz);
  }

  /* For the browser tests: the reader's side of grading, without a page. */
  window.gradbookQuiz = { parse: parse, evaluate: evaluate, Unreadable: Unreadable };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
