//! Headings: the text a heading's id is made from, and its entry in the
//! table of contents.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::inline::inline_value;
use super::tex_text;

/// A heading being read: its text in the forms the page needs.
#[derive(Default)]
pub(super) struct OpenHeading {
    /// Where its start event is in the batch of events being rendered.
    pub start: usize,
    /// The text as written (math as TeX), for the slug: ids stay what they
    /// always were.
    pub source_text: String,
    /// Readable text, math written out.
    pub plain: String,
    /// HTML for the table of contents.
    pub html: String,
}

impl OpenHeading {
    pub(super) fn new(start: usize) -> Self {
        Self {
            start,
            ..Self::default()
        }
    }

    /// Takes in one event of the heading's content. Math and inline
    /// values are added to `html` where they are converted.
    pub(super) fn read(&mut self, event: &Event<'_>) {
        match event {
            Event::Text(t) => {
                self.source_text.push_str(t);
                self.plain.push_str(t);
                self.html.push_str(&crate::html::escape(t));
            }
            Event::Code(t) => {
                self.source_text.push_str(t);
                if inline_value(t).is_none() {
                    self.plain.push_str(t);
                    self.html.push_str("<code>");
                    self.html.push_str(&crate::html::escape(t));
                    self.html.push_str("</code>");
                }
            }
            Event::InlineMath(tex) | Event::DisplayMath(tex) => {
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

    /// Adds HTML that gradbook wrote in place of an event (an inline
    /// value, a formula): the contents entry shows it, and the readable
    /// text takes its text when `as_text`.
    pub(super) fn converted(&mut self, html: &str, as_text: bool) {
        self.html.push_str(html);
        if as_text {
            self.plain.push_str(&text_of_html(html));
        }
    }
}

/// Squeezes runs of white space into single spaces.
pub(super) fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradbook_html_reads_as_text() {
        assert_eq!(
            text_of_html("<span class=\"v\">6 &amp; &lt;7&gt;</span>"),
            "6 & <7>"
        );
        assert_eq!(squeeze("  a \n b  "), "a b");
    }
}
