//! Markdown as other tools write it: `math` fences, kramdown's inline
//! `$$`, Pandoc's attribute-block info strings, and `$$` blocks whose lines
//! look like Markdown; raw HTML anchors as link targets.

use crate::support::SiteTest;

#[test]
fn other_dialects_render_as_their_authors_meant() {
    let site = SiteTest::new().lesson(
        "a/dialects.md",
        "Dialects",
        "```math\n\\nabla J(w)\n```\n\n\
         The loss $$L(w)$$ falls.\n\n\
         $$\nJ(w) = a\n- b\n+ c\n> d\n$$\n\n\
         - a list after it\n\n\
         ```{.python .input}\nx = 1\n```\n\n\
         <a name=\"intro\"></a><span id=\"later\"></span>\n\n[up](#intro), [down](#later)\n",
    );
    site.build().success();
    let page = site.page("a/dialects/");
    let display = page.select(".prose math[display=\"block\"]");
    assert_eq!(display.len(), 2, "the math fence and the $$ block");
    let block_text: String = display[1].text().collect();
    for part in ["J", "a", "b", "c", "d"] {
        assert!(block_text.contains(part), "{block_text}");
    }
    assert_eq!(page.select(".prose p math:not([display])").len(), 1);
    assert_eq!(page.text(".prose ul li"), ["a list after it"]);
    assert_eq!(page.select("code.language-python").len(), 1);
}

#[test]
fn no_line_of_a_display_formula_is_read_as_markdown() {
    // Each of these lines would open a block and cut the paragraph the
    // formula is in: an ordered list, a code fence, an HTML block, a table.
    let site = SiteTest::new().lesson(
        "a/lines.md",
        "Lines",
        "$$\\begin{aligned}\n1. w &= a \\\\\n```\n<div> b \\\\\n| c\n~~~\n\\end{aligned}$$\n\n\
         After.\n\n$$\n---\n$$\n\nEnd.\n",
    );
    site.build().success();
    let page = site.page("a/lines/");
    assert_eq!(page.select(".prose math[display=\"block\"]").len(), 2);
    assert_eq!(
        page.select(".prose ol, .prose pre, .prose div, .prose table")
            .len(),
        0
    );
    let paragraphs = page.text(".prose p");
    for text in ["After.", "End."] {
        assert!(paragraphs.iter().any(|p| p == text), "{paragraphs:?}");
    }
    assert!(
        !page.source.contains("x--") && !page.source.contains("x. w"),
        "masked bytes leaked"
    );
}

#[test]
fn a_formula_fence_that_cannot_be_read_is_an_error_at_its_line() {
    let site = SiteTest::new().lesson("a/bad.md", "Bad", "Text.\n\n```math\n\\frac{1}{\n```\n");
    site.check().code(1).stderr_has("content/a/bad.md:7:");
}

#[test]
fn a_link_to_an_anchor_raw_html_does_not_have_is_an_error() {
    let site = SiteTest::new().lesson(
        "a/b.md",
        "B",
        "<a name=\"intro\"></a>\n\n[x](#intro) [y](#outro)\n",
    );
    site.check()
        .code(1)
        .stderr_has("content/a/b.md:6:")
        .stderr_has("outro");
}

#[test]
fn a_title_heading_may_stand_for_front_matter() {
    let site = SiteTest::new()
        .file(
            "content/a/plain.md",
            "# Gradient descent\n\nStep downhill.\n",
        )
        .file("content/a/nothing.md", "Step downhill.\n");
    site.check()
        .code(1)
        .stderr_has("content/a/nothing.md:1:1")
        .stderr_has("the file does not start with front matter");
    site.remove("content/a/nothing.md");
    site.build().success();
    let page = site.page("a/plain/");
    assert_eq!(page.text("h1"), ["Gradient descent"]);
    assert_eq!(page.text(".prose p"), ["Step downhill."]);
    assert!(page.text("title")[0].starts_with("Gradient descent"));
}

#[test]
fn ml_languages_are_highlighted_and_unknown_ones_named_once() {
    let site = SiteTest::new()
        .lesson(
            "a/one.md",
            "One",
            "```julia\nx = 1\n```\n\n```toml\n[a]\nb = 1\n```\n\n```shell\nls\n```\n\n```klingon\nQapla'\n```\n",
        )
        .lesson("a/two.md", "Two", "```klingon\nx\n```\n\n```{.pycon}\n>>> 1\n```\n");
    let run = site.check();
    // One warning, at the language's first block in the site.
    run.success().stdout_has(
        "content/a/one.md:17:4: warning: no highlighting for `klingon`: its code blocks are shown as plain text",
    );
    assert_eq!(run.stdout.matches("klingon").count(), 1, "{}", run.stdout);
    assert_eq!(run.stderr.matches("warning:").count(), 1, "{}", run.stderr);
    site.build().success();
    let page = site.page("a/one/");
    assert_eq!(
        page.select("pre.hl-code.plain").len(),
        1,
        "only klingon is plain"
    );
    assert!(!site.page("a/two/").has("pre.plain code.language-pycon"));
}

