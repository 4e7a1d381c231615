//! Executable lessons end to end: calc blocks and inline values in real
//! pages, through `build`, `check` and `check --bless`.
//!
//! The fixture `calc_pages` is a site whose lessons pass every matching
//! rule; tests break copies of it, or add lessons to it, and look at what
//! the binary prints, writes and leaves alone.

use crate::support::{SiteTest, read_tree};

/// Lessons written with [`SiteTest::lesson`] have three lines of front
/// matter, so the body's first line is line 4 of the file.
const BODY_LINE: usize = 4;

fn fixture() -> SiteTest {
    SiteTest::fixture("calc_pages")
}

fn read(site: &SiteTest, rel: &str) -> String {
    std::fs::read_to_string(site.root().join(rel)).expect("readable")
}

/// The calc figures (`<svg class="calc-fig …">…</svg>`) of a page, in order.
fn svgs(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").expect("closed svg") + start + "</svg>".len();
        if rest[start..end].starts_with("<svg class=\"calc-fig") {
            found.push(&rest[start..end]);
        }
        rest = &rest[end..];
    }
    found
}

/// The summary line `check` ends with.
fn summary(verified: usize, computed: usize, failed: usize) -> String {
    format!(
        "check: {verified} verified, {computed} computed without an expected output, {failed} failed"
    )
}

#[test]
fn every_matching_rule_passes_in_the_fixture() {
    let site = fixture();
    let run = site.check();
    run.success().stdout_has(&summary(18, 4, 0));
    site.build().success();
}

#[test]
fn every_matching_rule_fails_at_its_line() {
    let body = "\
```calc
>>> J(w) = w**2
>>> J(3.001)
9.006002
>>> J(3.001) - J(3)
~0.007
>>> diff(J(w), w)
3*w
>>> L(w1, w2) = w1**2 + 3*w2**2
>>> grad(L, w1=1, w2=2)
[2, 13]
>>> nudge(J, w=3, eps=0.001)
J(3) = 9
J(3.001) = 9.006001
ΔJ = 0.006001
ΔJ/ε = 6.002
J'(3) = 6
>>> descent(J, w=3, alpha=0.1, steps=5)
step w J(w) dJ/dw
...
5  0.98304  0.9663676416  1.96609
>>> log(0)
error: division by zero
>>> J(2)
error: anything
>>> J(2) + sigmod(1)
>>> descent(J, w=3, alpha=0.1, steps=5)
step w J(w) dJ/dw
0  3  9  6
```

Inline: `= J'(3) + sigmod(1)`
";
    let site = fixture().lesson("lessons/broken.md", "Broken", body);
    let original = read(&site, "content/lessons/broken.md");
    let run = site.check();
    run.code(1);
    // (line within the body, column, a part of the message)
    let expected = [
        (4, 1, "expected `9.006002`, computed `9.006001`"),
        (6, 1, "expected `~0.007`, computed `0.006001`"),
        (8, 1, "expected `3*w`, computed `2*w`"),
        (11, 1, "expected `[2, 13]`, computed `[2, 12]`"),
        (16, 1, "expected `ΔJ/ε = 6.002`"),
        (21, 1, "expected `5  0.98304  0.9663676416  1.96609`"),
        (23, 1, "the error message does not match"),
        (25, 1, "expected an error, but the input succeeded"),
        (26, 12, "unknown function 'sigmod'"),
        (
            29,
            1,
            "the input printed more than the expected output shows",
        ),
        (32, 20, "unknown function 'sigmod'"),
    ];
    for (line, column, message) in expected {
        let location = format!(
            "content/lessons/broken.md:{}:{column}: error:",
            line + BODY_LINE - 1
        );
        let hit = run
            .stdout
            .lines()
            .find(|l| l.starts_with(&location))
            .unwrap_or_else(|| panic!("no {location}\n{}", run.stdout));
        assert!(hit.contains(message), "{hit}\n wanted {message}");
    }
    run.stdout_has(&summary(18, 4, 11));
    // The full form shows expected and computed side by side.
    run.stderr_has("= note: expected: 9.006002")
        .stderr_has("= note: computed: 9.006001")
        .stderr_has("not the same function");
    // An unasserted error means the page cannot be evaluated: bless
    // reports it and leaves the file alone.
    site.run(&["check", "--bless"]).code(1);
    assert_eq!(read(&site, "content/lessons/broken.md"), original);
}

