//! `gradbook build` on good sites: URLs, navigation, links, highlighting,
//! drafts, templates, static files, determinism.

use crate::support::{SiteTest, read_tree};

fn built_fixture() -> SiteTest {
    let site = SiteTest::fixture("basic");
    site.build().success();
    site
}

#[test]
fn pages_are_written_to_pretty_urls() {
    let site = built_fixture();
    for file in [
        "index.html",
        "404.html",
        "sitemap.xml",
        "welcome/index.html",
        "calculus/index.html",
        "calculus/derivatives/index.html",
        "calculus/chain-rule/index.html",
        "calculus/limits/index.html",
        "linear-algebra/index.html",
        "linear-algebra/vectors/index.html",
        "assets/gradbook.css",
        "assets/gradbook.js",
        "assets/components.css",
        "assets/components.js",
        "assets/calc.css",
        "assets/calc.js",
        "assets/highlight-light.css",
        "assets/highlight-dark.css",
    ] {
        assert!(site.has_output(file), "missing {file}");
    }
    assert!(
        !site.has_output("hidden/index.html"),
        "hidden files are skipped"
    );
    assert!(!site.has_output("calculus/derivatives.md~"));
}

#[test]
fn sidebar_lists_sections_and_lessons_in_order_with_the_current_one_marked() {
    let site = built_fixture();
    let page = site.page("calculus/chain-rule/");
    assert_eq!(
        page.text(".sidebar .nav-lesson"),
        ["Welcome", "Derivatives", "Chain Rule", "Limits", "Vectors"]
    );
    assert_eq!(
        page.text(".sidebar .nav-section"),
        ["Calculus", "Linear algebra"]
    );
    assert_eq!(page.text(".sidebar .current"), ["Chain Rule"]);
    assert_eq!(page.attr(".sidebar .current", "aria-current"), ["page"]);
    assert_eq!(
        page.attr(".sidebar .current", "href"),
        ["../../calculus/chain-rule/index.html"]
    );
}

#[test]
fn previous_and_next_follow_reading_order() {
    let site = built_fixture();
    let page = site.page("calculus/derivatives/");
    assert_eq!(
        page.attr("a[rel=prev]", "href"),
        ["../../welcome/index.html"]
    );
    assert_eq!(
        page.attr("a[rel=next]", "href"),
        ["../../calculus/chain-rule/index.html"]
    );
    let last = site.page("linear-algebra/vectors/");
    assert!(!last.has("a[rel=next]"));
    let first = site.page("welcome/");
    assert!(!first.has("a[rel=prev]"));
}

#[test]
fn a_lone_lesson_has_no_empty_pager_and_the_footer_sits_beside_the_sidebar() {
    let site = SiteTest::new().lesson("only.md", "Only", "Text.\n");
    site.build().success();
    let page = site.page("only/");
    assert!(!page.has(".pager"), "a pager with nothing in it");
    // Inside the layout, so the sticky sidebar is not pushed up by it.
    assert!(page.has(".layout > footer.site-footer"));
}

#[test]
fn index_lists_every_section_and_lesson_with_its_summary() {
    let site = built_fixture();
    let home = site.page("");
    assert_eq!(home.text("h1"), ["Fixture Book"]);
    assert_eq!(
        home.text(".lesson-group .group-title"),
        ["Calculus", "Linear algebra"]
    );
    assert_eq!(
        home.text(".lesson-card .lesson-title"),
        ["Welcome", "Derivatives", "Chain Rule", "Limits", "Vectors"]
    );
    assert!(
        home.text(".lesson-card .lesson-summary")
            .contains(&"Slopes of curves.".to_string())
    );
    assert!(
        home.text(".prose")
            .join(" ")
            .contains("Welcome to the fixture book.")
    );
    // The intro's link to a lesson is rewritten relative to the home page.
    assert_eq!(home.attr(".prose a", "href"), ["./welcome/index.html"]);
    let section = site.page("calculus/");
    assert_eq!(section.text("h1"), ["Calculus"]);
    assert_eq!(
        section.text(".lesson-card .lesson-title"),
        ["Derivatives", "Chain Rule", "Limits"]
    );
}

