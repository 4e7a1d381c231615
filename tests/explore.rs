//! The `explore` component: one calc input run once per value of one
//! parameter, a slider over the results, and every result listed when
//! the script does not run.

use crate::support::SiteTest;

const DEFINE: &str = "```calc\n>>> J(w) = 2*w**2\n```\n\n";

fn explorer(vary: &str) -> String {
    format!(
        "{DEFINE}::: explore How alpha changes the path\n```calc\n>>> descent(J, w=2, alpha=0.1, steps=400)\n```\n{vary}\n:::\n"
    )
}

fn site(body: &str) -> SiteTest {
    SiteTest::new().lesson("calculus/lr.md", "LR", body)
}

#[test]
fn one_variant_per_value_with_a_labelled_slider() {
    let site = site(&explorer("vary: alpha in [0.01, 0.1, 0.45, 2]"));
    site.build().success();
    let page = site.page("calculus/lr/");
    assert_eq!(
        page.text(".gb-explore .gb-title"),
        ["How alpha changes the path"]
    );
    assert_eq!(
        page.text(".gb-variant .gb-variant-title"),
        ["alpha = 0.01", "alpha = 0.1", "alpha = 0.45", "alpha = 2"]
    );
    // Each variant ran its own value, in the page's scope (J is visible).
    let inputs = page.text(".gb-variant .calc-steps code");
    assert!(inputs[0].contains("alpha=0.01"), "{inputs:?}");
    assert!(inputs.iter().any(|i| i.contains("alpha=2,")), "{inputs:?}");
    assert_eq!(page.select(".gb-variant table").len(), 3, "three converge");
    // The slider: over the variants' positions, labelled, with the value
    // shown next to it; hidden until the script runs.
    assert_eq!(page.attr(".gb-explore input[type=range]", "min"), ["0"]);
    assert_eq!(page.attr(".gb-explore input[type=range]", "max"), ["3"]);
    assert_eq!(page.attr(".gb-explore input[type=range]", "step"), ["1"]);
    // It starts at the value the input is written with.
    assert_eq!(page.attr(".gb-explore input[type=range]", "value"), ["1"]);
    assert_eq!(
        page.attr(".gb-explore input[type=range]", "aria-valuetext"),
        ["alpha = 0.1"]
    );
    let id = &page.attr(".gb-explore input[type=range]", "id")[0];
    assert_eq!(page.text(&format!("label[for='{id}']")), ["alpha"]);
    assert_eq!(page.text(&format!("output[for='{id}']")), ["alpha = 0.1"]);
    assert!(page.has(".gb-explore-control[data-gb-js][hidden]"));
    // Without the script nothing is hidden: every variant is listed.
    assert!(!page.has(".gb-variant[hidden]"));
}

#[test]
fn the_slider_starts_at_the_first_value_when_the_written_one_is_not_listed() {
    let site = site(&explorer("vary: alpha in [0.2, 0.3]"));
    site.build().success();
    let page = site.page("calculus/lr/");
    assert_eq!(page.attr(".gb-explore input[type=range]", "value"), ["0"]);
    assert_eq!(page.text(".gb-explore output"), ["alpha = 0.2"]);
}

#[test]
fn a_diverging_variant_is_shown_as_an_error_not_a_failure() {
    let site = site(&explorer("vary: alpha in [0.1, 2]"));
    site.check().success();
    site.build().success();
    let page = site.page("calculus/lr/");
    let errors = page.text(".gb-variant .calc-error");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("diverged"), "{errors:?}");
}

#[test]
fn definitions_inside_a_variant_do_not_leak() {
    let body = format!(
        "{DEFINE}::: explore\n```calc\n>>> J(w) = 5*w\n>>> descent(J, w=2, alpha=0.1, steps=1)\n```\nvary: alpha in [1, 2]\n:::\n\n```calc\n>>> J(1)\n2\n```\n"
    );
    let site = site(&body);
    site.check().success().stdout_has("0 failed");
}

#[test]
fn bad_vary_lines_are_reported_at_their_line() {
    let cases = [
        (
            "vary: beta in [1, 2]",
            ":12:7",
            "no input of the calc block has a `beta=` argument",
        ),
        (
            "vary: alpha in [1, fast]",
            ":12:20",
            "`fast` is not a number",
        ),
        (
            "vary: alpha in [1,2,3,4,5,6,7,8,9,10,11,12,13]",
            ":12:1",
            "lists 13 values; an explorer shows 2 to 12",
        ),
        ("vary: alpha in [1]", ":12:1", "lists 1 values"),
        (
            "vary alpha 1 2",
            ":12:1",
            "one calc block and one `vary:` line",
        ),
        (
            "vary: alpha = 1, 2",
            ":12:1",
            "a `vary:` line that cannot be read",
        ),
    ];
    for (vary, at, message) in cases {
        let site = site(&explorer(vary));
        site.check()
            .code(1)
            .stderr_has(&format!("lr.md{at}"))
            .stderr_has(message);
    }
}

#[test]
fn a_missing_vary_line_or_calc_block_is_reported_at_the_fence() {
    let site = site(&format!(
        "{DEFINE}::: explore\n```calc\n>>> descent(J, w=2, alpha=0.1)\n```\n:::\n"
    ));
    site.check()
        .code(1)
        .stderr_has("lr.md:8:1")
        .stderr_has("needs a `vary:` line");
    let site = site_without_calc();
    site.check().code(1).stderr_has("needs a calc block");
}

fn site_without_calc() -> SiteTest {
    site("::: explore\nvary: alpha in [1, 2]\n:::\n")
}

#[test]
fn output_lines_in_an_explorer_are_reported() {
    let site = site(&format!(
        "{DEFINE}::: explore\n```calc\n>>> descent(J, w=2, alpha=0.1, steps=1)\n1\n```\nvary: alpha in [1, 2]\n:::\n"
    ));
    site.check()
        .code(1)
        .stderr_has("lr.md:11:1")
        .stderr_has("output in the calc block of an `explore`");
}
