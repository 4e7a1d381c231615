//! Rendering a lesson's events to HTML, components in their places.
//!
//! One [`PageRenderer`] lives for the whole page, so heading and footnote
//! ids are unique across components, footnotes are numbered once for the
//! page, and calc blocks and inline values run in document order. It walks
//! a range of events, turns the ones gradbook handles itself (headings,
//! code, links, math, inline values, footnotes) into the HTML it wants,
//! and hands batches of events to pulldown-cmark's HTML writer; at a
//! component's opening fence it renders the component instead, which asks
//! back for the ranges of events inside it.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Tag, TagEnd};

use super::foreign::{self, Prose};
use super::heading::{OpenHeading, squeeze};
use super::inline::{self, Dollars};
use super::{
    AnchorLink, Asset, BodyContext, Hooks, Rendered, Resolved, TocEntry, highlight, raw_html,
};
use crate::components::{self, Component, Found, MarkdownSink, Spanned};
use crate::content::slug::slugify;
use crate::diagnostics::Diagnostic;

/// Renders one page's events; implements [`MarkdownSink`] for components.
pub(super) struct PageRenderer<'a, 'e, 'h> {
    pub ctx: &'a BodyContext<'a>,
    pub hooks: &'h mut dyn Hooks,
    pub events: &'a [Spanned<'e>],
    pub found: &'a Found,
    /// How many components enclose what is being rendered.
    pub component_depth: usize,
    /// The level of the heading the next component sits under: the page's
    /// title (1) until the body has a heading of its own, then that
    /// heading's; inside a component, its title's.
    pub heading_level: u8,
    /// Each footnote label seen so far: its number and id.
    pub footnotes: HashMap<String, (usize, String)>,
    /// The page's numbered equations and references to them.
    pub equations: crate::latex::PageMath,
    /// Where each equation reference is in the source, by its number.
    pub ref_spans: Vec<Range<usize>>,
    /// The formulas written with backslash delimiters.
    pub backslash: &'a super::backslash::Found,
    pub out: Rendered,
}

/// What is being read while a range of events is rendered.
#[derive(Default)]
struct Batch<'e> {
    /// Events for pulldown-cmark's HTML writer.
    events: Vec<Event<'e>>,
    /// The heading being read, for its id and the table of contents.
    heading: Option<OpenHeading>,
    /// The code block being collected.
    code: Option<OpenCode>,
    /// The literal dollars of the inline text being read.
    dollars: Dollars,
    /// The image being read (its alt text is collected).
    image: Option<OpenImage>,
    /// Whether the `$$…$$` being converted shares its line with text.
    in_text: bool,
    /// Whether the events are inside a table's header row.
    in_table_head: bool,
    /// The run of prose text being read, checked for other tools' markup.
    prose: Prose,
}

/// A Markdown image being read.
struct OpenImage {
    dest: String,
    title: String,
    alt: String,
    span: Range<usize>,
    /// Images nested in the alt text.
    depth: usize,
}

/// A fenced or indented code block being collected.
struct OpenCode {
    info: Option<String>,
    block: Range<usize>,
    text: String,
    content: Option<Range<usize>>,
}

impl<'e> PageRenderer<'_, 'e, '_> {
    /// Renders the events `range` (whole blocks, or the content of one
    /// inline element).
    pub(super) fn render(&mut self, range: Range<usize>) -> String {
        let found = self.found;
        let mut html = String::new();
        let mut batch = Batch::default();
        let mut i = range.start;
        while i < range.end {
            if let Some(fence) = found.fence_at(i) {
                self.flush(&mut batch, &mut html);
                i = match found.starting_at(i) {
                    Some(component) => {
                        html.push_str(&self.component(component));
                        component.events.end
                    }
                    // A fence that is no component (an unknown kind, a
                    // stray closing fence) shows nothing; its problem has
                    // been reported.
                    None => fence.end,
                };
                continue;
            }
            self.take(i, &mut batch);
            i += 1;
        }
        self.flush(&mut batch, &mut html);
        html
    }

