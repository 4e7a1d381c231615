//! Snapshot tests where the shape of the output is the contract: the
//! rustc-style diagnostics an author reads, and the HTML that the
//! stylesheets and scripts depend on. Review changes with
//! `cargo insta review` (or `INSTA_UPDATE=always cargo test` and `git diff`).

use crate::support::{Page, SiteTest};

/// A site with one problem of each common kind, in two files.
fn broken_site() -> SiteTest {
    SiteTest::new()
        .lesson(
            "calculus/slopes.md",
            "Slopes",
            "See [the missing page](nowhere.md) and [a bad anchor](#no-such-heading).\n\n\
             ```calc\n>>> J(w) = w**2\n>>> J'(3)\n7\n>>> sigmod(2)\n>>> diff(J(w), w)\n3*w\n```\n\n\
             ::: flashcard Test yourself\n### Front\nBack\n:::\n",
        )
        .file(
            "content/calculus/broken.md",
            "+++\ntitle = 3\norder = \"first\"\n+++\nBody\n",
        )
}

#[test]
fn check_reports_every_problem_in_rustc_style() {
    let site = broken_site();
    let run = site.check();
    run.code(1);
    insta::assert_snapshot!("check_stdout", run.stdout);
    insta::assert_snapshot!("check_stderr", run.stderr);
}

#[test]
fn build_refuses_a_broken_site_with_the_same_diagnostics() {
    let site = broken_site();
    let run = site.build();
    run.code(1);
    insta::assert_snapshot!("build_stderr", run.stderr);
}

/// The outer HTML of every element matching `css`, one per paragraph.
fn fragments(page: &Page, css: &str) -> String {
    page.select(css)
        .iter()
        .map(|e| e.html())
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[test]
fn calc_results_render_as_structured_html() {
    let site = SiteTest::new().lesson(
        "calculus/results.md",
        "Results",
        "```calc\n>>> J(w) = w**2\n>>> diff(J(w), w)\n2*w\n>>> nudge(J, w=3, eps=0.001)\n\
         >>> grad(J, w=3)\n[6]\n```\n\nThe slope at 2 is `= J'(2)`.\n",
    );
    site.build().success();
    let page = site.page("calculus/results/");
    insta::assert_snapshot!("calc_block", fragments(&page, "main .calc"));
    insta::assert_snapshot!("calc_inline", fragments(&page, "main .calc-inline"));
}

#[test]
fn components_render_as_structured_html() {
    let site = SiteTest::new().lesson(
        "practice/cards.md",
        "Cards",
        "::: flashcards Test yourself\n### What is the slope of w² at 3?\nSix.\n\n\
         ### And at 2?\nFour.\n:::\n\n\
         ::: reorder Flow\n1. Inputs\n2. Scores\n3. Loss\n:::\n\n\
         ::: interview Questions\n### Why?\nBecause.\n\n#### Senior angle\nIt depends.\n:::\n\n\
         ::: checklist Steps\n- [ ] One\n- [x] Two\n:::\n\n\
         ::: tip\nA tip without a title.\n:::\n",
    );
    site.build().success();
    let page = site.page("practice/cards/");
    insta::assert_snapshot!("components", fragments(&page, "main .gb"));
}

#[test]
fn a_quiz_renders_as_structured_html() {
    let site = SiteTest::new().lesson(
        "practice/quiz.md",
        "Quiz",
        "```calc\n>>> J(w) = w**2\n```\n\n\
         ::: quiz Check\n### Slope at 3?\n- [ ] 3\n- [x] `= J'(3)`\n\nTwice 3.\n\n\
         ### Both?\n- [x] a\n- [x] b\n- [ ] c\n\n\
         ### Type the slope at 2.\nanswer: `= J'(2)`\n\n\
         ### Roughly?\nanswer: ~0.12\n\n\
         ### The derivative?\nanswer: `= diff(J(w), w)`\n:::\n",
    );
    site.build().success();
    let page = site.page("practice/quiz/");
    insta::assert_snapshot!("quiz", fragments(&page, "main .gb-quiz"));
}
