//! The rules gradbook adds to inline text: which `$` is math, which code
//! span is an inline value, which way a smart quote faces.
//!
//! pulldown-cmark finds `$…$` formulas itself (that keeps `*`, `_` and `\`
//! inside them away from emphasis and escapes); these rules then hold its
//! findings to SPEC's `$` rule, Pandoc's `tex_math_dollars`:
//!
//! - an opening `$` is followed by a non-space character and a closing `$`
//!   is preceded by one (pulldown-cmark's own rule);
//! - a closing `$` is not followed by a digit, so `$5-$10` and `US$5 and
//!   US$10` are prices, not formulas ([`is_formula`]);
//! - `\$` is a dollar sign;
//! - a pair of dollars that would be a formula but for unbalanced braces
//!   (`$\frac{1}{$`) is an error, where the parser alone would have shown
//!   the TeX as text ([`Dollars`]).

use std::ops::Range;

/// The expression of an inline value: code that starts with `=` and a
/// space (`` `= J'(3)` ``), trimmed. Any other code span is code, so
/// `` `==` ``, `` `=>` `` and `` `=SUM(A1:A3)` `` stay as written.
pub(super) fn inline_value(code: &str) -> Option<&str> {
    code.strip_prefix("= ").map(str::trim)
}

/// Whether the inline formula pulldown-cmark found at `span` (dollars
/// included) keeps to the `$` rule: its closing `$` is not followed by a
/// digit.
pub(super) fn is_formula(source: &str, span: &Range<usize>) -> bool {
    !source
        .as_bytes()
        .get(span.end)
        .is_some_and(u8::is_ascii_digit)
}

/// Whether the formula pulldown-cmark found at `span` is nothing but
/// dollars (`$$$$`): an empty formula, which Pandoc's rule does not make
/// math (a formula holds at least one character), so a run of dollars is
/// text however long it is, rather than one error per four of them.
pub(super) fn is_dollar_run(source: &str, span: &Range<usize>) -> bool {
    source
        .as_bytes()
        .get(span.clone())
        .is_some_and(|run| !run.is_empty() && run.iter().all(|&b| b == b'$'))
}

/// The smart quote a left quote at `span` should have been: a quote right
/// after a word, a digit, a closing bracket or the end of code, math or a
/// tag closes (`12" ruler`, `` `x`"s ``, `<b>x</b>" y`). `None` when the
/// parser's choice stands.
pub(super) fn closing_quote(
    source: &str,
    span: &Range<usize>,
    quote: &str,
) -> Option<&'static str> {
    let closing = match quote {
        "“" => "”",
        "‘" => "’",
        _ => return None,
    };
    if span.len() != 1 || !matches!(source.as_bytes().get(span.start), Some(b'"' | b'\'')) {
        return None;
    }
    let before = source[..span.start].chars().next_back()?;
    let closes = before.is_alphanumeric()
        || matches!(
            before,
            ')' | ']' | '}' | '>' | '`' | '$' | '%' | '.' | '!' | '?'
        );
    closes.then_some(closing)
}

/// The literal (unescaped) dollar signs of one run of inline text, to find
/// pairs that the `$` rule makes a formula but pulldown-cmark did not,
/// because the braces between them do not balance.
#[derive(Debug, Default)]
pub(super) struct Dollars {
    /// Offsets of the dollars in the file, in order.
    at: Vec<usize>,
}

/// A formula with unbalanced braces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Unbalanced {
    /// The formula, dollars included.
    pub formula: Range<usize>,
    /// The brace that has no partner.
    pub brace: usize,
    /// Whether that brace is an opening one.
    pub opening: bool,
}

impl Dollars {
    /// Takes in a text event whose bytes in the file are `span`: its dollar
    /// signs are literal when the text is the source as written and the
    /// sign is not escaped.
    pub(super) fn text(&mut self, source: &str, span: &Range<usize>, text: &str) {
        if !text.contains('$') || source.get(span.clone()) != Some(text) {
            return;
        }
        for (k, _) in text.match_indices('$') {
            let at = span.start + k;
            let backslashes = source.as_bytes()[..at]
                .iter()
                .rev()
                .take_while(|&&b| b == b'\\')
                .count();
            if backslashes % 2 == 0 {
                self.at.push(at);
            }
        }
    }