#[test]
fn a_wrong_value_fails_build_and_check_and_keeps_the_site() {
    let site = fixture();
    site.build().success();
    let before = site.tree("site");
    let path = "content/lessons/figures.md";
    let text = read(&site, path);
    let line = text
        .lines()
        .position(|l| l.starts_with("2     1.92"))
        .expect("row 2")
        + 1;
    site.write(
        path,
        text.replace("2     1.92     3.6864", "2     1.92     3.6865"),
    );

    let build = site.build();
    build.code(1);
    build.stderr_has(&format!("content/lessons/figures.md:{line}:1"));
    build.stderr_has("3.6865");
    assert_eq!(site.tree("site"), before, "a failed build changed the site");

    let check = site.check();
    check.code(1);
    check.stdout_has(&format!("content/lessons/figures.md:{line}:1: error:"));
    check.stdout_has(&summary(17, 4, 1));
}

#[test]
fn bless_fills_open_inputs_fixes_wrong_ones_and_keeps_every_other_byte() {
    let before = "\
+++
title = \"Blessing\"
+++
Prose with `code` stays  exactly as written.   

```python
>>> print(1)
not a calc block
```

```calc
>>> J(w) = w**2
>>> J'(3)
>>> J(3)
10

>>> # a comment
>>> grad(J, w=3)
[6]
>>> descent(J, w=3, alpha=0.1, steps=2)
step w J(w) dJ/dw
...
```

- list item

  ```calc
  >>> nudge(J, w=2, eps=0.5)
  ```

> ```calc
> >>> J(4)
> ```
";
    let after = "\
+++
title = \"Blessing\"
+++
Prose with `code` stays  exactly as written.   

```python
>>> print(1)
not a calc block
```

```calc
>>> J(w) = w**2
>>> J'(3)
6
>>> J(3)
9

>>> # a comment
>>> grad(J, w=3)
[6]
>>> descent(J, w=3, alpha=0.1, steps=2)
step w J(w) dJ/dw
...
```

- list item

  ```calc
  >>> nudge(J, w=2, eps=0.5)
  J(2) = 4
  J(2.5) = 6.25
  ΔJ = 2.25
  ΔJ/ε = 4.5
  J'(2) = 4
  ```

> ```calc
> >>> J(4)
> 16
> ```
";
    for (name, before, after) in [
        ("lf", before.to_string(), after.to_string()),
        (
            "crlf",
            before.replace('\n', "\r\n"),
            after.replace('\n', "\r\n"),
        ),
    ] {
        let site = fixture().file("content/lessons/bless.md", &before);
        site.check().code(1).stdout_has(&summary(20, 7, 1));
        let run = site.run(&["check", "--bless"]);
        run.success().stdout_has(&summary(24, 4, 0));
        let blessed = read(&site, "content/lessons/bless.md");
        assert_eq!(blessed, after, "{name}");
        if name == "crlf" {
            assert_eq!(
                blessed.matches('\n').count(),
                blessed.matches("\r\n").count()
            );
        }
        // A second bless changes nothing, and the other lessons never change.
        let tree = site.tree("content");
        let again = site.run(&["check", "--bless"]);
        again.success();
        assert!(!again.stderr.contains("blessed"), "{}", again.stderr);
        assert_eq!(site.tree("content"), tree, "{name}");
        assert_eq!(
            read_tree(&site.root().join("content/lessons"))
                .keys()
                .count(),
            4
        );
        site.build().success();
    }
}

#[test]
fn check_writes_no_site_and_bless_touches_only_calc_outputs() {
    let site = fixture();
    let content = site.tree("content");
    site.run(&["check", "--bless"]).success();
    assert_eq!(
        site.tree("content"),
        content,
        "a passing site was rewritten"
    );
    assert!(!site.has_output("index.html"), "check wrote a site");
}

