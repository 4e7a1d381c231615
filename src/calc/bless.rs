//! `check --bless`: the page's source with expected outputs rewritten.
//!
//! Only the expected-output lines of inputs that were open or did not
//! match are touched; every other byte of the file (front matter, prose,
//! other blocks, inputs, outputs that already match, line endings) is kept
//! as it was. New lines take the indentation of their input line and its
//! line ending, so CRLF files stay CRLF. Running bless on its own output
//! changes nothing, because a written-back output is exactly the computed
//! one.

use std::ops::Range;

use super::transcript::Entry;

/// Replace `range` of the source with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Bytes of the source to replace (empty for an insertion).
    pub range: Range<usize>,
    /// What to put there.
    pub replacement: String,
}

/// The line ending new lines of `entry` get: its input line's, or the
/// file's first, or `\n`.
fn line_ending(source: &str, entry: &Entry) -> &'static str {
    match entry.line.eol {
        "" if source.contains("\r\n") => "\r\n",
        "" => "\n",
        eol => eol,
    }
}

/// Writes the `computed` lines under an open input. `None` when there is
/// nothing to write (a definition).
pub fn fill(source: &str, entry: &Entry, computed: &[String]) -> Option<Edit> {
    if computed.is_empty() {
        return None;
    }
    let eol = line_ending(source, entry);
    let indent = entry.line.indent(source);
    let mut replacement = String::new();
    if entry.line.eol.is_empty() {
        replacement.push_str(eol);
    }
    for (k, line) in computed.iter().enumerate() {
        if k > 0 {
            replacement.push_str(eol);
        }
        replacement.push_str(indent);
        replacement.push_str(line);
    }
    if !entry.line.eol.is_empty() {
        replacement.push_str(eol);
    }
    Some(Edit {
        range: entry.line.end..entry.line.end,
        replacement,
    })
}

/// Replaces the expected lines of `entry` (from its first to its last
/// non-blank line) with the `computed` lines; with no computed lines, the
/// expected lines are removed.
pub fn replace(source: &str, entry: &Entry, computed: &[String]) -> Option<Edit> {
    let first = &entry.expected.first()?.line;
    let last = &entry.expected.last()?.line;
    if computed.is_empty() {
        return Some(Edit {
            range: first.start..last.end,
            replacement: String::new(),
        });
    }
    let eol = line_ending(source, entry);
    let indent = entry.line.indent(source);
    let replacement = computed
        .iter()
        .map(|line| format!("{indent}{line}"))
        .collect::<Vec<_>>()
        .join(eol);
    Some(Edit {
        range: first.start..last.content_end,
        replacement,
    })
}

/// Applies `edits` (in any order; overlapping ones after the first are
/// dropped) to `source`. `None` when the result equals `source`.
pub fn apply(source: &str, mut edits: Vec<Edit>) -> Option<String> {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(source.len() + 64);
    let mut at = 0;
    for edit in edits {
        if edit.range.start < at
            || edit.range.end > source.len()
            || !source.is_char_boundary(edit.range.start)
            || !source.is_char_boundary(edit.range.end)
        {
            continue;
        }
        out.push_str(&source[at..edit.range.start]);
        out.push_str(&edit.replacement);
        at = edit.range.end;
    }
    out.push_str(&source[at..]);
    (out != source).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calc::transcript;
    use crate::diagnostics::SourceText;

    fn entries(text: &str) -> (SourceText, Vec<Entry>) {
        let source = SourceText::new("b.md", text);
        let t = transcript::parse(&source, 0..text.len());
        (source, t.entries)
    }

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn fills_an_open_input_with_its_indent() {
        let (s, e) = entries("  >>> J'(3)\n  >>> 1\n");
        let edit = fill(&s.text, &e[0], &lines(&["6"])).unwrap();
        let out = apply(&s.text, vec![edit]).unwrap();
        assert_eq!(out, "  >>> J'(3)\n  6\n  >>> 1\n");
    }

    #[test]
    fn fills_at_end_of_text_without_newline() {
        let (s, e) = entries(">>> nudge(J, w=3, eps=0.001)");
        let edit = fill(&s.text, &e[0], &lines(&["a", "b"])).unwrap();
        assert_eq!(
            apply(&s.text, vec![edit]).unwrap(),
            ">>> nudge(J, w=3, eps=0.001)\na\nb"
        );
    }

    #[test]
    fn definitions_write_nothing() {
        let (s, e) = entries(">>> J(w) = w**2\n");
        assert!(fill(&s.text, &e[0], &[]).is_none());
    }

    #[test]
    fn replaces_expected_lines_and_keeps_crlf_and_blank_separators() {
        let text = ">>> descent(J)\r\nold 1\r\n...\r\nold 2\r\n\r\n>>> 2\r\n2\r\n";
        let (s, e) = entries(text);
        let edit = replace(&s.text, &e[0], &lines(&["new 1", "new 2", "new 3"])).unwrap();
        assert_eq!(
            apply(&s.text, vec![edit]).unwrap(),
            ">>> descent(J)\r\nnew 1\r\nnew 2\r\nnew 3\r\n\r\n>>> 2\r\n2\r\n"
        );
    }

    #[test]
    fn removes_expected_lines_when_nothing_is_printed() {
        let (s, e) = entries(">>> a = 1\n1\n>>> a\n1\n");
        let edit = replace(&s.text, &e[0], &[]).unwrap();
        assert_eq!(apply(&s.text, vec![edit]).unwrap(), ">>> a = 1\n>>> a\n1\n");
    }

    #[test]
    fn several_edits_apply_in_order_and_unchanged_is_none() {
        let (s, e) = entries(">>> 1\n>>> 2\n3\n");
        let edits = vec![
            replace(&s.text, &e[1], &lines(&["2"])).unwrap(),
            fill(&s.text, &e[0], &lines(&["1"])).unwrap(),
        ];
        assert_eq!(apply(&s.text, edits).unwrap(), ">>> 1\n1\n>>> 2\n2\n");
        let same = replace(&s.text, &e[1], &lines(&["3"])).unwrap();
        assert_eq!(apply(&s.text, vec![same]), None);
    }

    #[test]
    fn overlapping_edits_are_dropped() {
        let edits = vec![
            Edit {
                range: 0..3,
                replacement: "x".into(),
            },
            Edit {
                range: 1..2,
                replacement: "y".into(),
            },
        ];
        assert_eq!(apply("abcd", edits).unwrap(), "xd");
    }
}
