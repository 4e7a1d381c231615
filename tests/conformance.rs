//! CommonMark conformance: every example of the CommonMark 0.31.2 spec goes
//! through the lesson pipeline (`markdown::render_body`, components and
//! all) and must come out as plain pulldown-cmark renders it with the same
//! extensions, so no change to the pipeline can quietly alter ordinary
//! Markdown.
//!
//! `tests/data/commonmark-spec.json` holds the spec's examples, taken from
//! the `commonmark-spec` npm package (version 0.31.2) with its own
//! extraction (`index.js`), the spec's `→` written back as the tab it
//! stands for; its licence is `tests/data/commonmark-spec.LICENSE`.
//!
//! Before comparing, both sides are normalised where gradbook differs on
//! purpose, as SPEC §1 documents:
//!
//! - headings carry ids (pulldown-cmark writes none);
//! - code blocks are highlighted: only the text of a block and its
//!   `language-` class are compared, not the highlighting markup, the
//!   `hl-code` classes or `data-info`;
//! - smart quotes may face another way: curly quotes are compared as
//!   straight ones (dashes and ellipses are compared as they are);
//! - images load lazily: `loading="lazy"` is not compared.
//!
//! The few examples that differ beyond that, on purpose, are listed in
//! [`DELIBERATE`] with the reason.

use std::ops::Range;

use gradbook::diagnostics::SourceText;
use gradbook::markdown::{self, BodyContext, Hooks, Resolved};

/// Examples whose output differs from plain pulldown-cmark on purpose.
const DELIBERATE: &[(usize, &str)] = &[(
    12,
    "`\\[\\\\\\]` is a displayed formula (SPEC §1, backslash delimiters), and `\\(\\)` an empty one (an error)",
)];

#[derive(serde::Deserialize)]
struct Example {
    markdown: String,
    example: usize,
    section: String,
}

/// Calc blocks and inline values rendered as the code they would be
/// without gradbook.
struct AsCode<'s> {
    text: &'s str,
}

impl Hooks for AsCode<'_> {
    fn calc_block(&mut self, code: Range<usize>) -> String {
        format!(
            "<pre><code class=\"language-calc\">{}</code></pre>\n",
            escape(&self.text[code])
        )
    }

    fn inline_value(&mut self, _span: Range<usize>, expr: &str) -> String {
        format!("<code>= {}</code>", escape(expr))
    }

    fn variants(&mut self, vary: &gradbook::components::Vary) -> gradbook::components::Variants {
        gradbook::components::Variants {
            html: vary
                .values
                .iter()
                .map(|_| self.calc_block(vary.code.clone()))
                .collect(),
            start: 0,
        }
    }

    fn quiz_key(
        &mut self,
        _answer: &gradbook::components::TypedAnswer,
    ) -> Option<gradbook::components::AnswerKey> {
        None
    }
}

fn through_gradbook(text: &str) -> String {
    let source = SourceText::new("example.md", text);
    let resolve = |_: &str| Resolved::Unknown;
    let ctx = BodyContext {
        source: &source,
        page_key: "/example/",
        page_url: "example/",
        root: "../",
        resolve: &resolve,
        asset: &|_: &str, _: bool| Err(None),
        macros: &Default::default(),
        title_id: None,
        backslash_delimiters: true,
    };
    let rendered = markdown::render_body(&ctx, 0..text.len(), &mut AsCode { text });
    rendered.html
}

fn through_pulldown_cmark(text: &str) -> String {
    let mut html = String::new();
    let parser = pulldown_cmark::Parser::new_ext(text, markdown::options());
    pulldown_cmark::html::push_html(&mut html, parser);
    html
}

#[test]
fn commonmark_examples_render_as_plain_pulldown_cmark_does() {
    let examples: Vec<Example> =
        serde_json::from_str(include_str!("data/commonmark-spec.json")).expect("valid JSON");
    assert_eq!(examples.len(), 652, "the 0.31.2 spec has 652 examples");
    let mut problems = Vec::new();
    for example in &examples {
        let ours = normalise(&through_gradbook(&example.markdown));
        let theirs = normalise(&through_pulldown_cmark(&example.markdown));
        let deliberate = DELIBERATE.iter().any(|(n, _)| *n == example.example);
        if ours != theirs && !deliberate {
            problems.push(format!(
                "example {} ({}):\n{:?}\n--- gradbook\n{ours}\n--- pulldown-cmark\n{theirs}",
                example.example, example.section, example.markdown
            ));
        } else if ours == theirs && deliberate {
            problems.push(format!(
                "example {} is listed as different but is not: remove it from DELIBERATE",
                example.example
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} examples differ:\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

/// Both sides in the form they are compared in (see the module comment).
fn normalise(html: &str) -> String {
    let html = html
        .replace(['“', '”'], "\"")
        .replace(['‘', '’'], "'")
        .replace(" loading=\"lazy\"", "");
    let html = drop_heading_ids(&html);
    plain_code_blocks(&html)
}

fn drop_heading_ids(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<h") {
        let is_heading = rest[at + 2..].starts_with(|c: char| ('1'..='6').contains(&c))
            && rest[at + 3..].starts_with([' ', '>']);
        out.push_str(&rest[..at + 2]);
        rest = &rest[at + 2..];
        if is_heading && rest[1..].starts_with(" id=\"") {
            out.push_str(&rest[..1]);
            let value_end = rest[6..].find('"').map_or(rest.len(), |k| 6 + k + 1);
            rest = &rest[value_end..];
        }
    }
    out.push_str(rest);
    out
}

/// Every `<pre …><code …>…</code></pre>` as `<pre><code class>text</code></pre>`.
fn plain_code_blocks(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<pre") {
        out.push_str(&rest[..at]);
        let block = &rest[at..];
        let Some(code_tag) = block.find("<code").filter(|&k| block[..k].ends_with('>')) else {
            out.push_str("<pre");
            rest = &block[4..];
            continue;
        };
        let tag_end = block[code_tag..]
            .find('>')
            .map_or(block.len(), |k| code_tag + k + 1);
        let Some(close) = block.find("</code></pre>") else {
            out.push_str(block);
            return out;
        };
        let class = attribute(&block[code_tag..tag_end], "class");
        let text = decode(&strip_tags(&block[tag_end..close]));
        out.push_str("<pre><code");
        if let Some(class) = class {
            out.push_str(&format!(" class=\"{class}\""));
        }
        out.push('>');
        out.push_str(&escape(&text));
        out.push_str("</code></pre>");
        rest = &block[close + "</code></pre>".len()..];
    }
    out.push_str(rest);
    out
}

fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[start..].find('"')? + start;
    Some(&tag[start..end])
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn decode(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[test]
fn the_normalisation_keeps_what_matters() {
    assert_eq!(
        normalise("<h2 id=\"a-b\">A “b”</h2>\n<h2>c</h2><hr />"),
        "<h2>A \"b\"</h2>\n<h2>c</h2><hr />"
    );
    assert_eq!(
        normalise(
            "<pre class=\"hl-code\"><code class=\"language-py\" data-info=\"py x\"><span class=\"hl-a\">a &lt; b</span>\n</code></pre>\n"
        ),
        "<pre><code class=\"language-py\">a &lt; b\n</code></pre>\n"
    );
    assert_ne!(normalise("<p>a – b</p>"), normalise("<p>a -- b</p>"));
}
