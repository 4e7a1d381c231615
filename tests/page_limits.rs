//! A page has a size limit: one lesson cannot make a page of hundreds of
//! megabytes. Over the limit, the build fails with an error naming the
//! page and its largest part, and the previous site stays.

use crate::support::SiteTest;

#[test]
fn a_page_over_the_limit_names_its_largest_calc_block() {
    let mut block = String::from("```calc\n>>> J(w) = w**2\n");
    for _ in 0..140 {
        block.push_str(">>> descent(J, w=3, alpha=0.0001, steps=2000)\n");
    }
    block.push_str("```\n");
    let site = SiteTest::new()
        .lesson("small.md", "Small", "A small page.\n")
        .lesson(
            "huge.md",
            "Huge",
            &format!("Intro.\n\n```calc\n>>> f(x) = x\n>>> f(2)\n2\n```\n\n{block}"),
        );
    let run = site.build();
    run.code(1)
        .stderr_has("error: the page /huge/ is over the limit of 16 MiB of HTML per page")
        .stderr_has("--> content/huge.md:13:1")
        .stderr_has("the largest part: this calc block")
        .stderr_has("use fewer steps");
    assert!(!site.root().join("site").exists());
    site.check()
        .code(1)
        .stdout_has("content/huge.md:13:1: error: the page /huge/ is over the limit");
}

#[test]
fn a_page_whose_own_text_is_too_big_says_so() {
    // Under the 8 MiB limit for a lesson, but every `<` becomes `&lt;`.
    let text = format!("{}\n", "<".repeat(79)).repeat(60_000);
    let site = SiteTest::new().lesson("wide.md", "Wide", &text);
    site.build()
        .code(1)
        .stderr_has("the page /wide/ is over the limit of 16 MiB of HTML per page")
        .stderr_has("--> content/wide.md\n")
        .stderr_has("the lesson's own text makes")
        .stderr_has("split the lesson into several lessons");
}

#[test]
fn a_review_page_over_the_limit_names_the_largest_card_and_export_still_works() {
    // Each lesson's page is well under the limit, but the review page
    // holds every card of the site: three backs of 1.5 MiB of `<`, each
    // 6 MiB as HTML.
    let back = format!("{}\n", "<".repeat(79)).repeat(20_000);
    let mut site = SiteTest::new();
    for (i, extra) in [(1, ""), (2, "<<<<\n"), (3, "")] {
        site = site.lesson(
            &format!("cards-{i}.md"),
            &format!("Cards {i}"),
            &format!("Intro.\n\n::: flashcards\n### Card {i}\n{back}{extra}:::\n"),
        );
    }
    let run = site.build();
    run.code(1)
        .stderr_has("error: the review page /review/ would be")
        .stderr_has(
            "over the limit of 16 MiB of HTML per page: it holds all 3 flashcards of the site",
        )
        .stderr_has("--> content/cards-2.md:7:1")
        .stderr_has("the largest card is this one")
        .stderr_has("make the flashcards fewer or shorter");
    assert!(
        !run.stderr.contains("templates/review.html"),
        "{}",
        run.stderr
    );
    assert!(!site.root().join("site").exists());
    site.check()
        .code(1)
        .stdout_has("content/cards-2.md:7:1: error: the review page /review/ would be");

    // The Anki deck has no review page, so its size is no concern there.
    site.run(&["export", "anki", "--out", "deck.apkg"])
        .success()
        .stdout_has("exported 3 cards in 1 deck to deck.apkg");
    assert!(site.root().join("deck.apkg").is_file());
}