#[test]
fn md_links_are_rewritten_to_page_urls() {
    let site = built_fixture();
    let page = site.page("calculus/derivatives/");
    let hrefs = page.attr(".prose a", "href");
    for expected in [
        "../../calculus/chain-rule/index.html#the-rule",
        "../../calculus/limits/index.html",
        "#overview",
        "../../linear-algebra/vectors/index.html",
        "https://example.com/page.md",
    ] {
        assert!(
            hrefs.contains(&expected.to_string()),
            "{expected} not in {hrefs:?}"
        );
    }
}

#[test]
fn headings_get_unique_ids_and_a_table_of_contents() {
    let site = built_fixture();
    let page = site.page("calculus/derivatives/");
    assert_eq!(page.attr(".prose h2", "id"), ["overview", "overview-1"]);
    assert_eq!(
        page.attr(".toc-open a", "href"),
        ["#overview", "#overview-1"]
    );
    // The folded copy for narrow screens lists the same sections.
    assert_eq!(
        page.attr(".toc-fold a", "href"),
        ["#overview", "#overview-1"]
    );
    assert!(page.has("nav.toc[aria-labelledby=toc-title] details.toc-fold"));
}

#[test]
fn the_table_of_contents_lists_the_lessons_own_sections_with_readable_math() {
    let site = SiteTest::new().lesson(
        "a/b.md",
        "B",
        "## Slope of $w^2$ at $w = 3$\n\nText.\n\n::: note Aside\n## Inside a note\n:::\n\n\
         ::: flashcards\n### What is $J'(3)$?\nSix.\n\n#### Why\nBecause.\n:::\n\n\
         ::: interview\n### A question?\nAn answer.\n\n#### Senior angle\nMore.\n:::\n\n\
         ### The *update* rule `w -= a*g`\n\nText.\n\n## [Linked](#inside-a-note) heading\n",
    );
    site.build().success();
    let page = site.page("a/b/");
    assert_eq!(
        page.attr(".toc-open a", "href"),
        [
            "#slope-of-w-2-at-w-3",
            "#the-update-rule-w-a-g",
            "#linked-heading"
        ]
    );
    let texts = page.text(".toc-open a");
    assert_eq!(texts[1..], ["The update rule w -= a*g", "Linked heading"]);
    // Math in an entry is MathML (or the converter's markup), never TeX
    // source with dollar signs; code and emphasis are kept; links are not
    // nested inside the entry's own link.
    let entries = page.select(".toc-open a");
    let first = entries[0].inner_html();
    assert!(!first.contains('$'), "{first}");
    assert!(first.starts_with("Slope of <math"), "{first}");
    assert_eq!(
        page.select(".toc-open li:first-child a math").len(),
        2,
        "{first}"
    );
    assert!(entries[1].inner_html().contains("<em>update</em>"));
    assert!(entries[1].inner_html().contains("<code>w -= a*g</code>"));
    assert!(!page.has(".toc a a"));
    // Headings inside components keep unique ids, and links to them work.
    assert!(page.has("h2#inside-a-note"));
    assert!(page.has("h4#why"));
}

#[test]
fn code_is_highlighted_with_classes_and_unknown_languages_are_plain() {
    let site = built_fixture();
    let page = site.page("calculus/derivatives/");
    assert!(page.has("pre.hl-code code.language-python span.hl-source"));
    assert!(page.has("pre.hl-code code.language-python span.hl-keyword"));
    let plain = page.select("pre.plain code.language-nosuchlanguage");
    assert_eq!(plain.len(), 1);
    assert_eq!(plain[0].text().collect::<String>(), "a < b && c\n");
    assert!(
        plain[0].children().all(|c| c.value().is_text()),
        "no spans in plain code"
    );
    let dark = site.output("assets/highlight-dark.css");
    assert!(dark.contains("html[data-theme=\"dark\"] .hl-"));
    assert!(dark.contains("@media (prefers-color-scheme: dark)"));
    let light = site.output("assets/highlight-light.css");
    assert!(light.contains("html[data-theme=\"light\"] .hl-"));
}

