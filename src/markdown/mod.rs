//! Markdown to HTML for one lesson body.
//!
//! pulldown-cmark does the parsing; this module adds what gradbook needs on
//! top: heading ids, syntax highlighting, `.md` link rewriting, MathML for
//! `$…$`, learning components (via `components`) and executable content
//! (via [`Hooks`], implemented by `calc`).
//!
//! [`render_body`] is the entry point. The body is first split into plain
//! Markdown and components by [`crate::components::parse`]; each Markdown
//! range is parsed on its own with offsets kept file-relative, so every
//! diagnostic points at the right line. One [`PageRenderer`] lives for the
//! whole page, which keeps heading ids unique across components too.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::components::{self, Block, MarkdownSink};
use crate::content::slug::{IdSet, slugify};
use crate::diagnostics::{Diagnostic, SourceText};

pub mod highlight;
pub mod tex_text;

/// What the Markdown renderer asks of a page's executable content. Ranges
/// are byte ranges of the whole source file.
pub trait Hooks {
    /// A fenced code block whose info string is `calc`; `code` covers the
    /// block's content lines (fences excluded). Returns the HTML to put in
    /// its place.
    fn calc_block(&mut self, code: Range<usize>) -> String;

    /// Inline code whose text starts with `=`: `span` covers the whole code
    /// span in the source, `expr` is the text after `=`, trimmed. Returns
    /// the HTML to put in its place.
    fn inline_value(&mut self, span: Range<usize>, expr: &str) -> String;
}

/// How a `.md` link resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// The page's URL, relative to the site root (`calculus/intro/`).
    Page(String),
    /// There is no such page (or it is not built).
    Missing {
        /// What is wrong.
        message: String,
        /// A suggested fix.
        help: Option<String>,
    },
    /// The target exists but could not be read; its own error is reported
    /// elsewhere, so the link is left alone.
    Unknown,
}

/// Everything the renderer needs to know about the page it renders.
pub struct PageContext<'a> {
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
    /// Every id on the page (headings and footnotes).
    pub ids: IdSet,
    /// Links with an anchor, to check later.
    pub anchor_links: Vec<AnchorLink>,
    /// Problems found.
    pub diagnostics: Vec<Diagnostic>,
}

/// Renders the bytes `body` of the page's source (the part after the front
/// matter) to HTML.
pub fn render_body(ctx: &PageContext<'_>, body: Range<usize>, hooks: &mut dyn Hooks) -> Rendered {
    let (blocks, diagnostics) = components::parse(ctx.source, body);
    let mut renderer = PageRenderer {
        ctx,
        hooks,
        component_depth: 0,
        out: Rendered {
            diagnostics,
            trackable: components::trackable(&blocks),
            ..Rendered::default()
        },
    };
    let html = renderer.blocks(&blocks);
    renderer.out.html = html;
    renderer.out
}

/// The pulldown-cmark extensions gradbook enables.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_MATH
}

/// Renders one page, range by range; implements [`MarkdownSink`] for
/// components.
pub struct PageRenderer<'a, 'h> {
    ctx: &'a PageContext<'a>,
    hooks: &'h mut dyn Hooks,
    /// How many components enclose what is being rendered.
    component_depth: usize,
    out: Rendered,
}

/// A heading being read: its text in the forms the page needs.
#[derive(Default)]
struct OpenHeading {
    /// Where its start event is in the event list.
    start: usize,
    /// The text as written (math as TeX), for the slug: ids stay what they
    /// always were.
    source_text: String,
    /// Readable text, math written out.
    plain: String,
    /// HTML for the table of contents.
    html: String,
}

/// A fenced or indented code block being collected.
struct OpenCode {
    info: Option<String>,
    block: Range<usize>,
    text: String,
    content: Option<Range<usize>>,
}

