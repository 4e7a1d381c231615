//! HTML and XML escaping, shared by everything that writes markup by hand.
//!
//! One function serves element content and quoted attribute values alike:
//! it escapes `&`, `<`, `>`, `"` and `'`, so its output is safe in text, in
//! `"…"` and in `'…'` attributes, in HTML as in inline SVG and MathML.
//! It also drops the C0 control characters other than tab, line feed and
//! carriage return ([`is_hidden_control`]): NUL, ESC and the like show
//! nothing in a browser, are not allowed in XML at all (the sitemap, SVG),
//! and U+001F separates an Anki note's fields.

/// Escapes `text` for element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_hidden_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// A C0 control character other than tab, line feed and carriage return,
/// or DEL: what [`escape`] drops.
pub fn is_hidden_control(c: char) -> bool {
    c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// `text` without its [`is_hidden_control`] characters.
pub fn drop_controls(text: &str) -> String {
    text.chars().filter(|&c| !is_hidden_control(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_both_quotes() {
        assert_eq!(
            escape("<a href=\"x\" title='y'>&amp;</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn leaves_other_text_alone() {
        assert_eq!(escape("α ≤ β, plain text"), "α ≤ β, plain text");
        assert_eq!(escape(""), "");
    }

    #[test]
    fn drops_control_characters_but_tab_and_line_breaks() {
        assert_eq!(escape("a\u{0}b\u{1b}[31mc\u{1f}d\u{7f}"), "ab[31mcd");
        assert_eq!(escape("a\tb\nc\r\n"), "a\tb\nc\r\n");
        assert_eq!(super::drop_controls("x\u{1f}y\u{8}"), "xy");
    }
}
