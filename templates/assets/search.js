/* gradbook: search as you type, from any page, online or from disk.
 *
 * The index is built with the site (src/search/ in gradbook's source says
 * how): a manifest, term shards and one file per page, each a script that
 * calls gradbookSearch.load(name, data). Scripts, unlike fetch(), load on a
 * site opened from disk (file://), and nothing is asked of any other host.
 * The manifest loads when the box is first used; a query then loads only
 * the shards its terms fall in and the files of the pages it shows.
 *
 * Words are found as gradbook indexed them (the same rule, see
 * src/search/words.rs: letters and digits, accents and case folded,
 * English plurals stemmed when the manifest says so); the last word of a
 * query also matches longer words ("grad" finds "gradient"). Pages must
 * hold every word; titles, then headings, then questions, then prose.
 *
 * The box is an ARIA combobox with a listbox of results: "/" or Ctrl-K
 * (Cmd-K) focuses it, the arrow keys choose a result, Enter opens it,
 * Escape closes the list (and a second Escape clears the box). The number
 * of results is announced through a status line.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-search]");
  if (!box || !window.Promise) return;
  var input = box.querySelector(".search-input");
  var panel = box.querySelector(".search-panel");
  var list = box.querySelector(".search-results");
  var status = box.querySelector(".search-status");
  var summary = box.querySelector(".search-summary");
  if (!input || !panel || !list || !status) return;

  var root = box.getAttribute("data-search-root") || "./";
  var version = box.getAttribute("data-search-version") || "";
  var fromDisk = location.protocol === "file:";

  var MAX_RESULTS = 10; // results shown (each loads its page's file)
  var PREFIX_SHARDS = 4; // shards a prefix may load beyond its first
  var MIN_PREFIX = 2; // letters before a word is also matched as a prefix
  var SNIPPET = 160; // characters of text around the first match

  /* ---- loading the index ------------------------------------------- */

  var requests = {};
  var loaded = {};
  var api = (window.gradbookSearch = window.gradbookSearch || {});
  api.load = function (name, data) {
    loaded[name] = data;
  };

  function load(name) {
    if (requests[name]) return requests[name];
    requests[name] = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = root + "search/" + name + ".js?v=" + encodeURIComponent(version);
      script.async = true;
      script.onload = function () {
        script.remove();
        if (name in loaded) resolve(loaded[name]);
        else fail();
      };
      script.onerror = function () {
        script.remove();
        fail();
      };
      function fail() {
        delete requests[name];
        reject(new Error("cannot load " + script.src));
      }
      document.head.appendChild(script);
    });
    return requests[name];
  }

  /* ---- words: the rule of src/search/words.rs ------------------------ */

  var RUN = /[\p{Alphabetic}\p{N}\p{M}]+/gu;
  var MARKS = /\p{M}/gu;
  var NOT_WORD = /[^\p{Alphabetic}\p{N}]+/u;
  var DIGITS = /^\p{N}+$/u;
  var MAX_WORD = 40;
  var stemming = false;

  function isCjk(cp) {
    return (
      (cp >= 0x3040 && cp <= 0x30ff) ||
      (cp >= 0x3400 && cp <= 0x4dbf) ||
      (cp >= 0x4e00 && cp <= 0x9fff) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0x20000 && cp <= 0x3134f)
    );
  }

  /* Harman's "S" stemmer, for words of four characters or more. */
  function stem(word) {
    if (Array.from(word).length < 4) return word;
    if (/ies$/.test(word) && !/[ea]ies$/.test(word)) return word.slice(0, -3) + "y";
    if (/es$/.test(word) && !/[aeo]es$/.test(word)) return word.slice(0, -1);
    if (/s$/.test(word) && !/[us]s$/.test(word)) return word.slice(0, -1);
    return word;
  }

  function keep(piece) {
    var chars = Array.from(piece);
    if (!chars.length || chars.length > MAX_WORD || DIGITS.test(piece)) return null;
    if (chars.length === 1 && !isCjk(piece.codePointAt(0))) return null;
    return piece;
  }

  function normalizeRun(run, start, end, each) {
    var pieces = run.normalize("NFKD").replace(MARKS, "").toLowerCase().split(NOT_WORD);
    for (var i = 0; i < pieces.length; i++) {
      var word = keep(pieces[i]);
      if (word) each(stemming ? stem(word) : word, start, end);
    }
  }

  /* Calls each(term, start, end) for every word of text, with the range
   * of the text it came from. */
  function words(text, each) {
    RUN.lastIndex = 0;
    var match;
    while ((match = RUN.exec(text))) {
      var run = match[0];
      var base = match.index;
      var from = 0;
      for (var k = 0; k < run.length; ) {
        var cp = run.codePointAt(k);
        var size = cp > 0xffff ? 2 : 1;
        if (isCjk(cp)) {
          if (k > from) normalizeRun(run.slice(from, k), base + from, base + k, each);
          normalizeRun(run.slice(k, k + size), base + k, base + k + size, each);
          from = k + size;
        }
        k += size;
      }
      if (from < run.length) normalizeRun(run.slice(from), base + from, base + run.length, each);
    }
  }

  /* The terms of text, as the index has them (for tests that hold this
   * rule against src/search/words.rs). */
  api.terms = function (text, stem) {
    var saved = stemming;
    var out = [];
    stemming = !!stem;
    words(text, function (term) {
      out.push(term);
    });
    stemming = saved;
    return out;
  };

  /* The query's terms; the last is also a prefix unless the query ends
   * after it (with a space or punctuation). */
  function parseQuery(text) {
    var terms = [];
    var seen = {};
    var lastEnd = -1;
    words(text, function (term, start, end) {
      lastEnd = end;
      if (seen[term]) return;
      seen[term] = true;
      terms.push({ term: term, prefix: false, end: end });
    });
    var last = terms[terms.length - 1];
    if (last && last.end === lastEnd && lastEnd === text.length) {
      last.prefix = Array.from(last.term).length >= MIN_PREFIX && !isCjk(last.term.codePointAt(0));
    }
    return terms;
  }

  /* ---- looking terms up ------------------------------------------------ */

  function lowerBound(array, value) {
    var lo = 0;
    var hi = array.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (array[mid] < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /* The shard that holds term, if any term does. */
  function shardOf(manifest, term) {
    var i = lowerBound(manifest.shards, term);
    if (i < manifest.shards.length && manifest.shards[i] === term) return i;
    return Math.max(0, i - 1);
  }

  /* Postings of every indexed term the query term matches: a map from
   * page to its best score for this term. */
  function lookUp(manifest, query) {
    var first = shardOf(manifest, query.term);
    var wanted = [first];
    if (query.prefix) {
      for (var s = first + 1; s < manifest.shards.length && wanted.length <= PREFIX_SHARDS; s++) {
        if (manifest.shards[s].lastIndexOf(query.term, 0) !== 0) break;
        wanted.push(s);
      }
    }
    return Promise.all(
      wanted.map(function (s) {
        return load("t/" + s);
      })
    ).then(function (shards) {
      var scores = new Map();
      shards.forEach(function (shard) {
        var i = lowerBound(shard.terms, query.term);
        for (; i < shard.terms.length; i++) {
          var term = shard.terms[i];
          var exact = term === query.term;
          if (!exact && !(query.prefix && term.lastIndexOf(query.term, 0) === 0)) break;
          addPostings(scores, shard.postings[i], exact);
        }
      });
      return scores;
    });
  }

  function addPostings(scores, postings, exact) {
    var page = 0;
    for (var i = 0; i < postings.length; i++) {
      var value = postings[i];
      page += Math.floor(value / 32);
      var weight = value % 32;
      var score = (weight & 16 ? 100 : 0) + (weight & 8 ? 30 : 0) + (weight & 4 ? 10 : 0) + (weight & 3) * 2;
      score = exact ? score + 1 : score * 0.8;
      var before = scores.get(page);
      if (before === undefined || before < score) scores.set(page, score);
    }
  }

  /* Pages ranked: those holding every term first, by score, then reading
   * order; if none holds them all, those holding the most. */
  function rank(perTerm) {
    var totals = new Map();
    perTerm.forEach(function (scores) {
      scores.forEach(function (score, page) {
        var t = totals.get(page) || { page: page, terms: 0, score: 0 };
        t.terms += 1;
        t.score += score;
        totals.set(page, t);
      });
    });
    var all = Array.from(totals.values());
    var complete = all.filter(function (t) {
      return t.terms === perTerm.length;
    });
    var ranked = complete.length ? complete : all;
    ranked.sort(function (a, b) {
      return b.terms - a.terms || b.score - a.score || a.page - b.page;
    });
    return { pages: ranked, complete: complete.length > 0 || perTerm.length < 2 };
  }

  /* ---- showing results ------------------------------------------------ */

  function matcher(queries) {
    return function (term) {
      for (var i = 0; i < queries.length; i++) {
        var q = queries[i];
        if (term === q.term || (q.prefix && term.lastIndexOf(q.term, 0) === 0)) return true;
      }
      return false;
    };
  }

  function matchesIn(text, matches) {
    var found = [];
    words(text, function (term, start, end) {
      if (matches(term) && (!found.length || found[found.length - 1][0] !== start)) found.push([start, end]);
    });
    return found;
  }

  /* Appends text to parent with the ranges in marks wrapped in <mark>. */
  function highlighted(parent, text, marks, from, to) {
    var at = from;
    function plain(end) {
      if (end > at) parent.appendChild(document.createTextNode(text.slice(at, end)));
    }
    marks.forEach(function (range) {
      if (range[0] < at || range[1] > to) return;
      plain(range[0]);
      var mark = document.createElement("mark");
      mark.textContent = text.slice(range[0], range[1]);
      parent.appendChild(mark);
      at = range[1];
    });
    plain(to);
  }

  /* The section of a page to link to: the one whose heading (the title,
   * for the top of the page), then text, matches most; the top of the
   * page on a tie. */
  function bestSection(page, matches) {
    var best = 0;
    var bestScore = -1;
    page.sections.forEach(function (section, i) {
      var heading = i === 0 ? page.title : section[1];
      var score = matchesIn(heading, matches).length * 20 + matchesIn(section[2], matches).length;
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    });
    return best;
  }

  function snippet(parent, text, matches) {
    var marks = matchesIn(text, matches);
    var from = 0;
    if (marks.length && marks[0][0] > SNIPPET / 3) {
      from = text.lastIndexOf(" ", marks[0][0] - SNIPPET / 3) + 1;
    }
    var to = Math.min(text.length, from + SNIPPET);
    if (to < text.length) {
      var space = text.lastIndexOf(" ", to);
      if (space > from) to = space;
    }
    if (from > 0) parent.appendChild(document.createTextNode("… "));
    highlighted(parent, text, marks, from, to);
    if (to < text.length) parent.appendChild(document.createTextNode(" …"));
  }

  function pageHref(page, section) {
    var href = root + page.url + (fromDisk ? "index.html" : "");
    var id = page.sections[section][0];
    return id ? href + "#" + encodeURIComponent(id) : href;
  }

  function option(page, index, matches) {
    var section = bestSection(page, matches);
    var link = document.createElement("a");
    link.className = "search-result";
    link.id = "gb-search-result-" + index;
    link.setAttribute("role", "option");
    link.setAttribute("aria-selected", "false");
    link.tabIndex = -1;
    link.href = pageHref(page, section);
    var title = document.createElement("span");
    title.className = "search-result-title";
    highlighted(title, page.title, matchesIn(page.title, matches), 0, page.title.length);
    var heading = page.sections[section][1];
    if (heading) {
      var part = document.createElement("span");
      part.className = "search-result-heading";
      part.appendChild(document.createTextNode(" › "));
      highlighted(part, heading, matchesIn(heading, matches), 0, heading.length);
      title.appendChild(part);
    }
    link.appendChild(title);
    if (page["in"]) {
      var where = document.createElement("span");
      where.className = "search-result-where";
      where.textContent = page["in"];
      link.appendChild(where);
    }
    var text = page.sections[section][2];
    if (text) {
      var excerpt = document.createElement("span");
      excerpt.className = "search-result-snippet";
      snippet(excerpt, text, matches);
      link.appendChild(excerpt);
    }
    return link;
  }

  /* ---- the widget ------------------------------------------------------ */

  var generation = 0;
  var options = [];
  var active = -1;
  var timer = 0;

  function say(message, visible) {
    status.textContent = message;
    if (summary) summary.textContent = visible === undefined ? message : visible;
  }

  function setOpen(open) {
    panel.hidden = !open;
    list.hidden = !options.length;
    input.setAttribute("aria-expanded", open && options.length ? "true" : "false");
    if (!open) setActive(-1);
  }

  function setActive(index) {
    if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
    active = index;
    if (active >= 0 && options[active]) {
      options[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(pages, queryText, total, complete) {
    list.textContent = "";
    options = [];
    active = -1;
    var matches = matcher(parseQuery(queryText));
    pages.forEach(function (page, i) {
      var link = option(page, i, matches);
      options.push(link);
      list.appendChild(link);
    });
    var quoted = "“" + queryText.trim() + "”";
    var count = total === 1 ? "1 result" : total + " results";
    if (!total) say("No results for " + quoted);
    else if (!complete) say("No page has every word; " + count + " with some of them");
    else if (total > pages.length) say(count + " for " + quoted + ", the first " + pages.length + " shown");
    else say(count + " for " + quoted);
    setOpen(true);
  }

  function search() {
    var queryText = input.value;
    var mine = ++generation;
    if (!queryText.trim()) {
      list.textContent = "";
      options = [];
      say("");
      setOpen(false);
      return;
    }
    load("index")
      .then(function (manifest) {
        stemming = manifest.stem === "s";
        var queries = parseQuery(queryText);
        if (!queries.length) {
          if (mine === generation) {
            list.textContent = "";
            options = [];
            say("Type a word of two letters or more");
            setOpen(true);
          }
          return null;
        }
        return Promise.all(
          queries.map(function (q) {
            return lookUp(manifest, q);
          })
        ).then(function (perTerm) {
          var ranked = rank(perTerm);
          var top = ranked.pages.slice(0, MAX_RESULTS);
          return Promise.all(
            top.map(function (t) {
              return load("p/" + t.page);
            })
          ).then(function (pages) {
            if (mine === generation) show(pages, queryText, ranked.pages.length, ranked.complete);
          });
        });
      })
      .catch(function () {
        if (mine !== generation) return;
        list.textContent = "";
        options = [];
        say("The search index could not be loaded; rebuild the site and reload the page.");
        setOpen(true);
      });
  }

  function go(link) {
    setOpen(false);
    window.location.href = link.href;
  }

  function isEditable(element) {
    if (!element || !element.tagName) return false;
    var tag = element.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || element.isContentEditable;
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 60);
  });

  input.addEventListener("focus", function () {
    load("index").catch(function () {});
    if (input.value.trim() && status.textContent) setOpen(true);
  });

  input.addEventListener("keydown", function (event) {
    if (event.isComposing) return;
    var count = options.length;
    switch (event.key) {
      case "ArrowDown":
      case "ArrowUp":
        event.preventDefault();
        if (panel.hidden) setOpen(true);
        if (!count) return;
        var step = event.key === "ArrowDown" ? 1 : -1;
        setActive(active < 0 ? (step > 0 ? 0 : count - 1) : (active + step + count) % count);
        break;
      case "Enter":
        clearTimeout(timer);
        if (count && !panel.hidden) {
          event.preventDefault();
          go(options[active >= 0 ? active : 0]);
        }
        break;
      case "Escape":
        if (!panel.hidden) {
          event.preventDefault();
          event.stopPropagation();
          setOpen(false);
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          search();
        }
        break;
    }
  });

  /* Keep the focus in the box while a result is clicked. */
  list.addEventListener("mousedown", function (event) {
    event.preventDefault();
  });

  document.addEventListener("pointerdown", function (event) {
    if (!box.contains(event.target)) setOpen(false);
  });

  box.addEventListener("focusout", function (event) {
    if (!event.relatedTarget || !box.contains(event.relatedTarget)) setOpen(false);
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey) return;
    var key = event.key;
    var shortcut = (key === "k" || key === "K") && (event.ctrlKey || event.metaKey);
    var slash = key === "/" && !event.ctrlKey && !event.metaKey && !isEditable(event.target);
    if (shortcut || slash) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });

  box.hidden = false;
  document.documentElement.classList.add("has-search");
})();
