//! Finding `:::` fences, line by line, before any Markdown parser runs.
//!
//! A line of three or more colons (indented at most three spaces) followed
//! by a word opens a component; a line of colons alone closes the innermost
//! open component with the same number of colons. Lines inside fenced code
//! blocks (``` or ~~~, any length, any indentation) are code, wherever they
//! are. The scan keeps a stack of open components, so a problem with one
//! fence (an unknown kind, a closing fence that matches nothing, a
//! component left open) is reported and the scan goes on.
//!
//! Components nest at most [`MAX_DEPTH`] deep: rendering recurses once per
//! level, so a deeper fence is reported and its content kept as Markdown of
//! the component around it.

use std::ops::Range;

use super::{Block, Kind, shape};
use crate::diagnostics::{Diagnostic, SourceText, did_you_mean};

/// How deep components may nest; a fence opened deeper is an error.
pub(super) const MAX_DEPTH: usize = 16;

/// A component whose closing fence has not been seen yet.
struct Open {
    /// Number of colons in the opening fence.
    colons: usize,
    /// The colon run of the opening fence.
    fence: Range<usize>,
    /// From the first colon to the end of the kind's name.
    head: Range<usize>,
    /// Start of the opening line.
    start: usize,
    /// `None` for an unknown kind: its content is kept as plain Markdown.
    kind: Option<Kind>,
    title: Option<Range<usize>>,
    /// Start of the first line after the opening fence.
    inner_start: usize,
    blocks: Vec<Block>,
    /// Where the Markdown not yet pushed to `blocks` starts.
    markdown_start: usize,
}

/// A fenced code block being skipped.
struct Code {
    marker: u8,
    len: usize,
    line: usize,
}

/// What a `:::` line says.
enum Fence {
    /// Colons and a word.
    Open {
        colons: Range<usize>,
        word: Range<usize>,
        title: Option<Range<usize>>,
    },
    /// Colons alone.
    Close { colons: Range<usize> },
}

pub(super) fn parse(source: &SourceText, range: Range<usize>) -> (Vec<Block>, Vec<Diagnostic>) {
    let text = source.text.as_str();
    let range = clamp(text, range);
    let mut diagnostics = Vec::new();
    // The top level's blocks and where its pending Markdown starts.
    let mut root: (Vec<Block>, usize) = (Vec::new(), range.start);
    let mut stack: Vec<Open> = Vec::new();
    let mut code: Option<Code> = None;

    let mut line_start = range.start;
    while line_start < range.end {
        let line_end = text[line_start..range.end]
            .find('\n')
            .map_or(range.end, |i| line_start + i + 1);
        let line = text[line_start..line_end].trim_end_matches(['\n', '\r']);
        let next = line_end;

        if let Some(open) = &code {
            if closes_code(line, open) {
                code = None;
            }
            line_start = next;
            continue;
        }
        if let Some((marker, len)) = opens_code(line) {
            code = Some(Code {
                marker,
                len,
                line: source.locate(line_start).0,
            });
            line_start = next;
            continue;
        }
        let Some(fence) = read_fence(line, line_start) else {
            line_start = next;
            continue;
        };

        // Everything since the last fence is Markdown of the innermost
        // open component (or of the top level).
        let (blocks, markdown_start) = match stack.last_mut() {
            Some(open) => (&mut open.blocks, &mut open.markdown_start),
            None => (&mut root.0, &mut root.1),
        };
        push_markdown(text, blocks, *markdown_start..line_start);
        *markdown_start = next;

        match fence {
            Fence::Open {
                colons,
                word,
                title,
            } => {
                let name = &text[word.clone()];
                let mut kind = Kind::from_name(name);
                if kind.is_none() {
                    diagnostics.push(unknown_kind(source, word.clone(), name));
                } else if stack.len() >= MAX_DEPTH {
                    // Kept open without a kind, so its closing fence still
                    // pairs with it; only the first fence past the limit is
                    // reported.
                    kind = None;
                    if stack.len() == MAX_DEPTH {
                        diagnostics.push(too_deep(source, colons.start..word.end));
                    }
                }
                stack.push(Open {
                    colons: colons.len(),
                    head: colons.start..word.end,
                    fence: colons,
                    start: line_start,
                    kind,
                    title,
                    inner_start: next,
                    blocks: Vec::new(),
                    markdown_start: next,
                });
            }
            Fence::Close { colons } => {
                let n = colons.len();
                match stack.iter().rposition(|open| open.colons == n) {
                    Some(depth) => {
                        // Components opened inside the one this fence
                        // closes were never closed themselves.
                        while stack.len() > depth + 1 {
                            let inner = stack.pop().expect("stack is deeper than depth");
                            let outer = &stack[stack.len() - 1];
                            diagnostics.push(
                                unclosed(source, &inner).with_note(format!(
                                    "the `{}` on line {} closes the {} opened on line {} around it",
                                    &text[colons.clone()],
                                    source.locate(line_start).0,
                                    describe(text, outer),
                                    source.locate(outer.start).0,
                                )),
                            );
                            close(source, inner, line_start, line_start, &mut stack, &mut root, &mut diagnostics);
                        }
                        let open = stack.pop().expect("depth is in the stack");
                        close(source, open, line_start, next, &mut stack, &mut root, &mut diagnostics);
                    }
                    None => match stack.pop() {
                        Some(open) => {
                            let expected = ":".repeat(open.colons);
                            diagnostics.push(
                                Diagnostic::at(
                                    source,
                                    colons.clone(),
                                    format!(
                                        "closing fence `{}` does not match the `{expected}` that opened the {} on line {}",
                                        &text[colons.clone()],
                                        describe(text, &open),
                                        source.locate(open.start).0,
                                    ),
                                )
                                .with_label(format!("expected `{expected}`"))
                                .with_help(format!(
                                    "close it with a line of {} colons, the same number as its opening fence",
                                    open.colons
                                )),
                            );
                            close(source, open, line_start, next, &mut stack, &mut root, &mut diagnostics);
                        }
                        None => diagnostics.push(
                            Diagnostic::at(
                                source,
                                colons.clone(),
                                format!("closing fence `{}` with no component open", &text[colons]),
                            )
                            .with_label("nothing to close")
                            .with_help("remove this line, or open a component before it with a line like `::: note`"),
                        ),
                    },
                }
            }
        }
        line_start = next;
    }

    // Whatever is still open runs to the end of the range. An open code
    // block explains why: its `:::` lines were code.
    let mut open_code = code.take();
    while let Some(open) = stack.pop() {
        let mut diagnostic = unclosed(source, &open);
        if let Some(code) = open_code.take() {
            diagnostic = diagnostic.with_note(format!(
                "a code block opened on line {} is never closed, so every `:::` line after it is code",
                code.line
            ));
        }
        diagnostics.push(diagnostic);
        close(
            source,
            open,
            range.end,
            range.end,
            &mut stack,
            &mut root,
            &mut diagnostics,
        );
    }
    push_markdown(text, &mut root.0, root.1..range.end);
    diagnostics.sort_by_key(|d| (d.line, d.column));
    (root.0, diagnostics)
}