#[test]
fn markdown_extensions_are_on() {
    let site = built_fixture();
    let page = site.page("calculus/derivatives/");
    assert!(page.has(".prose table th"));
    assert_eq!(page.select(".prose input[type=checkbox]").len(), 2);
    assert_eq!(page.text(".prose del"), ["wrong"]);
    assert!(page.source.contains("“quoted”"), "smart quotes");
    assert!(page.has(".prose .footnote-definition"));
}

#[test]
fn drafts_are_skipped_unless_asked_for() {
    let site = built_fixture();
    assert!(!site.has_output("calculus/future/index.html"));
    assert!(!site.page("").source.contains("Future Lesson"));
    site.run(&["build", "--drafts"]).success();
    assert!(site.has_output("calculus/future/index.html"));
    assert!(
        site.page("")
            .text(".lesson-title")
            .contains(&"Future Lesson".to_string())
    );
}

#[test]
fn static_files_are_copied_verbatim() {
    let site = built_fixture();
    let original = read_tree(&site.root().join("static"));
    assert_eq!(original.len(), 2);
    for (rel, bytes) in original {
        let copied = std::fs::read(site.root().join("site").join(&rel)).expect("copied");
        assert_eq!(copied, bytes, "{}", rel.display());
    }
}

#[test]
fn a_site_template_overrides_the_builtin_one() {
    let site = SiteTest::fixture("basic").file(
        "templates/lesson.html",
        "{% extends \"builtin/lesson.html\" %}{% block footer %}<p class=\"custom\">Custom footer for {{ page.title }}</p>{% endblock footer %}",
    );
    site.build().success();
    let page = site.page("calculus/limits/");
    assert_eq!(page.text(".custom"), ["Custom footer for Limits"]);
    assert!(
        page.has(".sidebar"),
        "the rest of the built-in layout stays"
    );
    assert!(
        !site.page("").has(".custom"),
        "only the overridden template changes"
    );
}

#[test]
fn a_site_template_replaces_the_builtin_of_the_same_name() {
    let site = SiteTest::fixture("basic").file(
        "templates/base.html",
        "<html><head><title>{% block title %}{{ page.title }}{% endblock title %}</title></head><body><main id=\"content\">{% block content %}{% endblock content %}</main><p id=\"mine\">{{ book.title }}</p></body></html>",
    );
    site.build().success();
    let page = site.page("calculus/limits/");
    assert_eq!(page.text("#mine"), ["Fixture Book"]);
    assert!(!page.has(".sidebar"));
    assert!(page.has("main#content article.lesson"));
}

#[test]
fn two_builds_are_byte_identical() {
    let site = SiteTest::fixture("basic");
    site.run(&["build", "--dest", "one"]).success();
    site.run(&["build", "--dest", "two"]).success();
    let one = site.tree("one");
    let two = site.tree("two");
    assert!(one.len() > 10);
    assert_eq!(one, two);
}

#[test]
fn sitemap_and_404_use_the_base_url() {
    let site = built_fixture();
    let sitemap = site.output("sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/book/</loc>"));
    assert!(sitemap.contains("<loc>https://example.org/book/calculus/derivatives/</loc>"));
    assert!(!sitemap.contains("future"), "drafts are not in the sitemap");
    let page = crate::support::Page::parse(&site.output("404.html"));
    assert!(
        page.attr("link[rel=stylesheet]", "href")
            .iter()
            .all(|h| h.starts_with("https://example.org/book/assets/")),
    );
}

#[test]
fn every_local_stylesheet_script_and_link_resolves() {
    let site = built_fixture();
    for url in [
        "",
        "welcome/",
        "calculus/",
        "calculus/derivatives/",
        "linear-algebra/vectors/",
    ] {
        let page = site.page(url);
        let mut targets = page.attr("link[rel=stylesheet]", "href");
        targets.extend(page.attr("script[src]", "src"));
        targets.extend(page.attr("a[href]", "href"));
        for target in targets {
            if target.starts_with("http") || target.starts_with('#') {
                continue;
            }
            let path = target.split('#').next().unwrap_or_default();
            let mut file = site.root().join("site").join(url).join(path);
            if path.is_empty() || path.ends_with('/') {
                file = file.join("index.html");
            }
            assert!(
                file.exists(),
                "{url}: {target} does not resolve ({})",
                file.display()
            );
        }
    }
}

