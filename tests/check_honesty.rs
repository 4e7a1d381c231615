//! Nothing passes silently: a written number is compared as strictly at
//! 1e-14 as at 6e+23, `check` says how many outputs it compared and how
//! many it only computed, and `--strict` (or `[check] strict`) makes an
//! input without an expected output an error.

use crate::support::{Run, SiteTest};

/// The summary `check` ends with.
fn summary(verified: usize, computed: usize, failed: usize) -> String {
    format!(
        "check: {verified} verified, {computed} computed without an expected output, {failed} failed"
    )
}

/// Asserts that the last line of stdout is `check`'s summary with these counts.
#[track_caller]
fn ends_with_summary(run: &Run, verified: usize, computed: usize, failed: usize) {
    let want = summary(verified, computed, failed);
    assert_eq!(
        run.stdout.trim_end().lines().last(),
        Some(want.as_str()),
        "stdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
}

/// A site with one lesson, `content/a.md`, whose body starts at line 4.
fn lesson(body: &str) -> SiteTest {
    SiteTest::new().lesson("a.md", "A", body)
}

#[test]
fn small_numbers_no_longer_match_each_other() {
    let site = lesson(
        "```calc\n>>> 0.0000001**2\n0.0000000000001\n>>> 1e-14\n9e-13\n>>> 2**-40\n0\n```\n",
    );
    let run = site.check();
    run.code(1);
    for (line, expected, computed) in [
        (6, "0.0000000000001", "1e-14"),
        (8, "9e-13", "1e-14"),
        (10, "0", "9.09494701773e-13"),
    ] {
        run.stdout_has(&format!(
            "content/a.md:{line}:1: error: output does not match: expected `{expected}`, computed `{computed}`"
        ));
    }
    run.stderr_has("0 matches only a computed 0 (`~0` matches what rounds to 0)");
    ends_with_summary(&run, 0, 0, 3);

    // What the engine prints matches, and `~` rounds where rounding is meant.
    let site = lesson(
        "```calc\n>>> 0.0000001**2\n1e-14\n>>> 1e-14\n1e-14\n>>> 2**-40\n9.09494701773e-13\n>>> 2**-40\n~0\n>>> 6.02214076e23\n6.02214076e+23\n>>> 6.02214076e23\n~6.022e+23\n>>> 1/3\n0.333333333333\n>>> 0.1 + 0.2\n0.3\n```\n",
    );
    let run = site.check();
    run.success();
    ends_with_summary(&run, 8, 0, 0);
}

#[test]
fn large_numbers_must_agree_to_every_printed_digit() {
    let site = lesson("```calc\n>>> 6.02214076e23\n6.022e+23\n>>> 1/3\n0.33333333333\n```\n");
    let run = site.check();
    run.code(1);
    run.stdout_has("content/a.md:6:1: error:")
        .stdout_has("content/a.md:8:1: error:");
    ends_with_summary(&run, 0, 0, 2);
}

#[test]
fn the_precision_decides_how_many_digits_a_number_needs() {
    let site = lesson("```calc\n>>> 1/3\n0.3333\n>>> 2**-40\n9.095e-13\n```\n").file(
        "book.toml",
        "[book]\ntitle = \"T\"\n[calc]\nprecision = 4\n",
    );
    ends_with_summary(site.check().success(), 2, 0, 0);
    site.write(
        "book.toml",
        "[book]\ntitle = \"T\"\n[calc]\nprecision = 5\n",
    );
    let run = site.check();
    run.code(1);
    ends_with_summary(&run, 0, 0, 2);
}

#[test]
fn table_and_vector_cells_use_the_same_rule() {
    let site = lesson(
        "```calc\n>>> L(a, b) = 2**-40*a + b\n>>> grad(L, a=1, b=2)\n[0, 1]\n>>> J(w) = 1e-13*w**2\n>>> descent(J, w=1, alpha=0.1, steps=1)\nstep  w  J(w)  dJ/dw\n0  1  0  0\n1  1  0  0\n```\n",
    );
    let run = site.check();
    run.code(1);
    run.stdout_has("content/a.md:7:1: error:")
        .stdout_has("content/a.md:11:1: error:");
    run.stderr_has("component 1 differs");
    ends_with_summary(&run, 0, 0, 2);

    let site = lesson(
        "```calc\n>>> L(a, b) = 2**-40*a + b\n>>> grad(L, a=1, b=2)\n[~0, 1]\n>>> J(w) = 1e-13*w**2\n>>> descent(J, w=1, alpha=0.1, steps=1)\nstep  w  J(w)  dJ/dw\n0  1  1e-13  2e-13\n1  ~1  ~0  ~0\n```\n",
    );
    ends_with_summary(site.check().success(), 2, 0, 0);
}

#[test]
fn expressions_of_small_magnitude_are_different_functions() {
    let site = lesson("```calc\n>>> diff(1e-12*w**2, w)\n4e-12*w\n```\n");
    let run = site.check();
    run.code(1);
    run.stdout_has("content/a.md:6:1: error:")
        .stderr_has("not the same function");
    let site = lesson("```calc\n>>> diff(1e-12*w**2, w)\n2e-12*w\n```\n");
    ends_with_summary(site.check().success(), 1, 0, 0);
}

#[test]
fn an_input_without_an_expected_output_is_computed_not_verified() {
    let site = lesson("```calc\n>>> L(w) = w**2\n>>> L(1)\n```\n");
    let run = site.check();
    run.success();
    ends_with_summary(&run, 0, 1, 0);
}

#[test]
fn a_lesson_that_asserts_nothing_verifies_nothing() {
    // Definitions print nothing and count in neither; inline values are
    // shown, never compared; an explorer is not a transcript.
    let site = lesson(
        "```calc\n>>> J(w) = w**2\n>>> a = 3\n```\n\nThe slope at 3 is `= J'(a)`.\n\n\
         ::: explore Step sizes\n```calc\n>>> descent(J, w=2, alpha=0.1, steps=3)\n```\nvary: alpha in [0.1, 0.2]\n:::\n",
    );
    let run = site.check();
    run.success();
    ends_with_summary(&run, 0, 1, 0);
}

#[test]
fn verified_counts_matches_and_asserted_errors() {
    let site = lesson(
        "```calc\n>>> J(w) = w**2\n>>> J(3)\n9\n>>> log(-1)\nerror: log\n>>> J(4)\n>>> J(5)\n26\n```\n\nAt 2: `= J(2)`.\n",
    );
    let run = site.check();
    run.code(1);
    run.stdout_has("content/a.md:12:1: error:");
    ends_with_summary(&run, 2, 2, 1);
}

#[test]
fn an_unasserted_error_does_not_repeat_itself_as_a_note() {
    let site = lesson("```calc\n>>> sigmod(2)\n>>> sigmod(3)\n1\n>>> 2 + 2\n5\n```\n");
    let run = site.check();
    run.code(1);
    run.stdout_has("content/a.md:5:5: error: unknown function 'sigmod'")
        .stdout_has("content/a.md:6:5: error: unknown function 'sigmod'");
    assert!(
        !run.stderr.contains("computed: error:"),
        "the headline is repeated:\n{}",
        run.stderr
    );
    // Where the author wrote something else, that is still said, and a
    // mismatch still shows both sides.
    run.stderr_has("= note: expected: 1")
        .stderr_has("= note: expected: 5")
        .stderr_has("= note: computed: 4");
    ends_with_summary(&run, 0, 0, 3);
}

#[test]
fn strict_makes_each_unverified_input_an_error_at_its_input() {
    let body = "Intro.\n\n```calc\n>>> J(w) = w**2\n>>>   J(3)\n>>> J'(3)\n6\n>>> descent(J, w=1, alpha=0.1, steps=2)\n```\n\nAt 3: `= J'(3)`.\n";
    let site = lesson(body);
    ends_with_summary(site.check().success(), 1, 3, 0);
    let run = site.run(&["check", "--strict"]);
    run.code(1);
    run.stdout_has(
        "content/a.md:8:7: error: no expected output under this input, so its output is not checked",
    )
    .stdout_has("content/a.md:11:5: error: no expected output under this input");
    run.stderr_has("computed, not verified")
        .stderr_has("= note: computed: 9")
        .stderr_has("run `gradbook check --bless`");
    // The inline value is the value shown, not an unverified output.
    ends_with_summary(&run, 1, 1, 2);

    // Blessing writes the outputs in; then they are verified.
    let run = site.run(&["check", "--strict", "--bless"]);
    run.success();
    ends_with_summary(&run, 3, 1, 0);
    let blessed = std::fs::read_to_string(site.root().join("content/a.md")).unwrap();
    assert!(blessed.contains(">>>   J(3)\n9\n>>> J'(3)"), "{blessed}");
    ends_with_summary(site.run(&["check", "--strict"]).success(), 3, 1, 0);
}

#[test]
fn strict_from_book_toml() {
    let site = lesson("```calc\n>>> J(w) = w**2\n>>> J(3)\n```\n").file(
        "book.toml",
        "[book]\ntitle = \"T\"\n\n[check]\nstrict = true\n",
    );
    let run = site.check();
    run.code(1);
    run.stdout_has("content/a.md:6:5: error: no expected output");
    ends_with_summary(&run, 0, 0, 1);
    // `check` alone is strict: a build shows the computed value.
    site.build()
        .success()
        .stderr_has("(0 verified, 1 computed without an expected output)");

    site.write(
        "book.toml",
        "[book]\ntitle = \"T\"\n\n[check]\nstrict = false\n",
    );
    ends_with_summary(site.check().success(), 0, 1, 0);
    ends_with_summary(site.run(&["check", "--strict"]).code(1), 0, 0, 1);

    site.write(
        "book.toml",
        "[book]\ntitle = \"T\"\n\n[check]\nstrit = true\n",
    );
    site.check()
        .code(2)
        .stdout_has("book.toml:5:1: error: unknown key 'strit' in [check]");
}

#[test]
fn the_bundled_course_checks_clean_under_strict() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    if !root.join("book.toml").exists() {
        return;
    }
    let run = crate::support::run_in(root, &["check", "--strict"], &[]);
    run.success();
    assert!(run.stdout.contains(" 0 failed"), "{}", run.stdout);
}

#[test]
fn the_starter_course_checks_clean_under_strict() {
    let site = SiteTest::empty();
    site.run(&["init", "course"]).success();
    let run = site.run(&["check", "course", "--strict"]);
    run.success();
    assert!(run.stdout.contains(" 0 failed"), "{}", run.stdout);
}
