//! A page's description, for `<meta name="description">` and link
//! previews, when its front matter has no `summary`: the first paragraph
//! of its text as plain text, cut at a word before
//! [`DESCRIPTION_CHARS`] characters.
//!
//! It reads the page's rendered HTML, so inline values are already
//! computed and formulas are read from their MathML (`J(w) = w²`,
//! `dJ/dw`). Only paragraphs at the top level of the text count, not
//! those inside components, lists, tables or calc results.

use crate::markdown::tex_text::{subscript as subscript_of, superscript as superscript_of};

/// Descriptions longer than this are cut at a word and end with "…"
/// (search engines show about this much).
pub const DESCRIPTION_CHARS: usize = 160;

/// Elements whose paragraphs are not the page's own text.
const CONTAINERS: &[&str] = &[
    "aside",
    "blockquote",
    "details",
    "div",
    "dl",
    "figure",
    "footer",
    "header",
    "nav",
    "ol",
    "section",
    "table",
    "ul",
];

/// The plain text of the first top-level `<p>` of `html`, shortened to
/// about [`DESCRIPTION_CHARS`] characters; `None` if there is none with
/// any text.
pub fn first_paragraph(html: &str) -> Option<String> {
    let mut depth = 0usize;
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let (name, closing, end) = tag_at(rest)?;
        if name == "p" && !closing && depth == 0 {
            let inner = &rest[end..];
            let stop = inner.find("</p>").unwrap_or(inner.len());
            let text = shorten(&collapse(&to_text(&inner[..stop])), DESCRIPTION_CHARS);
            if !text.is_empty() {
                return Some(text);
            }
            rest = &inner[stop..];
            continue;
        }
        if CONTAINERS.contains(&name.as_str()) {
            if closing {
                depth = depth.saturating_sub(1);
            } else if !rest[..end].ends_with("/>") {
                depth += 1;
            }
        }
        rest = &rest[end..];
    }
    None
}

/// The tag at the start of `text` (which starts with `<`): its lower-case
/// name, whether it closes, and the byte length of the tag. Comments and
/// declarations have an empty name.
fn tag_at(text: &str) -> Option<(String, bool, usize)> {
    if text.starts_with("<!--") {
        let end = text.find("-->").map_or(text.len(), |i| i + 3);
        return Some((String::new(), false, end));
    }
    let end = text.find('>').map_or(text.len(), |i| i + 1);
    let inside = text[1..end].trim_start_matches('<');
    let closing = inside.starts_with('/');
    let name: String = inside
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Some((name, closing, end.max(1)))
}

/// Plain text of an HTML fragment: tags dropped, entities decoded, MathML
/// read as text, footnote references left out.
fn to_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while !rest.is_empty() {
        let Some(at) = rest.find('<') else {
            out.push_str(&decode(rest));
            break;
        };
        out.push_str(&decode(&rest[..at]));
        rest = &rest[at..];
        let Some((name, closing, end)) = tag_at(rest) else {
            break;
        };
        if !closing && (name == "math" || (name == "sup" && rest[..end].contains("footnote"))) {
            let close = format!("</{name}>");
            let stop = rest.find(&close).map_or(rest.len(), |i| i + close.len());
            if name == "math" {
                out.push_str(&math_text(&rest[..stop]));
            }
            rest = &rest[stop..];
        } else {
            rest = &rest[end..];
        }
    }
    out
}

