/* gradbook: theme toggle, mobile navigation, copy buttons, heading links,
 * the table of contents and hints on boxes that scroll sideways.
 *
 * Pages read fine without this script; it only adds conveniences. The
 * colour scheme choice ("light", "dark" or "auto") is kept in localStorage
 * under "gradbook-theme" and applied before the first paint by a small
 * inline script in the page head.
 */
(function () {
  "use strict";

  var root = document.documentElement;
  var STORAGE_KEY = "gradbook-theme";
  var CHOICES = ["auto", "light", "dark"];

  function storedChoice() {
    try {
      var value = localStorage.getItem(STORAGE_KEY);
      return CHOICES.indexOf(value) >= 0 ? value : null;
    } catch (e) {
      return null;
    }
  }

  /* The choice made on this page. With storage blocked nothing can be
   * read back, so the page remembers it here; otherwise the toggle would
   * go from the default to the next choice, and stop there, forever. */
  var chosen = null;

  function currentChoice() {
    return chosen || storedChoice() || root.getAttribute("data-theme-default") || "auto";
  }

  function applyChoice(choice) {
    if (choice === "auto") {
      root.removeAttribute("data-theme");
    } else {
      root.setAttribute("data-theme", choice);
    }
    root.setAttribute("data-theme-choice", choice);
    var toggle = document.querySelector(".theme-toggle");
    if (toggle) {
      var label = "Colour theme: " + choice + " (click to change)";
      toggle.setAttribute("aria-label", label);
      toggle.setAttribute("title", label);
    }
  }

  function setupTheme() {
    applyChoice(currentChoice());
    var toggle = document.querySelector(".theme-toggle");
    if (!toggle) return;
    toggle.addEventListener("click", function () {
      var next = CHOICES[(CHOICES.indexOf(currentChoice()) + 1) % CHOICES.length];
      chosen = next;
      try {
        localStorage.setItem(STORAGE_KEY, next);
      } catch (e) {
        /* Private browsing: the choice lasts for this page only. */
      }
      applyChoice(next);
    });
  }

  function setupNavigation() {
    var toggle = document.querySelector(".nav-toggle");
    var backdrop = document.querySelector(".sidebar-backdrop");
    if (!toggle) return;

    function setOpen(open) {
      root.classList.toggle("nav-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.setAttribute("aria-label", open ? "Hide the list of lessons" : "Show the list of lessons");
      if (backdrop) backdrop.hidden = !open;
    }

    toggle.addEventListener("click", function () {
      setOpen(!root.classList.contains("nav-open"));
    });
    if (backdrop) {
      backdrop.addEventListener("click", function () {
        setOpen(false);
      });
    }
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && root.classList.contains("nav-open")) {
        setOpen(false);
        toggle.focus();
      }
    });

    var current = document.querySelector(".sidebar .current");
    if (current && current.scrollIntoView) {
      current.scrollIntoView({ block: "center" });
      window.scrollTo(0, 0);
    }
  }

  function setupCopyButtons() {
    if (!navigator.clipboard) return;
    var blocks = document.querySelectorAll(".prose pre.hl-code");
    Array.prototype.forEach.call(blocks, function (pre) {
      var code = pre.querySelector("code");
      if (!code) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy the code");
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(code.innerText).then(
          function () {
            button.textContent = "Copied";
            setTimeout(function () {
              button.textContent = "Copy";
            }, 1500);
          },
          function () {
            button.textContent = "Press Ctrl+C";
          }
        );
      });
      pre.appendChild(button);
    });
  }

  /* A "#" link on each heading of the text. Component titles are left
   * alone: their ids follow the component's position, so they make poor
   * permanent links. */
  function setupHeadingAnchors() {
    var headings = document.querySelectorAll(".prose h2[id], .prose h3[id], .prose h4[id]");
    Array.prototype.forEach.call(headings, function (heading) {
      if (heading.closest(".gb-head")) return;
      var name = heading.textContent.replace(/\s+/g, " ").trim();
      var anchor = document.createElement("a");
      anchor.className = "heading-anchor";
      anchor.href = "#" + heading.id;
      anchor.setAttribute("aria-label", "Link to this section: " + name);
      anchor.textContent = "#";
      heading.appendChild(anchor);
    });
  }

  /* "On this page": the stylesheet folds it on small screens and sets it
   * beside the text on wide ones; here the entry of the section being read
   * is marked in the open list. */
  function setupTableOfContents() {
    var toc = document.querySelector(".toc .toc-open");
    if (!toc) return;
    var links = Array.prototype.slice.call(toc.querySelectorAll('a[href^="#"]'));
    var targets = links.map(function (link) {
      return document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    });
    if (!links.length) return;
    var current = null;
    var pending = false;
    function mark() {
      pending = false;
      // The section being read: the last heading above the upper third.
      var line = window.innerHeight / 3;
      var found = -1;
      for (var i = 0; i < targets.length; i++) {
        if (targets[i] && targets[i].getBoundingClientRect().top <= line) found = i;
      }
      var link = found >= 0 ? links[found] : null;
      if (link === current) return;
      if (current) current.removeAttribute("aria-current");
      if (link) link.setAttribute("aria-current", "location");
      current = link;
    }
    window.addEventListener(
      "scroll",
      function () {
        if (!pending) {
          pending = true;
          window.requestAnimationFrame(mark);
        }
      },
      { passive: true }
    );
    window.addEventListener("resize", mark);
    mark();
  }

  /* Tables, calc results, display formulas and code wider than the text
   * scroll sideways: each one that overflows becomes focusable (so the
   * arrow keys scroll it), a box that is neither a table nor code becomes
   * a named group (so what gets the focus says what it is), and all but
   * code fade out at the side that has more to show. A box inside a
   * <details> is measured again when the <details> opens. */
  var SCROLL_BOXES = ".prose .calc-table-wrap, .prose table, .prose pre, .prose .calc-out, .prose .math-display";

  /* The name of a scrolling box that has no role of its own. */
  function scrollLabel(box) {
    if (box.classList.contains("math-display")) return "Formula";
    var step = box.closest(".calc-step");
    var input = step && step.querySelector(".calc-in code");
    return input ? "Result of " + input.textContent.replace(/\s+/g, " ").trim() : "Result";
  }

  function setupScrollHints() {
    var boxes = Array.prototype.filter.call(document.querySelectorAll(SCROLL_BOXES), function (box) {
      return !(box.tagName === "TABLE" && box.parentElement.classList.contains("calc-table-wrap"));
    });
    /* Every box is measured before any is changed, so that the page is
     * laid out once, not once per box. */
    function measure(box) {
      return { box: box, max: box.scrollWidth - box.clientWidth, left: box.scrollLeft };
    }
    function apply(m) {
      /* A few pixels hidden (a border, a rounding) need no fade. */
      var fades = m.max > 8 && m.box.tagName !== "PRE";
      m.box.classList.toggle("scrolls-right", fades && m.left < m.max - 1);
      m.box.classList.toggle("scrolls-left", fades && m.left > 1);
      if (m.max > 1 && !m.box.hasAttribute("tabindex")) {
        m.box.tabIndex = 0;
        if (m.box.tagName !== "TABLE" && m.box.tagName !== "PRE" && !m.box.hasAttribute("role")) {
          m.box.setAttribute("role", "group");
          m.box.setAttribute("aria-label", scrollLabel(m.box));
        }
      }
    }
    function updateAll() {
      boxes.map(measure).forEach(apply);
    }
    boxes.forEach(function (box) {
      box.addEventListener(
        "scroll",
        function () {
          apply(measure(box));
        },
        { passive: true }
      );
    });
    updateAll();
    window.addEventListener("resize", updateAll);
    /* "toggle" does not bubble, but it can be caught on its way down. */
    document.addEventListener("toggle", updateAll, true);
    /* The math font arrives after the first paint and changes widths. */
    if (document.fonts) document.fonts.addEventListener("loadingdone", updateAll);
  }

  /* The math font's @font-face (math-font.css, beside gradbook.css) is
   * added once the page has loaded and been painted, so 400 KB of font
   * never hold up the first paint (on a slow device the first paint may
   * come after the load event); until it arrives, formulas use the
   * system's math font. */
  function loadMathFont() {
    var theme = document.querySelector('link[rel="stylesheet"][href$="gradbook.css"]');
    if (!theme || !document.querySelector("math") || document.querySelector("link[data-gb-math-font]")) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = new URL("math-font.css", theme.href).href;
    link.setAttribute("data-gb-math-font", "");
    document.head.appendChild(link);
  }

  root.classList.add("js");
  setupTheme();
  /* A task queued from an animation frame runs after that frame is
   * painted. */
  function afterNextPaint(callback) {
    requestAnimationFrame(function () {
      setTimeout(callback, 0);
    });
  }
  if (document.readyState === "complete") {
    afterNextPaint(loadMathFont);
  } else {
    window.addEventListener("load", function () {
      afterNextPaint(loadMathFont);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setupPage);
  } else {
    setupPage();
  }

  function setupPage() {
    setupNavigation();
    setupCopyButtons();
    setupHeadingAnchors();
    setupTableOfContents();
    setupScrollHints();
  }
})();
