//! Problems in files a person wrote, with the place they happened.
//!
//! Every stage that reads content (config, front matter, Markdown,
//! components, calc blocks, links) reports problems as [`Diagnostic`]s and
//! keeps going, so one run shows every problem at once. Locations come from
//! a [`SourceText`], which maps byte offsets to 1-based line and column.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The text of one source file plus a table of where its lines start.
#[derive(Debug, Clone)]
pub struct SourceText {
    /// The path shown to the user (relative to the site root where possible).
    pub path: PathBuf,
    /// The whole file.
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceText {
    /// Wraps `text`, read from `path`.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// The 1-based line and column (in characters) of byte `offset`.
    /// Offsets past the end, or inside a UTF-8 sequence, are clamped.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        let offset = self.floor_char_boundary(offset.min(self.text.len()));
        let line_index = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line_index];
        let column = self.text[start..offset].chars().count() + 1;
        (line_index + 1, column)
    }

    /// The byte offset where 1-based `line` starts (the end of the text for
    /// lines past the end).
    pub fn line_start(&self, line: usize) -> usize {
        line.checked_sub(1)
            .and_then(|i| self.line_starts.get(i))
            .copied()
            .unwrap_or(self.text.len())
    }

    /// The text of 1-based `line`, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_start(line);
        let end = self.line_start(line + 1);
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// Number of lines (a trailing newline does not start a new line).
    pub fn line_count(&self) -> usize {
        if self.text.ends_with('\n') {
            self.line_starts.len() - 1
        } else {
            self.line_starts.len()
        }
    }

    fn floor_char_boundary(&self, mut offset: usize) -> usize {
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Severity {
    /// Something is wrong: `build` writes nothing and `check` fails.
    #[default]
    Error,
    /// Something is most likely not what the author meant (markup of
    /// another tool shown as text, code shown without highlighting), but
    /// the page can be made: it fails a run only with `--deny-warnings`.
    Warning,
}

impl Severity {
    /// `error` or `warning`, as printed before the message.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem a person can fix, with where it is and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// An error, or a warning.
    pub severity: Severity,
    /// The file, as shown to the user.
    pub file: PathBuf,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column in characters; 0 when unknown.
    pub column: usize,
    /// How many characters of the line to underline (at least 1 when shown).
    pub width: usize,
    /// The offending line, without its line ending (empty when `line` is 0).
    pub source_line: String,
    /// What is wrong, as one sentence without a trailing period.
    pub message: String,
    /// A short label put under the underlined part.
    pub label: Option<String>,
    /// Extra facts, one per line (for example `expected: 6`, `computed: 7`).
    pub notes: Vec<String>,
    /// The suggested fix, when one is obvious.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A problem with the file as a whole.
    pub fn whole_file(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            file: file.as_ref().to_path_buf(),
            line: 0,
            column: 0,
            width: 0,
            source_line: String::new(),
            message: message.into(),
            label: None,
            notes: Vec::new(),
            help: None,
        }
    }

    /// A problem at the bytes `span` of `source`.
    pub fn at(source: &SourceText, span: Range<usize>, message: impl Into<String>) -> Self {
        let (line, column) = source.locate(span.start);
        let source_line = source.line_text(line).to_string();
        let line_end = source.line_start(line) + source_line.len();
        let end = span.end.clamp(span.start, line_end.max(span.start));
        let width = source
            .text
            .get(span.start.min(source.text.len())..end.min(source.text.len()))
            .map_or(1, |s| s.chars().count().max(1));
        Self {
            severity: Severity::Error,
            file: source.path.clone(),
            line,
            column,
            width,
            source_line,
            message: message.into(),
            label: None,
            notes: Vec::new(),
            help: None,
        }
    }

    /// A problem on 1-based `line`, column `column`, `width` characters wide.
    pub fn at_line(
        source: &SourceText,
        line: usize,
        column: usize,
        width: usize,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Error,
            file: source.path.clone(),
            line,
            column,
            width,
            source_line: source.line_text(line).to_string(),
            message: message.into(),
            label: None,
            notes: Vec::new(),
            help: None,
        }
    }

    /// This problem as a warning rather than an error.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// Whether this is a warning.
    pub fn is_warning(&self) -> bool {
        self.severity == Severity::Warning
    }

    /// Adds a label under the underlined part.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Adds a note line.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Sets the suggested fix.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `file:line:col`, or just `file` for whole-file problems.
    pub fn location(&self) -> String {
        let file = self.file.display();
        match (self.line, self.column) {
            (0, _) => format!("{file}"),
            (line, 0) => format!("{file}:{line}"),
            (line, column) => format!("{file}:{line}:{column}"),
        }
    }

    /// The one-line form: `file:line:col: error: message` (or
    /// `warning:`).
    pub fn one_line(&self) -> String {
        format!(
            "{}: {}: {}",
            self.location(),
            self.severity.name(),
            self.message
        )
    }

    /// Sort key that orders diagnostics by file, then position.
    pub fn sort_key(&self) -> (PathBuf, usize, usize) {
        (self.file.clone(), self.line, self.column)
    }
}

