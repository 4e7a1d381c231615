//! `[math] macros` in `book.toml`, expanded in every formula before it is
//! converted, and the math font every site serves.

use crate::support::{BOOK, SiteTest};

#[test]
fn book_macros_are_expanded_in_every_formula() {
    let book = format!(
        "{BOOK}\n[math.macros]\n\"\\\\R\" = \"\\\\mathbb{{R}}\"\n\"\\\\norm\" = \"\\\\lVert #1 \\\\rVert\"\n"
    );
    let site = SiteTest::new().file("book.toml", &book).lesson(
        "a/m.md",
        "Macros",
        "Let $x \\in \\R^n$ and $$\\norm{x}^2 = \\norm x$$\n\n$$\\sigmaa + \\R$$\n",
    );
    site.check()
        .code(1)
        .stderr_has("content/a/m.md:6:3")
        .stderr_has("sigmaa");
    let site = SiteTest::new().file("book.toml", &book).lesson(
        "a/m.md",
        "Macros",
        "Let $x \\in \\R^n$ and\n\n$$\\norm{x}^2 = \\norm x$$\n",
    );
    site.build().success();
    let page = site.page("a/m/");
    let inline: String = page
        .select(".prose p math")
        .iter()
        .map(|m| m.text().collect::<String>())
        .collect();
    assert!(inline.contains('ℝ'), "{inline}");
    let display: String = page
        .select(".prose math[display]")
        .iter()
        .map(|m| m.text().collect::<String>())
        .collect();
    assert_eq!(display.matches('‖').count(), 4, "{display}");
}

#[test]
fn a_recursive_macro_is_an_error_in_book_toml() {
    let book = format!("{BOOK}\n[math.macros]\n\"\\\\a\" = \"\\\\b + 1\"\n\"\\\\b\" = \"\\\\a\"\n");
    let site = SiteTest::new()
        .file("book.toml", &book)
        .lesson("a/m.md", "M", "$x$\n");
    site.check()
        .code(2)
        .stderr_has("book.toml:5:")
        .stderr_has("the macro '\\a' expands to itself: \\a → \\b → \\a");
}

#[test]
fn every_site_serves_its_math_font_and_licence() {
    let site = SiteTest::new().lesson("a/m.md", "M", "$$\\sqrt{x}$$\n");
    site.build().success();
    let font = site.tree("site/assets/fonts");
    let woff2 = &font[std::path::Path::new("STIXTwoMath-Regular.woff2")];
    assert!(woff2.starts_with(b"wOF2"));
    let licence = site.output("assets/fonts/STIXTwoMath-OFL.txt");
    assert!(licence.contains("SIL Open Font License"), "{licence}");
    let css = site.output("assets/math-font.css");
    assert!(css.contains("url(\"fonts/STIXTwoMath-Regular.woff2\") format(\"woff2\")"));
    let theme = site.output("assets/gradbook.css");
    assert!(theme.contains("--font-math: \"STIX Two Math\""));
}

#[test]
fn a_site_may_replace_the_math_font() {
    let site = SiteTest::new()
        .file("templates/assets/fonts/STIXTwoMath-Regular.woff2", "own")
        .lesson("a/m.md", "M", "$x$\n");
    site.build().success();
    assert_eq!(site.output("assets/fonts/STIXTwoMath-Regular.woff2"), "own");
}

#[test]
fn a_formula_may_define_macros_for_the_rest_of_its_page() {
    let site = SiteTest::new().lesson(
        "a/d.md",
        "Defs",
        "$$\\newcommand{\\R}{\\mathbb{R}}\\DeclareMathOperator{\\tr}{tr}$$\n\nLet $A \\in \\R^{n}$, $\\tr A$.\n",
    );
    site.build().success();
    let page = site.page("a/d/");
    let text: String = page
        .select(".prose p math")
        .iter()
        .map(|m| m.text().collect::<String>())
        .collect();
    assert!(text.contains('ℝ') && text.contains("tr"), "{text}");
    let site = SiteTest::new().lesson(
        "a/d.md",
        "Defs",
        "Text.\n\n$\\newcommand{\\a}{\\b} \\newcommand{\\b}{\\a}$\n",
    );
    site.check()
        .code(1)
        .stderr_has("content/a/d.md:6:22")
        .stderr_has("expands to itself");
}
