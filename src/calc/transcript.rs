//! A calc block's text as a doctest-style transcript.
//!
//! A line whose text starts with `>>>` is an input; the lines after it, up to
//! the next input or the end of the block, are its expected output. Every
//! line keeps its 1-based line number in the `.md` file and its byte
//! offsets, so that failures point at the right place and `--bless` can
//! rewrite exactly the expected lines and nothing else. Blank lines are not
//! part of an expected output (they separate entries for the eye); lines
//! before the first input have no input to belong to and are reported.

use std::ops::Range;

use crate::diagnostics::SourceText;

/// One physical line of a calc block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the file.
    pub number: usize,
    /// Byte offset in the file where the line starts.
    pub start: usize,
    /// Byte range of the line's text in the file: leading indentation and
    /// trailing white space (including a `\r`) excluded.
    pub text: Range<usize>,
    /// Byte offset just past the line's content, before its line ending.
    pub content_end: usize,
    /// Byte offset just past its line ending (`== content_end` on a last
    /// line without one).
    pub end: usize,
    /// The line ending: `"\n"`, `"\r\n"` or `""`.
    pub eol: &'static str,
}

impl Line {
    /// The leading white space of the line.
    pub fn indent<'s>(&self, source: &'s str) -> &'s str {
        &source[self.start..self.text.start]
    }
}

/// What an expected-output line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedKind {
    /// `...`: any number of lines.
    Ellipsis,
    /// `error: …`: the input fails with a message containing the rest.
    Error,
    /// Anything else: compared with the computed output.
    Text,
}

/// One non-blank expected-output line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// Where it is.
    pub line: Line,
    /// Its text, trimmed.
    pub text: String,
    /// What it says.
    pub kind: ExpectedKind,
}

/// An input and what the author wrote under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The `>>>` line.
    pub line: Line,
    /// The input (after the prompt), trimmed.
    pub input: String,
    /// Byte offset in the file where `input` starts.
    pub input_start: usize,
    /// The expected output's non-blank lines, in order.
    pub expected: Vec<Expected>,
}

impl Entry {
    /// Whether the author left the output open (to be filled in).
    pub fn is_open(&self) -> bool {
        self.expected.is_empty()
    }

    /// Whether the expected output asserts an error.
    pub fn expects_error(&self) -> bool {
        self.expected
            .iter()
            .find(|e| e.kind != ExpectedKind::Ellipsis)
            .is_some_and(|e| e.kind == ExpectedKind::Error)
    }

    /// The expected lines' texts.
    pub fn expected_texts(&self) -> Vec<&str> {
        self.expected.iter().map(|e| e.text.as_str()).collect()
    }
}

/// A parsed calc block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Transcript {
    /// The inputs in order.
    pub entries: Vec<Entry>,
    /// Non-blank lines before the first input (output without an input).
    pub stray: Vec<Line>,
}

/// The prompt that starts an input line.
const PROMPT: &str = ">>>";