impl Diagnostic {
    /// This diagnostic with every text that came from a file made safe for
    /// a terminal ([`printable`]): control characters in a file name, a
    /// quoted line, a message or a note are shown, never obeyed. Notes
    /// and the help may run over several lines: their line breaks are
    /// kept (the full form indents the lines after the first), every
    /// other control character is shown.
    pub fn for_terminal(&self) -> Diagnostic {
        let clean = |s: &str| printable(s).into_owned();
        let lines = |s: &str| s.split('\n').map(printable).collect::<Vec<_>>().join("\n");
        Diagnostic {
            file: PathBuf::from(clean(&self.file.to_string_lossy())),
            source_line: clean(&self.source_line),
            message: clean(&self.message),
            label: self.label.as_deref().map(clean),
            notes: self.notes.iter().map(|n| lines(n)).collect(),
            help: self.help.as_deref().map(lines),
            ..self.clone()
        }
    }

    /// The full, rustc-style form with the quoted source line, rendered by
    /// annotate-snippets; `styled` adds terminal colours.
    pub fn render(&self, styled: bool) -> String {
        use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

        let path = self.file.display().to_string();
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = level.primary_title(self.message.as_str());
        let group = if self.line == 0 {
            Group::with_title(title).element(Origin::path(path.as_str()))
        } else {
            let mut snippet = Snippet::source(self.source_line.as_str())
                .line_start(self.line)
                .path(path.as_str())
                .fold(false);
            if self.column > 0 {
                let span = char_span(&self.source_line, self.column - 1, self.width.max(1));
                let mut annotation = AnnotationKind::Primary.span(span);
                if let Some(label) = &self.label {
                    annotation = annotation.label(label.as_str());
                }
                snippet = snippet.annotation(annotation);
            }
            Group::with_title(title).element(snippet)
        };
        let group = group
            .elements(self.notes.iter().map(|n| Level::NOTE.message(n.as_str())))
            .elements(self.help.iter().map(|h| Level::HELP.message(h.as_str())));
        let renderer = if styled {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&[group])
    }
}

/// The byte range of `width` characters starting at character `column`
/// (both 0-based) of `line`, clamped to the line. An empty range at the end
/// of the line points just past its last character.
fn char_span(line: &str, column: usize, width: usize) -> Range<usize> {
    let byte_at = |chars: usize| {
        line.char_indices()
            .nth(chars)
            .map_or(line.len(), |(i, _)| i)
    };
    let start = byte_at(column);
    let end = byte_at(column + width).max(start);
    start..end
}

impl fmt::Display for Diagnostic {
    /// The full, rustc-style form with the quoted source line, no colours.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.render(false))
    }
}

/// `text` with every control character but the tab replaced by a visible
/// symbol, so that text from a file (an escape sequence, a carriage
/// return) is shown on a terminal rather than obeyed: C0 controls become
/// their Control Pictures (`␛` for ESC, as annotate-snippets shows them in
/// quoted lines), DEL becomes `␡`, and C1 controls `�`. One character
/// stays one character, so columns still line up.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\t') {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            '\t' => c,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// Sorts diagnostics by file and position and removes exact duplicates, so
/// that output is deterministic whatever order parallel stages finished in.
pub fn sort(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by_key(Diagnostic::sort_key);
    diagnostics.dedup();
}

