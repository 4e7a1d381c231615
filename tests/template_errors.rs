//! Template problems are reported once each, at their file.

use crate::support::SiteTest;

/// How many diagnostics a build printed.
fn errors(stderr: &str) -> usize {
    stderr
        .lines()
        .filter(|l| l.starts_with("error: ") && !l.starts_with("error: the build failed"))
        .count()
}

#[test]
fn a_self_including_template_is_reported_once() {
    let site = SiteTest::fixture("basic").file(
        "templates/lesson.html",
        "<main>{% include \"lesson.html\" %}</main>\n",
    );
    let run = site.build();
    run.code(1)
        .stderr_has("--> templates/lesson.html")
        .stderr_has("Circular include")
        .stderr_has("the build failed with 1 problem;");
    assert_eq!(errors(&run.stderr), 1, "{}", run.stderr);
}

#[test]
fn two_broken_templates_are_two_reports() {
    let site = SiteTest::fixture("basic")
        .file("templates/lesson.html", "<main>\n{% if page.title %}\n")
        .file("templates/section.html", "<main>\n{{ page.title \n");
    let run = site.build();
    run.code(1)
        .stderr_has("--> templates/lesson.html")
        .stderr_has("--> templates/section.html")
        .stderr_has("the build failed with 2 problems;");
    assert_eq!(errors(&run.stderr), 2, "{}", run.stderr);
}
