//! The review page (`review/`): every flashcard of the site, grouped by
//! section and lesson, with computed values, readable without JavaScript,
//! and linked from every page's header and from the home page.

use crate::support::{Page, SiteTest};

/// Every page a build of the review fixture writes.
const PAGES: &[&str] = &[
    "",
    "basics/",
    "basics/slopes/",
    "basics/plain/",
    "advanced/",
    "advanced/chain/",
    "top/",
    "review/",
];

#[test]
fn the_review_page_holds_every_card_grouped_by_lesson() {
    let site = SiteTest::fixture("review");
    site.build().success();
    let review = site.page("review/");
    assert_eq!(review.text("h1"), ["Review"]);
    assert_eq!(
        review.text(".page-summary"),
        [
            "5 flashcards from 3 lessons, to review with spaced repetition: each card comes back just before you would forget it."
        ]
    );
    // Sections in reading order, then lessons, then their cards.
    assert_eq!(review.text(".gb-review-section"), ["Advanced", "Basics"]);
    assert_eq!(
        review.text(".gb-review-lesson-title"),
        ["Top lesson", "Chain rule", "Slopes"]
    );
    assert_eq!(
        review.attr(".gb-review-lesson-title a", "href"),
        [
            "../top/index.html",
            "../advanced/chain/index.html",
            "../basics/slopes/index.html"
        ]
    );
    assert_eq!(
        review.attr(".gb-review-lesson", "data-lesson"),
        ["top/", "advanced/chain/", "basics/slopes/"]
    );
    assert_eq!(
        review.text(".gb-review-q"),
        [
            "Where does this lesson live?",
            "What is the chain rule?",
            "What is the derivative of (3x + 1)² at x = 1?",
            "What is the slope of J at w = 2?",
            "What does a derivative measure?",
        ]
    );
    // Inline values in a back are computed: g'(1) = 24, J'(2) = 7.
    let answers = review.text(".gb-review-answer");
    assert_eq!(answers[2], "It is 24: 2 · (3x + 1) · 3 at x = 1.");
    assert_eq!(answers[3], "It is 7, since J’(w) = 2w + 3.");
    assert_eq!(review.text(".gb-review-answer .calc-inline"), ["24", "7"]);
}

#[test]
fn card_keys_are_the_lesson_url_and_the_id_the_lesson_page_uses() {
    let site = SiteTest::fixture("review");
    site.build().success();
    let review = site.page("review/");
    let keys = review.attr(".gb-review-item", "data-key");
    assert_eq!(keys.len(), 5);
    let lesson = site.page("basics/slopes/");
    let ids = lesson.attr(".gb-card", "data-card-id");
    assert_eq!(
        lesson.attr("[data-gb=flashcards]", "data-gb-page"),
        ["/basics/slopes/"]
    );
    let expected: Vec<String> = ids
        .iter()
        .map(|id| format!("basics/slopes/#{id}"))
        .collect();
    assert_eq!(keys[3..], expected[..]);
}

#[test]
fn without_javascript_the_review_page_is_a_list_of_cards() {
    let site = SiteTest::fixture("review");
    site.build().success();
    let review = site.page("review/");
    // The scheduler's controls wait for the script; every card is in a
    // <details>, its front as the summary and its back inside.
    assert_eq!(review.attr("[data-gb-review-app]", "hidden"), [""]);
    assert_eq!(review.select(".gb-review-item details > summary").len(), 5);
    assert_eq!(
        review
            .select(".gb-review-item details > .gb-review-answer")
            .len(),
        5
    );
    assert!(review.select(".gb-review-all[hidden]").is_empty());
    // The scheduler and the page's script load, deferred, in that order.
    let scripts = review.attr("script[src]", "src");
    let fsrs = scripts
        .iter()
        .position(|s| s.ends_with("assets/review-fsrs.js"));
    let page = scripts.iter().position(|s| s.ends_with("assets/review.js"));
    assert!(fsrs.is_some() && fsrs < page, "{scripts:?}");
    assert!(
        site.output("assets/review-fsrs.js")
            .contains("gradbookReview")
    );
    assert!(site.output("assets/review.css").contains(".gb-review-card"));
}

