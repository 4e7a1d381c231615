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
