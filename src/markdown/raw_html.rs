//! The little gradbook reads in raw HTML: the `src` of `<img>` tags (to
//! check and rewrite like Markdown images) and `id` and `name` attributes
//! (anchors that links may target). A small scanner over one HTML event,
//! not a parser: a tag split over several lines is not seen.

use std::ops::Range;

/// An attribute value found in a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Attr {
    /// The tag's name, lower case.
    pub tag: String,
    /// The attribute's name, lower case.
    pub name: String,
    /// The value as written (no entity decoding).
    pub value: String,
    /// Where the value is in the scanned text (quotes excluded).
    pub span: Range<usize>,
    /// Where the tag ends (just before its `>` or `/>`).
    pub tag_end: usize,
}

/// Every attribute of every opening tag in `html`, in order.
pub(super) fn attributes(html: &str) -> Vec<Attr> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(lt) = html[i..].find('<').map(|p| p + i) {
        i = lt + 1;
        if html[i..].starts_with("!--") {
            i = html[i..].find("-->").map_or(html.len(), |p| i + p + 3);
            continue;
        }
        let name_end = word_end(bytes, i);
        if name_end == i || !bytes[i].is_ascii_alphabetic() {
            continue;
        }
        let tag = html[i..name_end].to_ascii_lowercase();
        i = name_end;
        let first = out.len();
        loop {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' {
                break;
            }
            let end = attr_name_end(bytes, i);
            if end == i {
                i += 1;
                continue;
            }
            let name = html[i..end].to_ascii_lowercase();
            i = end;
            let mut j = i;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if bytes.get(j) != Some(&b'=') {
                continue;
            }
            j += 1;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            let (span, next) = match bytes.get(j) {
                Some(&q @ (b'"' | b'\'')) => {
                    let close = html[j + 1..]
                        .find(char::from(q))
                        .map_or(html.len(), |p| j + 1 + p);
                    (j + 1..close, (close + 1).min(html.len()))
                }
                _ => {
                    let end = attr_value_end(bytes, j);
                    (j..end, end)
                }
            };
            out.push(Attr {
                tag: tag.clone(),
                name,
                value: html[span.clone()].to_string(),
                span,
                tag_end: 0,
            });
            i = next;
        }
        let mut tag_end = i.min(html.len());
        if tag_end > 0 && bytes.get(tag_end - 1) == Some(&b'/') {
            tag_end -= 1;
        }
        for attr in &mut out[first..] {
            attr.tag_end = tag_end;
        }
    }
    out
}

fn word_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-') {
        i += 1;
    }
    i
}

fn attr_name_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len()
        && !bytes[i].is_ascii_whitespace()
        && !matches!(bytes[i], b'=' | b'>' | b'/' | b'"' | b'\'')
    {
        i += 1;
    }
    i
}

fn attr_value_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_of_tags_are_found() {
        let html =
            "<a name=intro></a><!-- <img src=\"no.png\"> --><IMG Src='img/a b.png' alt=\"x\"/>";
        let found = attributes(html);
        let pairs: Vec<(&str, &str, &str)> = found
            .iter()
            .map(|a| (a.tag.as_str(), a.name.as_str(), a.value.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("a", "name", "intro"),
                ("img", "src", "img/a b.png"),
                ("img", "alt", "x")
            ]
        );
        assert_eq!(&html[found[1].span.clone()], "img/a b.png");
        assert_eq!(&html[found[1].tag_end..], "/>");
    }

    #[test]
    fn broken_markup_does_not_panic() {
        for html in [
            "<",
            "<img src=",
            "<img src=\"x",
            "<a =b>",
            "</a>",
            "<img/ src=é>",
        ] {
            let _ = attributes(html);
        }
    }
}
