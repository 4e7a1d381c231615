//! Pairing fences into components, container by container.
//!
//! The parser has already decided where every fence is: each heading that
//! starts at a masked fence line (see `fence`) is one, and its place in
//! the event stream says which container holds it: the document, a block
//! quote, a list item or a footnote. Fences pair only within one
//! container, as the blocks between them must all be children of it: a
//! colon-only fence closes the innermost component of its container that
//! was opened with as many colons. A problem with one fence (an unknown
//! kind, a closing fence that matches nothing, a component left open when
//! its container ends) is reported and the walk goes on.
//!
//! Components nest at most [`MAX_DEPTH`] deep: rendering recurses once
//! per level, so a deeper fence is reported and its content shown as
//! Markdown of the component around it.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

use super::fence::FenceLine;
use super::shape::{self, Fenced};
use super::{Found, Kind, Spanned};
use crate::diagnostics::{Diagnostic, SourceText, did_you_mean};

/// How deep components may nest; a fence opened deeper is an error.
pub const MAX_DEPTH: usize = 16;

pub(super) fn find(
    source: &SourceText,
    events: &[Spanned<'_>],
    lines: &[FenceLine],
    end: usize,
) -> Found {
    let mut walk = Walk {
        source,
        events,
        lines,
        next_line: 0,
        frames: vec![Frame::new(Container::Document)],
        depth: 0,
        raw: Vec::new(),
        found: Found::default(),
    };
    let mut i = 0;
    while i < events.len() {
        i = walk.step(i);
    }
    while !walk.frames.is_empty() {
        walk.end_container(events.len(), end);
    }
    let mut found = walk.found;
    found.components.sort_by_key(|c| c.events.start);
    found.diagnostics.sort_by_key(|d| (d.line, d.column));
    found
}

/// The block that holds a fence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Document,
    Quote,
    Item,
    Footnote,
}

impl Container {
    fn name(self) -> &'static str {
        match self {
            Container::Document => "document",
            Container::Quote => "block quote",
            Container::Item => "list item",
            Container::Footnote => "footnote",
        }
    }
}

/// One container being walked, with the components open in it.
struct Frame {
    container: Container,
    open: Vec<Open>,
    /// A component that was still open when a container inside this one
    /// ended: a stray closing fence here was probably meant for it.
    lost: Option<String>,
}

impl Frame {
    fn new(container: Container) -> Self {
        Self {
            container,
            open: Vec::new(),
            lost: None,
        }
    }
}

/// A component whose closing fence has not been seen yet.
struct Open {
    /// Its opening fence line.
    line: usize,
    /// `None` for an unknown kind or one nested too deeply: its content
    /// is kept as plain Markdown of the component around it.
    kind: Option<Kind>,
    /// The events of the opening fence heading.
    heading: Range<usize>,
    /// The events of the components directly inside it, in order.
    children: Vec<Range<usize>>,
}

/// Where a component that is being finished ends.
struct Ends {
    /// The end of its events (exclusive), closing fence included.
    events: usize,
    /// The end of its content's events (exclusive).
    inner: usize,
    /// The end of its bytes, closing fence line included.
    span: usize,
    /// The end of its content's bytes.
    inner_span: usize,
}

struct Walk<'a, 'e> {
    source: &'a SourceText,
    events: &'a [Spanned<'e>],
    lines: &'a [FenceLine],
    /// The first fence line not yet passed.
    next_line: usize,
    frames: Vec<Frame>,
    /// Components open in all frames together.
    depth: usize,
    /// Fence lines the parser read as code or raw HTML, with why (the
    /// offset of their first colon, and a note for an unclosed component).
    raw: Vec<(usize, String)>,
    found: Found,
}

impl Walk<'_, '_> {
    fn text(&self) -> &str {
        &self.source.text
    }