/// The closest of `candidates` to `word`, if any is close enough to be a
/// plausible typo (used for "did you mean …?" hints). Distance counts
/// insertions, deletions, substitutions and swaps of adjacent letters
/// (`titel` is one edit from `title`).
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // One edit per six characters, plus one: enough for a typo or a swapped
    // pair of letters, too few for a different word of similar length
    // (`nowhere.md` is not a typo of `broken.md`).
    let word: Vec<char> = word.chars().collect();
    let limit = 1 + word.len() / 6;
    let mut best: Option<(usize, &str)> = None;
    let mut compared = 0;
    let mut chars = Vec::new();
    for c in candidates {
        // Only a candidate as close as the best so far can still win, and
        // `d` edits change the length by at most `d`: most candidates are
        // passed over on their length alone.
        let bound = best.map_or(limit, |(d, _)| d);
        // A character takes one to four bytes.
        if c.len() + bound < word.len() || c.len() > 4 * (word.len() + bound) {
            continue;
        }
        let len = c.chars().count();
        if len.abs_diff(word.len()) > bound {
            continue;
        }
        compared += 1;
        if compared > MAX_COMPARED {
            break;
        }
        chars.clear();
        chars.extend(c.chars());
        let Some(d) = bounded_osa(&word, &chars, bound) else {
            continue;
        };
        if best.is_none_or(|(bd, bc)| (d, c) < (bd, bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// A long list of names to suggest from, many times over (every file of
/// the content folder, for each missing image or page): kept sorted by
/// length, so that each hint looks only at names of about the right
/// length, and [`did_you_mean`] gives the same answer.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    /// Each name with its length in characters, shortest first.
    names: Vec<(usize, String)>,
}

impl Candidates {
    /// The candidates, in any order.
    pub fn new<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        let mut names: Vec<(usize, String)> = names
            .into_iter()
            .map(|name| {
                let name = name.into();
                (name.chars().count(), name)
            })
            .collect();
        names.sort();
        Self { names }
    }

    /// The closest candidate to `word`, as [`did_you_mean`] finds it.
    pub fn closest(&self, word: &str) -> Option<&str> {
        let len = word.chars().count();
        let limit = 1 + len / 6;
        let from = self.names.partition_point(|(n, _)| *n + limit < len);
        let to = self.names.partition_point(|(n, _)| *n <= len + limit);
        let mut near: Vec<&(usize, String)> = self.names[from..to].iter().collect();
        // Nearest in length first, so that the names compared in full are
        // the likeliest ones when there are very many.
        near.sort_by_key(|(n, _)| n.abs_diff(len));
        did_you_mean(word, near.into_iter().map(|(_, name)| name.as_str()))
    }
}

/// How many candidates of about the right length one hint compares in
/// full, so that thousands of misses among thousands of files cost
/// seconds, not minutes; far more than any ordinary list holds.
const MAX_COMPARED: usize = 200;

/// The optimal-string-alignment distance between `a` and `b` (insertions,
/// deletions, substitutions and swaps of adjacent characters) when it is
/// at most `bound`, else `None`. Only the band of cells within `bound` of
/// the diagonal is computed, and a row whose every cell is past `bound`
/// ends the search.
fn bounded_osa(a: &[char], b: &[char], bound: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > bound {
        return None;
    }
    let far = bound + 1;
    let width = b.len() + 1;
    let mut before = vec![far; width];
    let mut prev: Vec<usize> = (0..width).map(|j| j.min(far)).collect();
    let mut row = vec![far; width];
    for i in 1..=a.len() {
        row.fill(far);
        let lo = i.saturating_sub(bound).max(1);
        let hi = (i + bound).min(b.len());
        if i <= bound {
            row[0] = i;
        }
        let mut smallest = row[0];
        for j in lo..=hi {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j - 1] + cost).min(prev[j] + 1).min(row[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d.min(far);
            smallest = smallest.min(row[j]);
        }
        if smallest > bound {
            return None;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut row);
    }
    Some(prev[b.len()]).filter(|&d| d <= bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_distance_agrees_with_the_full_one() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "title",
            "titel",
            "tilte",
            "summary",
            "sumary",
            "broken.md",
            "nowhere.md",
            "img/photo1.png",
            "img/foto1.png",
            "ça",
            "aç",
            "calculus/derivatives.md",
            "calculus/derivative.md",
        ];
        for a in words {
            for b in words {
                let full = strsim::osa_distance(a, b);
                let (a_chars, b_chars): (Vec<char>, Vec<char>) =
                    (a.chars().collect(), b.chars().collect());
                for bound in 0..5 {
                    let expected = (full <= bound).then_some(full);
                    assert_eq!(
                        bounded_osa(&a_chars, &b_chars, bound),
                        expected,
                        "{a} {b} {bound}"
                    );
                }
            }
        }
    }

    #[test]
    fn hints_pick_the_closest_and_the_first_of_ties() {
        let names = ["title", "tilde", "summary", "date"];
        assert_eq!(did_you_mean("titel", names), Some("title"));
        assert_eq!(did_you_mean("sumary", names), Some("summary"));
        assert_eq!(did_you_mean("zzzzzz", names), None);
        assert_eq!(did_you_mean("bat", ["cat", "bar"]), Some("bar"));
    }

    #[test]
    fn locates_lines_and_columns_in_characters() {
        let src = SourceText::new("a.md", "ab\nçd=e\r\nlast");
        assert_eq!(src.locate(0), (1, 1));
        assert_eq!(src.locate(3), (2, 1));
        assert_eq!(src.locate(6), (2, 3), "ç is one character, two bytes");
        assert_eq!(src.locate(10), (3, 1));
        assert_eq!(src.locate(999), (3, 5));
        assert_eq!(src.line_text(2), "çd=e");
        assert_eq!(src.line_count(), 3);
    }

    #[test]
    fn diagnostic_points_at_span() {
        let src = SourceText::new("c.md", "x\nJ(w) = sigmod(w)\n");
        let d = Diagnostic::at(&src, 9..15, "unknown function 'sigmod'")
            .with_help("did you mean 'sigmoid'?");
        assert_eq!(d.location(), "c.md:2:8");
        assert_eq!(d.width, 6);
        let shown = d.to_string();
        assert!(shown.contains("2 | J(w) = sigmod(w)"), "{shown}");
        assert!(shown.contains("       ^^^^^^"), "{shown}");
        assert!(shown.contains("help: did you mean 'sigmoid'?"), "{shown}");
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(printable("plain\ttext"), "plain\ttext");
        assert_eq!(
            printable("a\u{1b}[31mb\r\n\u{7f}\u{9b}"),
            "a\u{241b}[31mb\u{240d}\u{240a}\u{2421}\u{fffd}"
        );
        let src = SourceText::new("a\u{1b}.md", "x `= f\u{1b}[2J(1)`\n");
        let d = Diagnostic::at(&src, 6..7, "unknown name 'f\u{1b}[2J'")
            .with_note("in the inline value `= f\u{1b}[2J(1)`")
            .with_label("\u{1b}")
            .with_help("\u{7}");
        let shown = d.for_terminal();
        let all = format!("{}{}", shown.render(false), shown.one_line());
        assert!(!all.contains('\u{1b}') && !all.contains('\u{7}'), "{all:?}");
        assert!(
            all.contains("in the inline value `= f\u{241b}[2J(1)`"),
            "{all}"
        );
        assert_eq!(
            (shown.line, shown.column, shown.width),
            (d.line, d.column, d.width)
        );
    }

    #[test]
    fn warnings_say_so_in_both_forms() {
        let src = SourceText::new("a.md", "x {:toc}\n");
        let d = Diagnostic::at(&src, 2..8, "a kramdown attribute list").warning();
        assert!(d.is_warning());
        assert_eq!(d.one_line(), "a.md:1:3: warning: a kramdown attribute list");
        let shown = d.render(false);
        assert!(
            shown.starts_with("warning: a kramdown attribute list"),
            "{shown}"
        );
        let error = Diagnostic::at(&src, 2..8, "an error");
        assert_eq!(error.one_line(), "a.md:1:3: error: an error");
        assert!(error.render(false).starts_with("error: an error"));
    }

    #[test]
    fn help_and_notes_keep_their_line_breaks_on_a_terminal() {
        let d = Diagnostic::whole_file("a\nb.md", "bad\nthing")
            .with_note("one\ntwo\r")
            .with_help("start with\n+++\u{1b}[2J");
        let shown = d.for_terminal();
        assert_eq!(shown.help.as_deref(), Some("start with\n+++\u{241b}[2J"));
        assert_eq!(shown.notes, ["one\ntwo\u{240d}"]);
        // A message and a file name stay on one line.
        assert_eq!(shown.message, "bad\u{240a}thing");
        assert_eq!(shown.one_line(), "a\u{240a}b.md: error: bad\u{240a}thing");
        let full = shown.render(false);
        // The lines after the first are indented under it.
        let after = full.split("= help: start with\n").nth(1).unwrap_or("");
        assert!(after.trim_start().starts_with("+++\u{241b}[2J"), "{full}");
        assert!(after.starts_with("  "), "{full}");
    }

    #[test]
    fn suggestions_are_close_words_only() {
        let known = ["sigmoid", "sin", "softplus"];
        assert_eq!(did_you_mean("sigmod", known), Some("sigmoid"));
        assert_eq!(did_you_mean("zzzzzz", known), None);
        let pages = ["calculus/broken.md", "calculus/linear.md"];
        assert_eq!(
            did_you_mean("calculus/lienar.md", pages),
            Some("calculus/linear.md")
        );
        assert_eq!(did_you_mean("calculus/nowhere.md", pages), None);
        assert_eq!(did_you_mean("titel", ["title", "tile"]), Some("title"));
    }
}