#[test]
fn results_are_rendered_as_math_tables_and_figures() {
    let site = fixture();
    site.build().success();

    let page = site.page("lessons/matching/");
    // Scope carries across blocks and into inline values.
    let prose = page.text(".prose p").join(" ");
    assert!(prose.contains("The slope at 3 is 6"), "{prose}");
    assert!(page.has("p .calc-inline.calc-expr math"));
    assert!(page.has("p .calc-inline.calc-vector math"));
    // Expressions are MathML, numbers are text.
    assert!(page.select(".calc-step .calc-expr math").len() >= 3);
    assert!(
        page.text(".calc-step .calc-number")
            .contains(&"9.006001".to_string())
    );
    assert!(page.has(".calc-step .calc-vector math"));
    assert!(page.has("table.calc-nudge"));
    assert!(page.has("table.calc-descent"));
    // The transcript is one click away, ready to copy.
    let raw = page.text("details.calc-raw pre");
    assert!(
        raw[0].starts_with(">>> J(w) = w**2 >>> J(3.001) 9.006001"),
        "{raw:?}"
    );
    assert_eq!(
        page.select("button.calc-copy").len(),
        page.select("details.calc-raw").len()
    );
    assert!(
        page.text(".calc-error-text")
            .iter()
            .any(|t| t.contains("log(0)"))
    );

    let page = site.page("lessons/figures/");
    assert!(page.has("math[display=block]"), "LaTeX display math");
    let figures = svgs(&page.source);
    assert_eq!(figures.len(), 3);
    for svg in &figures {
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
        let root = doc.root_element();
        assert_eq!(root.attribute("role"), Some("img"));
        assert!(root.children().any(|n| n.has_tag_name("title")));
        assert!(root.children().any(|n| n.has_tag_name("desc")));
    }
    let point_titles = |svg: &str| -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("circle"))
            .filter_map(|c| c.children().find(|n| n.has_tag_name("title")))
            .filter_map(|t| t.text().map(str::to_string))
            .collect()
    };
    // One variable: the curve with every step of the path marked.
    let steps = point_titles(figures[0]);
    assert_eq!(steps.len(), 6);
    for (k, w) in ["3", "2.4", "1.92", "1.536", "1.2288", "0.98304"]
        .iter()
        .enumerate()
    {
        assert!(steps[k].contains(&format!("w = {w},")), "{steps:?}");
    }
    assert!(figures[0].contains("class=\"calc-curve\""));
    // The plot: axes, labels and the tangent.
    assert!(figures[1].contains("class=\"calc-tangent\""));
    assert!(figures[1].contains(">J(w)</text>"));
    // Two variables: contour lines with the path.
    assert!(figures[2].contains("calc-contour "));
    let steps = point_titles(figures[2]);
    assert_eq!(steps.len(), 5);
    assert!(
        steps[0].contains("(1, \u{2212}2)") && steps[4].contains("(0.4096, \u{2212}0.0512)"),
        "{steps:?}"
    );
}

#[test]
fn negative_numbers_read_with_a_true_minus_and_the_transcript_keeps_ascii() {
    let site = SiteTest::new().lesson(
        "a.md",
        "A",
        "```calc\n>>> J(w) = w**2\n>>> J'(-3)\n-6\n>>> nudge(J, w=-3, eps=0.001)\n\
         >>> descent(J, w=-3, alpha=0.1, steps=2)\n```\n\nAt $w = -3$ the slope is `= J'(-3)`.\n",
    );
    site.build().success();
    let page = site.page("a/");
    assert_eq!(page.text(".calc-inline"), ["\u{2212}6"]);
    assert!(
        page.text(".calc-step .calc-number")
            .contains(&"\u{2212}6".to_string())
    );
    let nudge = page.text(".calc-nudge th, .calc-nudge td");
    assert_eq!(nudge[0..2], ["J(\u{2212}3)", "9"], "{nudge:?}");
    let cells = page.text(".calc-descent td");
    assert!(cells.iter().any(|c| c.starts_with('\u{2212}')), "{cells:?}");
    let shown = [nudge, cells, page.text(".calc-fig text")].concat();
    assert!(!shown.iter().any(|c| c.contains('-')), "{shown:?}");
    // The transcript is what a reader copies back into gradbook: ASCII.
    let transcript = page.text(".calc-raw pre").join("\n");
    assert!(transcript.contains(">>> J'(-3) -6"), "{transcript}");
    assert!(!transcript.contains('\u{2212}'), "{transcript}");
}

#[test]
fn builds_are_deterministic() {
    let site = fixture();
    site.run(&["build", "--dest", "one"]).success();
    site.run(&["build", "--dest", "two"]).success();
    let one = site.tree("one");
    assert!(!one.is_empty());
    assert_eq!(one, site.tree("two"));
}