/// Decodes the entities an HTML escaper writes, and numeric ones.
fn decode(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(semi) = rest.find(';').filter(|&i| i <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A MathML element, as far as reading it as text needs.
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
}

/// Parses a MathML fragment into a tree (tolerant: unclosed elements end
/// with the fragment).
fn parse_math(html: &str) -> Node {
    let mut stack = vec![Node {
        name: String::new(),
        text: String::new(),
        children: Vec::new(),
    }];
    let mut rest = html;
    while !rest.is_empty() {
        let Some(at) = rest.find('<') else {
            if let Some(top) = stack.last_mut() {
                top.text.push_str(&decode(rest));
            }
            break;
        };
        if at > 0
            && let Some(top) = stack.last_mut()
        {
            top.text.push_str(&decode(&rest[..at]));
        }
        rest = &rest[at..];
        let Some((name, closing, end)) = tag_at(rest) else {
            break;
        };
        let empty = rest[..end].ends_with("/>");
        rest = &rest[end..];
        if name.is_empty() {
            continue;
        }
        if closing {
            if stack.len() > 1 {
                let node = stack.pop().expect("checked");
                stack.last_mut().expect("checked").children.push(node);
            }
        } else {
            let node = Node {
                name,
                text: String::new(),
                children: Vec::new(),
            };
            if empty {
                stack.last_mut().expect("never empty").children.push(node);
            } else {
                stack.push(node);
            }
        }
    }
    while stack.len() > 1 {
        let node = stack.pop().expect("checked");
        stack.last_mut().expect("checked").children.push(node);
    }
    stack.pop().expect("the root")
}

/// A `<math>` element as readable text: `J(w) = w²`, `dJ/dw`, `√(x)`.
fn math_text(html: &str) -> String {
    let root = parse_math(html);
    let mut out = String::new();
    node_text(&root, &mut out);
    out
}

fn children_text(node: &Node) -> String {
    let mut out = String::new();
    for child in &node.children {
        node_text(child, &mut out);
    }
    out
}

/// Operators read with a space on either side when between two operands.
const SPACED: &[&str] = &[
    "=", "<", ">", "≤", "≥", "≠", "≈", "+", "−", "-", "±", "←", "→", "·", "×",
];

fn node_text(node: &Node, out: &mut String) {
    let part = |k: usize| node.children.get(k).map(whole).unwrap_or_default();
    match node.name.as_str() {
        "annotation" | "annotation-xml" => {}
        "mi" | "mn" | "mtext" | "ms" => out.push_str(node.text.trim()),
        "mo" => {
            let op = node.text.trim();
            let operand_before = out.trim_end().chars().last().is_some_and(|c| {
                c.is_alphanumeric() || matches!(c, ')' | ']' | '}' | '|') || superscript(c)
            });
            if SPACED.contains(&op) && operand_before {
                out.push(' ');
                out.push_str(op);
                out.push(' ');
            } else {
                out.push_str(op);
            }
        }
        "msup" => {
            out.push_str(&part(0));
            out.push_str(&raised(&part(1), superscript_of, '^'));
        }
        "msub" => {
            out.push_str(&part(0));
            out.push_str(&raised(&part(1), subscript_of, '_'));
        }
        "msubsup" => {
            out.push_str(&part(0));
            out.push_str(&raised(&part(1), subscript_of, '_'));
            out.push_str(&raised(&part(2), superscript_of, '^'));
        }
        "mfrac" => {
            out.push_str(&grouped(&part(0)));
            out.push('/');
            out.push_str(&grouped(&part(1)));
        }
        "msqrt" => {
            out.push('√');
            out.push_str(&grouped(&children_text(node)));
        }
        "mroot" => {
            out.push_str(&raised(&part(1), superscript_of, '^'));
            out.push('√');
            out.push_str(&grouped(&part(0)));
        }
        "munder" | "mover" | "munderover" => out.push_str(&part(0)),
        _ => {
            out.push_str(node.text.trim());
            for child in &node.children {
                node_text(child, out);
            }
        }
    }
}

fn whole(node: &Node) -> String {
    let mut out = String::new();
    node_text(node, &mut out);
    out.trim().to_string()
}

/// `text` in parentheses unless it is one symbol or a plain number.
fn grouped(text: &str) -> String {
    let simple = text.chars().count() <= 1
        || text.chars().all(|c| c.is_ascii_digit() || c == '.')
        || text.chars().all(char::is_alphabetic);
    if simple {
        text.to_string()
    } else {
        format!("({text})")
    }
}

/// A superscript or subscript: in Unicode's small characters when every
/// character has one, else after `mark` (`^`, `_`), grouped.
fn raised(text: &str, convert: fn(char) -> Option<char>, mark: char) -> String {
    match text.chars().map(convert).collect::<Option<String>>() {
        Some(small) if !small.is_empty() => small,
        _ => format!("{mark}{}", grouped(text)),
    }
}

fn superscript(c: char) -> bool {
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ⁿⁱ".contains(c)
}

/// White space collapsed to single spaces, no space before punctuation
/// that follows a formula.
fn collapse(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(joined.len());
    for (i, c) in joined.char_indices() {
        if c == ' ' && joined[i + 1..].starts_with([',', '.', ';', ':', '!', '?']) {
            continue;
        }
        out.push(c);
    }
    out
}

/// `text` cut at the last word boundary before `max` characters, with
/// "…" added when anything was cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    let at = cut.rfind(' ').unwrap_or(cut.len());
    let kept = cut[..at].trim_end_matches([',', ';', ':', ' ', '.']);
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_top_level_paragraph_is_taken() {
        let html = "<aside class=\"gb gb-callout\"><div><p>Inside a note.</p></div></aside>\n\
                    <h2 id=\"a\">A</h2>\n<ul><li><p>In a list.</p></li></ul>\n\
                    <p>Training a model means <em>adjusting</em> numbers &amp; more.</p>\n<p>Second.</p>";
        assert_eq!(
            first_paragraph(html).as_deref(),
            Some("Training a model means adjusting numbers & more.")
        );
        assert_eq!(first_paragraph("<h2>Only a heading</h2>"), None);
        assert_eq!(
            first_paragraph("<p></p><p>Text</p>").as_deref(),
            Some("Text")
        );
    }

    #[test]
    fn formulas_and_values_read_as_text() {
        let html = "<p>The derivative of <math><mi>J</mi><mo stretchy=\"false\">(</mo><mi>w</mi>\
                    <mo stretchy=\"false\">)</mo><mo>=</mo><msup><mi>w</mi><mn>2</mn></msup></math> \
                    is <math><mn>2</mn><mi>w</mi></math>, so the slope at 3 is \
                    <span class=\"calc-inline calc-number\">6</span>.</p>";
        assert_eq!(
            first_paragraph(html).as_deref(),
            Some("The derivative of J(w) = w² is 2w, so the slope at 3 is 6.")
        );
        let frac = "<p><math><mfrac><mrow><mi>d</mi><mi>J</mi></mrow><mrow><mi>d</mi><mi>w</mi></mrow></mfrac>\
                    <mo>,</mo><msub><mi>w</mi><mn>1</mn></msub><mo>,</mo><msup><mi>e</mi><mrow><mo>−</mo><mi>x</mi></mrow></msup>\
                    <mo>,</mo><msqrt><mi>x</mi><mo>+</mo><mn>1</mn></msqrt><mo>,</mo><mo>−</mo><mn>3</mn></math></p>";
        assert_eq!(
            first_paragraph(frac).as_deref(),
            Some("dJ/dw,w₁,e^(−x),√(x + 1),−3")
        );
    }

    #[test]
    fn footnote_marks_and_entities() {
        let html = "<p>A claim<sup class=\"footnote-reference\"><a href=\"#1\">1</a></sup> &lt;here&gt; &#x2212;2 &#8212; done.</p>";
        assert_eq!(
            first_paragraph(html).as_deref(),
            Some("A claim <here> −2 — done.")
        );
    }

    #[test]
    fn long_paragraphs_are_cut_at_a_word() {
        let long = format!("<p>{}</p>", "derivative ".repeat(40));
        let text = first_paragraph(&long).unwrap();
        assert!(text.chars().count() <= DESCRIPTION_CHARS, "{text}");
        assert!(text.ends_with("derivative…"), "{text}");
    }

    #[test]
    fn malformed_html_does_not_panic() {
        for html in [
            "<p",
            "<p>unclosed",
            "<math><msup>",
            "<<<>>>",
            "<p>&#xffffffff; &;</p>",
            "<!--",
        ] {
            let _ = first_paragraph(html);
        }
    }
}
