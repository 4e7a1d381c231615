//! `:::` fence lines: finding them, and masking them so that the one
//! Markdown parse of a lesson sees each as a block of its own.
//!
//! A *fence line* is a line that starts with three or more colons, once
//! any indentation, block-quote markers (`>`) and list markers (`-`, `1.`)
//! in front of it are skipped. Colons alone close a component; colons and
//! a word open one, and the rest of the line is its title.
//!
//! CommonMark has no `:::` blocks: to the parser such a line is paragraph
//! text, which a preceding paragraph or list item would swallow (lazy
//! continuation). So before the lesson is parsed, every fence line is
//! *masked*: its colons, its kind and anything around the title become
//! `#` and spaces, while the title stays at its own bytes. `::: note Title`
//! reads as the ATX heading `#        Title`, which is exactly the block a
//! fence should be: it ends a paragraph, ends a list item or block quote
//! that the line is not indented into, may sit inside one that it is, and
//! stays plain text inside code blocks, HTML blocks and comments. The
//! masked text has the same length and line structure as the source, so
//! every offset the parser reports is an offset into the file.
//!
//! The headings that start at a masked line are the fences (`tree` pairs
//! them); any other text the parser took from a masked line (a `:::` line
//! in a code block or a comment) gets its original bytes back through
//! [`unmask`].

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event};

/// One fence line of the source. All ranges are byte ranges of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FenceLine {
    /// The whole line, its line ending included.
    pub line: Range<usize>,
    /// The run of colons.
    pub colons: Range<usize>,
    /// The kind after the colons; `None` on a closing fence.
    pub word: Option<Range<usize>>,
    /// The title after the kind, without surrounding quotes or trailing
    /// colons; `None` when there is none.
    pub title: Option<Range<usize>>,
    /// The end of the line's content (before its line ending). The masked
    /// part of the line runs from the first colon to here.
    pub end: usize,
}

impl FenceLine {
    /// From the first colon to the end of the kind (just the colons on a
    /// closing fence): what diagnostics about the fence underline.
    pub fn head(&self) -> Range<usize> {
        let end = self.word.as_ref().map_or(self.colons.end, |w| w.end);
        self.colons.start..end
    }

    /// Whether the line opens a component.
    pub fn is_opening(&self) -> bool {
        self.word.is_some()
    }
}

/// Every fence line of `range` of `text`, in order.
pub fn scan(text: &str, range: Range<usize>) -> Vec<FenceLine> {
    let range = clamp(text, range);
    let mut lines = Vec::new();
    let mut start = range.start;
    while start < range.end {
        let next = text[start..range.end]
            .find('\n')
            .map_or(range.end, |i| start + i + 1);
        let content = text[start..next].trim_end_matches(['\n', '\r']);
        let lead = container_prefix(content);
        if content[lead..].starts_with(":::")
            && let Some(fence) = read_fence(&content[lead..], start + lead)
        {
            lines.push(FenceLine {
                line: start..next,
                end: start + content.len(),
                ..fence
            });
        }
        start = next;
    }
    lines
}

/// `range` of `text` with every line of `lines` masked (see the module
/// documentation). Borrowed when there is nothing to mask.
pub fn mask<'t>(text: &'t str, range: Range<usize>, lines: &[FenceLine]) -> Cow<'t, str> {
    let range = clamp(text, range);
    if lines.is_empty() {
        return Cow::Borrowed(&text[range]);
    }
    let mut out = String::with_capacity(range.len());
    let mut copied = range.start;
    for line in lines {
        out.push_str(&text[copied..line.colons.start]);
        let title = line.title.clone().unwrap_or(line.end..line.end);
        // Every masked character becomes one or more ASCII bytes, one per
        // byte it had, so offsets stay where they were.
        let blank = |out: &mut String, from: usize, to: usize| {
            out.extend(std::iter::repeat_n(' ', to - from));
        };
        out.push('#');
        blank(&mut out, line.colons.start + 1, title.start);
        out.push_str(&text[title.clone()]);
        blank(&mut out, title.end, line.end);
        copied = line.end;
    }
    out.push_str(&text[copied..range.end]);
    Cow::Owned(out)
}

/// Gives an event that the parser read from masked bytes its original
/// text. `masked` is the text that was parsed, which starts at byte
/// `base` of `source`; `span` is the event's range in the file. Events
/// whose text is not a plain slice of the input (none that a masked line
/// produces outside a fence) are kept as they are.
pub fn unmask<'a>(
    event: Event<'a>,
    span: &Range<usize>,
    source: &'a str,
    masked: &str,
    base: usize,
    lines: &[FenceLine],
) -> Event<'a> {
    let first = lines.partition_point(|l| l.end <= span.start);
    let Some(line) = lines.get(first).filter(|l| l.colons.start < span.end) else {
        return event;
    };
    let original = |text: &CowStr<'a>| -> Option<CowStr<'a>> {
        let parsed = masked.get(span.start - base..span.end - base)?;
        if parsed != text.as_ref() {
            return None;
        }
        // Text that starts at the masked `#` is a fence line read as
        // paragraph text (a fence heading's text starts after it); such a
        // line ends before the blanks that masking left at its end, where
        // the original had a closing quote or colons.
        let mut end = span.end;
        let blank_rest = masked
            .get(span.end.saturating_sub(base)..line.end.saturating_sub(base))
            .is_some_and(|rest| rest.bytes().all(|b| b == b' '));
        if span.start <= line.colons.start && span.end < line.end && blank_rest {
            end = line.end;
        }
        Some(CowStr::Borrowed(source.get(span.start..end)?))
    };
    match event {
        Event::Text(t) => Event::Text(original(&t).unwrap_or(t)),
        Event::Html(t) => Event::Html(original(&t).unwrap_or(t)),
        Event::InlineHtml(t) => Event::InlineHtml(original(&t).unwrap_or(t)),
        other => other,
    }
}