impl PageRenderer<'_, '_> {
    /// Renders `range` of the source; `inline` drops the paragraph tags
    /// around a single paragraph.
    fn render_range(&mut self, range: Range<usize>, inline: bool) -> String {
        let source = self.ctx.source;
        let Some(text) = source.text.get(range.clone()) else {
            return String::new();
        };
        let base = range.start;
        let mut events: Vec<Event<'_>> = Vec::new();
        // The heading being read, for its id and the table of contents.
        let mut heading: Option<OpenHeading> = None;
        let mut code: Option<OpenCode> = None;
        let mut depth = 0usize;
        for (event, span) in Parser::new_ext(text, options()).into_offset_iter() {
            let span = span.start + base..span.end + base;
            if let Some(open) = code.as_mut() {
                match event {
                    Event::Text(t) => {
                        open.text.push_str(&t);
                        open.content = Some(match open.content.take() {
                            Some(c) => c.start..span.end,
                            None => span,
                        });
                    }
                    Event::End(TagEnd::CodeBlock) => {
                        let open = code.take().expect("checked above");
                        events.push(Event::Html(self.code_block(open).into()));
                    }
                    _ => {}
                }
                continue;
            }
            if let Some(open) = heading.as_mut() {
                open.read(&event);
            }
            match event {
                Event::Start(Tag::CodeBlock(kind)) => {
                    let info = match kind {
                        CodeBlockKind::Fenced(info) => Some(info.to_string()),
                        CodeBlockKind::Indented => None,
                    };
                    code = Some(OpenCode {
                        info,
                        block: span,
                        text: String::new(),
                        content: None,
                    });
                }
                Event::Start(Tag::Paragraph) if inline && depth == 0 => depth += 1,
                Event::End(TagEnd::Paragraph) if inline && depth == 1 => depth -= 1,
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }) => {
                    heading = Some(OpenHeading {
                        start: events.len(),
                        ..OpenHeading::default()
                    });
                    events.push(Event::Start(Tag::Heading {
                        level,
                        id,
                        classes,
                        attrs,
                    }));
                }
                Event::End(TagEnd::Heading(level)) => {
                    if let Some(open) = heading.take() {
                        self.finish_heading(&mut events, open, level);
                    }
                    events.push(Event::End(TagEnd::Heading(level)));
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let dest_url = self.link(&dest_url, span).map_or(dest_url, CowStr::from);
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
                Event::Code(text) if text.starts_with('=') => {
                    let expr = text[1..].trim();
                    let html = self.hooks.inline_value(span, expr);
                    if let Some(open) = heading.as_mut() {
                        open.html.push_str(&html);
                        open.plain.push_str(&text_of_html(&html));
                    }
                    events.push(Event::InlineHtml(html.into()));
                }
                Event::InlineMath(tex) => {
                    let html = self.math(&tex, span, false);
                    if let Some(open) = heading.as_mut() {
                        open.html.push_str(&html);
                    }
                    events.push(Event::InlineHtml(html.into()));
                }
                Event::DisplayMath(tex) => {
                    let html = self.math(&tex, span, true);
                    events.push(Event::InlineHtml(html.into()));
                }
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    // pulldown-cmark uses the label itself as the id.
                    if !self.out.ids.contains(&label) {
                        self.out.ids.unique(&label);
                    }
                    events.push(Event::Start(Tag::FootnoteDefinition(label)));
                }
                other => events.push(other),
            }
        }
        if let Some(open) = code.take() {
            events.push(Event::Html(self.code_block(open).into()));
        }
        let mut html = String::with_capacity(text.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        html
    }

    /// Gives the heading that starts at `events[open.start]` its unique id
    /// and, outside components, records it in the table of contents.
    fn finish_heading(&mut self, events: &mut [Event<'_>], open: OpenHeading, level: HeadingLevel) {
        let squeeze = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let Event::Start(Tag::Heading { id, .. }) = &mut events[open.start] else {
            return;
        };
        let wanted = match id.as_deref() {
            Some(explicit) => explicit.to_string(),
            None => slugify(&squeeze(&open.source_text)),
        };
        let unique = self.out.ids.unique(&wanted);
        *id = Some(unique.clone().into());
        if self.component_depth == 0 {
            self.out.toc.push(TocEntry {
                level: level as u8,
                id: unique,
                title: squeeze(&open.plain),
                html: open.html.trim().to_string(),
            });
        }
    }

    /// Renders a finished code block: calc blocks go to the hooks, the rest
    /// is highlighted.
    fn code_block(&mut self, open: OpenCode) -> String {
        let info = open.info.as_deref().unwrap_or("").trim();
        if info == "calc" {
            let content = open.content.unwrap_or_else(|| {
                let text = &self.ctx.source.text[open.block.clone()];
                let after_fence = text
                    .find('\n')
                    .map_or(open.block.end, |i| open.block.start + i + 1);
                after_fence..after_fence
            });
            return self.hooks.calc_block(content);
        }
        let lang = info
            .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
            .next()
            .unwrap_or("");
        highlight::code_block(&open.text, lang)
    }

    /// Converts a formula; on error reports it and shows the source.
    fn math(&mut self, tex: &str, span: Range<usize>, display: bool) -> String {
        match crate::latex::to_mathml(tex, display) {
            Ok(html) => html,
            Err(err) => {
                let delimiter = if display { 2 } else { 1 };
                let start = (span.start + delimiter + err.span.start).min(span.end);
                let end = (span.start + delimiter + err.span.end).clamp(start, span.end);
                self.out.diagnostics.push(
                    Diagnostic::at(self.ctx.source, start..end.max(start + 1), err.message)
                        .with_label("in this formula"),
                );
                let tag = if display { "pre" } else { "code" };
                format!(
                    "<{tag} class=\"math-error\">{}</{tag}>",
                    crate::html::escape(tex)
                )
            }
        }
    }

    /// Checks and rewrites a link destination; `None` keeps it as written.
    fn link(&mut self, dest: &str, span: Range<usize>) -> Option<String> {
        if is_external(dest) {
            return None;
        }
        let (path, anchor) = match dest.split_once('#') {
            Some((path, anchor)) => (path, Some(anchor)),
            None => (dest, None),
        };
        if path.is_empty() {
            if let Some(anchor) = anchor.filter(|a| !a.is_empty()) {
                self.out.anchor_links.push(AnchorLink {
                    page_url: self.ctx.page_url.to_string(),
                    anchor: anchor.to_string(),
                    span,
                });
            }
            return None;
        }
        let path_only = path.split('?').next().unwrap_or(path);
        if !path_only.ends_with(".md") {
            return None;
        }
        match (self.ctx.resolve)(path_only) {
            Resolved::Page(url) => {
                let mut href = format!("{}{}", self.ctx.root, url);
                if href.is_empty() {
                    href.push_str("./");
                }
                if let Some(anchor) = anchor.filter(|a| !a.is_empty()) {
                    self.out.anchor_links.push(AnchorLink {
                        page_url: url,
                        anchor: anchor.to_string(),
                        span,
                    });
                    href.push('#');
                    href.push_str(anchor);
                }
                Some(href)
            }
            Resolved::Missing { message, help } => {
                let mut d = Diagnostic::at(self.ctx.source, span, message);
                if let Some(help) = help {
                    d = d.with_help(help);
                }
                self.out.diagnostics.push(d);
                None
            }
            Resolved::Unknown => None,
        }
    }
}

