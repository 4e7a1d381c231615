//! Markdown stays Markdown: lessons whose prose holds what real lessons
//! hold (reference links and footnotes around components, commented-out
//! drafts, components in lists, dollars, braces, `=` in code) render as
//! CommonMark says, or as SPEC's own rules say. Each case is built by the
//! real binary and compared, as parsed HTML, with the HTML expected.

use std::collections::BTreeMap;

use scraper::{ElementRef, Html, Node};

use crate::support::{Page, SiteTest};

/// Builds a site with one lesson per case (`name`, body) and returns each
/// lesson's page.
fn build(cases: &[(&str, &str)]) -> BTreeMap<String, Page> {
    let mut site = SiteTest::new();
    for (name, body) in cases {
        site = site.lesson(&format!("cases/{name}.md"), name, body);
    }
    site.build().success();
    cases
        .iter()
        .map(|(name, _)| (name.to_string(), site.page(&format!("cases/{name}/"))))
        .collect()
}

/// The lesson body of `page`, in canonical form.
fn body(page: &Page) -> String {
    let prose = page.select(".prose");
    assert_eq!(prose.len(), 1, "one .prose");
    let mut out = String::new();
    children(prose[0], &mut out);
    out.trim().to_string()
}

/// `html` in canonical form: attributes sorted, runs of white space
/// squeezed, white space between tags dropped.
fn canonical(html: &str) -> String {
    let fragment = Html::parse_fragment(html);
    let mut out = String::new();
    children(fragment.root_element(), &mut out);
    out.trim().to_string()
}

fn children(element: ElementRef<'_>, out: &mut String) {
    for child in element.children() {
        match child.value() {
            Node::Text(text) => {
                let squeezed = text.split_whitespace().collect::<Vec<_>>().join(" ");
                if !squeezed.is_empty() {
                    if text.starts_with(char::is_whitespace) {
                        out.push(' ');
                    }
                    out.push_str(&squeezed);
                    if text.ends_with(char::is_whitespace) {
                        out.push(' ');
                    }
                }
            }
            Node::Comment(comment) => {
                out.push_str("<!--");
                out.push_str(comment);
                out.push_str("-->");
            }
            Node::Element(e) => {
                let mut attributes: Vec<(&str, &str)> = e.attrs().collect();
                attributes.sort();
                out.push('<');
                out.push_str(e.name());
                for (name, value) in attributes {
                    out.push_str(&format!(" {name}=\"{value}\""));
                }
                out.push('>');
                if let Some(inner) = ElementRef::wrap(child) {
                    children(inner, out);
                }
                out.push_str(&format!("</{}>", e.name()));
            }
            _ => {}
        }
    }
}

fn assert_html(page: &Page, expected: &str) {
    assert_eq!(body(page), canonical(expected));
}

#[test]
fn references_and_footnotes_are_document_wide() {
    let pages = build(&[
        (
            "reference-after-component",
            "See [docs].\n\n::: tip\nx\n:::\n\n[docs]: https://example.com\n",
        ),
        (
            "footnotes-across-components",
            "Outside[^a].\n\n::: note\nInside[^b].\n:::\n\n[^a]: First.\n[^b]: Second.\n",
        ),
    ]);
    let page = &pages["reference-after-component"];
    assert_eq!(page.attr(".prose > p a", "href"), ["https://example.com"]);
    assert_eq!(page.text(".prose > p"), ["See docs."]);

    let page = &pages["footnotes-across-components"];
    assert_eq!(page.text(".footnote-reference"), ["1", "2"]);
    assert_eq!(
        page.attr(".footnote-reference a", "href"),
        ["#fn-a", "#fn-b"]
    );
    assert_eq!(page.text(".gb-note .footnote-reference"), ["2"]);
    assert_eq!(page.attr(".footnote-definition", "id"), ["fn-a", "fn-b"]);
    assert_eq!(page.text(".footnote-definition"), ["1 First.", "2 Second."]);
}

#[test]
fn comments_and_raw_html_hide_fence_lines() {
    let pages = build(&[
        (
            "commented-out-draft",
            "Before.\n\n<!--\n::: note Draft\nNot yet.\n:::\n-->\n\nAfter.\n",
        ),
        ("pre", "<pre>\n:::\n</pre>\n"),
        ("div", "<div>\n::: tip\n</div>\n\nText.\n"),
    ]);
    let page = &pages["commented-out-draft"];
    assert_html(
        page,
        "<p>Before.</p><!--\n::: note Draft\nNot yet.\n:::\n--><p>After.</p>",
    );
    assert!(!page.has(".gb"));
    assert_html(&pages["pre"], "<pre>\n:::\n</pre>");
    assert_html(&pages["div"], "<div>\n::: tip\n</div><p>Text.</p>");
}