/// Finishes `open`, whose content ends at `inner_end` and whose closing
/// fence (if any) ends at `end`, and adds it to its parent.
fn close(
    source: &SourceText,
    mut open: Open,
    inner_end: usize,
    end: usize,
    stack: &mut [Open],
    root: &mut (Vec<Block>, usize),
    diagnostics: &mut Vec<Diagnostic>,
) {
    let text = source.text.as_str();
    push_markdown(text, &mut open.blocks, open.markdown_start..inner_end);
    let (parent, parent_markdown_start) = match stack.last_mut() {
        Some(parent) => (&mut parent.blocks, &mut parent.markdown_start),
        None => (&mut root.0, &mut root.1),
    };
    // The parent's Markdown resumes after this component.
    *parent_markdown_start = end;
    match open.kind {
        Some(kind) => {
            let component = shape::build(
                source,
                shape::Fenced {
                    kind,
                    head: open.head,
                    title: open.title,
                    span: open.start..end,
                    inner: open.inner_start..inner_end.max(open.inner_start),
                },
                open.blocks,
                diagnostics,
            );
            parent.push(Block::Component(component));
        }
        // An unknown kind has been reported; its content still shows.
        None => parent.extend(open.blocks),
    }
}

pub(super) fn push_markdown(text: &str, blocks: &mut Vec<Block>, range: Range<usize>) {
    if range.start < range.end && !text[range.clone()].trim().is_empty() {
        blocks.push(Block::Markdown(range));
    }
}

/// "`flashcards` component" or "`:::` block" for an unknown kind.
fn describe(text: &str, open: &Open) -> String {
    match open.kind {
        Some(kind) => format!("`{}` component", kind.name()),
        None => format!("`{}` block", &text[open.fence.clone()]),
    }
}

fn unclosed(source: &SourceText, open: &Open) -> Diagnostic {
    let text = source.text.as_str();
    let what = match open.kind {
        Some(kind) => format!("`{}` component", kind.name()),
        None => "component".to_string(),
    };
    let colons = &text[open.fence.clone()];
    Diagnostic::at(source, open.head.clone(), format!("unclosed {what}"))
        .with_label("opened here")
        .with_help(format!("add a line `{colons}` where the component ends"))
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

/// Reads a `:::` line; `offset` is where `line` starts in the source.
fn read_fence(line: &str, offset: usize) -> Option<Fence> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let colon_count = rest.len() - rest.trim_start_matches(':').len();
    if colon_count < 3 {
        return None;
    }
    let colons = offset + indent..offset + indent + colon_count;
    let after = &rest[colon_count..];
    if after.trim().is_empty() {
        return Some(Fence::Close { colons });
    }
    let word_start = after.len() - after.trim_start().len();
    let word_len = after[word_start..]
        .find(char::is_whitespace)
        .unwrap_or(after.len() - word_start);
    let base = colons.end;
    let word = base + word_start..base + word_start + word_len;
    let title = title_range(&after[word_start + word_len..]).map(|r| {
        let shift = base + word_start + word_len;
        r.start + shift..r.end + shift
    });
    Some(Fence::Open {
        colons,
        word,
        title,
    })
}