#[test]
fn theme_defines_the_shared_custom_properties() {
    let site = built_fixture();
    let css = site.output("assets/gradbook.css");
    let dark_start = css.find("html[data-theme=\"dark\"] {").expect("dark block");
    let auto_start = css
        .find("@media (prefers-color-scheme: dark)")
        .expect("auto block");
    for var in [
        "--bg",
        "--bg-soft",
        "--fg",
        "--fg-muted",
        "--accent",
        "--accent-soft",
        "--border",
        "--code-bg",
        "--card-bg",
        "--ok",
        "--bad",
        "--radius",
        "--font-body",
        "--font-mono",
    ] {
        assert!(
            css[..dark_start].contains(&format!("{var}:")),
            "{var} in :root"
        );
    }
    for var in [
        "--bg",
        "--fg",
        "--accent",
        "--code-bg",
        "--card-bg",
        "--ok",
        "--bad",
    ] {
        assert!(
            css[dark_start..auto_start].contains(&format!("{var}:")),
            "{var} in dark"
        );
        assert!(
            css[auto_start..].contains(&format!("{var}:")),
            "{var} in auto"
        );
    }
    let page = site.page("");
    assert_eq!(
        page.attr("html", "data-theme"),
        ["light"],
        "[theme] default = light"
    );
    assert!(page.has("button.theme-toggle"));
    assert!(page.has("main#content"));
}

#[test]
fn build_takes_a_folder_and_a_destination_and_quiet_prints_nothing() {
    let site = SiteTest::fixture("basic");
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("public");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_gradbook"))
        .arg("build")
        .arg(site.root())
        .arg("--dest")
        .arg(&dest)
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.stdout.is_empty() && run.stderr.is_empty());
    assert!(dest.join("calculus/derivatives/index.html").exists());
    assert!(!site.root().join("site").exists());
}

#[test]
fn check_validates_without_writing() {
    let site = SiteTest::fixture("basic");
    site.check()
        .success()
        .stdout_has("check: 0 verified, 0 computed without an expected output, 0 failed");
    assert!(!site.root().join("site").exists());
}

#[test]
fn the_bundled_site_builds_and_checks() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    if !root.join("book.toml").exists() {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_gradbook"))
        .arg("build")
        .arg(root)
        .arg("--dest")
        .arg(out.path().join("site"))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        out.path()
            .join("site/calculus/what-is-a-derivative/index.html")
            .exists()
    );
    // The repository is both the bundled site and the source of the
    // built-in assets, so its `templates/assets/` replaces them: every
    // style the built-ins carry must be in those files themselves (the
    // search box's once lived in a stylesheet joined on at build time).
    let css = std::fs::read_to_string(out.path().join("site/assets/gradbook.css")).unwrap();
    assert!(css.contains(".search-input"), "the search box is unstyled");
}

#[test]
fn large_sites_show_only_the_current_sections_lessons_in_the_sidebar() {
    let mut site = SiteTest::new();
    for s in 0..3 {
        for l in 0..25 {
            site = site.lesson(
                &format!("s{s}/l{l:02}.md"),
                &format!("S{s} L{l:02}"),
                "Body\n",
            );
        }
    }
    site.build().success();
    let page = site.page("s1/l03/");
    let lessons = page.text(".sidebar .nav-lesson");
    assert_eq!(lessons.len(), 25);
    assert!(lessons.iter().all(|t| t.starts_with("S1 ")), "{lessons:?}");
    assert_eq!(page.text(".sidebar .nav-section"), ["S0", "S1", "S2"]);
    assert_eq!(page.text(".sidebar .current"), ["S1 L03"]);
    // The home page still lists every lesson.
    assert_eq!(site.page("").select(".lesson-card").len(), 75);
}

