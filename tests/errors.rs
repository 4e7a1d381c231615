//! Bad input: every problem a person can cause is reported with its file
//! and line, all at once, with the right exit code, and a failed build
//! leaves the previous site byte-for-byte as it was.

use crate::support::SiteTest;

/// Builds a good site, breaks it with `change`, builds again and checks
/// that the build failed with `code`, that stderr names every `location`,
/// and that the old site is untouched.
fn fails_and_keeps_old_site(
    change: impl FnOnce(&SiteTest),
    code: i32,
    locations: &[&str],
) -> String {
    let site = SiteTest::fixture("basic");
    site.build().success();
    let before = site.tree("site");
    assert!(!before.is_empty());
    change(&site);
    let run = site.build();
    run.code(code);
    for location in locations {
        run.stderr_has(location);
    }
    assert_eq!(site.tree("site"), before, "the previous site changed");
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging") || n.contains(".old-") || n.contains(".gradbook-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    run.stderr
}

#[test]
fn invalid_utf8() {
    let stderr = fails_and_keeps_old_site(
        |s| {
            s.write(
                "content/calculus/limits.md",
                b"+++\ntitle = \"L\"\n+++\nok\nbad \xff\xfe byte\n",
            )
        },
        1,
        &["content/calculus/limits.md:5:5"],
    );
    assert!(stderr.contains("not valid UTF-8"), "{stderr}");
}

#[test]
fn unclosed_front_matter() {
    let stderr = fails_and_keeps_old_site(
        |s| {
            s.write(
                "content/calculus/limits.md",
                "+++\ntitle = \"L\"\n\nBody without a closing fence.\n",
            )
        },
        1,
        &["content/calculus/limits.md:1:1"],
    );
    assert!(stderr.contains("never closed"), "{stderr}");
    assert!(stderr.contains("add a line `+++`"), "{stderr}");
}

#[test]
fn missing_title() {
    let stderr = fails_and_keeps_old_site(
        |s| {
            s.write(
                "content/calculus/limits.md",
                "+++\nsummary = \"no title\"\n+++\nBody\n",
            )
        },
        1,
        &["content/calculus/limits.md:1:1"],
    );
    assert!(stderr.contains("no title"), "{stderr}");
}

#[test]
fn toml_type_error() {
    let stderr = fails_and_keeps_old_site(
        |s| {
            s.write(
                "content/calculus/limits.md",
                "+++\ntitle = \"L\"\norder = \"second\"\n+++\nBody\n",
            )
        },
        1,
        &["content/calculus/limits.md:3:"],
    );
    assert!(
        stderr.contains("order = \"second\""),
        "quotes the line: {stderr}"
    );
}

#[test]
fn yaml_error() {
    let stderr = fails_and_keeps_old_site(
        |s| {
            s.write(
                "content/linear-algebra/vectors.md",
                "---\ntitle: V\ntags: [a, b\n---\nBody\n",
            )
        },
        1,
        &["content/linear-algebra/vectors.md:3:7"],
    );
    assert!(stderr.contains("unclosed bracket"), "{stderr}");
}

#[test]
fn empty_file() {
    let stderr = fails_and_keeps_old_site(
        |s| s.write("content/calculus/limits.md", ""),
        1,
        &["content/calculus/limits.md:1:1"],
    );
    assert!(stderr.contains("empty"), "{stderr}");
}

#[test]
fn folder_named_like_a_page() {
    let stderr = fails_and_keeps_old_site(
        |s| {
            s.write(
                "content/calculus.md",
                "+++\ntitle = \"Calculus page\"\n+++\nBody\n",
            )
        },
        1,
        &["content/calculus.md:1:1"],
    );
    assert!(stderr.contains("same URL /calculus/"), "{stderr}");
    assert!(stderr.contains("_index.md"), "suggests the fix: {stderr}");
}

#[test]
fn unknown_book_toml_key_names_the_closest_key() {
    let stderr = fails_and_keeps_old_site(
        |s| {
            s.write(
                "book.toml",
                "[book]\ntitle = \"Fixture Book\"\n\n[build]\nouput-dir = \"public\"\n",
            )
        },
        2,
        &["book.toml:5:1"],
    );
    assert!(stderr.contains("did you mean 'output-dir'?"), "{stderr}");
}