    fn component(&mut self, component: &Component) -> String {
        let page_key = self.ctx.page_key;
        let outer = self.heading_level;
        self.heading_level = (outer + 1).min(6);
        self.component_depth += 1;
        let html = components::render(component, page_key, self.heading_level, self);
        self.component_depth -= 1;
        self.heading_level = outer;
        html
    }

    /// Writes the batch's events to `html`.
    fn flush(&mut self, batch: &mut Batch<'e>, html: &mut String) {
        if let Some(open) = batch.code.take() {
            let block = self.code_block(open);
            batch.events.push(Event::Html(block.into()));
        }
        self.check_dollars(&mut batch.dollars);
        if let Some(run) = batch.prose.finish() {
            let found = foreign::check_prose(self.ctx.source, run);
            self.out.diagnostics.extend(found);
        }
        pulldown_cmark::html::push_html(html, batch.events.drain(..));
    }

    /// Takes in the event at `i`.
    fn take(&mut self, i: usize, batch: &mut Batch<'e>) {
        let (event, span) = &self.events[i];
        if let Some(open) = batch.code.as_mut() {
            match event {
                Event::Text(t) => {
                    open.text.push_str(t);
                    open.content = Some(match open.content.take() {
                        Some(c) => c.start..span.end,
                        None => span.clone(),
                    });
                }
                Event::End(TagEnd::CodeBlock) => {
                    let open = batch.code.take().expect("checked above");
                    let mut block = self.code_block(open);
                    // As pulldown-cmark does for its own `<pre>`.
                    if !at_line_start(batch.events.last()) {
                        block.insert(0, '\n');
                    }
                    batch.events.push(Event::Html(block.into()));
                }
                _ => {}
            }
            return;
        }
        if batch.image.is_some() || matches!(event, Event::Start(Tag::Image { .. })) {
            if let Some(html) = read_image(&mut batch.image, event, span) {
                let html = self.image(&html);
                batch.events.push(Event::InlineHtml(html.into()));
            }
            return;
        }
        self.foreign(event, span, batch);
        let event = self.normalise(event.clone(), span);
        self.track_dollars(&event, span, batch);
        if let Some(open) = batch.heading.as_mut() {
            open.read(&event);
        }
        match event {
            // A `\[…\]` is displayed wherever it is, as MathJax shows it,
            // but in a heading.
            Event::DisplayMath(_) if self.backslash.at(span.start).is_some() => {
                batch.in_text = batch.heading.is_some();
            }
            Event::DisplayMath(_) => {
                batch.in_text = batch.heading.is_some() || !on_own_lines(self.events, i);
            }
            Event::Start(Tag::TableHead) => batch.in_table_head = true,
            Event::End(TagEnd::TableHead) => batch.in_table_head = false,
            _ => {}
        }
        if let Some(event) = self.convert(event, span.clone(), batch) {
            batch.events.push(event);
        }
    }

