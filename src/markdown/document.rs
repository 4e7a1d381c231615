//! The one parse of a lesson body: the events every later step reads.
//!
//! The body's fence lines are masked (see `components::mask`), the masked
//! text is parsed once with offsets, and text the parser took from a
//! masked line that is not a fence gets its bytes back. Every span is a
//! byte range of the file.

use pulldown_cmark::Parser;

use crate::components::{self, FenceLine, Spanned};

/// Parses `masked`, which is the masked text of the bytes from `base` on
/// of `source` (see [`components::mask`]), into events with file spans.
pub(super) fn parse<'t>(
    source: &'t str,
    base: usize,
    masked: &'t str,
    lines: &[FenceLine],
) -> Vec<Spanned<'t>> {
    Parser::new_ext(masked, super::options())
        .into_offset_iter()
        .map(|(event, r)| {
            let span = r.start + base..r.end + base;
            let event = if lines.is_empty() {
                event
            } else {
                components::unmask(event, &span, source, masked, base, lines)
            };
            (event, span)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::Event;

    fn parse_all(text: &str) -> Vec<Spanned<'static>> {
        let lines = components::scan(text, 0..text.len());
        let masked = components::mask(text, 0..text.len(), &lines);
        parse(text, 0, &masked, &lines)
            .into_iter()
            .map(|(e, s)| (e.into_static(), s))
            .collect()
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
        let events = parse(text, 5, &masked, &lines);
        let (Event::Text(x), span) = &events[3] else {
            panic!("{events:?}")
        };
        assert_eq!((x.as_ref(), &text[span.clone()]), ("x", "x"));
    }
}