    /// Ends the run of text: the formulas with unbalanced braces in it.
    pub(super) fn finish(&mut self, source: &str) -> Vec<Unbalanced> {
        let bytes = source.as_bytes();
        let opens = |at: usize| {
            bytes
                .get(at + 1)
                .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'$')
        };
        let closes = |at: usize| {
            at > 0
                && !bytes[at - 1].is_ascii_whitespace()
                && !bytes.get(at + 1).is_some_and(u8::is_ascii_digit)
        };
        let mut found = Vec::new();
        let mut k = 0;
        while k + 1 < self.at.len() {
            let (open, close) = (self.at[k], self.at[k + 1]);
            if opens(open) && closes(close) && close > open + 1 {
                if let Some((brace, opening)) = unbalanced_brace(source, open + 1..close) {
                    found.push(Unbalanced {
                        formula: open..close + 1,
                        brace,
                        opening,
                    });
                }
                k += 2;
            } else {
                k += 1;
            }
        }
        self.at.clear();
        found
    }
}

/// The first brace in `range` of `source` without a partner (`\{` and `\}`
/// are not braces), and whether it opens.
fn unbalanced_brace(source: &str, range: Range<usize>) -> Option<(usize, bool)> {
    let bytes = &source.as_bytes()[range.clone()];
    let mut open = Vec::new();
    let mut k = 0;
    while k < bytes.len() {
        match bytes[k] {
            b'\\' => k += 1,
            b'{' => open.push(range.start + k),
            b'}' if open.pop().is_none() => return Some((range.start + k, false)),
            _ => {}
        }
        k += 1;
    }
    open.first().map(|&at| (at, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_values_need_equals_and_a_space() {
        assert_eq!(inline_value("= J'(3)"), Some("J'(3)"));
        assert_eq!(inline_value("=  x "), Some("x"));
        assert_eq!(inline_value("= "), Some(""));
        for code in ["==", "=>", "=SUM(A1:A3)", "=x", "=", " = x", "a = b"] {
            assert_eq!(inline_value(code), None, "{code}");
        }
    }

    #[test]
    fn a_closing_dollar_before_a_digit_is_a_price() {
        let text = "$5-$10 and $x$ and $a$1";
        assert!(!is_formula(text, &(0..4)));
        assert!(is_formula(text, &(11..14)));
        assert!(!is_formula(text, &(19..22)));
        assert!(is_formula("$x$", &(0..3)));
    }

    #[test]
    fn runs_of_dollars_are_not_formulas() {
        let text = "a $$$$ b $x$";
        assert!(is_dollar_run(text, &(2..6)));
        assert!(!is_dollar_run(text, &(9..12)));
        assert!(!is_dollar_run(text, &(2..2)));
        assert!(!is_dollar_run(text, &(9..99)));
    }

    #[test]
    fn quotes_after_words_close() {
        let text = "a 12\" ruler, `x`'s, (\"open\")";
        assert_eq!(closing_quote(text, &(4..5), "“"), Some("”"));
        assert_eq!(closing_quote(text, &(16..17), "‘"), Some("’"));
        assert_eq!(closing_quote(text, &(21..22), "“"), None);
        assert_eq!(closing_quote(text, &(4..5), "”"), None);
        assert_eq!(closing_quote("\"", &(0..1), "“"), None);
    }

    fn unbalanced(text: &str) -> Vec<Unbalanced> {
        let mut dollars = Dollars::default();
        dollars.text(text, &(0..text.len()), text);
        dollars.finish(text)
    }

    #[test]
    fn unbalanced_braces_between_paired_dollars() {
        assert_eq!(
            unbalanced("$\\frac{1}{$ and more"),
            [Unbalanced {
                formula: 0..11,
                brace: 9,
                opening: true
            }]
        );
        assert_eq!(
            unbalanced("a $x}$ b"),
            [Unbalanced {
                formula: 2..6,
                brace: 4,
                opening: false
            }]
        );
        // By the `$` rule `$5 and {$` is a formula too, and a broken one.
        assert_eq!(unbalanced("$5 and {$").len(), 1);
        // Balanced, escaped, spaced or priced dollars are not formulas
        // with a problem.
        for text in [
            "$\\{x$",
            "$a {b} c$",
            "costs $5{ and $10",
            "\\$a{ and $",
            "$ {a $",
            "${a$1",
        ] {
            assert_eq!(unbalanced(text), [], "{text}");
        }
    }

    #[test]
    fn only_text_as_written_counts() {
        let mut dollars = Dollars::default();
        let source = "\\$a{ $";
        // The parser's text for an escaped dollar starts after the
        // backslash; the dollar is not literal.
        dollars.text(source, &(1..5), "$a{ ");
        dollars.text(source, &(5..6), "$");
        assert_eq!(dollars.finish(source), []);
        dollars.text("x", &(0..1), "$");
        assert!(dollars.at.is_empty());
    }
}
