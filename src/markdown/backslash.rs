//! `\(…\)` and `\[…\]` math, MathJax's default delimiters, and their
//! escaped forms `\\(…\\)` and `\\[…\\]` (what kramdown and mdBook sources
//! write so that the Markdown keeps one backslash for MathJax), found
//! before the parse.
//!
//! In CommonMark `\(` is an escaped parenthesis, so pulldown-cmark would
//! show these formulas as text and read Markdown inside them (`*`, `_`,
//! `\\`). Instead each formula is found here, in the lesson's text, and
//! *masked* (same length, so every offset stays the file's) as an inline
//! `$…$` formula of filler letters wrapped in braces: `{$xxxx$}`. The
//! parser then sees one formula where the author wrote one; its braces
//! keep it apart from any unpaired `$` of the prose (pulldown-cmark pairs
//! dollars only within one brace group) and are punctuation, as `\(` and
//! `\)` are, so emphasis around the formula behaves as it did. After the
//! parse `document` gives each formula its TeX back from [`Formula`], and
//! drops the braces.
//!
//! The scan skips what is never math: code spans, fenced and indented code,
//! HTML blocks, tags and autolinks, link destinations, and `$…$`/`$$…$$`
//! formulas (`\\[2pt]` in a `$$` formula is a row break, not a delimiter).
//! What it cannot pair is a problem at its line: an opener that is never
//! closed, a closer that closes nothing, an empty formula.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use crate::components::Spanned;

/// One formula written with backslash delimiters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Formula {
    /// The whole formula in the file, delimiters included.
    pub span: Range<usize>,
    /// The TeX as it is read: the text between the delimiters, with
    /// Markdown's escapes undone in the escaped form (`\\\\` is a row break
    /// `\\` there, as mdBook documents) and the quote markers (`>`) of
    /// continuation lines dropped.
    pub tex: String,
    /// The file offset of each byte of `tex`, and of its end.
    pub offsets: Vec<usize>,
    /// `\[…\]`: a displayed formula.
    pub display: bool,
}

impl Formula {
    /// The file offset of `at`, an offset into the TeX.
    pub(super) fn origin(&self, at: usize) -> usize {
        self.offsets
            .get(at.min(self.offsets.len().saturating_sub(1)))
            .copied()
            .unwrap_or(self.span.start)
    }
}

/// A delimiter that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Problem {
    /// The delimiter in the file.
    pub span: Range<usize>,
    pub message: String,
    pub label: String,
    pub help: String,
}

/// What the scan found.
#[derive(Debug, Default)]
pub(super) struct Found {
    /// The formulas, in order.
    pub formulas: Vec<Formula>,
    pub problems: Vec<Problem>,
}

impl Found {
    /// The formula whose bytes include `at`, a file offset.
    pub(super) fn at(&self, at: usize) -> Option<&Formula> {
        let i = self.formulas.partition_point(|f| f.span.end <= at);
        self.formulas.get(i).filter(|f| f.span.start <= at)
    }
}

/// A delimiter: where it is and what it is.
#[derive(Debug, Clone, Copy)]
struct Delimiter {
    at: usize,
    /// `(`, `[`, `)` or `]`.
    kind: u8,
    /// `\\(` rather than `\(`.
    escaped: bool,
}

impl Delimiter {
    fn len(self) -> usize {
        2 + usize::from(self.escaped)
    }

    fn written(self) -> String {
        let slashes = if self.escaped { "\\\\" } else { "\\" };
        format!("{slashes}{}", self.kind as char)
    }

    fn opens(self) -> bool {
        matches!(self.kind, b'(' | b'[')
    }

    fn partner(self) -> u8 {
        match self.kind {
            b'(' => b')',
            b'[' => b']',
            b')' => b'(',
            _ => b'[',
        }
    }
}

/// Finds the backslash-delimited formulas of `text` (the lesson body as
/// masked so far, starting at file offset `base`): the text with them
/// masked (`None` when there is none) and what was found.
pub(super) fn scan(text: &str, base: usize) -> (Option<String>, Found) {
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        base,
        found: Found::default(),
        masks: Vec::new(),
        line: Line::default(),
        paragraph: 0..0,
        misses: std::collections::HashSet::new(),
    };
    scanner.run();
    let Scanner { found, masks, .. } = scanner;
    if masks.is_empty() {
        return (None, found);
    }
    let mut bytes = text.as_bytes().to_vec();
    for (at, byte) in masks {
        bytes[at] = byte;
    }
    // Every byte written is ASCII and replaces whole characters (a
    // multi-byte character by as many filler letters).
    (Some(String::from_utf8(bytes).unwrap_or_default()), found)
}