/// The title in the text after the kind: trimmed, without trailing colons
/// (`::: note Title :::`) and without one pair of surrounding quotes.
fn title_range(text: &str) -> Option<Range<usize>> {
    if text.trim().is_empty() {
        return None;
    }
    let mut start = text.len() - text.trim_start().len();
    let mut end = text.trim_end().len();
    let trimmed = &text[start..end];
    let without_colons = trimmed.trim_end_matches(':');
    if without_colons.len() + 3 <= trimmed.len()
        && (without_colons.is_empty() || without_colons.ends_with(char::is_whitespace))
    {
        end = start + without_colons.trim_end().len();
    }
    for (open, close) in [('"', '"'), ('\'', '\''), ('“', '”'), ('‘', '’')] {
        let t = &text[start..end];
        if t.len() >= open.len_utf8() + close.len_utf8()
            && t.starts_with(open)
            && t.ends_with(close)
        {
            start += open.len_utf8();
            end -= close.len_utf8();
            break;
        }
    }
    let t = &text[start..end];
    let lead = t.len() - t.trim_start().len();
    let t = t.trim();
    (!t.is_empty()).then(|| start + lead..start + lead + t.len())
}

/// The marker byte and length of a code fence opened by `line`.
fn opens_code(line: &str) -> Option<(u8, usize)> {
    let rest = line.trim_start_matches([' ', '\t']);
    let marker = *rest.as_bytes().first()?;
    if marker != b'`' && marker != b'~' {
        return None;
    }
    let len = rest.bytes().take_while(|&b| b == marker).count();
    if len < 3 {
        return None;
    }
    // A backtick fence's info string may not contain a backtick (that line
    // is inline code, not a fence).
    if marker == b'`' && rest[len..].contains('`') {
        return None;
    }
    Some((marker, len))
}

fn closes_code(line: &str, code: &Code) -> bool {
    let rest = line.trim_start_matches([' ', '\t']);
    let len = rest.bytes().take_while(|&b| b == code.marker).count();
    len >= code.len && rest[len..].trim().is_empty()
}

fn clamp(text: &str, range: Range<usize>) -> Range<usize> {
    let mut end = range.end.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut start = range.start.min(end);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title_of(text: &str) -> Option<&str> {
        title_range(text).map(|r| &text[r])
    }

    #[test]
    fn titles_lose_quotes_and_trailing_colons() {
        assert_eq!(title_of(" Test yourself"), Some("Test yourself"));
        assert_eq!(title_of(" \"Quoted title\" "), Some("Quoted title"));
        assert_eq!(title_of(" 'single'"), Some("single"));
        assert_eq!(title_of(" “curly”"), Some("curly"));
        assert_eq!(title_of(" Title :::"), Some("Title"));
        assert_eq!(title_of(" Ratio 2:1"), Some("Ratio 2:1"));
        assert_eq!(title_of(" \""), Some("\""));
        assert_eq!(title_of("   "), None);
        assert_eq!(title_of(" \"\""), None);
    }

    #[test]
    fn fence_lines() {
        assert!(matches!(read_fence(":::", 0), Some(Fence::Close { .. })));
        assert!(
            matches!(read_fence("   :::::  ", 0), Some(Fence::Close { colons }) if colons == (3..8))
        );
        assert!(read_fence("    :::", 0).is_none(), "indented code");
        assert!(read_fence(":: note", 0).is_none());
        match read_fence("::: note Hello", 10) {
            Some(Fence::Open {
                colons,
                word,
                title,
            }) => {
                assert_eq!((colons, word, title), (10..13, 14..18, Some(19..24)));
            }
            _ => panic!("not an opening fence"),
        }
        match read_fence(":::tip", 0) {
            Some(Fence::Open { word, title, .. }) => assert_eq!((word, title), (3..6, None)),
            _ => panic!("not an opening fence"),
        }
    }

    #[test]
    fn code_fences() {
        assert_eq!(opens_code("```rust"), Some((b'`', 3)));
        assert_eq!(opens_code("  ~~~~"), Some((b'~', 4)));
        assert_eq!(opens_code("``` a`b"), None);
        assert_eq!(opens_code("``"), None);
        let code = Code {
            marker: b'`',
            len: 4,
            line: 1,
        };
        assert!(!closes_code("```", &code));
        assert!(closes_code("`````", &code));
        assert!(!closes_code("```` x", &code));
    }
}
