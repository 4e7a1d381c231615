//! What the renderer does so that assistive technology reads every page
//! whole: formulas in table headers have names, display formulas sit in
//! boxes that can scroll (and be focused), the page's regions have names
//! of their own, and the math font never holds up the first paint.

use crate::support::SiteTest;

#[test]
fn a_header_cell_holding_only_a_formula_is_named_by_its_reading() {
    let site = SiteTest::new().lesson(
        "a/t.md",
        "Table",
        "| $x$ | $\\sigma(x)$ | ratio $\\frac{a}{b}$ |\n| --- | --- | --- |\n| $1$ | $2$ | 3 |\n",
    );
    site.build().success();
    let page = site.page("a/t/");
    assert_eq!(
        page.attr(".prose th math", "aria-label"),
        ["x", "σ(x)", "a/b"]
    );
    // Body cells keep their formulas as they are.
    assert!(page.attr(".prose td math", "aria-label").is_empty());
    assert_eq!(page.select(".prose td math").len(), 2);
}

#[test]
fn a_display_formula_scrolls_in_a_box_of_its_own() {
    let site = SiteTest::new().lesson(
        "a/d.md",
        "Display",
        "Text with $x$ inline.\n\n$$\nJ(w) = w^2\n$$\n\n```math\n\\nabla J\n```\n\nThe loss $$L(w)$$ falls.\n",
    );
    site.build().success();
    let page = site.page("a/d/");
    // The `$$` block and the math fence; a `$$` inside a line is inline.
    assert_eq!(page.select(".prose .math-display").len(), 2);
    assert_eq!(
        page.select(".prose .math-display > math[display=\"block\"]")
            .len(),
        2
    );
    assert_eq!(page.select(".prose math[display=\"block\"]").len(), 2);
    assert_eq!(page.select(".prose p > math:not([display])").len(), 2);
    // A phrasing element, so a formula inside a paragraph keeps it whole.
    assert!(
        page.source
            .contains("<p><span class=\"math-display\"><math")
    );
    let css = site.output("assets/gradbook.css");
    assert!(css.contains(".prose .math-display {"), "the box's style");
    let js = site.output("assets/gradbook.js");
    assert!(
        js.contains(".prose .calc-out, .prose .math-display"),
        "the box is a scroll box"
    );
}

#[test]
fn the_same_descent_twice_on_a_page_makes_two_regions_of_different_names() {
    let block = "```calc\n>>> L(w1, w2) = w1**2 + w2**2\n>>> descent(L, w1=1, w2=1, alpha=0.1, steps=2)\n```\n\n";
    let again = "```calc\n>>> descent(L, w1=1, w2=1, alpha=0.1, steps=2)\n```\n";
    let site = SiteTest::new().lesson("a/twice.md", "Twice", &format!("{block}{again}"));
    site.build().success();
    let page = site.page("a/twice/");
    let names = page.attr("[role=region]", "aria-label");
    let first = "Gradient descent on L, step by step: descent(L, w1=1, w2=1, alpha=0.1, steps=2)";
    assert_eq!(names, [first.to_string(), format!("{first} (2)")]);
}

#[test]
fn the_math_font_waits_for_the_page_to_load() {
    let site = SiteTest::new()
        .lesson("a/m.md", "Math", "$x$\n")
        .lesson("a/p.md", "Prose", "Words.\n");
    site.build().success();
    // Not in the stylesheet every page waits for; in a sheet of its own,
    // which gradbook.js adds after loading (linked for readers without
    // scripts on pages with formulas).
    let theme = site.output("assets/gradbook.css");
    assert!(
        !theme.contains("@font-face"),
        "the font blocks the first paint"
    );
    let sheet = site.output("assets/math-font.css");
    assert!(sheet.contains("url(\"fonts/STIXTwoMath-Regular.woff2\") format(\"woff2\")"));
    assert!(sheet.contains("font-display: swap"));
    let js = site.output("assets/gradbook.js");
    assert!(js.contains("math-font.css") && js.contains("afterNextPaint(loadMathFont)"));
    let with_math = site.output("a/m/index.html");
    assert!(
        with_math.contains(
            "<noscript><link rel=\"stylesheet\" href=\"../../assets/math-font.css\"></noscript>"
        ),
        "{with_math}"
    );
    assert!(!site.output("a/p/index.html").contains("math-font.css"));
}
