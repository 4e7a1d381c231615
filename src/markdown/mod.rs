//! Markdown to HTML for one lesson body.
//!
//! pulldown-cmark does the parsing, once per lesson; this module adds what
//! gradbook needs on top: heading ids and explicit heading attributes,
//! syntax highlighting, `.md` link rewriting, MathML for `$…$` under SPEC's `$` rule, page-wide footnotes,
//! learning components (via `components`) and executable content (via
//! [`Hooks`], implemented by `calc`).
//!
//! [`render_body`] is the entry point. `document` masks the body's
//! `:::` fence lines and parses it into one list of events with file
//! offsets; `components::find` pairs the fences found in that parse into
//! components; `render` walks the events once, rendering each component in
//! its place. The rules for inline text (`$`, inline values, quotes) are in
//! `inline`, headings' ids and contents entries in `heading`.

use std::ops::Range;

use pulldown_cmark::Options;

use crate::components;
use crate::content::slug::IdSet;
use crate::diagnostics::{Diagnostic, SourceText};

mod backslash;
mod document;
mod foreign;
mod heading;
pub mod highlight;
mod inline;
mod raw_html;
mod render;
pub mod tex_text;

/// What the Markdown renderer asks of a page's executable content. Ranges
/// are byte ranges of the whole source file.
pub trait Hooks {
    /// A fenced code block whose info string is `calc`; `code` covers the
    /// block's content lines (fences excluded). Returns the HTML to put in
    /// its place.
    fn calc_block(&mut self, code: Range<usize>) -> String;

    /// An inline value, code whose text is `=`, a space and an expression
    /// (`` `= J'(3)` ``): `span` covers the whole code span in the source,
    /// `expr` is the text after `= `, trimmed. Returns
    /// the HTML to put in its place.
    fn inline_value(&mut self, span: Range<usize>, expr: &str) -> String;

    /// An `explore` component: runs the calc input `vary.code` once per
    /// value of `vary.name`, in the page's scope as it stands, and returns
    /// each run's HTML in order and the value to show first. No runs when
    /// the input cannot be varied (that is reported at the `vary:` line).
    fn variants(&mut self, vary: &crate::components::Vary) -> crate::components::Variants;

    /// A quiz question's `answer:` line: reads it with the engine in the
    /// page's scope as it stands, as a number or an expression sampled at
    /// points where it is defined. `None` when it cannot be graded (that is
    /// reported at `answer.span`).
    fn quiz_key(
        &mut self,
        answer: &crate::components::TypedAnswer,
    ) -> Option<crate::components::AnswerKey>;
}

pub use crate::content::Resolved;
// The title heading of a file takes an attribute block as any heading does.
pub(crate) use document::trailing_attributes;

/// Everything the renderer needs to know about the page it renders.
pub struct BodyContext<'a> {
    /// The page's source file.
    pub source: &'a SourceText,
    /// The page's URL path (`/calculus/intro/`), the key for components.
    pub page_key: &'a str,
    /// The page's URL relative to the site root (`calculus/intro/`).
    pub page_url: &'a str,
    /// The relative path from the page to the site root (`../../`).
    pub root: &'a str,
    /// Resolves the path of a `.md` link (without `#anchor`), as written.
    pub resolve: &'a dyn Fn(&str) -> Resolved,
    /// Finds the page asset a relative link or image source (as written)
    /// names; the flag asks for an image's size. When there is none, the
    /// closest file as it would be written, if any is close.
    pub asset: &'a dyn Fn(&str, bool) -> AssetLookup,
    /// The book's LaTeX macros (`[math] macros`).
    pub macros: &'a crate::latex::Macros,
    /// The id the page's title takes (`# Title {#id}`), which no heading
    /// of the body may take too.
    pub title_id: Option<&'a str>,
    /// Whether `\(…\)` and `\[…\]` are math (`[math]
    /// backslash-delimiters`).
    pub backslash_delimiters: bool,
}

/// What [`BodyContext::asset`] finds: the asset, or the closest file as it
/// would be written, if any is close.
pub type AssetLookup = Result<Asset, Option<String>>;

/// A file of the content folder a link or image names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// Its output path relative to the site root, percent-encoded.
    pub href: String,
    /// Width and height in pixels, when asked for and the format says.
    pub size: Option<(usize, usize)>,
}

