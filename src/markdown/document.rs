//! The one parse of a lesson body: the events every later step reads.
//!
//! The body's fence lines are masked (see `components::mask`), the masked
//! text is parsed once with offsets, text the parser took from a masked
//! line that is not a fence gets its bytes back, and explicit heading
//! attributes are applied. Every span is a byte range of the file.

use pulldown_cmark::{CowStr, Event, Parser, Tag, TagEnd};

use crate::components::{self, FenceLine, Spanned};

/// Parses `masked`, which is the masked text of the bytes from `base` on
/// of `source` (see [`components::mask`]), into events with file spans.
pub(super) fn parse<'t>(
    source: &'t str,
    base: usize,
    masked: &'t str,
    lines: &[FenceLine],
    backslash: &mut super::backslash::Found,
) -> Vec<Spanned<'t>> {
    let mut events: Vec<Spanned<'t>> = Parser::new_ext(masked, super::options())
        .into_offset_iter()
        .map(|(event, r)| {
            let span = r.start + base..r.end + base;
            let event = match event {
                // A formula keeps the bytes written, where some were masked
                // (see `mask_display_math`).
                Event::DisplayMath(_) if masked.get(r.clone()) != source.get(span.clone()) => {
                    Event::DisplayMath(CowStr::Borrowed(
                        source.get(span.start + 2..span.end - 2).unwrap_or(""),
                    ))
                }
                event if lines.is_empty() => event,
                event => components::unmask(event, &span, source, masked, base, lines),
            };
            (event, span)
        })
        .collect();
    super::backslash::restore(&mut events, backslash, source, masked, base);
    apply_heading_attributes(&mut events, lines);
    events
}

/// What [`mask_display_math`] did.
#[derive(Debug, Default)]
pub(super) struct DisplayMasks {
    /// The masked text, `None` when nothing was masked.
    pub text: Option<String>,
    /// The offsets (in the text) of `$$` that open a formula at the start
    /// of a line and are never closed.
    pub unclosed: Vec<usize>,
}

/// Masks what would end a `$$` formula that spans lines: a blank line
/// inside it would end the paragraph the formula is in, so its first byte
/// (its line break, when it is empty) is read as a letter; and a line
/// inside it that starts (after spaces) with a character that can open a
/// block (see [`opens_block`]) would start a list, quote, heading, rule,
/// code fence, table or HTML block, so that character is read as a
/// letter. Only formulas whose opening `$$` starts a line outside code
/// fences are masked; the formula ends at its closing `$$`, however many
/// blank lines it holds, and its own text is taken back from the source
/// after the parse. An opening `$$` with no closing one is reported.
pub(super) fn mask_display_math(text: &str) -> DisplayMasks {
    let mut out: Option<Vec<u8>> = None;
    let mut fence: Option<(u8, usize)> = None;
    let mut open: Option<usize> = None;
    // Whether the paragraph so far leaves an inline `$$` open.
    let mut inline_open = false;
    let mut unclosed = Vec::new();
    // Where to mask, once the formula is seen to close.
    let mut pending = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let indent = line.len() - line.trim_start_matches(' ').len();
        let trimmed = line.trim();
        if open.is_none() {
            let marker = trimmed.bytes().next().filter(|b| matches!(b, b'`' | b'~'));
            if indent < 4
                && let Some(m) = marker
            {
                let run = trimmed.bytes().take_while(|&b| b == m).count();
                fence = match fence {
                    None if run >= 3 => Some((m, run)),
                    Some((fm, fr)) if fm == m && run >= fr && trimmed.len() == run => None,
                    other => other,
                };
                continue;
            }
            if trimmed.is_empty() {
                inline_open = false;
            } else if fence.is_none() {
                // A `$$` at the start of a line closes one that a line of
                // the paragraph before left open (`the loss $$L` and `$$
                // falls`); otherwise it opens a displayed formula.
                let pairs = trimmed.matches("$$").count();
                if trimmed.starts_with("$$") && !inline_open && pairs == 1 {
                    open = Some(start + indent);
                } else {
                    inline_open ^= pairs % 2 == 1;
                }
            }
            continue;
        }
        if trimmed.is_empty() {
            pending.push(start);
        } else if trimmed.bytes().next().is_some_and(opens_block) {
            pending.push(start + line.len() - line.trim_start().len());
        }
        if trimmed.contains("$$") {
            open = None;
            let bytes = out.get_or_insert_with(|| text.as_bytes().to_vec());
            for first in pending.drain(..) {
                // The first byte of a blank line is a space or its line
                // break; of any other line, a block's ASCII character.
                if let Some(b) = bytes.get_mut(first) {
                    *b = b'x';
                }
            }
        }
    }
    unclosed.extend(open);
    // Only ASCII bytes were replaced by an ASCII byte.
    DisplayMasks {
        text: out.map(|bytes| String::from_utf8(bytes).unwrap_or_default()),
        unclosed,
    }
}

