//! A built site works opened from disk: every link from page to page names
//! a file (`…/index.html`), because a browser showing `file://` pages does
//! not turn a folder into its `index.html`. (Clicking through from disk,
//! and the short URLs on a server, are checked in Chromium by
//! `tests/search_browser.rs`.)

use std::path::{Component, Path, PathBuf};

use crate::support::{Page, SiteTest, read_tree};

/// Where a relative link from the page at `page` (a path under the
/// output) leads, as a path under the output, and its fragment.
fn target(page: &Path, href: &str) -> (PathBuf, Option<String>) {
    let (path, fragment) = match href.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (href, None),
    };
    let path = path.split('?').next().unwrap_or_default();
    let mut out = page.parent().map(Path::to_path_buf).unwrap_or_default();
    if path.is_empty() {
        return (page.to_path_buf(), fragment);
    }
    for part in Path::new(path).components() {
        match part {
            Component::ParentDir => {
                assert!(out.pop(), "{href} on {} leaves the site", page.display());
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    (out, fragment)
}

#[test]
fn every_link_between_pages_names_a_file_that_exists() {
    let site = SiteTest::fixture("basic");
    site.build().success();
    let tree = read_tree(&site.root().join("site"));
    let mut checked = 0;
    for (path, bytes) in &tree {
        if path.extension().is_none_or(|e| e != "html") || path.ends_with("404.html") {
            continue;
        }
        let page = Page::parse(&String::from_utf8_lossy(bytes));
        for href in page.attr("a[href], area[href]", "href") {
            if href.contains(':') || href.starts_with('/') {
                continue;
            }
            let (file, fragment) = target(path, &href);
            let Some(target_bytes) = tree.get(&file) else {
                panic!(
                    "{}: {href} leads to {}, which is not a file of the site",
                    path.display(),
                    file.display()
                );
            };
            if let Some(id) = fragment.filter(|f| !f.is_empty()) {
                let target_page = Page::parse(&String::from_utf8_lossy(target_bytes));
                assert!(
                    target_page.has(&format!("[id='{id}']")),
                    "{}: {href}: no #{id} there",
                    path.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} links checked");
}

#[test]
fn links_name_index_files_whoever_wrote_them() {
    let site = SiteTest::new()
        .lesson("a/one.md", "One", "See [two](two.md#end) and <a href=\"../two/\">raw</a>, [home](../_index.md) and [web](https://example.org/x/).\n\n```html\n<a href=\"../two/\">code</a>\n```\n")
        .lesson("a/two.md", "Two", "## End\n")
        .file("content/_index.md", "+++\ntitle = \"Home\"\n+++\nStart at [one](a/one.md).\n");
    site.build().success();
    let page = site.page("a/one/");
    let links = page.attr(".prose a", "href");
    assert_eq!(
        links,
        [
            "../../a/two/index.html#end",
            "../two/index.html",
            "../../index.html",
            "https://example.org/x/"
        ]
    );
    // A link shown as code is text, not a link.
    assert!(
        page.text(".prose pre")
            .join(" ")
            .contains("href=\"../two/\"")
    );
    assert_eq!(
        page.attr(".breadcrumbs a", "href"),
        ["../../index.html", "../../a/index.html"]
    );
    assert_eq!(page.attr("a.brand", "href"), ["../../index.html"]);
    assert_eq!(
        site.page("").attr(".prose a", "href"),
        ["./a/one/index.html"]
    );
}

#[test]
fn the_404_page_keeps_absolute_links_and_pages_load_the_link_shortener() {
    let site = SiteTest::new()
        .file(
            "book.toml",
            "[book]\ntitle = \"T\"\nbase-url = \"/course/\"\n",
        )
        .lesson("a.md", "A", "Text.\n");
    site.build().success();
    let missing = Page::parse(&site.output("404.html"));
    assert_eq!(missing.attr("a.brand", "href"), ["/course/"]);
    for url in ["", "a/"] {
        let page = site.page(url);
        assert!(
            page.attr("script[src]", "src")
                .iter()
                .any(|s| s.ends_with("assets/pretty-urls.js")),
            "{url}: no pretty-urls.js"
        );
    }
    assert!(site.has_output("assets/pretty-urls.js"));
}