#[test]
fn every_unknown_front_matter_key_is_reported_in_one_run() {
    let site = SiteTest::new().file(
        "content/a/keys.md",
        "+++\ntitle = \"Keys\"\nauthor = \"A\"\nsumary = \"s\"\n+++\nText.\n",
    );
    site.check()
        .code(1)
        .stderr_has("content/a/keys.md:3:1")
        .stderr_has("unknown front matter key 'author'")
        .stderr_has("under [extra]")
        .stderr_has("content/a/keys.md:4:1")
        .stderr_has("did you mean 'summary'?");
}

/// The text a reader sees in `.prose`, formulas left out.
fn prose_text_without_math(page: &crate::support::Page) -> String {
    let mut text = String::new();
    for prose in page.select(".prose") {
        for node in prose.descendants() {
            let in_math = node
                .ancestors()
                .any(|a| a.value().as_element().is_some_and(|e| e.name() == "math"));
            if let Some(t) = node.value().as_text()
                && !in_math
            {
                text.push_str(t);
            }
        }
    }
    text
}

#[test]
fn mathjax_delimiters_and_their_escaped_forms_are_math() {
    let site = SiteTest::new().lesson(
        "a/mathjax.md",
        "MathJax",
        "## Slope \\(f'(x)\\)\n\n\
         Inline \\( x^2 \\) and *\\(a_1 * b_1\\)* here.\n\n\
         \\[\n\\sum_i x_i \\\\\n- y\n\n\\]\n\n\
         Escaped \\\\( y\\_1 \\\\) inline, and displayed:\n\n\
         \\\\[ a \\\\\\\\ b \\\\]\n\n\
         ## Dollars\n\n\
         $$\nJ(w) = a\n\n+ b\n$$\n\n\
         $$\\text{for any constant $C$}$$\n\n\
         | a | b |\n|---|---|\n| \\(p|q\\) | x |\n",
    );
    site.build().success();
    let page = site.page("a/mathjax/");
    // Every formula is MathML where it was written; no delimiter or TeX
    // is left as text.
    let inline = page.select(".prose math:not([display])");
    let display = page.select(".prose math[display=\"block\"]");
    assert_eq!(inline.len(), 5, "heading, two inline, escaped, table cell");
    assert_eq!(display.len(), 4, "\\[, \\\\[, $$ with a blank line, \\text");
    let text = prose_text_without_math(&page);
    for raw in ["\\(", "\\)", "\\[", "\\]", "$", "\\sum", "J(w)", "x^2"] {
        assert!(!text.contains(raw), "{raw} shown as text in {text}");
    }
    // Nothing inside a formula was read as Markdown: no list from `- y`,
    // no emphasis from `*`, no paragraph from the blank lines, and the
    // table cell kept its `|`.
    assert!(!page.has(".prose ul, .prose em em, .prose math em"));
    assert_eq!(page.text(".prose em").len(), 1);
    assert_eq!(page.select(".prose td").len(), 2);
    let alt = page.attr(".prose math", "alttext");
    for tex in [
        "f'(x)",
        "x^2",
        "a_1 * b_1",
        "y_1",
        "a \\\\ b",
        "J(w) = a + b",
        "p|q",
    ] {
        assert!(alt.iter().any(|a| a == tex), "{tex} not in {alt:?}");
    }
    // Rows stay rows.
    let rows: usize = display
        .iter()
        .map(|m| m.select(&scraper::Selector::parse("mtr").unwrap()).count())
        .sum();
    assert_eq!(rows, 4, "two rows in \\[ and two in \\\\[");
    // Math inside `\text` is math.
    let text_formula = display[3];
    assert!(text_formula.text().collect::<String>().contains("constant"),);
    assert!(!text_formula.text().any(|t| t.contains('$')));
    assert_eq!(
        text_formula
            .select(&scraper::Selector::parse("mi").unwrap())
            .map(|m| m.text().collect::<String>())
            .collect::<Vec<_>>(),
        ["C"]
    );
    // The heading gets a clean id and contents entry, as with `$…$`.
    assert_eq!(page.attr(".prose h2", "id"), ["slope-f-x", "dollars"]);
    let toc = page.text("nav.toc a");
    assert!(toc[0].starts_with("Slope f"), "{toc:?}");
    assert!(!toc[0].contains('\\'), "{toc:?}");
    assert!(page.has("nav.toc a math"));
}