/// Whether a line starting with `first` (after spaces) could open a block
/// that interrupts a paragraph: a list item (`-`, `+`, `*`, `1.`), a
/// quote, an ATX or setext heading, a rule, a code fence, a table row or
/// an HTML block.
fn opens_block(first: u8) -> bool {
    first.is_ascii_digit() || b"-+*>#=_`~<|".contains(&first)
}

/// Gives each heading that ends in an explicit attribute block (`{#id}`,
/// `{.class}`, or several of them: `{#id .a .b}`) its id and classes, and
/// takes the block out of its text. Anything else in braces is text, so
/// `## The set {1, 2, 3}` keeps its set. Fence headings are left alone.
fn apply_heading_attributes(events: &mut Vec<Spanned<'_>>, lines: &[FenceLine]) {
    let mut emptied = Vec::new();
    let mut heading = None;
    for i in 0..events.len() {
        match &events[i].0 {
            Event::Start(Tag::Heading { .. }) => heading = Some(i),
            Event::End(TagEnd::Heading(_)) => {
                let Some(start) = heading.take() else {
                    continue;
                };
                let is_fence = lines
                    .binary_search_by_key(&events[start].1.start, |l| l.colons.start)
                    .is_ok();
                if i > start + 1 && !is_fence && take_attributes(events, start, i - 1) {
                    emptied.push(i - 1);
                }
            }
            _ => {}
        }
    }
    if !emptied.is_empty() {
        let mut index = 0;
        events.retain(|_| {
            index += 1;
            emptied.binary_search(&(index - 1)).is_err()
        });
    }
}

/// Applies the attribute block at the end of the text event `last` to the
/// heading that starts at `start`. Returns whether the text is now empty.
fn take_attributes(events: &mut [Spanned<'_>], start: usize, last: usize) -> bool {
    let (Event::Text(text), span) = &events[last] else {
        return false;
    };
    let Some(attributes) = trailing_attributes(text) else {
        return false;
    };
    let cut = attributes.text_len;
    let kept: CowStr<'_> = match text {
        CowStr::Borrowed(s) => CowStr::Borrowed(&s[..cut]),
        other => other[..cut].to_string().into(),
    };
    let span = span.start..(span.start + cut).min(span.end);
    events[last] = (Event::Text(kept), span);
    if let Event::Start(Tag::Heading { id, classes, .. }) = &mut events[start].0 {
        if let Some(wanted) = attributes.id {
            *id = Some(wanted.into());
        }
        classes.extend(attributes.classes.into_iter().map(CowStr::from));
    }
    cut == 0
}

/// An explicit attribute block at the end of a heading.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Attributes {
    /// The length of the text before the block (trailing spaces dropped).
    pub(crate) text_len: usize,
    /// `#id`.
    pub(crate) id: Option<String>,
    /// `.class`, in order.
    pub(crate) classes: Vec<String>,
}