/// A heading, for a page's table of contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TocEntry {
    /// 1 to 6.
    pub level: u8,
    /// The heading's id.
    pub id: String,
    /// The heading's text as plain, readable text: math is written out
    /// (`w²`, `α`), not left as TeX.
    pub title: String,
    /// The heading's content as HTML for a table of contents entry: math
    /// as MathML, inline code and emphasis kept, links and footnote
    /// references dropped (an entry is a link itself).
    pub html: String,
}

/// A link to `#anchor` on some page, to be checked once every page's ids
/// are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorLink {
    /// The target page's URL relative to the site root.
    pub page_url: String,
    /// The anchor, without `#`.
    pub anchor: String,
    /// Where the link is in the source.
    pub span: Range<usize>,
}

/// The result of rendering a body.
#[derive(Debug, Default)]
pub struct Rendered {
    /// The HTML.
    pub html: String,
    /// The page's own headings, in order: every heading outside the
    /// learning components. Headings inside components get ids too, but
    /// they are part of the component, not sections of the page.
    pub toc: Vec<TocEntry>,
    /// How many flashcards and checklist items the page holds.
    pub trackable: components::Trackable,
    /// The page's flashcards, rendered, in order.
    pub cards: Vec<components::RenderedCard>,
    /// Every id on the page (headings, footnotes, and the `id` and `name`
    /// attributes of raw HTML).
    pub ids: IdSet,
    /// Links with an anchor, to check later.
    pub anchor_links: Vec<AnchorLink>,
    /// Languages of code blocks that have no highlighting (shown plain),
    /// each with a warning at its first block on the page.
    pub unknown_languages: std::collections::BTreeMap<String, Diagnostic>,
    /// Problems found.
    pub diagnostics: Vec<Diagnostic>,
}