#[test]
fn code_keeps_its_commonmark_meaning() {
    let pages = build(&[
        ("fence-on-a-list-marker", "- ```\n  :::\n  ```\n"),
        (
            "closer-indented-four-spaces",
            "::: note\nText.\n\n    :::\n:::\n",
        ),
        (
            "backticks-in-indented-code",
            "    ```\n\n::: tip\nStill a tip.\n:::\n",
        ),
        (
            "backticks-in-tab-indented-code",
            "\t```\n\n::: tip\nStill a tip.\n:::\n",
        ),
        (
            "backticks-in-html",
            "<div>\n```\n</div>\n\n::: tip\nStill a tip.\n:::\n",
        ),
    ]);
    assert_html(
        &pages["fence-on-a-list-marker"],
        "<ul><li><pre class=\"hl-code plain\"><code>:::\n</code></pre></li></ul>",
    );
    let page = &pages["closer-indented-four-spaces"];
    assert_eq!(page.text(".gb-note .gb-callout-body p"), ["Text."]);
    assert_eq!(page.text(".gb-note .gb-callout-body pre"), [":::"]);
    for name in [
        "backticks-in-indented-code",
        "backticks-in-tab-indented-code",
        "backticks-in-html",
    ] {
        let page = &pages[name];
        assert_eq!(
            page.text(".gb-tip .gb-callout-body"),
            ["Still a tip."],
            "{name}"
        );
    }
    assert_eq!(
        pages["backticks-in-indented-code"].text(".prose > pre"),
        ["```"]
    );
}

#[test]
fn components_sit_in_list_items_and_block_quotes() {
    let pages = build(&[
        (
            "in-a-list-item",
            "1. first\n\n   ::: tip\n   t\n   :::\n\n   still item one\n2. second\n",
        ),
        ("in-a-block-quote", "> ::: note Aside\n> Quoted.\n> :::\n"),
        (
            "list-then-closer",
            "::: checklist\n- [ ] a\n- [x] b\n:::\nAfter the list.\n",
        ),
    ]);
    let page = &pages["in-a-list-item"];
    assert_eq!(page.select(".prose > ol > li").len(), 2);
    assert_eq!(
        page.text(".prose > ol > li:first-child > p"),
        ["first", "still item one"]
    );
    assert_eq!(
        page.text(".prose > ol > li:first-child > aside.gb-tip .gb-callout-body"),
        ["t"]
    );
    assert_eq!(page.text(".prose > ol > li:nth-child(2)"), ["second"]);

    let page = &pages["in-a-block-quote"];
    assert_eq!(
        page.text(".prose > blockquote > aside.gb-note .gb-callout-title"),
        ["Aside"]
    );
    assert_eq!(
        page.text(".prose > blockquote > aside.gb-note .gb-callout-body"),
        ["Quoted."]
    );

    let page = &pages["list-then-closer"];
    assert_eq!(page.text(".gb-checklist .gb-task"), ["a", "b"]);
    assert_eq!(page.text(".prose > p"), ["After the list."]);
}

#[test]
fn fences_must_close_in_their_own_container() {
    let site = SiteTest::new().lesson(
        "a.md",
        "A",
        "::: note\n- item\n  :::\n\n> ::: tip\n> Quoted.\n\n:::\n",
    );
    site.build()
        .code(1)
        .stderr_has("closing fence `:::` with no component open")
        .stderr_has("the `note` component opened on line 4 is outside this list item")
        .stderr_has("to close it, indent this line like its opening fence")
        .stderr_has("unclosed `tip` component")
        .stderr_has("it is inside a block quote that ends on line 9");
}

#[test]
fn dollars_follow_the_dollar_rule() {
    let pages = build(&[
        ("prices", "Prices range $5-$10, or $5/$6, US$5 and US$10.\n"),
        ("escaped", "Use \\$PATH:\\$HOME and \\$5.\n"),
        (
            "formulas",
            "Slope $2w$ at $w = 3$; the $n$th term; $$\\sum_i x_i$$\n",
        ),
        ("letters", "Then $a$b.\n"),
    ]);
    assert_html(
        &pages["prices"],
        "<p>Prices range $5-$10, or $5/$6, US$5 and US$10.</p>",
    );
    assert_html(&pages["escaped"], "<p>Use $PATH:$HOME and $5.</p>");
    let page = &pages["formulas"];
    assert_eq!(page.select(".prose math").len(), 4);
    // `$$…$$` inside a line of text is inline (kramdown's rule).
    assert!(page.attr(".prose math", "display").is_empty());
    assert_eq!(
        page.text(".prose p"),
        ["Slope 2w at w=3; the nth term; ∑ixi"]
    );
    let page = &pages["letters"];
    assert_eq!(page.text(".prose math"), ["a"]);
    assert_eq!(page.text(".prose p"), ["Then ab."]);
}

