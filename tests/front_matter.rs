//! Front matter end to end: every problem of a file in one run (each bad
//! key and value at its place, and the body's own problems beside them),
//! the way to write what other tools write, and the attribute block of a
//! title heading.

use crate::support::{Run, SiteTest};

/// Asserts that `run` reported the error `message` at `location`.
fn reported(run: &Run, location: &str, message: &str) {
    let lines: Vec<&str> = run.stderr.lines().collect();
    let found = lines.windows(2).any(|pair| {
        pair[0] == format!("error: {message}") && pair[1].trim_start() == format!("--> {location}")
    });
    assert!(found, "no error {message:?} at {location}:\n{}", run.stderr);
}

/// A lesson whose front matter has a problem on every line, and whose
/// body has a wrong calc output and a broken link.
const EVERYTHING_WRONG: &str = "\
+++
title = \"Descent\"
order = \"3\"
draft = \"no\"
tags = \"calculus optimization\"
layout = \"post\"
weight = 2
+++

```calc
>>> 1 + 1
3
```

See [the next lesson](nowhere.md).
";

#[test]
fn one_run_reports_every_front_matter_problem_and_the_body_too() {
    let site = SiteTest::new()
        .file("content/a/descent.md", EVERYTHING_WRONG)
        .lesson("a/other.md", "Other", "Fine.\n");
    for run in [site.check(), site.build()] {
        let at = |line: usize, column: usize| format!("content/a/descent.md:{line}:{column}");
        run.code(1);
        reported(&run, &at(3, 9), "order is a number, not text");
        run.stderr_has("write it without quotes: order = 3");
        reported(&run, &at(4, 9), "draft is true or false, not text");
        run.stderr_has("write draft = false");
        reported(&run, &at(5, 8), "tags is a list, not one text");
        run.stderr_has("write a list: tags = [\"calculus\", \"optimization\"]");
        reported(&run, &at(6, 1), "unknown front matter key 'layout'");
        reported(&run, &at(7, 1), "unknown front matter key 'weight'");
        run.stderr_has("rename it to order");
        // The body, in the same run: the calc output and the link.
        run.stderr_has(&at(12, 1));
        reported(&run, &at(15, 5), "link to a missing page 'nowhere.md'");
    }
    assert!(!site.has_output("site"), "a failed build writes no site");
}

#[test]
fn yaml_front_matter_reports_every_problem_in_its_own_syntax() {
    let site = SiteTest::new().file(
        "content/jekyll.md",
        "---\ntitle: From Jekyll\ntags: a b c\norder: first\npublished: false\n\
         description: Steps downhill.\npermalink: /descent/\n---\n\nSee [x](#nowhere).\n",
    );
    let run = site.check();
    run.code(1);
    reported(
        &run,
        "content/jekyll.md:3:7",
        "tags is a list, not one text",
    );
    run.stderr_has("write a list: tags: [a, b, c]");
    reported(
        &run,
        "content/jekyll.md:4:8",
        "order is a whole number, not text",
    );
    run.stderr_has("order: 1");
    reported(
        &run,
        "content/jekyll.md:5:1",
        "unknown front matter key 'published'",
    );
    run.stderr_has("write draft: true for published: false");
    reported(
        &run,
        "content/jekyll.md:6:1",
        "unknown front matter key 'description'",
    );
    run.stderr_has("rename it to summary");
    reported(
        &run,
        "content/jekyll.md:7:1",
        "unknown front matter key 'permalink'",
    );
    run.stderr_has("comes from its file name");
    reported(
        &run,
        "content/jekyll.md:10:5",
        "link to a missing anchor '#nowhere' on this page",
    );
}

#[test]
fn a_section_page_with_a_bad_front_matter_still_has_its_body_checked() {
    let site = SiteTest::new()
        .file(
            "content/a/_index.md",
            "+++\ntitle = \"Part A\"\norder = \"one\"\n+++\nSee [x](missing.md).\n",
        )
        .lesson("a/one.md", "One", "Text.\n");
    let run = site.check();
    run.code(1);
    reported(
        &run,
        "content/a/_index.md:3:9",
        "order is a whole number, not text",
    );
    reported(
        &run,
        "content/a/_index.md:5:5",
        "link to a missing page 'missing.md'",
    );
}

#[test]
fn a_wrong_title_is_reported_once_and_the_page_takes_its_file_name() {
    let site = SiteTest::new().file(
        "content/chain-rule.md",
        "+++\ntitle = 3\n+++\nSee [x](#nowhere).\n",
    );
    let run = site.check();
    run.code(1)
        .stderr_has("content/chain-rule.md:2:9")
        .stderr_has("title is text: title = \"…\"")
        .stderr_has("content/chain-rule.md:4:5");
    assert!(!run.stderr.contains("has no title"), "{}", run.stderr);
}

#[test]
fn a_title_heading_with_an_attribute_block_gives_the_title_its_id() {
    let site = SiteTest::new()
        .file(
            "content/descent.md",
            "# Gradient descent {#top .wide}\n\nText.\n\n## Top\n\nBack [up](#top), [down](#top-1).\n",
        )
        .file(
            "content/alpha.md",
            "+++\ntitle = \"Alpha\"\n+++\n\n# Alpha {#alpha-title}\n\nSee [descent](descent.md#top).\n",
        );
    site.build().success();
    let page = site.page("descent/");
    assert_eq!(page.text("title"), ["Gradient descent · Test Book"]);
    assert_eq!(page.text("h1"), ["Gradient descent"]);
    assert_eq!(page.attr("h1", "id"), ["top"]);
    assert_eq!(page.attr("h1", "class"), ["page-title wide"]);
    // A heading of the body that would take the title's id takes the next.
    assert_eq!(page.attr("h2", "id"), ["top-1"]);
    assert!(!page.source.contains("{#"), "no block shows anywhere");
    let alpha = site.page("alpha/");
    assert_eq!(alpha.text("h1"), ["Alpha"]);
    assert_eq!(alpha.attr("h1", "id"), ["alpha-title"]);
    assert_eq!(
        alpha.select("h1").len(),
        1,
        "the repeated title is left out"
    );
    let index = site.output("search/index.js");
    assert!(
        !index.contains("{#"),
        "the search index has the plain title"
    );
}

#[test]
fn a_section_title_heading_with_an_attribute_block_gives_its_id_too() {
    let site = SiteTest::new()
        .file(
            "content/part/_index.md",
            "# Part A {#part .big}\n\nIntro [up](#part).\n",
        )
        .lesson("part/one.md", "One", "See [the part](_index.md#part).\n");
    site.build().success();
    let page = site.page("part/");
    assert_eq!(page.text("title"), ["Part A · Test Book"]);
    assert_eq!(page.attr("h1", "id"), ["part"]);
    assert_eq!(page.attr("h1", "class"), ["page-title big"]);
    assert!(!site.output("part/one/index.html").contains("{#"));
}
