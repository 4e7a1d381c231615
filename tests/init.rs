//! `gradbook init`: a new site that passes `check` and `build`, and never
//! overwrites an existing one.

use crate::support::SiteTest;

#[test]
fn init_writes_a_site_that_checks_and_builds() {
    let site = SiteTest::empty();
    site.run(&["init", "course"]).success();
    for file in [
        "book.toml",
        "content/basics/_index.md",
        "content/basics/first-lesson.md",
    ] {
        assert!(site.root().join("course").join(file).exists(), "{file}");
    }
    let run = site.run(&["check", "course"]);
    run.success();
    assert!(run.stdout.contains("0 failed"), "{}", run.stdout);
    site.run(&["build", "course"]).success();
    let page = crate::support::Page::parse(
        &std::fs::read_to_string(
            site.root()
                .join("course/site/basics/first-lesson/index.html"),
        )
        .unwrap(),
    );
    assert_eq!(page.text("h1"), ["Your first lesson"]);
    assert!(page.has("pre.hl-code code.language-python span"));
    let home = crate::support::Page::parse(
        &std::fs::read_to_string(site.root().join("course/site/index.html")).unwrap(),
    );
    assert_eq!(home.text("h1"), ["Course"]);
}

#[test]
fn init_in_the_current_folder() {
    let site = SiteTest::empty();
    site.run(&["init"]).success();
    site.check().success();
    site.build().success();
}

#[test]
fn init_refuses_an_existing_site() {
    let site = SiteTest::fixture("basic");
    let before = site.tree(".");
    let run = site.run(&["init", "."]);
    run.code(1).stderr_has("already holds a site");
    assert_eq!(site.tree("."), before, "nothing was written");

    let content_only = SiteTest::empty().file("content/x.md", "x");
    content_only.run(&["init"]).code(1);
    assert!(!content_only.root().join("book.toml").exists());
}