struct Scanner<'t> {
    bytes: &'t [u8],
    base: usize,
    found: Found,
    /// Bytes to replace: offset into the text, new byte.
    masks: Vec<(usize, u8)>,
    /// The line being scanned.
    line: Line,
    /// The last paragraph [`Scanner::paragraph_end`] found: from a line
    /// start to the blank line after it.
    paragraph: Range<usize>,
    /// Searches for a closing delimiter that failed: what was looked for
    /// (its first byte and length) and the limit of the search. A later
    /// search for the same in the same paragraph fails too, so each is
    /// made once and the scan stays linear.
    misses: std::collections::HashSet<(u8, usize, usize)>,
}

/// The lead of the line being scanned: the spaces and quote markers
/// (`>`) before its text.
#[derive(Debug, Default, Clone, Copy)]
struct Line {
    /// Where its lead ends.
    lead_end: usize,
    /// How many quote markers the lead holds.
    quotes: usize,
}

/// What kind of block a line continues.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Block {
    Prose,
    /// A fenced code block: its fence byte and length.
    Fence(u8, usize),
    /// An HTML block that ends at a blank line.
    HtmlToBlank,
    /// An HTML block that ends at a line holding this text.
    HtmlTo(&'static str),
    /// An indented code block.
    Indented,
}