    /// Takes in the event at `i` and returns the index of the next one to
    /// look at.
    fn step(&mut self, i: usize) -> usize {
        let (event, span) = &self.events[i];
        match event {
            Event::Start(Tag::BlockQuote(_)) => self.frames.push(Frame::new(Container::Quote)),
            Event::Start(Tag::Item) => self.frames.push(Frame::new(Container::Item)),
            Event::Start(Tag::FootnoteDefinition(_)) => {
                self.frames.push(Frame::new(Container::Footnote))
            }
            // The document's own frame ends with the events, never before.
            Event::End(TagEnd::BlockQuote(_) | TagEnd::Item | TagEnd::FootnoteDefinition)
                if self.frames.len() > 1 =>
            {
                self.end_container(i, span.end);
            }
            Event::Start(Tag::Heading { .. }) => {
                if let Some(line) = self.fence_line_at(span.start) {
                    let end = heading_end(self.events, i);
                    self.fence(line, i..end);
                    return end;
                }
            }
            Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock) => self.note_raw(i),
            _ => {}
        }
        i + 1
    }

    /// The fence line whose colons start at `offset`, if there is one.
    fn fence_line_at(&mut self, offset: usize) -> Option<usize> {
        while self
            .lines
            .get(self.next_line)
            .is_some_and(|l| l.colons.start < offset)
        {
            self.next_line += 1;
        }
        let line = self.lines.get(self.next_line)?;
        (line.colons.start == offset).then_some(self.next_line)
    }

    fn fence(&mut self, line: usize, heading: Range<usize>) {
        self.found.fences.push(heading.clone());
        if self.lines[line].is_opening() {
            self.open(line, heading);
        } else {
            self.close(line, heading);
        }
    }

    fn open(&mut self, line: usize, heading: Range<usize>) {
        let fence = &self.lines[line];
        let word = fence.word.clone().unwrap_or(fence.colons.clone());
        let name = &self.text()[word.clone()];
        let mut kind = Kind::from_name(name);
        if kind.is_none() {
            let d = unknown_kind(self.source, word, name);
            self.found.diagnostics.push(d);
        } else if self.depth >= MAX_DEPTH {
            // Kept open without a kind, so its closing fence still pairs
            // with it; only the first fence past the limit is reported.
            kind = None;
            if self.depth == MAX_DEPTH {
                let d = too_deep(self.source, fence.head());
                self.found.diagnostics.push(d);
            }
        }
        self.depth += 1;
        let frame = self.frames.last_mut().expect("the document frame stays");
        frame.open.push(Open {
            line,
            kind,
            heading,
            children: Vec::new(),
        });
    }

    fn close(&mut self, line: usize, heading: Range<usize>) {
        let fence = self.lines[line].clone();
        let mut frame = self.frames.pop().expect("the document frame stays");
        let colons = fence.colons.len();
        let ends = Ends {
            events: heading.end,
            inner: heading.start,
            span: fence.line.end,
            inner_span: fence.line.start,
        };
        let matching = frame
            .open
            .iter()
            .rposition(|o| self.lines[o.line].colons.len() == colons);
        if let Some(depth) = matching {
            // Components opened inside the one this fence closes were
            // never closed themselves.
            while frame.open.len() > depth + 1 {
                let inner = frame.open.pop().expect("deeper than depth");
                let outer = &frame.open[frame.open.len() - 1];
                let note = format!(
                    "the `{}` on line {} closes the {} opened on line {} around it",
                    &self.text()[fence.colons.clone()],
                    self.line_of(fence.line.start),
                    self.describe(outer),
                    self.line_of(self.lines[outer.line].line.start),
                );
                let d = self.unclosed(&inner).with_note(note);
                self.found.diagnostics.push(d);
                let cut = Ends {
                    events: heading.start,
                    inner: heading.start,
                    span: fence.line.start,
                    inner_span: fence.line.start,
                };
                self.finish(&mut frame, inner, &cut);
            }
            let open = frame.open.pop().expect("depth is in the stack");
            self.finish(&mut frame, open, &ends);
        } else if let Some(open) = frame.open.pop() {
            let d = self.mismatched(&fence, &open);
            self.found.diagnostics.push(d);
            self.finish(&mut frame, open, &ends);
        } else {
            let d = self.stray(&fence, &frame);
            self.found.diagnostics.push(d);
        }
        self.frames.push(frame);
    }

    /// Ends the innermost container at event `i` (its end event, or the
    /// end of the events), whose bytes end at `span_end`: whatever is still
    /// open in it runs to there.
    fn end_container(&mut self, i: usize, span_end: usize) {
        let Some(mut frame) = self.frames.pop() else {
            return;
        };
        let ends = Ends {
            events: i,
            inner: i,
            span: span_end,
            inner_span: span_end,
        };
        let mut lost = None;
        while let Some(open) = frame.open.pop() {
            let mut d = self.unclosed(&open);
            let start = self.lines[open.line].line.end;
            if let Some(note) = self.raw_note(start..span_end) {
                d = d.with_note(note);
            }
            if frame.container != Container::Document {
                d = d.with_note(format!(
                    "it is inside a {} that ends on line {}; a component is closed inside the {} it was opened in",
                    frame.container.name(),
                    self.line_of(span_end.saturating_sub(1).max(start)),
                    frame.container.name(),
                ));
                lost = Some(format!(
                    "the {} opened on line {} ended with the {} it was in (line {}), so it cannot be closed here",
                    self.describe(&open),
                    self.line_of(self.lines[open.line].line.start),
                    frame.container.name(),
                    self.line_of(span_end.saturating_sub(1).max(start)),
                ));
            }
            self.found.diagnostics.push(d);
            self.finish(&mut frame, open, &ends);
        }
        if let Some(parent) = self.frames.last_mut()
            && lost.is_some()
        {
            parent.lost = lost;
        }
    }

    /// Finishes `open`, which ends at `ends`, and adds it to its parent
    /// in `frame`.
    fn finish(&mut self, frame: &mut Frame, open: Open, ends: &Ends) {
        self.depth -= 1;
        let fence = &self.lines[open.line];
        let Some(kind) = open.kind else {
            // An unknown kind has been reported; its content still shows,
            // as part of the component around it.
            if let Some(parent) = frame.open.last_mut() {
                parent.children.extend(open.children);
            }
            return;
        };
        let title = fence
            .title
            .as_ref()
            .map(|_| open.heading.start + 1..open.heading.end - 1)
            .filter(|t| !t.is_empty());
        let fenced = Fenced {
            kind,
            head: fence.head(),
            title,
            span: fence.line.start..ends.span,
            events: open.heading.start..ends.events,
            inner: open.heading.end..ends.inner.max(open.heading.end),
            inner_span: fence.line.end..ends.inner_span.max(fence.line.end),
            children: &open.children,
        };
        let component = shape::build(
            self.source,
            self.events,
            &self.found.fences,
            &fenced,
            &mut self.found.diagnostics,
        );
        if let Some(parent) = frame.open.last_mut() {
            parent.children.push(component.events.clone());
        }
        self.found.components.push(component);
    }

    /// Remembers the fence lines inside the code or HTML block starting
    /// at event `i`: they are its text, not fences.
    fn note_raw(&mut self, i: usize) {
        let (event, span) = &self.events[i];
        let first = self.lines.partition_point(|l| l.colons.start < span.start);
        let inside = self.lines[first..]
            .iter()
            .take_while(|l| l.colons.start < span.end);
        let text = self.text();
        let block_line = self.line_of(span.start);
        let notes: Vec<(usize, String)> = inside
            .map(|l| {
                let line = self.line_of(l.line.start);
                let colons = &text[l.colons.clone()];
                let note = match event {
                    Event::Start(Tag::CodeBlock(_)) if !code_is_closed(text, span.clone()) => {
                        format!(
                            "a code block opened on line {block_line} is never closed, so every `:::` line after it is code"
                        )
                    }
                    Event::Start(Tag::CodeBlock(_)) => format!(
                        "the `{colons}` on line {line} is inside the code block that starts on line {block_line}, so it is code, not a fence"
                    ),
                    _ if text[span.clone()].trim_start().starts_with("<!--") => format!(
                        "the `{colons}` on line {line} is inside the HTML comment that starts on line {block_line}, so it is not a fence"
                    ),
                    _ => format!(
                        "the `{colons}` on line {line} is inside the raw HTML that starts on line {block_line}, so it is not a fence"
                    ),
                };
                (l.colons.start, note)
            })
            .collect();
        self.raw.extend(notes);
    }

    /// Why the first fence line in `range` that is not a fence is not one.
    fn raw_note(&self, range: Range<usize>) -> Option<String> {
        let i = self.raw.partition_point(|(at, _)| *at < range.start);
        self.raw
            .get(i)
            .filter(|(at, _)| *at < range.end)
            .map(|(_, note)| note.clone())
    }

    fn line_of(&self, offset: usize) -> usize {
        self.source.locate(offset).0
    }

    /// "`flashcards` component" or "`:::` block" for an unknown kind.
    fn describe(&self, open: &Open) -> String {
        match open.kind {
            Some(kind) => format!("`{}` component", kind.name()),
            None => format!(
                "`{}` block",
                &self.text()[self.lines[open.line].colons.clone()]
            ),
        }
    }

    fn unclosed(&self, open: &Open) -> Diagnostic {
        let fence = &self.lines[open.line];
        let what = match open.kind {
            Some(kind) => format!("`{}` component", kind.name()),
            None => "component".to_string(),
        };
        let colons = &self.text()[fence.colons.clone()];
        Diagnostic::at(self.source, fence.head(), format!("unclosed {what}"))
            .with_label("opened here")
            .with_help(format!("add a line `{colons}` where the component ends"))
    }

    fn mismatched(&self, fence: &FenceLine, open: &Open) -> Diagnostic {
        let opened = &self.lines[open.line];
        let expected = &self.text()[opened.colons.clone()];
        Diagnostic::at(
            self.source,
            fence.colons.clone(),
            format!(
                "closing fence `{}` does not match the `{expected}` that opened the {} on line {}",
                &self.text()[fence.colons.clone()],
                self.describe(open),
                self.line_of(opened.line.start),
            ),
        )
        .with_label(format!("expected `{expected}`"))
        .with_help(format!(
            "close it with a line of {} colons, the same number as its opening fence",
            opened.colons.len()
        ))
    }

    /// A closing fence with nothing to close in its container.
    fn stray(&self, fence: &FenceLine, frame: &Frame) -> Diagnostic {
        let colons = &self.text()[fence.colons.clone()];
        let mut d = Diagnostic::at(
            self.source,
            fence.colons.clone(),
            format!("closing fence `{colons}` with no component open"),
        )
        .with_label("nothing to close");
        let outer = self.frames.iter().rev().find_map(|f| f.open.last());
        if let Some(open) = outer {
            let help = match frame.container {
                Container::Quote => {
                    "to close it, write this line outside the block quote, without `>`"
                }
                _ => "to close it, indent this line like its opening fence",
            };
            return d
                .with_note(format!(
                    "the {} opened on line {} is outside this {}, so this line cannot close it",
                    self.describe(open),
                    self.line_of(self.lines[open.line].line.start),
                    frame.container.name(),
                ))
                .with_help(help);
        }
        if let Some(lost) = &frame.lost {
            d = d.with_note(lost.clone());
        }
        d.with_help("remove this line, or open a component before it with a line like `::: note`")
    }
}