/// Reads `{#id .class …}` at the end of `text`: every word in the braces
/// must be `#name` (at most one) or `.name`, names made of letters, digits,
/// `-` and `_`, and the block must stand apart from the text before it.
pub(crate) fn trailing_attributes(text: &str) -> Option<Attributes> {
    let trimmed = text.trim_end();
    let body = trimmed.strip_suffix('}')?;
    let open = body.rfind('{')?;
    let before = &trimmed[..open];
    if !(before.is_empty() || before.ends_with([' ', '\t'])) {
        return None;
    }
    let name_ok = |name: &str| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    };
    let mut attributes = Attributes {
        text_len: before.trim_end().len(),
        id: None,
        classes: Vec::new(),
    };
    let mut words = 0;
    for word in body[open + 1..].split_whitespace() {
        words += 1;
        if let Some(id) = word.strip_prefix('#').filter(|n| name_ok(n)) {
            if attributes.id.replace(id.to_string()).is_some() {
                return None;
            }
        } else if let Some(class) = word.strip_prefix('.').filter(|n| name_ok(n)) {
            attributes.classes.push(class.to_string());
        } else {
            return None;
        }
    }
    (words > 0).then_some(attributes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(text: &str) -> Option<(usize, Option<&str>, Vec<&str>)> {
        let a = trailing_attributes(text)?;
        let id =
            a.id.map(|id| &text[text.find(id.as_str()).expect("from the text")..][..id.len()]);
        let classes = a
            .classes
            .iter()
            .map(|c| &text[text.find(c.as_str()).expect("from the text")..][..c.len()])
            .collect();
        Some((a.text_len, id, classes))
    }

    #[test]
    fn only_explicit_attribute_blocks_count() {
        assert_eq!(attrs("Intro {#custom}"), Some((5, Some("custom"), vec![])));
        assert_eq!(
            attrs("Card {#card-one .hard .x_y}  "),
            Some((4, Some("card-one"), vec!["hard", "x_y"]))
        );
        assert_eq!(attrs(" {.wide}"), Some((0, None, vec!["wide"])));
        assert_eq!(attrs("{#only}"), Some((0, Some("only"), vec![])));
        for text in [
            "The set {1, 2, 3}",
            "Sets {a}",
            "Braces {}",
            "Glued{#id}",
            "Two ids {#a #b}",
            "Key {#a key=value}",
            "Empty {#}",
            "Not at the end {#id} here",
            "Math {#a}}",
        ] {
            assert_eq!(attrs(text), None, "{text}");
        }
    }

    fn parse_all(text: &str) -> Vec<Spanned<'static>> {
        let lines = components::scan(text, 0..text.len());
        let masked = components::mask(text, 0..text.len(), &lines);
        parse(text, 0, &masked, &lines, &mut Default::default())
            .into_iter()
            .map(|(e, s)| (e.into_static(), s))
            .collect()
    }

    #[test]
    fn headings_get_their_attributes_and_keep_sets() {
        let events =
            parse_all("## Set *up* {#custom .a}\n\n## The set {1, 2, 3}\n\n::: note T {#x}\n:::\n");
        let headings: Vec<(Option<String>, Vec<String>)> = events
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Start(Tag::Heading { id, classes, .. }) => Some((
                    id.as_ref().map(|i| i.to_string()),
                    classes.iter().map(|c| c.to_string()).collect(),
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            headings,
            [
                (Some("custom".into()), vec!["a".to_string()]),
                (None, vec![]),
                (None, vec![]),
                (None, vec![]),
            ]
        );
        let texts: Vec<&str> = events
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Text(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["Set ", "up", "The set {1, 2, 3}", "T {#x}"]);
    }

    #[test]
    fn masked_text_outside_fences_is_restored() {
        let text = "```\n::: note\n```\n\n<!--\n::: tip\n-->\n\npara\n    ::: not a fence\n";
        let events = parse_all(text);
        let texts: Vec<String> = events
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Text(t) | Event::Html(t) => Some(t.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(
            texts,
            [
                "::: note\n",
                "<!--\n",
                "::: tip\n",
                "-->\n",
                "para",
                "::: not a fence"
            ]
        );
    }

    #[test]
    fn spans_are_file_offsets() {
        let text = "skip\n::: note\nx\n:::\n";
        let lines = components::scan(text, 5..text.len());
        let masked = components::mask(text, 5..text.len(), &lines);
        let events = parse(text, 5, &masked, &lines, &mut Default::default());
        let (Event::Text(x), span) = &events[3] else {
            panic!("{events:?}")
        };
        assert_eq!((x.as_ref(), &text[span.clone()]), ("x", "x"));
    }
}
