//! HTML and XML escaping, shared by everything that writes markup by hand.
//!
//! One function serves element content and quoted attribute values alike:
//! it escapes `&`, `<`, `>`, `"` and `'`, so its output is safe in text, in
//! `"…"` and in `'…'` attributes, in HTML as in inline SVG and MathML.

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
            c => out.push(c),
        }
    }
    out
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
}