#[test]
fn every_page_links_to_the_review_page_with_a_hidden_due_badge() {
    let site = SiteTest::fixture("review");
    site.build().success();
    for url in PAGES {
        let page = site.page(url);
        let links = page.attr("header.topbar a.review-link", "href");
        let depth = url.matches('/').count();
        let expected = format!("{}review/index.html", "../".repeat(depth));
        let expected = if depth == 0 {
            "./review/index.html".to_string()
        } else {
            expected
        };
        assert_eq!(links, [expected], "/{url}");
        assert_eq!(
            page.attr("header.topbar .review-badge[data-gb-review-due]", "hidden"),
            [""],
            "/{url}: the badge waits for the script"
        );
        assert!(
            page.attr("script[src]", "src")
                .iter()
                .any(|s| s.ends_with("assets/review-fsrs.js")),
            "/{url}"
        );
    }
    let review = site.page("review/");
    assert_eq!(review.attr("a.review-link", "aria-current"), ["page"]);
    let home = site.page("");
    assert_eq!(home.attr(".hero-review a", "href"), ["./review/index.html"]);
    // The 404 page links from the base URL.
    let missing = Page::parse(&site.output("404.html"));
    assert_eq!(missing.attr("a.review-link", "href"), ["/review/"]);
}

#[test]
fn a_site_base_template_without_head_or_scripts_blocks_still_gets_the_review_page() {
    let site = SiteTest::fixture("review").file(
        "templates/base.html",
        "<html><head><title>{% block title %}{{ page.title }}{% endblock title %}</title></head><body><main>{% block content %}{% endblock content %}</main></body></html>",
    );
    site.build().success();
    let review = site.page("review/");
    assert_eq!(review.select(".gb-review-item").len(), 5);
    let scripts = review.attr("script[src]", "src");
    assert_eq!(
        scripts,
        ["../assets/review-fsrs.js", "../assets/review.js"],
        "the page brings its own scripts"
    );
    assert_eq!(
        review.attr("link[rel=stylesheet]", "href"),
        ["../assets/review.css"]
    );
}

#[test]
fn a_site_without_flashcards_has_no_review_page_and_no_link() {
    let site = SiteTest::new().lesson("a.md", "A", "Just text.\n");
    site.build().success();
    assert!(!site.has_output("review/index.html"));
    let page = site.page("a/");
    assert!(!page.has("a.review-link"));
    assert!(
        !page
            .attr("script[src]", "src")
            .iter()
            .any(|s| s.contains("review"))
    );
}

#[test]
fn a_lesson_at_review_keeps_its_place() {
    let site = SiteTest::new().lesson("review.md", "My review", "::: flashcards\n### Q\nA.\n:::\n");
    site.build().success();
    let page = site.page("review/");
    assert_eq!(page.text("h1"), ["My review"]);
    assert!(!page.has("a.review-link"));
}

#[test]
fn a_site_that_only_mentions_flashcards_gets_no_review_page() {
    let site = SiteTest::new().lesson("a.md", "A", "We will add flashcards later.\n");
    site.build().success();
    assert!(!site.has_output("review/index.html"));
}

#[test]
fn a_flashcards_line_that_opens_no_component_gets_a_page_saying_there_are_none() {
    // The fence scanner sees the line; the Markdown parse knows it is code.
    let site = SiteTest::new().lesson(
        "a.md",
        "A",
        "```markdown\n::: flashcards\n### Front\nBack\n:::\n```\n",
    );
    site.build().success();
    let review = site.page("review/");
    assert_eq!(
        review.text(".page-summary"),
        ["This site has no flashcards yet, so there is nothing to review."]
    );
    assert!(!review.has("[data-gb-review-app]"));
    assert!(
        !review
            .attr("script[src]", "src")
            .iter()
            .any(|s| s.ends_with("review.js"))
    );
}

#[test]
fn a_static_file_may_not_replace_the_review_page() {
    let site = SiteTest::fixture("review").file("static/review/index.html", "mine");
    site.build().code(1).stderr_has("review/index.html");
}

#[test]
fn check_passes_on_the_review_fixture() {
    let site = SiteTest::fixture("review");
    site.check().success();
}