    /// Holds the parser's inline findings to gradbook's rules: a "formula"
    /// whose closing `$` is followed by a digit is text, and a left quote
    /// right after a word closes.
    fn normalise(&self, event: Event<'e>, span: &Range<usize>) -> Event<'e> {
        let source = self.ctx.source.text.as_str();
        match event {
            Event::InlineMath(tex)
                if !inline::is_formula(source, span) && self.backslash.at(span.start).is_none() =>
            {
                Event::Text(format!("${tex}$").into())
            }
            Event::InlineMath(tex) | Event::DisplayMath(tex)
                if tex.is_empty() && inline::is_dollar_run(source, span) =>
            {
                Event::Text(source[span.clone()].to_string().into())
            }
            Event::Text(t) => match inline::closing_quote(source, span, &t) {
                Some(quote) => Event::Text(quote.into()),
                None => Event::Text(t),
            },
            other => other,
        }
    }

    /// Reads prose text for other tools' markup (d2l roles, Liquid,
    /// kramdown attribute lists…), in runs of adjacent text events and in
    /// link destinations, and raw HTML blocks for a formula left in them,
    /// and warns about each.
    fn foreign(&mut self, event: &Event<'e>, span: &Range<usize>, batch: &mut Batch<'e>) {
        let source = self.ctx.source;
        let ended = match event {
            Event::Text(_) => batch.prose.text(span),
            _ => batch.prose.finish(),
        };
        if let Some(run) = ended {
            self.out
                .diagnostics
                .extend(foreign::check_prose(source, run));
        }
        if let Event::Start(Tag::HtmlBlock) = event {
            self.out.diagnostics.extend(foreign::check_html_block(
                source,
                span.clone(),
                self.ctx.backslash_delimiters,
            ));
        }
        if let Event::Start(Tag::Link { dest_url, .. }) = event
            && dest_url.contains('{')
            && let Some(at) = source.text[span.clone()].rfind(&**dest_url)
        {
            let dest = span.start + at..span.start + at + dest_url.len();
            self.out
                .diagnostics
                .extend(foreign::check_prose(source, dest));
        }
    }

    /// Warns about a code block shown plain that was meant otherwise: a
    /// MyST directive or R Markdown chunk as its info string, or a
    /// language without highlighting (named once per page; `site` keeps
    /// the first page's).
    fn check_info(&mut self, block: &Range<usize>, info: &str, lang: &str) {
        let source = self.ctx.source;
        if let Some(d) = foreign::check_info(source, block, info) {
            self.out.diagnostics.push(d);
        } else if !highlight::is_known_language(lang)
            && !self.out.unknown_languages.contains_key(lang)
        {
            let at = foreign::info_span(source, block, lang);
            let message =
                format!("no highlighting for `{lang}`: its code blocks are shown as plain text");
            let d = Diagnostic::at(source, at, message)
                .with_label("an unknown language")
                .with_help("name a language gradbook knows (`python`, `bash`, `json`…), or `text` for plain text")
                .warning();
            self.out.unknown_languages.insert(lang.to_string(), d);
        }
    }

    /// Collects the literal dollars of inline text, and checks them at the
    /// end of each block.
    fn track_dollars(&mut self, event: &Event<'e>, span: &Range<usize>, batch: &mut Batch<'e>) {
        match event {
            Event::Text(t) => batch.dollars.text(&self.ctx.source.text, span, t),
            Event::Start(tag) if !is_inline(tag) => self.check_dollars(&mut batch.dollars),
            Event::End(tag) if !is_inline_end(tag) => self.check_dollars(&mut batch.dollars),
            _ => {}
        }
    }

    /// Reports every formula with unbalanced braces among `dollars`.
    fn check_dollars(&mut self, dollars: &mut Dollars) {
        let source = self.ctx.source;
        for problem in dollars.finish(&source.text) {
            let (label, help) = if problem.opening {
                ("this `{` is never closed", "close it with `}`")
            } else {
                ("this `}` closes nothing", "remove it, or open it with `{`")
            };
            let d = Diagnostic::at(
                source,
                problem.brace..problem.brace + 1,
                format!(
                    "unbalanced braces in formula `{}`",
                    &source.text[problem.formula]
                ),
            )
            .with_label(label)
            .with_help(format!(
                "{help}; if the dollar signs are not math, write them as `\\$`"
            ));
            self.out.diagnostics.push(d);
        }
    }

    /// The event to write in place of `event`, or `None` when it has been
    /// taken care of otherwise.
    fn convert(
        &mut self,
        event: Event<'e>,
        span: Range<usize>,
        batch: &mut Batch<'e>,
    ) -> Option<Event<'e>> {
        let converted = match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => Some(info.to_string()),
                    CodeBlockKind::Indented => None,
                };
                batch.code = Some(OpenCode {
                    info,
                    block: span,
                    text: String::new(),
                    content: None,
                });
                return None;
            }
            Event::Start(Tag::Heading { .. }) => {
                batch.heading = Some(OpenHeading::new(batch.events.len()));
                event
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some(open) = batch.heading.take() {
                    self.finish_heading(&mut batch.events, &open, level);
                }
                event
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = self.link(&dest_url, span).map_or(dest_url, CowStr::from);
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Code(text) => match inline::inline_value(&text) {
                Some(expr) => {
                    let html = self.hooks.inline_value(span, expr);
                    if let Some(open) = batch.heading.as_mut() {
                        open.converted(&html, true);
                    }
                    Event::InlineHtml(html.into())
                }
                None => Event::Code(text),
            },
            Event::InlineMath(tex) | Event::DisplayMath(tex)
                if let Some(formula) = self.backslash.at(span.start) =>
            {
                let display = formula.display && !batch.in_text;
                let html = self.math(&tex, &|at| formula.origin(at), span, display);
                formula_event(html, &tex, batch)
            }
            Event::InlineMath(tex) => {
                let html = self.math(&tex, &|at| span.start + 1 + at, span.clone(), false);
                formula_event(html, &tex, batch)
            }
            Event::DisplayMath(tex) => {
                // kramdown's rule: `$$…$$` inside a line of text is inline.
                let display = !batch.in_text;
                let html = self.math(&tex, &|at| span.start + 2 + at, span.clone(), display);
                formula_event(html, &tex, batch)
            }
            Event::FootnoteReference(label) => {
                let (number, id) = self.footnote(&label);
                Event::InlineHtml(
                    format!(
                        "<sup class=\"footnote-reference\"><a href=\"#{id}\">{number}</a></sup>"
                    )
                    .into(),
                )
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let (number, id) = self.footnote(&label);
                Event::Html(
                    format!(
                        "<div class=\"footnote-definition\" id=\"{id}\"><sup class=\"footnote-definition-label\">{number}</sup>"
                    )
                    .into(),
                )
            }
            Event::End(TagEnd::FootnoteDefinition) => Event::Html("</div>\n".into()),
            Event::Html(html) => Event::Html(self.raw_html(html, span)),
            Event::InlineHtml(html) => Event::InlineHtml(self.raw_html(html, span)),
            other => other,
        };
        Some(converted)
    }

    /// The number and id of the footnote `label`, given on first sight
    /// (reference or definition) and unique among the page's ids.
    fn footnote(&mut self, label: &str) -> (usize, String) {
        if let Some(known) = self.footnotes.get(label) {
            return known.clone();
        }
        let slug = slugify(label);
        let wanted = if slug.is_empty() {
            "fn".to_string()
        } else {
            format!("fn-{slug}")
        };
        let id = crate::html::escape(&self.out.ids.unique(&wanted));
        let entry = (self.footnotes.len() + 1, id);
        self.footnotes.insert(label.to_string(), entry.clone());
        entry
    }

    /// Gives the heading that starts at `events[open.start]` its unique id
    /// and, outside components, records it in the table of contents.
    fn finish_heading(
        &mut self,
        events: &mut [Event<'_>],
        open: &OpenHeading,
        level: HeadingLevel,
    ) {
        if self.component_depth == 0 {
            self.heading_level = level as u8;
        }
        let Some(Event::Start(Tag::Heading { id, .. })) = events.get_mut(open.start) else {
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
    /// is highlighted by the first word of the info string.
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
        if highlight::language(info) == "math" {
            // The formula starts where the block's content does, and an
            // error at its end is shown on its last line.
            let content = open.content.unwrap_or(open.block.end..open.block.end);
            let end = content.end - usize::from(open.text.ends_with('\n'));
            let start = content.start;
            return self.math(&open.text, &|at| start + at, start..end, true);
        }
        let lang = highlight::language(info);
        self.check_info(&open.block, info, lang);
        if highlight::is_known_language(lang)
            && let Some(why) = highlight::too_big(&open.text)
        {
            let source = self.ctx.source;
            let at = foreign::info_span(source, &open.block, lang);
            self.out.diagnostics.push(
                Diagnostic::at(
                    source,
                    at,
                    format!("this `{lang}` block is shown without highlighting: {why}"),
                )
                .with_help("split the code into shorter lines or blocks, or name it `text`")
                .warning(),
            );
        }
        highlight::code_block(&open.text, info)
    }

    /// Converts a formula inside `span` whose byte `at` is at `origin(at)`
    /// in the source; on error reports it and shows the source.
    fn math(
        &mut self,
        tex: &str,
        origin: &dyn Fn(usize) -> usize,
        span: Range<usize>,
        display: bool,
    ) -> String {
        let ids = &mut self.out.ids;
        let mut make_id = |label: &str| ids.unique(&format!("eq-{}", slugify(label)));
        let converted = self.equations.convert(tex, display, &mut make_id);
        for r in &self.equations.refs()[self.ref_spans.len()..] {
            let start = origin(r.span.start);
            self.ref_spans.push(start..origin(r.span.end).max(start));
        }
        match converted {
            // A display formula sits in a box that scrolls sideways when it
            // is wider than the text (the formula itself does not: MathML
            // takes no focus or name the way a box does), and that
            // gradbook.js makes focusable then.
            Ok(html) if display => format!("<span class=\"math-display\">{html}</span>"),
            Ok(html) => html,
            Err(err) => {
                let start = origin(err.span.start).min(span.end);
                let end = origin(err.span.end).clamp(start, span.end);
                let mut d = Diagnostic::at(self.ctx.source, start..end.max(start + 1), err.message)
                    .with_label("in this formula");
                if !display {
                    d = d.with_help(
                        "if the dollar signs are not math, write them as `\\$` (or put the text in `code`)",
                    );
                }
                self.out.diagnostics.push(d);
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
        // As the content walk reads only `.md` files as lessons, a `.MD`
        // link names no lesson.
        if std::path::Path::new(path_only)
            .extension()
            .is_none_or(|e| e != "md")
        {
            return (self.ctx.asset)(dest, false)
                .ok()
                .map(|asset| self.asset_href(dest, &asset));
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

impl PageRenderer<'_, '_, '_> {
    /// The link to `asset` from this page, with what followed the path in
    /// `dest` (`?query`, `#fragment`).
    fn asset_href(&self, dest: &str, asset: &Asset) -> String {
        let rest = dest.find(['?', '#']).map_or("", |i| &dest[i..]);
        format!("{}{}{rest}", self.ctx.root, asset.href)
    }

    /// Where an image's source points, checked: a relative source must
    /// name a file of the content folder. Returns the `src` to write and
    /// the image's size.
    fn image_source(&mut self, dest: &str, span: Range<usize>) -> (String, Option<(usize, usize)>) {
        if dest.is_empty() || dest.starts_with('/') || is_external(dest) {
            return (dest.to_string(), None);
        }
        let suggestion = match (self.ctx.asset)(dest, true) {
            Ok(asset) => return (self.asset_href(dest, &asset), asset.size),
            Err(suggestion) => suggestion,
        };
        let d = Diagnostic::at(self.ctx.source, span, format!("image '{dest}' not found"))
            .with_label("no such file beside the lesson")
            .with_help(match suggestion {
                Some(best) => format!("did you mean '{best}'?"),
                None => "put the file in the content folder, where the path leads from this lesson's folder (files of static/ are linked from the site root: `/name.png`)".to_string(),
            });
        self.out.diagnostics.push(d);
        (dest.to_string(), None)
    }

    /// The `<img>` for a Markdown image.
    fn image(&mut self, image: &OpenImage) -> String {
        let (src, size) = self.image_source(&image.dest, image.span.clone());
        let esc = crate::html::escape;
        let mut html = format!("<img src=\"{}\" alt=\"{}\"", esc(&src), esc(&image.alt));
        if !image.title.is_empty() {
            html.push_str(&format!(" title=\"{}\"", esc(&image.title)));
        }
        if let Some((w, h)) = size {
            html.push_str(&format!(" width=\"{w}\" height=\"{h}\""));
        }
        html.push_str(" loading=\"lazy\" />");
        html
    }

    /// Raw HTML as written, with `<img>` sources checked and rewritten
    /// like Markdown images, and its `id` and `name` attributes recorded
    /// as anchors.
    fn raw_html<'x>(&mut self, html: CowStr<'x>, span: Range<usize>) -> CowStr<'x> {
        let attrs = raw_html::attributes(&html);
        if attrs.is_empty() {
            return html;
        }
        // The event's text is the source's where no container prefix
        // (a block quote's `>`) was taken out; otherwise report at the
        // event's start.
        let same = self.ctx.source.text.get(span.clone()) == Some(&*html);
        let mut edits: Vec<(Range<usize>, String)> = Vec::new();
        for attr in &attrs {
            if matches!(attr.name.as_str(), "id" | "name") && !attr.value.is_empty() {
                self.out.ids.insert(&attr.value);
            }
            if attr.tag != "img" || attr.name != "src" {
                continue;
            }
            let at = if same {
                span.start + attr.span.start..span.start + attr.span.end
            } else {
                span.clone()
            };
            let (src, size) = self.image_source(&attr.value, at);
            let mut extra = String::new();
            if let Some((w, h)) = size {
                let has = |n: &str| {
                    attrs
                        .iter()
                        .any(|a| a.tag_end == attr.tag_end && a.name == n)
                };
                if !has("width") && !has("height") {
                    extra = format!(" width=\"{w}\" height=\"{h}\"");
                }
            }
            if !attrs
                .iter()
                .any(|a| a.tag_end == attr.tag_end && a.name == "loading")
            {
                extra.push_str(" loading=\"lazy\"");
            }
            if src != attr.value {
                edits.push((attr.span.clone(), crate::html::escape(&src)));
            }
            if !extra.is_empty() {
                edits.push((attr.tag_end..attr.tag_end, extra));
            }
        }
        if edits.is_empty() {
            return html;
        }
        edits.sort_by_key(|(r, _)| r.start);
        let mut out = String::with_capacity(html.len() + 64);
        let mut at = 0;
        for (range, text) in edits {
            out.push_str(&html[at..range.start]);
            out.push_str(&text);
            at = range.end;
        }
        out.push_str(&html[at..]);
        out.into()
    }
}

/// Reads `event` into the image being read (starting one at
/// `Start(Image)`); returns the image when it ends.
fn read_image(
    open: &mut Option<OpenImage>,
    event: &Event<'_>,
    span: &Range<usize>,
) -> Option<OpenImage> {
    match (open.as_mut(), event) {
        (
            None,
            Event::Start(Tag::Image {
                dest_url, title, ..
            }),
        ) => {
            *open = Some(OpenImage {
                dest: dest_url.to_string(),
                title: title.to_string(),
                alt: String::new(),
                span: span.clone(),
                depth: 0,
            });
            None
        }
        (Some(image), Event::Start(Tag::Image { .. })) => {
            image.depth += 1;
            None
        }
        (Some(image), Event::End(TagEnd::Image)) => {
            if image.depth == 0 {
                return open.take();
            }
            image.depth -= 1;
            None
        }
        (
            Some(image),
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t),
        ) => {
            image.alt.push_str(t);
            None
        }
        (Some(image), Event::SoftBreak | Event::HardBreak) => {
            image.alt.push(' ');
            None
        }
        _ => None,
    }
}

impl MarkdownSink for PageRenderer<'_, '_, '_> {
    fn inline(&mut self, events: Range<usize>) -> String {
        self.render(events)
    }

    fn blocks(&mut self, events: Range<usize>) -> String {
        self.render(events)
    }

    fn variants(&mut self, vary: &components::Vary) -> components::Variants {
        self.hooks.variants(vary)
    }

    fn flashcard(&mut self, front: Range<usize>, mut card: components::RenderedCard) {
        card.span = self.bytes_of(front);
        self.out.cards.push(card);
    }

    fn quiz_key(&mut self, answer: &components::TypedAnswer) -> Option<components::AnswerKey> {
        self.hooks.quiz_key(answer)
    }

    fn problem(&mut self, events: Range<usize>, message: String, label: &str, help: &str) {
        let span = self.bytes_of(events);
        self.out.diagnostics.push(
            Diagnostic::at(self.ctx.source, span, message)
                .with_label(label)
                .with_help(help),
        );
    }
}

impl PageRenderer<'_, '_, '_> {
    /// The bytes the events `events` cover (empty at 0 when there are none).
    fn bytes_of(&self, events: Range<usize>) -> Range<usize> {
        let bytes = |i: usize| self.events.get(i).map(|(_, span)| span.clone());
        match (
            bytes(events.start),
            events.end.checked_sub(1).and_then(bytes),
        ) {
            (Some(a), Some(b)) => a.start..b.end,
            _ => 0..0,
        }
    }
}