#[test]
fn backslash_delimiters_stay_text_in_code_html_and_links() {
    let site = SiteTest::new().lesson(
        "a/code.md",
        "Code",
        "Code `\\(x\\)` and [a link to \\(x\\)](https://example.org/a\\)b).\n\n\
         ```python\nprint(\"\\(\")\n```\n\n\
         <script>\nvar delimiters = ['\\\\(', '\\\\)'];\n</script>\n\n\
         $$a \\\\[2pt] b$$\n",
    );
    site.build().success();
    let page = site.page("a/code/");
    assert_eq!(page.text(".prose p code"), ["\\(x\\)"]);
    assert_eq!(page.attr(".prose a", "href"), ["https://example.org/a)b"]);
    // In link text, a formula is a formula.
    assert_eq!(page.attr(".prose a math", "alttext"), ["x"]);
    assert_eq!(page.text(".prose pre code"), ["print(\"\\(\")"]);
    assert!(page.source.contains("var delimiters = ['\\\\(', '\\\\)'];"));
    // `\\[2pt]` in a `$$` formula is a row break with space, not an
    // opening delimiter.
    let display = page.select(".prose math[display=\"block\"]");
    assert_eq!(display.len(), 1);
    assert_eq!(
        display[0]
            .select(&scraper::Selector::parse("mtr").unwrap())
            .count(),
        2
    );
}

#[test]
fn every_delimiter_that_cannot_be_read_is_an_error_at_its_line() {
    let site = SiteTest::new().lesson(
        "a/bad.md",
        "Bad",
        "A stray \\) here, and \\] there.\n\n\
         Unclosed \\( x + 1\nstill open.\n\n\
         Escaped \\\\( x \\) mixed.\n\n\
         Empty \\(\\).\n\n\
         Text $$\\text{a $b}$$.\n\n\
         \\[\nx\n\n$$\nnever closed\n",
    );
    let run = site.check();
    run.code(1).stderr_has("backslash-delimiters = false");
    for (at, message) in [
        ("4:9", "`\\)` closes no formula"),
        ("4:22", "`\\]` closes no formula"),
        ("6:10", "`\\(` opens a formula that is never closed"),
        ("9:9", "`\\\\(` opens a formula that is never closed"),
        ("9:15", "`\\)` closes no formula"),
        ("11:7", "empty formula"),
        ("13:16", "this `$` in text opens math that is never closed"),
        ("15:1", "`\\[` opens a formula that is never closed"),
        (
            "18:1",
            "`$$` opens a displayed formula that is never closed",
        ),
    ] {
        let located = format!("error: {message}\n --> content/a/bad.md:{at}\n");
        let located_wide = format!("error: {message}\n  --> content/a/bad.md:{at}\n");
        assert!(
            run.stderr.contains(&located) || run.stderr.contains(&located_wide),
            "{located}{}",
            run.stderr
        );
    }
    let errors = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .count();
    assert_eq!(errors, 9, "{}", run.stderr);
}

#[test]
fn a_site_can_turn_backslash_delimiters_off() {
    let body = "Prose escapes \\[1\\] and \\(sic) here, \\$5.\n";
    let site = SiteTest::new()
        .file(
            "book.toml",
            "[book]\ntitle = \"T\"\n[math]\nbackslash-delimiter = false\n",
        )
        .lesson("a/off.md", "Off", body);
    site.check()
        .code(2)
        .stderr_has("book.toml:4:1")
        .stderr_has("did you mean 'backslash-delimiters'?");
    site.write(
        "book.toml",
        "[book]\ntitle = \"T\"\n[math]\nbackslash-delimiters = false\n",
    );
    site.build().success();
    let page = site.page("a/off/");
    assert!(!page.has(".prose math"));
    assert_eq!(
        page.text(".prose p"),
        ["Prose escapes [1] and (sic) here, $5."]
    );
}

#[test]
fn backslash_math_reads_as_dollar_math_everywhere() {
    // The same lesson written both ways gives the same page: description,
    // component titles, flashcards, search text.
    let body = |open: &str, close: &str| {
        format!(
            "The loss {open}J(w) = w^2{close} falls.\n\n\
             ::: note Slope {open}2w{close}\nBody.\n:::\n\n\
             ::: flashcards\n### What is {open}f'(x){close}?\nThe slope.\n:::\n"
        )
    };
    let site = SiteTest::new()
        .lesson("a/backslash.md", "Same", &body("\\(", "\\)"))
        .lesson("a/dollars.md", "Same", &body("$", "$"));
    site.build().success();
    let backslash = site.page("a/backslash/");
    let dollars = site.page("a/dollars/");
    assert_eq!(
        backslash.attr("meta[name=description]", "content"),
        ["The loss J(w) = w² falls."]
    );
    for css in [
        "meta[name=description]",
        ".gb-callout-title",
        ".gb-front-text",
        ".prose p",
    ] {
        assert_eq!(backslash.text(css), dollars.text(css), "{css}");
    }
    assert_eq!(backslash.select(".prose math").len(), 4);
    assert_eq!(
        backslash.select(".prose math").len(),
        dollars.select(".prose math").len()
    );
    assert_eq!(
        backslash.attr("meta[name=description]", "content"),
        dollars.attr("meta[name=description]", "content")
    );
}