impl Scanner<'_> {
    fn run(&mut self) {
        let mut block = Block::Prose;
        let mut previous_blank = true;
        let mut in_list = false;
        let mut at = 0;
        while at < self.bytes.len() {
            let end = self.line_end(at);
            self.enter_line(at);
            let line = &self.bytes[at..end];
            let indent = line.iter().take_while(|&&b| b == b' ').count();
            let trimmed = trim(line);
            let blank = trimmed.is_empty();
            let mut next = end + 1;
            match block {
                Block::Fence(byte, run) => {
                    let closing = trimmed.iter().take_while(|&&b| b == byte).count();
                    if indent < 4 && closing >= run && closing == trimmed.len() {
                        block = Block::Prose;
                    }
                }
                Block::HtmlTo(marker) => {
                    if contains(trimmed, marker.as_bytes()) {
                        block = Block::Prose;
                    }
                }
                Block::HtmlToBlank if blank => block = Block::Prose,
                Block::HtmlToBlank => {}
                Block::Indented if blank || indent >= 4 => {}
                Block::Indented | Block::Prose => {
                    block = Block::Prose;
                    if !blank {
                        if indent < 4 && is_list_item(trimmed) {
                            in_list = true;
                        } else if indent == 0 && previous_blank {
                            in_list = false;
                        }
                    }
                    if blank {
                    } else if indent >= 4 && previous_blank && !in_list {
                        block = Block::Indented;
                    } else if let Some(opened) = block_start(trimmed, indent) {
                        block = opened;
                        if let Block::HtmlTo(marker) = opened
                            && contains(&trimmed[1..], marker.as_bytes())
                        {
                            block = Block::Prose;
                        }
                    } else if !is_reference_definition(trimmed) {
                        next = self.prose(at + indent, end) + 1;
                    }
                }
            }
            previous_blank = blank;
            at = next;
        }
    }

    /// The end of the line holding `at` (its `\n`, or the end).
    fn line_end(&self, at: usize) -> usize {
        self.bytes[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.bytes.len(), |i| at + i)
    }

    /// Makes the line starting at `start` the one being scanned.
    fn enter_line(&mut self, start: usize) {
        let lead = self.bytes[start..]
            .iter()
            .take_while(|&&b| b == b' ' || b == b'>')
            .count();
        self.line = Line {
            lead_end: start + lead,
            quotes: self.bytes[start..start + lead]
                .iter()
                .filter(|&&b| b == b'>')
                .count(),
        };
    }

    /// Whether only the line's lead is before `at`.
    fn starts_line(&self, at: usize) -> bool {
        at <= self.line.lead_end
    }

    /// The start of the first blank line after `at`: where a paragraph
    /// holding `at` ends at the latest.
    fn paragraph_end(&mut self, at: usize) -> usize {
        if self.paragraph.contains(&at) {
            return self.paragraph.end;
        }
        let mut line = self.line_end(at);
        let mut end = self.bytes.len();
        while line < self.bytes.len() {
            let start = line + 1;
            let next = self.line_end(start);
            if trim(&self.bytes[start..next]).is_empty() {
                end = start;
                break;
            }
            line = next;
        }
        self.paragraph = at..end;
        end
    }

    /// Scans prose from `at` to the line's end `end` (and further when a
    /// construct spans lines); returns the end of the line it stopped in.
    fn prose(&mut self, mut at: usize, mut end: usize) -> usize {
        let bytes = self.bytes;
        while at < end {
            at = match bytes[at] {
                b'\\' => self.backslash(at),
                b'`' => self.code_span(at),
                b'$' => self.dollars(at),
                b'<' if bytes
                    .get(at + 1)
                    .is_some_and(|b| b.is_ascii_alphabetic() || b"/!?".contains(b)) =>
                {
                    bytes[at..end]
                        .iter()
                        .position(|&b| b == b'>')
                        .map_or(at + 1, |i| at + i + 1)
                }
                b']' if bytes.get(at + 1) == Some(&b'(') => self.destination(at + 1, end),
                _ => at + 1,
            };
            if at > end {
                if at >= bytes.len() {
                    return bytes.len();
                }
                end = self.line_end(at);
                let start = bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                self.enter_line(start);
            }
        }
        end
    }

    /// A backslash at `at`: an escape, or a delimiter.
    fn backslash(&mut self, at: usize) -> usize {
        let bytes = self.bytes;
        let next = bytes.get(at + 1).copied();
        let delimiter = match next {
            Some(b'(' | b')' | b'[' | b']') => Delimiter {
                at,
                kind: next.unwrap_or_default(),
                escaped: false,
            },
            Some(b'\\') if matches!(bytes.get(at + 2), Some(b'(' | b')' | b'[' | b']')) => {
                Delimiter {
                    at,
                    kind: bytes[at + 2],
                    escaped: true,
                }
            }
            Some(b) if b.is_ascii_punctuation() => return at + 2,
            _ => return at + 1,
        };
        if !delimiter.opens() {
            let written = delimiter.written();
            let opener = Delimiter {
                kind: delimiter.partner(),
                ..delimiter
            }
            .written();
            self.problem(
                at..at + delimiter.len(),
                format!("`{written}` closes no formula"),
                format!("no `{opener}` before it"),
                format!(
                    "open the formula with `{opener}`; for a plain `{}`, write it without the backslash (or, for a site whose prose escapes brackets, set `backslash-delimiters = false` under [math] in book.toml)",
                    delimiter.kind as char
                ),
            );
            return at + delimiter.len();
        }
        self.formula(delimiter)
    }

    /// The formula opened by `open`: recorded and masked, or a problem.
    /// Returns where scanning goes on.
    fn formula(&mut self, open: Delimiter) -> usize {
        let bytes = self.bytes;
        let start = open.at + open.len();
        let own_line = open.kind == b'[' && self.starts_line(open.at);
        let limit = if own_line {
            bytes.len()
        } else {
            self.paragraph_end(open.at)
        };
        let written = open.written();
        let closer = Delimiter {
            kind: open.partner(),
            ..open
        };
        let miss = (closer.kind, closer.len(), limit);
        let read = if self.misses.contains(&miss) {
            None
        } else {
            read_tex(
                bytes,
                start,
                limit,
                closer.kind,
                open.escaped,
                self.line.quotes,
            )
        };
        let Some((tex, offsets, close_at)) = read else {
            self.misses.insert(miss);
            let close = closer.written();
            let (label, help) = if own_line {
                (
                    format!("no `{close}` after it"),
                    format!(
                        "close it with `{close}` (a displayed formula may span lines, blank ones too)"
                    ),
                )
            } else {
                (
                    "not closed in its paragraph".to_string(),
                    format!(
                        "close it with `{close}` before the paragraph ends; for a plain `{}`, write it without the backslash",
                        open.kind as char
                    ),
                )
            };
            self.problem(
                open.at..start,
                format!("`{written}` opens a formula that is never closed"),
                label,
                help,
            );
            return start;
        };
        let end = close_at + closer.len();
        if tex.trim().is_empty() {
            self.problem(
                open.at..end,
                "empty formula".to_string(),
                "nothing between the delimiters".to_string(),
                "write the formula between them, or remove them".to_string(),
            );
            return end;
        }
        // `{$` and `$}` around filler letters, whatever the form.
        for at in open.at..end {
            self.masks.push((at, b'x'));
        }
        let n = self.masks.len();
        let first = n - (end - open.at);
        self.masks[first].1 = b'{';
        self.masks[first + 1].1 = b'$';
        self.masks[n - 2].1 = b'$';
        self.masks[n - 1].1 = b'}';
        let base = self.base;
        self.found.formulas.push(Formula {
            span: base + open.at..base + end,
            tex,
            offsets: offsets.into_iter().map(|o| o + base).collect(),
            display: open.kind == b'[',
        });
        end
    }

    /// A run of backticks at `at`: a code span when a run as long closes
    /// it in the paragraph.
    fn code_span(&mut self, at: usize) -> usize {
        let bytes = self.bytes;
        let run = bytes[at..].iter().take_while(|&&b| b == b'`').count();
        let limit = self.paragraph_end(at);
        if !self.misses.insert((b'`', run, limit)) {
            return at + run;
        }
        let mut i = at + run;
        while i < limit {
            if bytes[i] == b'`' {
                let other = bytes[i..].iter().take_while(|&&b| b == b'`').count();
                if other == run {
                    self.misses.remove(&(b'`', run, limit));
                    return i + run;
                }
                i += other;
            } else {
                i += 1;
            }
        }
        at + run
    }

    /// Dollars at `at`: a `$…$` or `$$…$$` formula is skipped whole.
    fn dollars(&mut self, at: usize) -> usize {
        let bytes = self.bytes;
        let double = bytes.get(at + 1) == Some(&b'$');
        if !double && bytes.get(at + 1).is_none_or(u8::is_ascii_whitespace) {
            return at + 1;
        }
        let limit = if double && self.starts_line(at) {
            bytes.len()
        } else {
            self.paragraph_end(at)
        };
        let width = 1 + usize::from(double);
        let miss = (b'$', width, limit);
        if self.misses.contains(&miss) {
            return at + width;
        }
        let mut i = at + width;
        while let Some(close) = find_unescaped(bytes, i, limit, &b"$$"[..width]) {
            if double || !bytes[close - 1].is_ascii_whitespace() {
                return close + width;
            }
            i = close + 1;
        }
        self.misses.insert(miss);
        at + width
    }

    /// A link destination whose `(` is at `at`: skipped to its `)`.
    fn destination(&self, at: usize, end: usize) -> usize {
        let bytes = self.bytes;
        let mut depth = 0usize;
        let mut i = at;
        while i < end {
            match bytes[i] {
                b'\\' => i += 1,
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        at + 1
    }

    fn problem(&mut self, span: Range<usize>, message: String, label: String, help: String) {
        self.found.problems.push(Problem {
            span: self.base + span.start..self.base + span.end,
            message,
            label,
            help,
        });
    }
}

/// Reads TeX from `start` up to the delimiter `\` + `close` (before
/// `limit`): the TeX, the offset of each of its bytes (and its end), and
/// where the closing delimiter starts. In the escaped form Markdown's
/// escapes are undone first (`\` before punctuation is dropped), and a
/// `\\` + `close` is the closer; lines after the first lose `quotes` quote
/// markers.
fn read_tex(
    bytes: &[u8],
    start: usize,
    limit: usize,
    close: u8,
    escaped: bool,
    quotes: usize,
) -> Option<(String, Vec<usize>, usize)> {
    let mut tex = Vec::new();
    let mut offsets = Vec::new();
    let mut i = start;
    // Whether the last byte read was a TeX backslash waiting for its
    // command's first character, and where that backslash was written.
    let mut pending: Option<usize> = None;
    while i < limit {
        let (byte, written, width) = match bytes[i] {
            b'\\' if escaped && bytes.get(i + 1).is_some_and(|b| b.is_ascii_punctuation()) => {
                (bytes[i + 1], i, 2)
            }
            b => (b, i, 1),
        };
        match pending.take() {
            Some(slash) if byte == close => {
                tex.pop();
                offsets.pop();
                offsets.push(slash);
                let text = String::from_utf8(tex).ok()?;
                return Some((text, offsets, slash));
            }
            Some(_) => {}
            None if byte == b'\\' => pending = Some(written),
            None => {}
        }
        tex.push(byte);
        offsets.push(written);
        i += width;
        if byte == b'\n' && quotes > 0 {
            let mut left = quotes;
            while left > 0 && i < limit {
                let spaces = bytes[i..limit].iter().take_while(|&&b| b == b' ').count();
                if bytes.get(i + spaces) != Some(&b'>') {
                    break;
                }
                i += spaces + 1;
                if bytes.get(i) == Some(&b' ') {
                    i += 1;
                }
                left -= 1;
            }
        }
    }
    None
}

/// The first `needle` in `bytes[from..limit]` not preceded by a backslash
/// escape.
fn find_unescaped(bytes: &[u8], from: usize, limit: usize, needle: &[u8]) -> Option<usize> {
    let mut i = from;
    while i + needle.len() <= limit {
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i..].starts_with(needle) {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn trim(line: &[u8]) -> &[u8] {
    let start = line
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &line[start..end]
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether a line (without its indentation) starts a list item.
fn is_list_item(line: &[u8]) -> bool {
    match line.first() {
        Some(b'-' | b'+' | b'*') => line.get(1).is_none_or(|&b| b == b' '),
        Some(b) if b.is_ascii_digit() => {
            let digits = line.iter().take_while(|b| b.is_ascii_digit()).count();
            matches!(line.get(digits), Some(b'.' | b')'))
                && line.get(digits + 1).is_none_or(|&b| b == b' ')
        }
        _ => false,
    }
}

/// A `[label]: destination` line, whose destination is no prose (a
/// footnote's `[^label]:` is followed by prose).
fn is_reference_definition(line: &[u8]) -> bool {
    line.first() == Some(&b'[') && line.get(1) != Some(&b'^') && contains(line, b"]:")
}

/// The code fence or HTML block a line (without its indentation) opens.
fn block_start(line: &[u8], indent: usize) -> Option<Block> {
    if indent >= 4 {
        return None;
    }
    let first = *line.first()?;
    if first == b'`' || first == b'~' {
        let run = line.iter().take_while(|&&b| b == first).count();
        let info_ok = first == b'~' || !line[run..].contains(&b'`');
        return (run >= 3 && info_ok).then_some(Block::Fence(first, run));
    }
    if first != b'<' {
        return None;
    }
    let lower: Vec<u8> = line.iter().take(12).map(u8::to_ascii_lowercase).collect();
    for (open, close) in [
        (&b"<script"[..], "</script>"),
        (b"<pre", "</pre>"),
        (b"<style", "</style>"),
        (b"<textarea", "</textarea>"),
    ] {
        if lower.starts_with(open)
            && lower
                .get(open.len())
                .is_none_or(|b| b.is_ascii_whitespace() || *b == b'>')
        {
            return Some(Block::HtmlTo(close));
        }
    }
    if line.starts_with(b"<!--") {
        return Some(Block::HtmlTo("-->"));
    }
    if line.starts_with(b"<?") {
        return Some(Block::HtmlTo("?>"));
    }
    if line.starts_with(b"<![CDATA[") {
        return Some(Block::HtmlTo("]]>"));
    }
    let rest = line.strip_prefix(b"</").unwrap_or(&line[1..]);
    rest.first()
        .is_some_and(u8::is_ascii_alphabetic)
        .then_some(Block::HtmlToBlank)
}

/// After the parse: gives each formula's event its TeX and the formula's
/// whole span (a `\[…\]` becomes displayed math), and takes the masking
/// braces out of the text around it. Where the parser read a formula's
/// mask as something else (code, HTML: the scan's view of the lesson was
/// too simple), the bytes written come back; a formula read as neither
/// math nor code is a problem.
pub(super) fn restore<'t>(
    events: &mut Vec<Spanned<'t>>,
    found: &mut Found,
    source: &'t str,
    masked: &'t str,
    base: usize,
) {
    if found.formulas.is_empty() {
        return;
    }
    let read = read_math(events, &found.formulas);
    let restored = give_back(events, &found.formulas, &read, source, masked, base);
    events.retain(|(event, _)| !matches!(event, Event::Text(t) if t.is_empty()));
    for (i, f) in found.formulas.iter().enumerate() {
        if read[i] || restored[i] {
            continue;
        }
        found.problems.push(Problem {
            span: f.span.start..f.span.start + 2,
            message: "this formula could not be read here".to_string(),
            label: "not read as math".to_string(),
            help: "put the formula on a line of its own, or write it with `$…$`".to_string(),
        });
    }
    let mut i = 0;
    found.formulas.retain(|_| {
        i += 1;
        read[i - 1]
    });
}

/// The formulas among `formulas` that overlap `span`, by index.
fn overlapping(formulas: &[Formula], span: &Range<usize>) -> Range<usize> {
    let first = formulas.partition_point(|f| f.span.end <= span.start);
    let last = formulas.partition_point(|f| f.span.start < span.end);
    first..last.max(first)
}

/// Gives the math events the parser made of masks their formula's TeX
/// and span; returns which formulas were read as math.
fn read_math(events: &mut [Spanned<'_>], formulas: &[Formula]) -> Vec<bool> {
    let mut read = vec![false; formulas.len()];
    for (event, span) in events.iter_mut() {
        let Event::InlineMath(_) = event else {
            continue;
        };
        let i = overlapping(formulas, span).start;
        let Some(f) = formulas.get(i).filter(|f| f.span.start <= span.start) else {
            continue;
        };
        if span.end > f.span.end {
            continue;
        }
        let tex = CowStr::from(f.tex.clone());
        *event = if f.display {
            Event::DisplayMath(tex)
        } else {
            Event::InlineMath(tex)
        };
        *span = f.span.clone();
        read[i] = true;
    }
    read
}

/// Takes the masking braces of the formulas read out of the text around
/// them, and gives every other event that holds masked bytes the bytes
/// written; returns which formulas that were not read came back as code
/// or HTML.
fn give_back<'t>(
    events: &mut [Spanned<'t>],
    formulas: &[Formula],
    read: &[bool],
    source: &'t str,
    masked: &'t str,
    base: usize,
) -> Vec<bool> {
    let mut restored = vec![false; formulas.len()];
    let mut in_code = false;
    let local = |span: &Range<usize>| span.start - base..span.end - base;
    for (event, span) in events.iter_mut() {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            _ => {}
        }
        let (cuts, hits): (Vec<usize>, Vec<usize>) =
            overlapping(formulas, span).partition(|&i| read[i]);
        if hits.is_empty() && cuts.is_empty() {
            continue;
        }
        let as_masked = masked.get(local(span));
        match event {
            Event::Text(t) if !in_code && hits.is_empty() => {
                // The text is as masked, or as written where a fence line
                // gave its bytes back (see `components::unmask`).
                let from = if as_masked == Some(&**t) {
                    masked
                } else if source.get(span.clone()) == Some(&**t) {
                    &source[base..]
                } else {
                    continue;
                };
                let mut kept = span.clone();
                for &i in &cuts {
                    let f = &formulas[i].span;
                    if f.start > kept.start {
                        kept.end = kept.end.min(f.start);
                    } else {
                        kept.start = kept.start.max(f.end);
                    }
                }
                kept.end = kept.end.max(kept.start);
                *t = CowStr::Borrowed(from.get(local(&kept)).unwrap_or(""));
                *span = kept;
            }
            Event::Code(t) => {
                let written = as_masked.map(|m| m.replace('\n', " "));
                if let Some(k) = written.as_deref().and_then(|m| m.find(&**t)) {
                    let from = span.start + k..span.start + k + t.len();
                    if let Some(bytes) = source.get(from) {
                        *t = CowStr::from(bytes.replace('\n', " "));
                        hits.iter().for_each(|&i| restored[i] = true);
                    }
                }
            }
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) if as_masked == Some(&**t) => {
                if let Some(bytes) = source.get(span.clone()) {
                    *t = CowStr::Borrowed(bytes);
                    if !matches!(event, Event::Text(_)) || in_code {
                        hits.iter().for_each(|&i| restored[i] = true);
                    }
                }
            }
            _ => {}
        }
    }
    restored
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The TeX of each formula found (`!` before a displayed one), and
    /// the problems' messages.
    fn found(text: &str) -> (Vec<String>, Vec<String>) {
        let (masked, found) = scan(text, 0);
        if let Some(masked) = &masked {
            assert_eq!(masked.len(), text.len());
            for f in &found.formulas {
                let shown = &masked[f.span.clone()];
                assert!(shown.starts_with("{$") && shown.ends_with("$}"), "{shown}");
                assert!(!shown[2..shown.len() - 2].contains(['$', '\n', ' ']));
            }
        }
        let tex = found
            .formulas
            .iter()
            .map(|f| format!("{}{}", if f.display { "!" } else { "" }, f.tex))
            .collect();
        let problems = found.problems.iter().map(|p| p.message.clone()).collect();
        (tex, problems)
    }

    fn tex(text: &str) -> Vec<String> {
        let (tex, problems) = found(text);
        assert_eq!(problems, Vec::<String>::new(), "{text}");
        tex
    }

    #[test]
    fn both_forms_of_both_delimiters() {
        assert_eq!(tex("a \\(x^2\\) b"), ["x^2"]);
        assert_eq!(tex("\\[\\sum_i x_i\\]"), ["!\\sum_i x_i"]);
        // The escaped form is read as Markdown reads it: `\\\\` is `\\`.
        assert_eq!(tex("\\\\( x\\_1 \\\\)"), [" x_1 "]);
        assert_eq!(tex("\\\\[ a \\\\\\\\ b \\\\]"), ["! a \\\\ b "]);
        // `\\` is a row break in the single form, not a closer.
        assert_eq!(tex("\\[ a \\\\ b \\]"), ["! a \\\\ b "]);
        assert_eq!(tex("\\( a \\\\) b \\)"), [" a \\\\) b "]);
    }

    #[test]
    fn displayed_formulas_span_lines_and_blank_lines() {
        assert_eq!(tex("\\[\na\n\nb\n\\]\n"), ["!\na\n\nb\n"]);
        // In a quote, the markers of its lines are not TeX.
        assert_eq!(tex("> \\[\n> a\n>\n> \\]\n"), ["!\na\n\n"]);
        // An inline formula ends with its paragraph.
        let (tex, problems) = found("\\( a\n\nb \\)\n");
        assert!(tex.is_empty());
        assert_eq!(
            problems,
            [
                "`\\(` opens a formula that is never closed",
                "`\\)` closes no formula"
            ]
        );
    }

    #[test]
    fn code_html_links_and_dollar_math_are_skipped() {
        for text in [
            "`\\(x\\)` and ``a \\[ ` b``",
            "```\n\\(\n```\n",
            "    \\(x\n",
            "<script>\nvar d = ['\\\\(', '\\\\)'];\n</script>\n",
            "<!-- \\(\n\n -->\n",
            "<div>\n\\(x\n</div>\n",
            "<span title=\"\\(\">",
            "[a](https://e.org/a\\)b)",
            "[a]: https://e.org/\\(\n",
            "$$ a \\\\[2pt] b $$ and $x \\\\[1pt] y$",
            "$$\na \\\\[2pt]\n\nb\n$$\n",
            "\\$ \\\\\\$",
        ] {
            assert_eq!(found(text), (vec![], vec![]), "{text}");
        }
        // In a list, an indented line is prose.
        assert_eq!(tex("- a\n\n    \\(x\\)\n"), ["x"]);
        assert_eq!(tex("[^n]: note \\(x\\)\n"), ["x"]);
        assert_eq!(tex("[l](u) \\(x\\)"), ["x"]);
    }

    #[test]
    fn what_cannot_be_read_is_a_problem() {
        let (tex, problems) = found("a \\) b \\] c \\(\\) d \\[ e");
        assert!(tex.is_empty());
        assert_eq!(
            problems,
            [
                "`\\)` closes no formula",
                "`\\]` closes no formula",
                "empty formula",
                "`\\[` opens a formula that is never closed"
            ]
        );
        // The forms do not pair with each other.
        let (_, problems) = found("\\\\( a \\)");
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn offsets_point_into_the_file() {
        let text = "ab \\\\( x\\_1 \\\\) c";
        let (_, found) = scan(text, 10);
        let f = &found.formulas[0];
        assert_eq!(f.span, 13..25);
        assert_eq!(f.tex, " x_1 ");
        // `x` is at 7 in the text, 17 in the file; `_` was written `\_`;
        // the end is the closer's.
        assert_eq!(f.origin(1), 17);
        assert_eq!(f.origin(2), 18);
        assert_eq!(f.origin(5), 22);
        assert!(found.at(13).is_some() && found.at(24).is_some());
        assert!(found.at(12).is_none() && found.at(25).is_none());
    }
}
