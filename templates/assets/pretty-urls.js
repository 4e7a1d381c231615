/* gradbook: short page URLs on a web server.
 *
 * Pages link to each other through the pages' index.html files
 * ("../calculus/intro/index.html"), so that a site opened from disk, where
 * a browser does not turn a folder into its index.html, works link by
 * link. A web server does turn "calculus/intro/" into its index.html, so
 * when a page is served over http or https this script takes "index.html"
 * off every link and off the address bar: readers there see, bookmark and
 * share the short form. Opened from disk it does nothing. Without it
 * every link still works.
 */
(function () {
  "use strict";

  if (location.protocol !== "http:" && location.protocol !== "https:") return;

  /* The short form of a link to an index.html, or null for any other
   * link (other hosts, other files). */
  function shorten(href) {
    if (!href || /^[a-z][a-z0-9+.-]*:/i.test(href) || href.slice(0, 2) === "//") return null;
    var cut = href.search(/[?#]/);
    var path = cut < 0 ? href : href.slice(0, cut);
    var rest = cut < 0 ? "" : href.slice(cut);
    if (path === "index.html") return "./" + rest;
    if (/\/index\.html$/.test(path)) return path.slice(0, -"index.html".length) + rest;
    return null;
  }

  function shortenLinks() {
    var links = document.querySelectorAll("a[href], area[href]");
    for (var i = 0; i < links.length; i++) {
      var short = shorten(links[i].getAttribute("href"));
      if (short !== null) links[i].setAttribute("href", short);
    }
  }

  if (/\/index\.html$/.test(location.pathname) && history.replaceState) {
    var path = location.pathname.slice(0, -"index.html".length);
    history.replaceState(history.state, "", path + location.search + location.hash);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", shortenLinks);
  } else {
    shortenLinks();
  }
})();