#[test]
fn a_result_too_large_fails_at_its_line_before_it_is_computed() {
    // Fifty variables and a million steps: a table of 102 million cells,
    // which once ran for minutes and took gigabytes. The engine refuses it
    // from steps and variables before the first step.
    let vars: Vec<String> = (1..=50).map(|i| format!("w{i}")).collect();
    let squares: Vec<String> = vars.iter().map(|v| format!("{v}**2")).collect();
    let start: Vec<String> = vars.iter().map(|v| format!("{v}=1")).collect();
    let body = format!(
        "```calc\n>>> L({}) = {}\n>>> descent(L, {}, alpha=0.1, steps=1000000)\n```\n",
        vars.join(", "),
        squares.join(" + "),
        start.join(", ")
    );
    let site = fixture().lesson("lessons/huge.md", "Huge", &body);
    let line = BODY_LINE + 2;
    let check = site.check();
    check.code(1);
    check.stdout_has(&format!("content/lessons/huge.md:{line}:5: error:"));
    check.stdout_has("more than the 8000000 cells a result may hold");
    let build = site.build();
    build.code(1);
    build.stderr_has(&format!("content/lessons/huge.md:{line}:5"));
    build.stderr_has("use steps=78430 or fewer with 50 variables");
}

#[test]
fn the_tables_of_one_page_share_a_cell_limit() {
    // Ten runs of a million steps each once made a page take half a
    // minute and gigabytes. The tables of a page share the cells one
    // result may hold: the first run fits, the second is refused before it
    // starts, and so is every one after it.
    let mut body = String::from("```calc\n>>> J(w) = w**2\n");
    for _ in 0..10 {
        body.push_str(">>> descent(J, w=3, alpha=0.0000001, steps=1000000)\n...\n");
    }
    body.push_str("```\n");
    let site = fixture().lesson("lessons/long.md", "Long", &body);
    let check = site.check();
    check.code(1);
    let second = BODY_LINE + 4;
    check.stdout_has(&format!("content/lessons/long.md:{second}:5: error:"));
    check.stdout_has(
        "more than the 3999996 cells left of the 8000000 that the results of one page may hold together",
    );
    check.stdout_has("9 failed");
    site.build().code(1).stderr_has("use steps=999998 or fewer");
}

#[test]
fn each_descent_table_is_a_region_with_a_name_of_its_own() {
    let site = SiteTest::new().lesson(
        "a.md",
        "A",
        "```calc\n>>> J(w) = w**2\n>>> descent(J, w=3, alpha=0.1, steps=2)\n\
         >>> descent(J, w=3, alpha=1, steps=2)\n```\n",
    );
    site.build().success();
    let page = site.page("a/");
    assert_eq!(
        page.attr(".calc-table-wrap[role=region][tabindex='0']", "aria-label"),
        [
            "Gradient descent on J, step by step: descent(J, w=3, alpha=0.1, steps=2)",
            "Gradient descent on J, step by step: descent(J, w=3, alpha=1, steps=2)"
        ]
    );
}

#[test]
fn constants_are_checked_where_they_are_defined_and_where_they_are_used() {
    let body = "\
```calc
>>> a = 1/0
>>> b = a + 1
>>> c = undefined_name + 1
>>> max(1, 2)
>>> m0 = 10
>>> f(x) = x*cos(x)
>>> m1 = m0 - f'(m0)/f''(m0)
>>> m1
9.51458410306
```

Twice a: `= a*2`.
";
    let site = fixture().lesson("lessons/constants.md", "Constants", body);
    let run = site.check();
    run.code(1);
    let file = "content/lessons/constants.md";
    let at = |line: usize, column: usize| format!("{file}:{}:{column}", line + BODY_LINE - 1);
    // (line within the body, column, a part of the message)
    let expected = [
        (2, 11, "division by zero".to_string()),
        (
            3,
            9,
            "'a' has no value: its definition `a = 1/0` failed (division by zero)".to_string(),
        ),
        (
            4,
            9,
            "unknown name 'undefined_name' in the definition of c".to_string(),
        ),
        (5, 5, "unknown function 'max'".to_string()),
        (13, 13, "'a' has no value".to_string()),
    ];
    for (line, column, message) in &expected {
        let location = format!("{}: error:", at(*line, *column));
        let hit = run
            .stdout
            .lines()
            .find(|l| l.starts_with(&location))
            .unwrap_or_else(|| panic!("no {location}\n{}", run.stdout));
        assert!(hit.contains(message.as_str()), "{hit}\n wanted {message}");
    }
    run.stdout_has(&summary(19, 4, 5));
    // Each use of the failed constant points back to its definition.
    let back = format!("= note: the definition of a failed at {}", at(2, 11));
    assert_eq!(run.stderr.matches(&back).count(), 2, "{}", run.stderr);
    run.stderr_has("make c a function: c(undefined_name) = ...")
        .stderr_has("there is no max; for two values write relu(a - b) + b");
    assert!(!run.stderr.contains("did you mean 'tan'"), "{}", run.stderr);
}