impl MarkdownSink for PageRenderer<'_, '_> {
    fn inline(&mut self, range: Range<usize>) -> String {
        self.render_range(range, true)
    }

    fn blocks(&mut self, blocks: &[Block]) -> String {
        let mut html = String::new();
        for block in blocks {
            match block {
                Block::Markdown(range) => html.push_str(&self.render_range(range.clone(), false)),
                Block::Component(component) => {
                    let page_key = self.ctx.page_key;
                    self.component_depth += 1;
                    html.push_str(&components::render(component, page_key, self));
                    self.component_depth -= 1;
                }
            }
        }
        html
    }
}

impl OpenHeading {
    /// Takes in one event of the heading's content. Math and inline
    /// values are added to `html` where they are converted.
    fn read(&mut self, event: &Event<'_>) {
        match event {
            Event::Text(t) => {
                self.source_text.push_str(t);
                self.plain.push_str(t);
                self.html.push_str(&crate::html::escape(t));
            }
            Event::Code(t) => {
                self.source_text.push_str(t);
                if !t.starts_with('=') {
                    self.plain.push_str(t);
                    self.html.push_str("<code>");
                    self.html.push_str(&crate::html::escape(t));
                    self.html.push_str("</code>");
                }
            }
            Event::InlineMath(tex) => {
                self.source_text.push_str(tex);
                self.plain.push_str(&tex_text::tex_to_text(tex));
            }
            Event::SoftBreak | Event::HardBreak => {
                self.source_text.push(' ');
                self.plain.push(' ');
                self.html.push(' ');
            }
            Event::Start(Tag::Emphasis) => self.html.push_str("<em>"),
            Event::End(TagEnd::Emphasis) => self.html.push_str("</em>"),
            Event::Start(Tag::Strong) => self.html.push_str("<strong>"),
            Event::End(TagEnd::Strong) => self.html.push_str("</strong>"),
            Event::Start(Tag::Strikethrough) => self.html.push_str("<del>"),
            Event::End(TagEnd::Strikethrough) => self.html.push_str("</del>"),
            _ => {}
        }
    }
}

/// The text of an HTML fragment written by gradbook itself (tags
/// dropped, the entities it writes decoded).
fn text_of_html(html: &str) -> String {
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
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Whether a link leaves the site (has a scheme or is protocol-relative).
fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    match dest.find(':') {
        Some(colon) => {
            let scheme = &dest[..colon];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
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
        let ctx = PageContext {
            source: &source,
            page_key: "/a/b/",
            page_url: "a/b/",
            root: "../../",
            resolve: &resolve,
        };
        render_body(&ctx, 0..text.len(), &mut NoCalc)
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
            text in "(\\PC|[\\n#`$\\[\\]()*_~|:>=-]){0,200}"
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
        assert!(is_external("https://x.org"));
        assert!(is_external("mailto:a@b.c"));
        assert!(is_external("//cdn.x"));
        assert!(!is_external("a.md"));
        assert!(!is_external("../a.md#b:c"));
    }
}