#[test]
fn site_assets_replace_builtin_ones_and_static_cannot_clash() {
    let site = SiteTest::fixture("basic")
        .file("templates/assets/gradbook.css", "body { color: red; }\n")
        .file("templates/assets/extra.js", "console.log(1);\n")
        .file("templates/notes.txt", "{{ not a template");
    site.build().success();
    assert_eq!(site.output("assets/gradbook.css"), "body { color: red; }\n");
    assert_eq!(site.output("assets/extra.js"), "console.log(1);\n");
    let page = site.page("calculus/limits/");
    assert_eq!(
        page.attr("link[rel=canonical]", "href"),
        ["https://example.org/book/calculus/limits/"]
    );

    site.write("static/assets/gradbook.js", "clash");
    site.build().code(1).stderr_has("static/assets/gradbook.js");
}

#[test]
fn a_long_section_shows_a_window_of_lessons_around_the_current_one() {
    let mut site = SiteTest::new();
    for l in 0..100 {
        site = site.lesson(&format!("long/l{l:03}.md"), &format!("L{l:03}"), "Body\n");
    }
    site.build().success();
    for (url, current) in [("long/l000/", 0), ("long/l050/", 50), ("long/l099/", 99)] {
        let page = site.page(url);
        let lessons = page.text(".sidebar .nav-lesson");
        assert_eq!(lessons.len(), 13, "{url}: {lessons:?}");
        assert!(lessons.contains(&format!("L{current:03}")), "{url}");
        let more = page.attr(".sidebar .nav-more a", "href");
        assert!(!more.is_empty(), "{url}: a way to the rest");
        assert!(
            more.iter().all(|h| h == "../../long/index.html"),
            "{url}: {more:?}"
        );
    }
    let middle = site.page("long/l050/");
    assert_eq!(
        middle.text(".sidebar .nav-more a"),
        ["44 earlier lessons in Long", "43 more lessons in Long"]
    );
    // With JavaScript off, the section page lists every lesson.
    assert_eq!(site.page("long/").select(".lesson-card").len(), 100);
}