#[test]
fn broken_formulas_are_errors_at_their_place() {
    let site = SiteTest::new().lesson(
        "a.md",
        "A",
        "Half $\\frac{1}{$ here.\n\nUse $PREFIX_$NAME.\n",
    );
    site.build()
        .code(1)
        .stderr_has("a.md:4:15")
        .stderr_has("unbalanced braces in formula `$\\frac{1}{$`")
        .stderr_has("this `{` is never closed")
        .stderr_has("a.md:6:")
        .stderr_has("if the dollar signs are not math, write them as `\\$`");
}

#[test]
fn braces_in_headings_stay_text() {
    let pages = build(&[(
        "headings",
        "## The set {1, 2, 3}\n\n## Intro {#custom .wide}\n\n## Glued{#x}\n",
    )]);
    assert_html(
        &pages["headings"],
        "<h2 id=\"the-set-1-2-3\">The set {1, 2, 3}</h2>\
         <h2 class=\"wide\" id=\"custom\">Intro</h2>\
         <h2 id=\"glued-x\">Glued{#x}</h2>",
    );
}

#[test]
fn only_equals_and_a_space_make_an_inline_value() {
    let pages = build(&[("codes", "`==`, `=>`, `=SUM(A1:A3)`, `=x` and `= 1 + 2`.\n")]);
    let page = &pages["codes"];
    assert_eq!(page.text(".prose code"), ["==", "=>", "=SUM(A1:A3)", "=x"]);
    assert_eq!(page.text(".prose .calc-inline"), ["3"]);
}

#[test]
fn footnote_ids_never_meet_heading_ids() {
    let pages = build(&[
        ("notes", "## Notes\n\nText[^notes].\n\n[^notes]: A note.\n"),
        ("fn-first", "Text[^x].\n\n## Fn x\n\n[^x]: A note.\n"),
    ]);
    let page = &pages["notes"];
    assert_eq!(page.attr(".prose h2", "id"), ["notes"]);
    assert_eq!(page.attr(".footnote-definition", "id"), ["fn-notes"]);
    assert_eq!(page.attr(".footnote-reference a", "href"), ["#fn-notes"]);
    let page = &pages["fn-first"];
    assert_eq!(page.attr(".footnote-definition", "id"), ["fn-x"]);
    assert_eq!(page.attr(".prose h2", "id"), ["fn-x-1"]);
}

#[test]
fn code_blocks_keep_their_whole_info_string() {
    let pages = build(&[(
        "info",
        "```python,ignore\nx = 1\n```\n\n```rust {.numbered}\nlet x = 1;\n```\n\n```python\ny = 2\n```\n",
    )]);
    let page = &pages["info"];
    assert_eq!(
        page.attr(".prose pre code", "class"),
        ["language-python", "language-rust", "language-python"]
    );
    assert_eq!(
        page.attr(".prose pre code", "data-info"),
        ["python,ignore", "rust {.numbered}"]
    );
    assert!(page.has("pre.hl-code code.language-python span.hl-source"));
}

#[test]
fn smart_quotes_face_the_right_way() {
    let pages = build(&[(
        "quotes",
        "A 12\" ruler, the `grad`'s output, $x$'s value, \"quoted\", 'single', it's -- and --- and... \\\"straight\\\" `\"code\"`\n",
    )]);
    assert_eq!(
        pages["quotes"].text(".prose p"),
        [
            "A 12” ruler, the grad’s output, x’s value, “quoted”, ‘single’, it’s – and — and… \"straight\" \"code\""
        ]
    );
}

#[test]
fn component_titles_nest_under_the_heading_before_them() {
    let pages = build(&[(
        "levels",
        "::: note Top\nx\n:::\n\n::: flashcards Cards\n### Q?\nA.\n:::\n\n\
         ## Section\n\n::: interview Asked\n### Why?\nBecause.\n\n\
         ::: checklist Inner\n- [ ] a\n:::\n:::\n\n#### Deep\n\n::: reorder Flow\n1. a\n2. b\n:::\n",
    )]);
    let page = &pages["levels"];
    // Under the page's own title (an h1), before any heading: h2.
    assert_eq!(page.text(".gb-flashcards .gb-title"), ["Cards"]);
    assert_eq!(page.select(".gb-flashcards h2.gb-title").len(), 1);
    // Under an h2: h3, its questions h4, a component inside it h4.
    assert_eq!(page.select(".gb-interview h3.gb-title").len(), 1);
    assert_eq!(page.select(".gb-interview h4.gb-q").len(), 1);
    assert_eq!(page.select(".gb-checklist h4.gb-title").len(), 1);
    // Under an h4: h5.
    assert_eq!(page.select(".gb-reorder h5.gb-title").len(), 1);
}
