//! Numbered equations: `\tag` in any display formula, `equation` and
//! `align` numbered across the page, and `\label` with `\eqref`/`\ref`
//! resolved at build time as links.

use crate::support::SiteTest;

#[test]
fn equations_are_numbered_across_the_page_and_references_link_to_them() {
    let site = SiteTest::new().lesson(
        "a/eq.md",
        "Equations",
        "By $\\eqref{fermat}$ and $\\ref{sum}$, see $\\eqref{second}$.\n\n\
         $$x^n+y^n=z^n\\tag{F}\\label{fermat}$$\n\n\
         $$\\begin{equation}a=b\\end{equation}$$\n\n\
         $$\\begin{equation}c=d\\label{second}\\end{equation}$$\n\n\
         $$\\begin{align}e&=f\\label{sum}\\\\g&=h\\end{align}$$\n",
    );
    site.build().success();
    let page = site.page("a/eq/");
    let numbers: Vec<String> = page
        .select(".prose math[display] mtd[style*=\"text-align: right\"] > mtext")
        .iter()
        .map(|m| m.text().collect())
        .collect();
    assert_eq!(numbers, ["(F)", "(1)", "(2)", "(3)", "(4)"]);
    let links: Vec<(String, String)> = page
        .select(".prose p math a")
        .iter()
        .map(|a| {
            (
                a.value().attr("href").unwrap().to_string(),
                a.text().collect(),
            )
        })
        .collect();
    assert_eq!(
        links,
        [
            ("#eq-fermat".to_string(), "(F)".to_string()),
            ("#eq-sum".to_string(), "3".to_string()),
            ("#eq-second".to_string(), "(2)".to_string()),
        ]
    );
    assert_eq!(page.select("#eq-fermat").len(), 1);
    assert_eq!(page.select("#eq-sum").len(), 1);
}

#[test]
fn a_reference_to_a_missing_label_is_an_error_at_its_line() {
    let site = SiteTest::new().lesson(
        "a/bad.md",
        "Bad",
        "Text.\n\n$$a=b\\label{one}$$\n\nSee $\\eqref{two}$.\n",
    );
    site.check()
        .code(1)
        .stderr_has("content/a/bad.md:8:6")
        .stderr_has("no equation on this page is labelled 'two'");
}

#[test]
fn a_label_used_twice_is_an_error() {
    let site = SiteTest::new().lesson("a/bad.md", "Bad", "$$a\\label{x}$$\n\n$$b\\label{x}$$\n");
    site.check()
        .code(1)
        .stderr_has("content/a/bad.md:6:4")
        .stderr_has("the label 'x' is already used");
}

#[test]
fn a_colour_in_an_aligned_environment_colours_only_its_cell() {
    let site = SiteTest::new().lesson(
        "a/colour.md",
        "Colour",
        "$$\\begin{aligned} a &= \\color{red}{b} \\\\ c &= d \\end{aligned}$$\n",
    );
    site.build().success();
    let page = site.page("a/colour/");
    assert_eq!(page.select(".prose math mtr").len(), 2);
    assert_eq!(page.text(".prose math [style*=\"color:#FF0000\"]"), ["b"]);
}

#[test]
fn a_line_break_outside_an_environment_starts_a_row() {
    let site = SiteTest::new().lesson(
        "a/rows.md",
        "Rows",
        "$$\na = b \\\\\nc = d\n$$\n\n$$x &= 1 \\\\ y &= 2$$\n",
    );
    site.build().success();
    let page = site.page("a/rows/");
    let rows: Vec<String> = page
        .select(".prose math mtr")
        .iter()
        .map(|r| r.text().collect::<String>())
        .collect();
    assert_eq!(rows, ["a=b", "c=d", "x=1", "y=2"]);
}