/// The index after the end event of the heading that starts at `i`.
fn heading_end(events: &[Spanned<'_>], i: usize) -> usize {
    events[i..]
        .iter()
        .position(|(e, _)| matches!(e, Event::End(TagEnd::Heading(_))))
        .map_or(events.len(), |k| i + k + 1)
}

/// Whether the fenced code block at `span` has its closing fence (an
/// indented code block needs none).
fn code_is_closed(text: &str, span: Range<usize>) -> bool {
    let block = &text[span];
    let first = block.trim_start_matches([' ', '\t']);
    let Some(marker) = first.bytes().next().filter(|b| matches!(b, b'`' | b'~')) else {
        return true;
    };
    let opening = first.bytes().take_while(|&b| b == marker).count();
    let mut lines = block.lines();
    lines.next();
    lines.next_back().is_some_and(|last| {
        let last = last.trim();
        last.len() >= opening && last.bytes().all(|b| b == marker)
    })
}

fn too_deep(source: &SourceText, head: Range<usize>) -> Diagnostic {
    Diagnostic::at(
        source,
        head,
        format!("components nested too deeply (more than {MAX_DEPTH} levels)"),
    )
    .with_label("opened inside too many components")
    .with_help(
        "close some of the components around it first; its content is shown as plain Markdown",
    )
}

fn unknown_kind(source: &SourceText, word: Range<usize>, name: &str) -> Diagnostic {
    let names = Kind::ALL.map(Kind::name);
    let lower = name.to_lowercase();
    let suggestion = Kind::from_name(&lower)
        .map(Kind::name)
        .or_else(|| did_you_mean(&lower, names));
    let diagnostic = Diagnostic::at(source, word, format!("unknown component kind `{name}`"))
        .with_label("not a component kind")
        .with_note(format!("known kinds: {}", names.join(", ")));
    match suggestion {
        Some(s) => diagnostic.with_help(format!("did you mean `{s}`?")),
        None => diagnostic.with_help("use one of the known kinds after the colons"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_and_unclosed_code() {
        assert!(code_is_closed("```\nx\n```", 0..9));
        assert!(code_is_closed("  ~~~~ py\nx\n  ~~~~~ ", 0..20));
        assert!(!code_is_closed("```\n:::\n", 0..8));
        assert!(!code_is_closed("````\nx\n```", 0..10));
        assert!(!code_is_closed("```", 0..3));
        assert!(code_is_closed("    indented", 0..12));
    }
}