#[test]
fn book_toml_type_error_and_missing_title() {
    fails_and_keeps_old_site(
        |s| {
            s.write(
                "book.toml",
                "[book]\ntitle = \"T\"\n[calc]\nprecision = \"twelve\"\n",
            )
        },
        2,
        &["book.toml:4:"],
    );
    let site = SiteTest::empty().file("book.toml", "[book]\ndescription = \"no title\"\n");
    site.build().code(2).stderr_has("title");
    site.check()
        .code(2)
        .stdout_has("book.toml:1:1: error:")
        .stdout_has("check: 0 verified, 0 computed without an expected output, 1 failed");
    let site = SiteTest::empty();
    site.build().code(2).stderr_has("book.toml");
}

#[test]
fn link_to_a_missing_page() {
    let stderr = fails_and_keeps_old_site(
        |s| {
            s.write(
                "content/calculus/limits.md",
                "+++\ntitle = \"Limits\"\n+++\n\nSee [the rule](chain-rul.md) here.\n",
            )
        },
        1,
        &["content/calculus/limits.md:5:5"],
    );
    assert!(stderr.contains("missing page 'chain-rul.md'"), "{stderr}");
    assert!(stderr.contains("did you mean 'chain-rule.md'?"), "{stderr}");
}

#[test]
fn link_to_a_missing_anchor() {
    let stderr = fails_and_keeps_old_site(
        |s| {
            s.write(
                "content/calculus/limits.md",
                "+++\ntitle = \"Limits\"\n+++\n\n## Here\n\n[a](chain-rule.md#the-rul) and [b](#her)\n",
            )
        },
        1,
        &[
            "content/calculus/limits.md:7:1",
            "content/calculus/limits.md:7:32",
        ],
    );
    assert!(
        stderr.contains("missing anchor '#the-rul' on /calculus/chain-rule/"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean '#the-rule'?"), "{stderr}");
    assert!(
        stderr.contains("missing anchor '#her' on this page"),
        "{stderr}"
    );
}

#[test]
fn link_to_a_draft() {
    let stderr = fails_and_keeps_old_site(
        |s| {
            s.write(
                "content/calculus/limits.md",
                "+++\ntitle = \"Limits\"\n+++\n[soon](future.md)\n",
            )
        },
        1,
        &["content/calculus/limits.md:4:1"],
    );
    assert!(stderr.contains("draft"), "{stderr}");
}

#[test]
fn bad_template() {
    let stderr = fails_and_keeps_old_site(
        |s| {
            s.write(
                "templates/lesson.html",
                "<main>\n{% if page.title %}\n<h1>{{ page.title }}</h1>\n",
            )
        },
        1,
        &["templates/lesson.html:"],
    );
    assert!(stderr.contains("error:"), "{stderr}");
}

#[test]
fn template_rendering_error() {
    fails_and_keeps_old_site(
        |s| {
            s.write(
                "templates/index.html",
                "<p>\n{{ page.no_such_field.deeper }}\n</p>\n",
            )
        },
        1,
        &["templates/index.html:2:"],
    );
}

#[test]
fn every_problem_is_reported_in_one_run() {
    let stderr = fails_and_keeps_old_site(
        |s| {
            s.write("content/a.md", "");
            s.write("content/b.md", "+++\ntitle = 3\n+++\n");
            s.write("content/c.md", "no front matter at all\n");
            s.write("content/d.md", "+++\ntitle = \"D\"\n+++\n[x](nowhere.md)\n");
            s.write("content/e.md", "---\ntitle: E\n");
        },
        1,
        &[
            "content/a.md:1:1",
            "content/b.md:2:",
            "content/c.md:1:1",
            "content/d.md:4:1",
            "content/e.md:1:1",
        ],
    );
    assert!(stderr.contains("5 problems"), "{stderr}");
}

#[test]
fn check_reports_failures_and_exits_1() {
    let site = SiteTest::fixture("basic");
    site.write("content/a.md", "");
    site.write("content/d.md", "+++\ntitle = \"D\"\n+++\n[x](nowhere.md)\n");
    let run = site.check();
    run.code(1);
    run.stdout_has("content/a.md:1:1: error:");
    run.stdout_has("content/d.md:4:1: error:");
    assert!(
        // The fixture's block in an unknown language is the warning.
        run.stdout.trim_end().ends_with(
            "check: 0 verified, 0 computed without an expected output, 2 failed, 1 warning"
        ),
        "{}",
        run.stdout
    );
    assert!(!site.root().join("site").exists(), "check writes nothing");
}

#[test]
fn check_reports_book_toml_problems_and_exits_2() {
    let site = SiteTest::fixture("basic");
    site.write(
        "book.toml",
        "[book]\ntitle = \"T\"\n[calc]\nprecision = 40\n",
    );
    let run = site.check();
    run.code(2);
    run.stdout_has("book.toml:4:13: error: calc.precision must be between 1 and 17, not 40");
    assert!(
        run.stdout
            .trim_end()
            .ends_with("check: 0 verified, 0 computed without an expected output, 1 failed"),
        "{}",
        run.stdout
    );
}

#[test]
fn weird_input_never_panics() {
    let site = SiteTest::new()
        .file("content/bin.md", [0u8, 159, 146, 150, 0, 255])
        .file("content/only-fence.md", "+++")
        .file("content/fence-crlf.md", "+++\r\n+++\r\n")
        .file(
            "content/deep.md",
            format!("+++\ntitle = \"Deep\"\n+++\n{}x\n", "> ".repeat(2000)),
        )
        .file(
            "content/brackets.md",
            format!("+++\ntitle = \"B\"\n+++\n{}\n", "[".repeat(5000)),
        )
        .file(
            "content/math.md",
            "+++\ntitle = \"M\"\n+++\n$$\n$ $ $$ `=` ```calc\n",
        )
        .file("content/???.md", "+++\ntitle = \"Q\"\n+++\n")
        .file("content/_index.md", "");
    let run = site.build();
    run.code(1);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run.stderr_has("content/bin.md:1:2");
    run.stderr_has("content/only-fence.md:1:1");
    run.stderr_has("content/fence-crlf.md:1:1");
    run.stderr_has("content/???.md:1:1");
    run.stderr_has("content/_index.md:1:1");
}

#[test]
fn deeply_nested_components_are_an_error_not_a_crash() {
    let site = SiteTest::new().file("content/nested.md", nested_components(1000));
    let run = site.build();
    run.code(1);
    assert!(!run.stderr.contains("overflow"), "{}", run.stderr);
    // The 17th nested component is one too deep (line 4 is the first).
    run.stderr_has("components nested too deeply");
    run.stderr_has("--> content/nested.md:20:1");
}

#[test]
fn deeply_nested_formulas_are_converted_or_refused_not_a_crash() {
    let nested = |depth: usize| format!("{}x{}", "{".repeat(depth), "}".repeat(depth));
    let site = SiteTest::new().file(
        "content/formulas.md",
        format!(
            "+++\ntitle = \"F\"\n+++\n${}$\n\n${}$\n",
            nested(20_000),
            nested(3_000)
        ),
    );
    let run = site.build();
    run.code(1);
    assert!(!run.stderr.contains("overflow"), "{}", run.stderr);
    run.stderr_has("formula too long");
    run.stderr_has("--> content/formulas.md:4:2");
    assert!(
        !run.stderr.contains("content/formulas.md:6:"),
        "the 3000-deep formula converts: {}",
        run.stderr
    );
}

/// A lesson with `depth` notes, each inside the one before.
fn nested_components(depth: usize) -> String {
    let mut text = String::from("+++\ntitle = \"N\"\n+++\n");
    for level in 0..depth {
        text.push_str(&format!("{} note\n", ":".repeat(3 + depth - level)));
    }
    text.push_str("inside\n");
    for level in 0..depth {
        text.push_str(&format!("{}\n", ":".repeat(4 + level)));
    }
    text
}

#[test]
fn refuses_to_write_over_the_site_itself() {
    let site = SiteTest::fixture("basic");
    site.run(&["build", "--dest", "."])
        .code(2)
        .stderr_has("would replace the site folder");
    site.run(&["build", "--dest", "content/out"])
        .code(2)
        .stderr_has("content");
    assert!(site.root().join("content/welcome.md").exists());
}

#[test]
fn usage_errors_exit_2() {
    let site = SiteTest::new();
    site.run(&["build", "no-such-folder"]).code(2);
    site.run(&["build", "--no-such-flag"]).code(2);
    site.run(&["frobnicate"]).code(2);
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_reported() {
    let site = SiteTest::fixture("basic");
    std::os::unix::fs::symlink(
        site.root().join("content"),
        site.root().join("content/calculus/loop"),
    )
    .unwrap();
    let run = site.build();
    run.code(1).stderr_has("loop");
}

#[test]
fn static_file_that_would_replace_a_generated_page() {
    let stderr = fails_and_keeps_old_site(
        |s| s.write("static/sitemap.xml", "<urlset/>"),
        1,
        &["static/sitemap.xml"],
    );
    assert!(
        stderr.contains("would replace the generated file sitemap.xml"),
        "{stderr}"
    );
    assert!(
        stderr.contains("rename or move the static file"),
        "{stderr}"
    );
}
