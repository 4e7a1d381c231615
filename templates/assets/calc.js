/*
 * Executable lessons: the copy button of each calc block.
 *
 * Without JavaScript the button stays hidden and the transcript is still
 * one click away in its <details>; with it, the button copies the raw
 * transcript and announces the result to screen readers.
 */
(function () {
  "use strict";

  function copyWithSelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "0";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (err) {
      ok = false;
    }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return copyWithSelection(text);
      });
    }
    return copyWithSelection(text);
  }

  function setUp(button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target || button.hasAttribute("data-ready")) {
      return;
    }
    button.setAttribute("data-ready", "");
    var label = button.textContent;
    var status = document.createElement("span");
    status.className = "calc-copy-status visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    button.parentNode.insertBefore(status, button.nextSibling);
    var timer = null;

    function show(state, text, spoken) {
      button.setAttribute("data-state", state);
      button.textContent = text;
      status.textContent = spoken;
      clearTimeout(timer);
      timer = setTimeout(function () {
        button.removeAttribute("data-state");
        button.textContent = label;
        status.textContent = "";
      }, 1800);
    }

    button.addEventListener("click", function () {
      copyText(target.textContent).then(
        function () {
          show("done", "Copied", "Transcript copied to the clipboard");
        },
        function () {
          show("failed", "Copy failed", "Could not copy the transcript");
        }
      );
    });
    button.hidden = false;
  }

  function init() {
    var buttons = document.querySelectorAll(".calc-copy[data-copy-target]");
    for (var i = 0; i < buttons.length; i++) {
      setUp(buttons[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