/// Parses the block content at bytes `range` of `source`.
pub fn parse(source: &SourceText, range: Range<usize>) -> Transcript {
    let text = source.text.as_str();
    let range = clamp_range(text, range);
    let mut transcript = Transcript::default();
    for line in split_lines(source, range) {
        let trimmed = &text[line.text.clone()];
        if trimmed.is_empty() {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix(PROMPT) {
            let input = rest.trim_start();
            let input_start = line.text.end - input.len();
            transcript.entries.push(Entry {
                input: input.to_string(),
                input_start,
                line,
                expected: Vec::new(),
            });
            continue;
        }
        let Some(entry) = transcript.entries.last_mut() else {
            transcript.stray.push(line);
            continue;
        };
        let kind = if trimmed == "..." || trimmed == "…" {
            ExpectedKind::Ellipsis
        } else if trimmed.starts_with("error:") {
            ExpectedKind::Error
        } else {
            ExpectedKind::Text
        };
        entry.expected.push(Expected {
            text: trimmed.to_string(),
            kind,
            line,
        });
    }
    transcript
}

/// The lines of `range`. When the range starts inside its first line, what
/// precedes it there is the container's prefix (a list item's indentation,
/// a blockquote's `> `): every line keeps its real start, and the prefix is
/// skipped on the following lines too, so that it counts as indentation.
fn split_lines(source: &SourceText, range: Range<usize>) -> Vec<Line> {
    let text = source.text.as_str();
    let first_line_start = source.line_start(source.locate(range.start).0);
    let prefix = &text[first_line_start.min(range.start)..range.start];
    let prefix = if prefix.chars().all(|c| matches!(c, ' ' | '\t' | '>')) {
        prefix
    } else {
        ""
    };
    let mut lines = Vec::new();
    let mut start = range.start;
    while start < range.end {
        let (content_end_raw, end) = match text[start..range.end].find('\n') {
            Some(i) => (start + i, start + i + 1),
            None => (range.end, range.end),
        };
        let (content_end, eol) = if end > content_end_raw {
            if content_end_raw > start && text.as_bytes()[content_end_raw - 1] == b'\r' {
                (content_end_raw - 1, "\r\n")
            } else {
                (content_end_raw, "\n")
            }
        } else {
            (content_end_raw, "")
        };
        let (line_start, body_start) = if lines.is_empty() {
            (start - prefix.len(), start)
        } else {
            let raw = &text[start..content_end];
            let skip = if raw.starts_with(prefix) {
                prefix.len()
            } else if raw.starts_with(prefix.trim_end()) {
                prefix.trim_end().len()
            } else {
                0
            };
            (start, start + skip)
        };
        let raw = &text[body_start..content_end];
        let lead = raw.len() - raw.trim_start().len();
        let body = raw.trim();
        let text_start = body_start + lead;
        lines.push(Line {
            number: source.locate(start).0,
            start: line_start,
            text: text_start..text_start + body.len(),
            content_end,
            end,
            eol,
        });
        start = end;
    }
    lines
}

fn clamp_range(text: &str, range: Range<usize>) -> Range<usize> {
    let mut start = range.start.min(text.len());
    let mut end = range.end.clamp(start, text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    start..end.max(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses the content of the first calc fence in `text`.
    fn parse_block(text: &str) -> (SourceText, Transcript) {
        let source = SourceText::new("t.md", text);
        let open = text.find("```calc").expect("fence");
        let start = open + text[open..].find('\n').unwrap() + 1;
        let end = start + text[start..].find("```").unwrap();
        let transcript = parse(&source, start..end);
        (source, transcript)
    }

    #[test]
    fn inputs_and_expected_lines_with_file_lines() {
        let (source, t) = parse_block(
            "# Title\n\n```calc\n>>> J(w) = w**2\n>>> diff(J(w), w)\n2*w\n>>> J'(3)\n6\n```\n",
        );
        assert!(t.stray.is_empty());
        assert_eq!(t.entries.len(), 3);
        let e = &t.entries[0];
        assert_eq!(e.input, "J(w) = w**2");
        assert_eq!(e.line.number, 4);
        assert!(e.is_open());
        assert_eq!(&source.text[e.input_start..e.input_start + 4], "J(w)");
        let e = &t.entries[1];
        assert_eq!(e.expected_texts(), ["2*w"]);
        assert_eq!(e.expected[0].line.number, 6);
        assert_eq!(t.entries[2].expected[0].line.number, 8);
    }

    #[test]
    fn ellipsis_and_error_lines_are_classified() {
        let (_, t) = parse_block(
            "```calc\n>>> descent(J, w=3, alpha=0.1, steps=50)\nstep  w  J(w)  dJ/dw\n...\n>>> log(-1)\nerror: log of a negative\n```\n",
        );
        let kinds: Vec<_> = t.entries[0].expected.iter().map(|e| &e.kind).collect();
        assert_eq!(kinds, [&ExpectedKind::Text, &ExpectedKind::Ellipsis]);
        assert!(!t.entries[0].expects_error());
        assert!(t.entries[1].expects_error());
    }

    #[test]
    fn blank_lines_separate_and_are_skipped() {
        let (_, t) = parse_block("```calc\n>>> a = 1\n\n>>> a\n1\n\n\n>>> a + 1\n2\n```\n");
        assert_eq!(t.entries.len(), 3);
        assert_eq!(t.entries[1].expected_texts(), ["1"]);
        assert_eq!(t.entries[1].expected.len(), 1);
    }

    #[test]
    fn crlf_lines_keep_their_ending_and_trim_the_cr() {
        let (source, t) = parse_block("```calc\r\n>>> 1 + 1\r\n2\r\n```\r\n");
        let e = &t.entries[0];
        assert_eq!(e.input, "1 + 1");
        assert_eq!(e.line.eol, "\r\n");
        assert_eq!(e.expected_texts(), ["2"]);
        let line = &e.expected[0].line;
        assert_eq!(&source.text[line.content_end..line.end], "\r\n");
    }

    #[test]
    fn indented_block_keeps_indent_and_offsets() {
        let (source, t) = parse_block("- item\n\n  ```calc\n  >>>   J(3)\n  9\n  ```\n");
        let e = &t.entries[0];
        assert_eq!(e.input, "J(3)");
        assert_eq!(e.line.indent(&source.text), "  ");
        assert_eq!(&source.text[e.input_start..e.input_start + 4], "J(3)");
        assert_eq!(e.expected[0].text, "9");
    }

    #[test]
    fn range_starting_after_the_indent_still_sees_it() {
        let text = "- item\n\n  ```calc\n  >>> J(3)\n  9\n  ```\n";
        let source = SourceText::new("t.md", text);
        let start = text.find(">>>").unwrap();
        let end = text.rfind("  ```").unwrap();
        let t = parse(&source, start..end);
        assert_eq!(t.entries[0].line.indent(text), "  ");
        assert_eq!(t.entries[0].expected[0].line.indent(text), "  ");
    }

    #[test]
    fn blockquote_prefix_is_indentation() {
        let text = "> ```calc\n> >>> J(3)\n> 9\n>\n> ```\n";
        let source = SourceText::new("t.md", text);
        let start = text.find(">>>").unwrap();
        let end = text.rfind("> ```").unwrap();
        let t = parse(&source, start..end);
        assert!(t.stray.is_empty());
        let e = &t.entries[0];
        assert_eq!(e.input, "J(3)");
        assert_eq!(e.line.indent(text), "> ");
        assert_eq!(e.expected_texts(), ["9"]);
        assert_eq!(e.expected[0].line.indent(text), "> ");
    }

    #[test]
    fn lines_before_the_first_input_are_stray() {
        let (_, t) = parse_block("```calc\n6\n>>> 1\n1\n```\n");
        assert_eq!(t.stray.len(), 1);
        assert_eq!(t.stray[0].number, 2);
        assert_eq!(t.entries.len(), 1);
    }

    #[test]
    fn prompt_without_space_and_empty_prompt() {
        let (_, t) = parse_block("```calc\n>>>1+1\n2\n>>>\n```\n");
        assert_eq!(t.entries[0].input, "1+1");
        assert_eq!(t.entries[1].input, "");
    }

    #[test]
    fn last_line_without_newline() {
        let source = SourceText::new("t.md", ">>> 2\n2");
        let t = parse(&source, 0..source.text.len());
        let line = &t.entries[0].expected[0].line;
        assert_eq!(line.eol, "");
        assert_eq!(line.end, source.text.len());
    }

    #[test]
    fn out_of_range_is_clamped() {
        let source = SourceText::new("t.md", ">>> 2\n");
        let t = parse(&source, 3..999);
        assert!(t.entries.is_empty());
        assert_eq!(t.stray.len(), 1);
    }
}
