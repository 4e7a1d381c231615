//! `[math] macros` in `book.toml`, expanded in every formula before it is
//! converted.

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