/// Whether pulldown-cmark's HTML writer is at the start of a line after
/// writing `last` (it starts a block on a new line).
fn at_line_start(last: Option<&Event<'_>>) -> bool {
    match last {
        None => true,
        Some(Event::Start(tag)) => !matches!(tag, Tag::Item) && !is_inline(tag),
        Some(Event::End(tag)) => !is_inline_end(tag),
        Some(Event::Html(html) | Event::InlineHtml(html)) => html.ends_with('\n'),
        Some(Event::SoftBreak | Event::HardBreak | Event::Rule | Event::TaskListMarker(_)) => true,
        Some(_) => false,
    }
}

/// The event for a converted formula (`html`, from `tex`): named when it
/// is in a table's header row, and read into the heading it is in.
fn formula_event<'e>(mut html: String, tex: &str, batch: &mut Batch<'e>) -> Event<'e> {
    if batch.in_table_head {
        html = header_math(html, tex);
    }
    if let Some(open) = batch.heading.as_mut() {
        open.converted(&html, false);
    }
    Event::InlineHtml(html.into())
}

/// A formula in a table's header row, labelled with its plain-text
/// reading: a header cell's name comes from its content, and MathML gives
/// none, so a cell holding only a formula would be announced (and audited)
/// as an empty header. The label names the formula without hiding it.
fn header_math(html: String, tex: &str) -> String {
    if !html.contains("<math") {
        return html; // a formula that could not be read, shown as code
    }
    let label = crate::html::escape(&super::tex_text::tex_to_text(tex));
    html.replacen("<math", &format!("<math aria-label=\"{label}\""), 1)
}

/// Whether the event at `i` has no inline content before or after it on
/// its lines: a block starts or a line breaks before it, and a block ends
/// or a line breaks after it.
fn on_own_lines(events: &[Spanned<'_>], i: usize) -> bool {
    let before = i
        .checked_sub(1)
        .and_then(|p| events.get(p))
        .is_none_or(|(e, _)| match e {
            Event::Start(tag) => !is_inline(tag),
            Event::SoftBreak | Event::HardBreak => true,
            _ => false,
        });
    let after = events.get(i + 1).is_none_or(|(e, _)| match e {
        Event::End(tag) => !is_inline_end(tag),
        Event::SoftBreak | Event::HardBreak => true,
        _ => false,
    });
    before && after
}

fn is_inline(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn is_inline_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// Whether a link leaves the site (has a scheme or is protocol-relative).
pub(super) fn is_external(dest: &str) -> bool {
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