/// How many bytes of `line` are indentation, block-quote markers and list
/// markers, the things that may come before a fence's colons.
fn container_prefix(line: &str) -> usize {
    let b = line.as_bytes();
    let spaced = |i: usize| matches!(b.get(i), Some(b' ' | b'\t'));
    let mut i = 0;
    loop {
        while spaced(i) {
            i += 1;
        }
        match b.get(i) {
            Some(b'>') => i += 1,
            Some(b'-' | b'+' | b'*') if spaced(i + 1) => i += 2,
            Some(b'0'..=b'9') => {
                let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                if digits <= 9
                    && matches!(b.get(i + digits), Some(b'.' | b')'))
                    && spaced(i + digits + 1)
                {
                    i += digits + 2;
                } else {
                    return i;
                }
            }
            _ => return i,
        }
    }
}

/// Reads a fence from `rest`, which starts with its colons at byte
/// `offset` of the file. `line` and `end` are left for the caller.
fn read_fence(rest: &str, offset: usize) -> Option<FenceLine> {
    let colon_count = rest.len() - rest.trim_start_matches(':').len();
    if colon_count < 3 {
        return None;
    }
    let colons = offset..offset + colon_count;
    let after = &rest[colon_count..];
    let mut fence = FenceLine {
        line: 0..0,
        colons: colons.clone(),
        word: None,
        title: None,
        end: 0,
    };
    if after.trim().is_empty() {
        return Some(fence);
    }
    let word_start = after.len() - after.trim_start().len();
    let word_len = after[word_start..]
        .find(char::is_whitespace)
        .unwrap_or(after.len() - word_start);
    let base = colons.end;
    fence.word = Some(base + word_start..base + word_start + word_len);
    let shift = base + word_start + word_len;
    fence.title =
        title_range(&after[word_start + word_len..]).map(|r| r.start + shift..r.end + shift);
    Some(fence)
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
        let text = ":::\n   :::::  \n:: note\n::: note Hello\n:::tip\n";
        let lines = scan(text, 0..text.len() + 10);
        let shown: Vec<(&str, Option<&str>, Option<&str>)> = lines
            .iter()
            .map(|l| {
                (
                    &text[l.colons.clone()],
                    l.word.clone().map(|w| &text[w]),
                    l.title.clone().map(|t| &text[t]),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (":::", None, None),
                (":::::", None, None),
                (":::", Some("note"), Some("Hello")),
                (":::", Some("tip"), None),
            ]
        );
        assert_eq!(lines[1].line, 4..15);
        assert_eq!(lines[1].end, 14);
    }

    #[test]
    fn fences_behind_quote_and_list_markers() {
        let text = "> ::: note\n- ::: tip\n12. :::\n  > > :::: warning x\n-::: no\n1.::: no\n";
        let lines = scan(text, 0..text.len());
        let colons: Vec<&str> = lines.iter().map(|l| &text[l.head()]).collect();
        assert_eq!(colons, ["::: note", "::: tip", ":::", ":::: warning"]);
    }

    #[test]
    fn masking_keeps_offsets_and_titles() {
        let text = "a\n::: note \"Ti tle\" :::\r\nb\n> :::\n:::é x\n";
        let lines = scan(text, 0..text.len());
        let masked = mask(text, 0..text.len(), &lines);
        assert_eq!(masked.len(), text.len());
        assert_eq!(masked, "a\n#         Ti tle     \r\nb\n> #  \n#     x\n");
        assert!(matches!(mask(text, 0..2, &[]), Cow::Borrowed("a\n")));
    }

    #[test]
    fn unmasking_restores_plain_slices_only() {
        let text = "```\n::: note\n```\n";
        let lines = scan(text, 0..text.len());
        let masked = mask(text, 0..text.len(), &lines);
        let span = 4..13;
        let event = Event::Text(CowStr::Borrowed(&masked[span.clone()]));
        let restored = unmask(event, &span, text, &masked, 0, &lines);
        assert_eq!(restored, Event::Text("::: note\n".into()));
        let untouched = unmask(Event::Text("```".into()), &(0..3), text, &masked, 0, &lines);
        assert_eq!(untouched, Event::Text("```".into()));
        let synthetic = unmask(Event::Text("  ".into()), &(4..4), text, &masked, 0, &lines);
        assert_eq!(synthetic, Event::Text("  ".into()));
        // A line read as paragraph text (indented four spaces after a
        // paragraph) gets its closing quote back.
        let text = "para\n    ::: note \"Title\" :::\n";
        let lines = scan(text, 0..text.len());
        let masked = mask(text, 0..text.len(), &lines);
        let span = 9..24;
        assert_eq!(&masked[span.clone()], "#         Title");
        let event = Event::Text(CowStr::Borrowed(&masked[span.clone()]));
        let restored = unmask(event, &span, text, &masked, 0, &lines);
        assert_eq!(restored, Event::Text("::: note \"Title\" :::".into()));
        // The same title in a fence heading stays the title.
        let span = 19..24;
        let event = Event::Text(CowStr::Borrowed(&masked[span.clone()]));
        let title = unmask(event, &span, text, &masked, 0, &lines);
        assert_eq!(title, Event::Text("Title".into()));
    }
}