#[test]
fn a_sitemap_only_with_an_absolute_base_url_and_robots_txt_points_to_it() {
    // The default base-url "/" cannot give the absolute <loc> URLs the
    // sitemap protocol requires: no sitemap, and the build says so.
    let site = SiteTest::new().lesson("a/b.md", "B", "Text.\n");
    site.build()
        .success()
        .stderr_has("note: no sitemap.xml: base-url \"/\" is not an absolute URL");
    assert!(!site.has_output("sitemap.xml"));
    assert_eq!(site.output("robots.txt"), "User-agent: *\nAllow: /\n");
    assert!(!site.page("a/b/").has("link[rel=canonical]"));

    // --base-url gives the address the site is published at.
    let run = site.run(&["build", "--base-url", "https://example.org/course"]);
    run.success();
    assert!(!run.stderr.contains("sitemap"), "{}", run.stderr);
    let sitemap = site.output("sitemap.xml");
    let doc = roxmltree::Document::parse(&sitemap).expect("the sitemap is XML");
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(
        locs,
        [
            "https://example.org/course/",
            "https://example.org/course/a/",
            "https://example.org/course/a/b/"
        ]
    );
    assert_eq!(
        site.output("robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://example.org/course/sitemap.xml\n"
    );
    let page = site.page("a/b/");
    assert_eq!(
        page.attr("link[rel=canonical]", "href"),
        ["https://example.org/course/a/b/"]
    );
    assert_eq!(
        page.attr("meta[property='og:url']", "content"),
        ["https://example.org/course/a/b/"]
    );

    // A site's own robots.txt wins over the generated one.
    site.write("static/robots.txt", "User-agent: *\nDisallow: /drafts/\n");
    site.build().success();
    assert_eq!(
        site.output("robots.txt"),
        "User-agent: *\nDisallow: /drafts/\n"
    );
}

#[test]
fn pages_load_only_the_stylesheets_and_scripts_they_use() {
    let site = SiteTest::new()
        .lesson("a/prose.md", "Prose", "Only words.\n")
        .lesson("a/code.md", "Code", "```python\nx = 1\n```\n")
        .lesson("a/note.md", "Note", "::: note\nA note.\n:::\n")
        .lesson("a/calc.md", "Calc", "```calc\n>>> 1 + 1\n2\n```\n")
        .lesson("a/inline.md", "Inline", "Two is `= 1 + 1`.\n");
    site.build().success();
    let assets = |url: &str| {
        let page = site.page(url);
        let mut found = page.attr("link[rel=stylesheet]", "href");
        found.extend(page.attr("script[src]", "src"));
        found
            .iter()
            .map(|h| h.rsplit('/').next().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };
    // Every page has the search box, and links that work from disk.
    let always = ["search.js", "pretty-urls.js"];
    let assets = |url: &str| {
        let mut found = assets(url);
        let tail = found.split_off(found.len() - always.len());
        assert_eq!(tail, always, "{url}");
        found
    };
    assert_eq!(assets("a/prose/"), ["gradbook.css", "gradbook.js"]);
    assert_eq!(assets(""), ["gradbook.css", "gradbook.js"]);
    assert_eq!(assets("a/"), ["gradbook.css", "gradbook.js"]);
    let not_found = crate::support::Page::parse(&site.output("404.html"));
    assert_eq!(
        not_found.attr("link[rel=stylesheet]", "href"),
        ["/assets/gradbook.css"]
    );
    assert_eq!(
        assets("a/code/"),
        [
            "gradbook.css",
            "highlight-light.css",
            "highlight-dark.css",
            "gradbook.js"
        ]
    );
    // Code colours do not hold up the first paint.
    let code = site.page("a/code/");
    assert_eq!(
        code.attr(
            "link[href$='highlight-light.css'], link[href$='highlight-dark.css']",
            "media"
        ),
        ["print", "print"]
    );
    assert_eq!(
        code.attr("link[media=print]", "onload"),
        ["this.media='all'", "this.media='all'"]
    );
    assert_eq!(
        assets("a/note/"),
        [
            "gradbook.css",
            "components.css",
            "gradbook.js",
            "components.js"
        ]
    );
    assert_eq!(
        assets("a/calc/"),
        ["gradbook.css", "calc.css", "gradbook.js", "calc.js"]
    );
    assert_eq!(
        assets("a/inline/"),
        ["gradbook.css", "calc.css", "gradbook.js", "calc.js"]
    );
    // Once a lesson has cards, every page's sidebar shows progress, which
    // components.js fills in, and its header the count of cards due on
    // the review page, which review-fsrs.js fills in.
    site.write(
        "content/a/cards.md",
        "+++\ntitle = \"Cards\"\n+++\n::: flashcards\n### Q?\nA.\n:::\n",
    );
    site.build().success();
    assert_eq!(
        assets("a/prose/"),
        [
            "gradbook.css",
            "gradbook.js",
            "review-fsrs.js",
            "components.js"
        ]
    );
    // Every asset is still written, for custom templates.
    for name in ["components.css", "calc.css", "highlight-dark.css"] {
        assert!(site.has_output(&format!("assets/{name}")), "{name}");
    }
}

#[test]
fn descriptions_fall_back_to_the_first_paragraph_and_links_preview_well() {
    let site = SiteTest::empty()
        .file(
            "book.toml",
            "[book]\ntitle = \"Course\"\ndescription = \"About derivatives.\"\nbase-url = \"https://example.org/\"\n",
        )
        .file("static/covers/slope.png", b"\x89PNG\r\n")
        .file(
            "content/a/b.md",
            "+++\ntitle = \"Slopes\"\nimage = \"covers/slope.png\"\n+++\n\n\
             ::: note\nNot this one.\n:::\n\n## First\n\n\
             The slope of $J(w) = w^2$ at 3 is `= 2*3`.\n\nNot this either.\n",
        )
        .file(
            "content/a/c.md",
            "+++\ntitle = \"Summed up\"\nsummary = \"A summary.\"\n+++\nText.\n",
        );
    site.build().success();
    let page = site.page("a/b/");
    let meta = |key: &str| {
        let mut found = page.attr(&format!("meta[name='{key}']"), "content");
        found.extend(page.attr(&format!("meta[property='{key}']"), "content"));
        found
    };
    assert_eq!(meta("description"), ["The slope of J(w) = w² at 3 is 6."]);
    assert_eq!(meta("og:description"), meta("description"));
    assert_eq!(meta("og:title"), ["Slopes"]);
    assert_eq!(meta("og:type"), ["article"]);
    assert_eq!(meta("og:site_name"), ["Course"]);
    assert_eq!(meta("og:image"), ["https://example.org/covers/slope.png"]);
    assert_eq!(meta("twitter:card"), ["summary_large_image"]);

    let summed = site.page("a/c/");
    assert_eq!(
        summed.attr("meta[name=description]", "content"),
        ["A summary."]
    );
    assert!(!summed.has("meta[property='og:image']"));
    assert_eq!(
        summed.attr("meta[name='twitter:card']", "content"),
        ["summary"]
    );
    // Nothing to describe a page by: the book's description.
    let home = site.page("");
    assert_eq!(
        home.attr("meta[name=description]", "content"),
        ["About derivatives."]
    );
    assert_eq!(
        home.attr("meta[property='og:type']", "content"),
        ["website"]
    );
}

#[test]
fn a_missing_preview_image_is_an_error_at_its_line() {
    let site = SiteTest::new().file(
        "content/a.md",
        "+++\ntitle = \"A\"\nimage = \"covers/none.png\"\n+++\nText.\n",
    );
    let run = site.build();
    run.code(1)
        .stderr_has("content/a.md:3:1")
        .stderr_has("the image 'covers/none.png' is not a file in static/");
    // Without an absolute base-url, a local picture is not previewed (the
    // protocol wants an absolute URL), but an absolute one is.
    site.write("static/covers/none.png", "x");
    site.build().success();
    assert!(!site.page("a/").has("meta[property='og:image']"));
    site.write(
        "content/a.md",
        "+++\ntitle = \"A\"\nimage = \"https://cdn.example.org/a.png\"\n+++\nText.\n",
    );
    site.build().success();
    assert_eq!(
        site.page("a/").attr("meta[property='og:image']", "content"),
        ["https://cdn.example.org/a.png"]
    );
}

#[test]
fn the_favicon_is_a_valid_data_url_and_every_section_has_a_heading() {
    let site = built_fixture();
    for url in ["", "calculus/", "calculus/derivatives/"] {
        let page = site.page(url);
        let icon = page.attr("link[rel=icon]", "href");
        assert_eq!(icon.len(), 1);
        assert!(icon[0].starts_with("data:image/svg+xml,"), "{}", icon[0]);
        assert!(
            !icon[0].contains([' ', '<', '>', '"']),
            "raw characters in {}",
            icon[0]
        );
        // A <section> of the page (not of a component) has a heading.
        for section in page.select("main section:not(.gb)") {
            let html = section.html();
            assert!(
                section
                    .children()
                    .filter_map(scraper::ElementRef::wrap)
                    .any(|c| c.value().name().starts_with('h')),
                "{url}: a section without a heading: {}",
                &html[..html.len().min(200)]
            );
        }
    }
}

#[test]
fn a_base_url_with_a_query_or_fragment_is_refused() {
    let site = SiteTest::fixture("basic");
    let run = site.run(&["build", "--base-url", "https://example.org/docs?q=1#x"]);
    run.code(2)
        .stderr_has("--base-url")
        .stderr_has("base-url may not hold a query (`?q=1#x`)")
        .stderr_has("e.g. https://example.org/course/");
    assert!(!site.root().join("site").exists(), "nothing was built");
    site.run(&["build", "--base-url", "https://example.org/docs#top"])
        .code(2)
        .stderr_has("base-url may not hold a fragment (`#top`)");

    let configured = SiteTest::new().file(
        "book.toml",
        "[book]\ntitle = \"T\"\nbase-url = \"https://example.org/docs?q=1\"\n",
    );
    configured
        .build()
        .code(2)
        .stderr_has("base-url may not hold a query (`?q=1`)")
        .stderr_has("book.toml:3:");
    configured.check().code(2);
    assert!(!configured.root().join("site").exists());

    // Without them, canonical links are the address and the page's path.
    site.run(&["build", "--base-url", "https://example.org/docs"])
        .success();
    let sitemap = site.output("sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://example.org/docs/</loc>"),
        "{sitemap}"
    );
}