/// Renders the bytes `body` of the page's source (the part after the front
/// matter) to HTML.
pub fn render_body(ctx: &BodyContext<'_>, body: Range<usize>, hooks: &mut dyn Hooks) -> Rendered {
    let text = ctx.source.text.as_str();
    let floor = |mut at: usize| {
        at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let body = floor(body.start)..floor(body.end.max(body.start));
    let lines = components::scan(text, body.clone());
    let mut masked = components::mask(text, body.clone(), &lines);
    let display = document::mask_display_math(&masked);
    if let Some(math) = display.text {
        masked = std::borrow::Cow::Owned(math);
    }
    let mut backslash = backslash::Found::default();
    if ctx.backslash_delimiters && masked.contains(['(', ')', '[', ']']) {
        let (math, found) = backslash::scan(&masked, body.start);
        backslash = found;
        if let Some(math) = math {
            masked = std::borrow::Cow::Owned(math);
        }
    }
    let events = document::parse(text, body.start, &masked, &lines, &mut backslash);
    let found = components::find(ctx.source, &events, &lines, body.end);
    let mut ids = IdSet::new();
    if let Some(id) = ctx.title_id {
        ids.insert(id);
    }
    let mut diagnostics = found.diagnostics.clone();
    diagnostics.extend(math_problems(
        ctx.source,
        body.start,
        &display.unclosed,
        &backslash,
    ));
    let mut renderer = render::PageRenderer {
        ctx,
        hooks,
        events: &events,
        found: &found,
        component_depth: 0,
        heading_level: 1,
        footnotes: Default::default(),
        equations: crate::latex::PageMath::new(ctx.macros),
        ref_spans: Vec::new(),
        backslash: &backslash,
        out: Rendered {
            diagnostics,
            trackable: found.trackable(),
            ids,
            ..Rendered::default()
        },
    };
    let html = renderer.render(0..events.len());
    let (html, missing) = renderer.equations.resolve(&html);
    renderer.out.html = html;
    let mut reported = std::collections::HashSet::new();
    for entry in &mut renderer.out.toc {
        entry.html = renderer.equations.resolve(&entry.html).0;
    }
    for card in &mut renderer.out.cards {
        card.front = renderer.equations.resolve(&card.front).0;
        card.back = renderer.equations.resolve(&card.back).0;
    }
    for m in missing {
        if let Some(span) = renderer
            .ref_spans
            .get(m.index)
            .filter(|_| reported.insert(m.index))
        {
            renderer.out.diagnostics.push(
                Diagnostic::at(ctx.source, span.clone(), m.message)
                    .with_label("this reference")
                    .with_help("give a numbered equation this label with `\\label{…}`"),
            );
        }
    }
    renderer.out
}

/// The delimiters of formulas that could not be read: `$$` that opens a
/// formula at the start of line `unclosed` (offsets from `base`) and is
/// never closed, and the backslash delimiters that pair with nothing.
fn math_problems(
    source: &SourceText,
    base: usize,
    unclosed: &[usize],
    backslash: &backslash::Found,
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = unclosed
        .iter()
        .map(|&at| {
            Diagnostic::at(
                source,
                base + at..base + at + 2,
                "`$$` opens a displayed formula that is never closed",
            )
            .with_label("no closing `$$` after it")
            .with_help("close it with `$$` (a displayed formula may span lines, blank ones too); for dollar signs, write `\\$\\$`")
        })
        .collect();
    for p in &backslash.problems {
        out.push(
            Diagnostic::at(source, p.span.clone(), p.message.clone())
                .with_label(p.label.clone())
                .with_help(p.help.clone()),
        );
    }
    out.sort_by_key(|d| (d.line, d.column));
    out
}

/// The pulldown-cmark extensions gradbook enables. Heading attributes are
/// not among them: only an explicit trailing `{#id .class}` counts, which
/// `document` reads itself.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_MATH
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoCalc;
    impl Hooks for NoCalc {
        fn calc_block(&mut self, code: Range<usize>) -> String {
            format!("<calc {}..{}>", code.start, code.end)
        }
        fn inline_value(&mut self, _span: Range<usize>, expr: &str) -> String {
            format!("<value {expr}>")
        }
        fn variants(&mut self, vary: &crate::components::Vary) -> crate::components::Variants {
            crate::components::Variants {
                html: vary.values.iter().map(|v| format!("<run {v}>")).collect(),
                start: 0,
            }
        }
        fn quiz_key(
            &mut self,
            answer: &crate::components::TypedAnswer,
        ) -> Option<crate::components::AnswerKey> {
            Some(crate::components::AnswerKey {
                html: format!("<key {}>", answer.text),
                check: crate::components::AnswerCheck::Number {
                    value: 0.0,
                    decimals: None,
                },
            })
        }
    }

    fn render(text: &str) -> Rendered {
        let source = SourceText::new("content/a/b.md", text);
        let resolve = |path: &str| match path {
            "c.md" => Resolved::Page("a/c/".to_string()),
            _ => Resolved::Missing {
                message: format!("link to a missing page '{path}'"),
                help: None,
            },
        };
        let ctx = BodyContext {
            source: &source,
            page_key: "/a/b/",
            page_url: "a/b/",
            root: "../../",
            resolve: &resolve,
            macros: &Default::default(),
            title_id: None,
            backslash_delimiters: true,
            asset: &|link: &str, sized: bool| {
                if link.split(['#', '?']).next() == Some("img/p.png") {
                    Ok(Asset {
                        href: "a/img/p.png".to_string(),
                        size: sized.then_some((4, 3)),
                    })
                } else {
                    Err(Some("img/p.png".to_string()))
                }
            },
        };
        render_body(&ctx, 0..text.len(), &mut NoCalc)
    }

    #[test]
    fn math_dialects() {
        let display = |tex: &str| crate::latex::to_mathml(tex, true).unwrap();
        let inline = |tex: &str| crate::latex::to_mathml(tex, false).unwrap();
        // A `math` fence is a displayed formula.
        let r = render("```math\nx^2\n```\n");
        assert!(r.html.contains(&display("x^2\n")), "{}", r.html);
        // `$$…$$` in a line of text is inline; on its own lines, display.
        let r = render("Text $$a$$ more.\n\n$$b$$\n\nOne\n$$c$$\ntwo\n");
        assert!(r.html.contains(&inline("a")), "{}", r.html);
        assert!(r.html.contains(&display("b")), "{}", r.html);
        assert!(r.html.contains(&display("c")), "{}", r.html);
        // Lines that would start a list or a quote stay in the formula.
        let tex = "\nf(x) = x\n- y\n+ z\n> w\n";
        let r = render(&format!("$${tex}$$\n\n- item\n"));
        assert!(r.html.contains(&display(tex)), "{}", r.html);
        assert!(r.html.contains("<li>item</li>"), "{}", r.html);
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        // An unclosed `$$` masks nothing, and is an error at its line.
        let r = render("$$\n- a\n- b\n");
        assert!(r.html.contains("<li>a</li>"), "{}", r.html);
        assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
        assert_eq!((r.diagnostics[0].line, r.diagnostics[0].column), (1, 1));
        // A formula holds blank lines up to its closing `$$`.
        let tex = "\na\n\n- b\n\n";
        let r = render(&format!("$${tex}$$\n\nAfter.\n"));
        assert!(r.html.contains(&display(tex)), "{}", r.html);
        assert!(r.html.contains("<p>After.</p>"), "{}", r.html);
        // A `$$` at the start of a line may close an inline one.
        let r = render("The loss $$L\n$$ falls.\n\nNext.\n\n$$\nx\n$$\n");
        assert!(r.html.contains(&inline("L\n")), "{}", r.html);
        assert!(r.html.contains("<p>Next.</p>"), "{}", r.html);
        assert!(r.html.contains(&display("\nx\n")), "{}", r.html);
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    }

    #[test]
    fn pandoc_info_strings_name_the_language() {
        let r = render("```{.python .input}\nx = 1\n```\n");
        assert!(r.html.contains("class=\"language-python\""), "{}", r.html);
        assert!(
            r.html.contains("data-info=\"{.python .input}\""),
            "{}",
            r.html
        );
    }

    #[test]
    fn images_and_raw_html() {
        let r = render(
            "![P *q*](img/p.png#x) ![](gone.png) ![w](https://e.org/w.png)\n\n<a name=\"top\"></a><img alt=x src=img/p.png width=9>\n",
        );
        assert!(
            r.html.contains(
                "<img src=\"../../a/img/p.png#x\" alt=\"P q\" width=\"4\" height=\"3\" loading=\"lazy\" />"
            ),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("<img src=\"https://e.org/w.png\" alt=\"w\" loading=\"lazy\" />")
        );
        assert!(
            r.html
                .contains("<img alt=x src=../../a/img/p.png width=9 loading=\"lazy\">"),
            "{}",
            r.html
        );
        assert!(r.ids.contains("top"));
        assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
        assert!(r.diagnostics[0].message.contains("'gone.png'"));
        assert_eq!(
            r.diagnostics[0].help.as_deref(),
            Some("did you mean 'img/p.png'?")
        );
    }

    #[test]
    fn headings_get_unique_ids() {
        let r =
            render("# Intro\n\n## Intro\n\n## Set *up* {#custom}\n\n### Slope of $x^2$ at `x`\n");
        assert!(r.html.contains("<h1 id=\"intro\">"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"intro-1\">"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"custom\">"), "{}", r.html);
        assert_eq!(r.toc[2].title, "Set up");
        assert_eq!(r.toc[2].html, "Set <em>up</em>");
        assert_eq!(r.toc[3].title, "Slope of x² at x");
        // Ids are made from the text as written, so they do not change
        // with how math is shown.
        assert_eq!(r.toc[3].id, "slope-of-x-2-at-x");
        let html = &r.toc[3].html;
        assert!(html.starts_with("Slope of "), "{html}");
        assert!(html.ends_with(" at <code>x</code>"), "{html}");
        assert!(!html.contains('$'), "{html}");
        assert_eq!(
            html,
            &format!(
                "Slope of {} at <code>x</code>",
                crate::latex::to_mathml("x^2", false).unwrap()
            )
        );
    }

    #[test]
    fn headings_inside_components_get_ids_but_are_not_in_the_toc() {
        let r = render(
            "## Intro\n\n::: note Aside\n## Inside a note\n\n### Intro\n:::\n\n::: flashcards\n### Front\nBack\n\n#### Detail\n:::\n\n## After {#after}\n",
        );
        let toc: Vec<(&str, &str)> = r
            .toc
            .iter()
            .map(|h| (h.id.as_str(), h.title.as_str()))
            .collect();
        assert_eq!(toc, [("intro", "Intro"), ("after", "After")]);
        for id in ["inside-a-note", "intro-1", "detail"] {
            assert!(r.ids.contains(id), "{id} missing");
            assert!(
                r.html.contains(&format!(" id=\"{id}\"")),
                "{id}: {}",
                r.html
            );
        }
        assert_eq!(r.trackable.cards, 1);
    }

    #[test]
    fn every_flashcard_is_handed_over_as_rendered() {
        let src =
            "::: flashcards Terms\n### Slope of *w*\nIt is `2w`.\n\n### Again\nSee $x^2$.\n:::\n";
        let r = render(src);
        let cards: Vec<(&str, &str, &str, &str)> = r
            .cards
            .iter()
            .map(|c| {
                (
                    c.id.as_str(),
                    c.deck.as_str(),
                    c.front.as_str(),
                    &src[c.span.clone()],
                )
            })
            .collect();
        assert!(!cards[0].0.is_empty() && cards[0].0 != cards[1].0);
        assert!(r.html.contains(&format!("data-card-id=\"{}\"", cards[0].0)));
        assert_eq!(cards[0].1, "Terms");
        assert_eq!(cards[0].2, "Slope of <em>w</em>");
        assert_eq!(cards[0].3, "Slope of *w*");
        assert_eq!(cards[1].3, "Again");
        assert!(
            r.cards[0].back.contains("<code>2w</code>"),
            "{}",
            r.cards[0].back
        );
        assert!(r.cards[1].back.contains("<math"), "{}", r.cards[1].back);
    }

    #[test]
    fn attribute_blocks_leave_card_fronts_and_name_the_card() {
        let r = render("::: flashcards\n### Card {#c .hard}\nBack\n\n### Set {1, 2}\nB\n:::\n");
        assert!(r.html.contains(">Card</p>"), "{}", r.html);
        assert!(r.html.contains(">Set {1, 2}</p>"), "{}", r.html);
        let ids: Vec<&str> = r
            .html
            .split("data-card-id=\"")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap_or(0)])
            .collect();
        // `{#c}` is the card's id; a front without one is named by its text.
        let expected = ["c".to_string(), crate::components::stable_id("Set {1, 2}")];
        assert_eq!(ids, expected);
        assert_eq!(r.cards[0].id, "c");
        assert_eq!(r.cards[0].front, "Card");
    }

    #[test]
    fn toc_entries_drop_links_and_keep_values() {
        let r = render("## See [c](c.md) and `= x`[^n] **now**\n\n[^n]: note\n");
        assert_eq!(r.toc[0].html, "See c and <value x> <strong>now</strong>");
        assert_eq!(r.toc[0].title, "See c and now");
        assert_eq!(r.toc[0].id, "see-c-and-x-now");
    }

    #[test]
    fn md_links_are_rewritten_and_missing_ones_reported() {
        let r = render("See [c](c.md#x) and\n[d](d.md) and [web](https://e.org/a.md).\n");
        assert!(r.html.contains("href=\"../../a/c/#x\""), "{}", r.html);
        assert!(r.html.contains("href=\"https://e.org/a.md\""));
        assert_eq!(r.diagnostics.len(), 1);
        assert_eq!(r.diagnostics[0].line, 2);
        assert_eq!(r.anchor_links[0].anchor, "x");
        assert_eq!(r.anchor_links[0].page_url, "a/c/");
    }

    #[test]
    fn calc_blocks_and_inline_values_go_to_the_hooks() {
        let text = "x\n\n```calc\n>>> 1\n```\n\nis `= J'(3)` and `plain`\n";
        let r = render(text);
        let start = text.find(">>>").unwrap();
        assert!(
            r.html.contains(&format!("<calc {start}..{}>", start + 6)),
            "{}",
            r.html
        );
        assert!(r.html.contains("<value J'(3)>"));
        assert!(r.html.contains("<code>plain</code>"));
    }

    #[test]
    fn code_is_highlighted_and_extensions_work() {
        let r = render(
            "```python\nx = 1\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ \"quoted\"[^1]\n\n[^1]: note\n",
        );
        assert!(r.html.contains("class=\"language-python\""));
        assert!(r.html.contains("<span class=\"hl-"));
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("checkbox"));
        assert!(r.html.contains("<del>old</del>"));
        assert!(r.html.contains("“quoted”"));
        assert!(r.html.contains("footnote"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// No input, however malformed, panics the renderer, and every
        /// diagnostic points inside the file.
        #[test]
        fn any_text_renders_without_panicking(
            text in "(\\PC|[\\n#`$\\[\\]()*_~|:>=-]|[{}\\\\\"'<!^ ]|::: note|:::|\\$\\$|= |\\\\{1,2}[()\\[\\]]){0,200}"
        ) {
            let r = render(&text);
            let lines = text.lines().count().max(1);
            for d in &r.diagnostics {
                proptest::prop_assert!(d.line >= 1 && d.line <= lines + 1, "{d:?}");
            }
        }

        #[test]
        fn any_file_splits_without_panicking(text in "(\\PC|[\\n+=-]){0,120}") {
            let source = SourceText::new("a.md", text);
            let _ = crate::content::frontmatter::read(&source);
        }
    }

    #[test]
    fn external_links() {
        use render::is_external;
        assert!(is_external("https://x.org"));
        assert!(is_external("mailto:a@b.c"));
        assert!(is_external("//cdn.x"));
        assert!(!is_external("a.md"));
        assert!(!is_external("../a.md#b:c"));
    }
}
