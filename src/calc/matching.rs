//! Does what the author wrote match what the engine computed?
//!
//! The rules are SPEC §2's:
//! - numbers match within a relative error of 1e-9 (absolute 1e-12 near
//!   zero); a number written with a leading `~` or `≈` matches when the
//!   computed value, rounded to the decimal places written, equals it;
//! - expressions match when they are the same function: the expected text
//!   is parsed in the page's scope and both sides are evaluated at sample
//!   points where both are defined (never a text comparison);
//! - vectors and tables match cell by cell with the number rule, with free
//!   white space between cells;
//! - a `...` line matches any number of lines (doctest's ELLIPSIS);
//! - an `error:` line matches a failed input whose message contains the
//!   rest of the line.
//!
//! Numbers are compared both with the printed value (what `--bless` would
//! write at the site's precision) and with the full-precision value, so a
//! lesson may quote a result more precisely than the site prints it.

use std::cell::OnceCell;

use gradbook_math::{Expr, MathError, Scope, Value, format_number};

/// Relative tolerance of the number rule.
const RELATIVE: f64 = 1e-9;
/// Absolute tolerance of the number rule, for values near zero.
const ABSOLUTE: f64 = 1e-12;

/// Why an input's output does not match what the author wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// Index (into the expected lines) of the offending line.
    pub line: usize,
    /// What is wrong, as one sentence.
    pub message: String,
    /// The expected line, as written.
    pub expected: String,
    /// The computed line it was compared with (or a description).
    pub computed: String,
    /// More detail (for example the sample point where two functions differ).
    pub detail: Option<String>,
}

/// Checks the non-blank `expected` lines of an input against its computed
/// result, whose printed lines (see [`split_lines`]) are `printed`.
/// `expected` must not be empty (an open input is filled in, not checked).
pub fn check(
    expected: &[&str],
    computed: Result<&Value, &MathError>,
    printed: &[String],
    scope: &Scope,
    precision: usize,
) -> Result<(), Mismatch> {
    let first_real = expected.iter().position(|l| !is_ellipsis(l));
    let expects_error = first_real.is_some_and(|i| expected[i].starts_with("error:"));
    if expects_error && computed.is_ok() {
        let line = first_real.unwrap_or(0);
        return Err(Mismatch {
            line,
            message: "expected an error, but the input succeeded".to_string(),
            expected: expected[line].to_string(),
            computed: printed.join(" / "),
            detail: None,
        });
    }
    let matcher = LineMatcher {
        computed,
        scope,
        precision,
        printed,
        exact: OnceCell::new(),
    };
    ellipsis_match(expected, printed, |i, j| matcher.compute(expected[i], j)).map_err(|mut m| {
        if expects_error && computed.is_err() {
            m.message = "the error message does not match".to_string();
        }
        m
    })
}

/// Compares expected lines with computed lines.
struct LineMatcher<'a> {
    computed: Result<&'a Value, &'a MathError>,
    scope: &'a Scope,
    precision: usize,
    printed: &'a [String],
    /// The computed lines at full precision, when their layout agrees with
    /// the printed ones; computed on first use.
    exact: OnceCell<Option<Vec<String>>>,
}

impl LineMatcher<'_> {
    fn exact_lines(&self) -> Option<&[String]> {
        self.exact
            .get_or_init(|| match self.computed {
                Ok(value) if self.precision < 17 => {
                    let exact = split_lines(&value.to_text(17));
                    (exact.len() == self.printed.len()).then_some(exact)
                }
                _ => None,
            })
            .as_deref()
    }

    fn compute(&self, expected: &str, j: usize) -> Result<(), String> {
        let value = match self.computed {
            Err(err) => {
                return match expected.strip_prefix("error:") {
                    Some(rest) => error_matches(rest, err),
                    None => Err("the input failed".to_string()),
                };
            }
            Ok(value) => value,
        };
        if expected.starts_with("error:") {
            return Err("expected an error".to_string());
        }
        match value {
            Value::Number(x) => number_line_matches(expected, *x, self.precision, self.scope),
            Value::Expr(e) => expression_text_matches(expected, e, self.scope),
            Value::Vector(items) => vector_matches(expected, items, self.precision, self.scope),
            _ => {
                let printed = &self.printed[j];
                // Full precision only matters when the printed line differs.
                if tokens_match(expected, printed, None).is_ok() {
                    return Ok(());
                }
                let exact = self.exact_lines().map(|lines| lines[j].as_str());
                tokens_match(expected, printed, exact)
            }
        }
    }
}

/// Splits printed output into lines; empty output has no lines.
pub fn split_lines(text: &str) -> Vec<String> {
    if text.is_empty() {
        Vec::new()
    } else {
        text.lines().map(|l| l.trim_end().to_string()).collect()
    }
}

/// Whether an expected line is the ellipsis `...`.
fn is_ellipsis(line: &str) -> bool {
    matches!(line.trim(), "..." | "…")
}

/// Matches `expected` lines against `computed` lines where `...` stands
/// for any number of lines, with `line_matches(i, j)` deciding whether
/// expected line `i` matches computed line `j`. On failure, names the
/// first expected line that cannot be matched.
///
/// As in doctest, the lines before the first `...` must match the start of
/// the output, the lines after the last one its end, and each run between
/// two `...` is placed at its leftmost match after the previous run. Taking
/// the leftmost match is never wrong (it leaves the most room for the runs
/// after it), so this needs no backtracking: memory is constant and time
/// linear in the output unless runs between two `...` must be searched for.
fn ellipsis_match(
    expected: &[&str],
    computed: &[String],
    mut line_matches: impl FnMut(usize, usize) -> Result<(), String>,
) -> Result<(), Mismatch> {
    let n = expected.len();
    let m = computed.len();
    let lines = Lines { expected, computed };

    let ellipses: Vec<usize> = (0..n).filter(|&i| is_ellipsis(expected[i])).collect();
    let (Some(&first), Some(&last)) = (ellipses.first(), ellipses.last()) else {
        lines.in_step(&mut line_matches, 0, n, 0)?;
        if m > n {
            return Err(Mismatch {
                line: n.saturating_sub(1),
                message: "the input printed more than the expected output shows".to_string(),
                expected: expected.last().map(|s| s.to_string()).unwrap_or_default(),
                computed: lines.show(n),
                detail: Some("end the expected output with `...` to skip the rest".to_string()),
            });
        }
        return Ok(());
    };

    // The head: the start of the output.
    lines.in_step(&mut line_matches, 0, first, 0)?;
    let mut pos = first;
    let tail_len = n - last - 1;
    let room = m.saturating_sub(tail_len);

    // The runs between two `...`, each at its leftmost match.
    for pair in ellipses.windows(2) {
        let (from, to) = (pair[0] + 1, pair[1]);
        if from == to {
            continue;
        }
        // The attempt that got furthest, to explain a failure: (lines
        // matched, similarity, expected line, computed line, reason).
        let mut best: Option<(usize, usize, usize, usize, String)> = None;
        let mut found = None;
        let mut start = pos;
        while start + (to - from) <= room {
            let failure = (from..to).enumerate().find_map(|(k, i)| {
                line_matches(i, start + k)
                    .err()
                    .map(|reason| (k, i, start + k, reason))
            });
            match failure {
                None => {
                    found = Some(start);
                    break;
                }
                Some((k, i, j, reason)) => {
                    let alike = similarity(expected[i], &computed[j]);
                    if best.as_ref().is_none_or(|b| (k, alike) > (b.0, b.1)) {
                        best = Some((k, alike, i, j, reason));
                    }
                }
            }
            start += 1;
        }
        match (found, best) {
            (Some(start), _) => pos = start + (to - from),
            (None, Some((_, _, i, j, reason))) => return Err(lines.mismatch(i, j, reason)),
            (None, None) => return Err(lines.too_short(from)),
        }
    }

    // The tail: the end of the output, but never before what is matched.
    lines.in_step(&mut line_matches, last + 1, n, room.max(pos))
}

/// The two sides of a comparison, for building [`Mismatch`]es.
struct Lines<'a> {
    expected: &'a [&'a str],
    computed: &'a [String],
}

impl Lines<'_> {
    /// Computed line `j`, or a stand-in past the end.
    fn show(&self, j: usize) -> String {
        self.computed
            .get(j)
            .cloned()
            .unwrap_or_else(|| "(no more output)".to_string())
    }

    fn mismatch(&self, i: usize, j: usize, reason: String) -> Mismatch {
        Mismatch {
            line: i,
            message: "output does not match".to_string(),
            expected: self.expected[i].to_string(),
            computed: self.show(j),
            detail: Some(reason).filter(|r| !r.is_empty()),
        }
    }

    fn too_short(&self, i: usize) -> Mismatch {
        Mismatch {
            line: i,
            message: "expected more output than the input printed".to_string(),
            expected: self.expected[i].to_string(),
            computed: self.show(self.computed.len()),
            detail: None,
        }
    }

    /// Expected lines `from..to` against computed lines from `at` on, in
    /// step; the first line without a match or a counterpart is the error.
    fn in_step(
        &self,
        line_matches: &mut impl FnMut(usize, usize) -> Result<(), String>,
        from: usize,
        to: usize,
        at: usize,
    ) -> Result<(), Mismatch> {
        for (k, i) in (from..to).enumerate() {
            let j = at + k;
            if j >= self.computed.len() {
                return Err(self.too_short(i));
            }
            line_matches(i, j).map_err(|reason| self.mismatch(i, j, reason))?;
        }
        Ok(())
    }
}

/// How alike two lines look: the number of white-space-separated cells
/// that are equal at the same position.
fn similarity(a: &str, b: &str) -> usize {
    a.split_whitespace()
        .zip(b.split_whitespace())
        .filter(|(x, y)| x == y)
        .count()
}

/// `error: rest` against a computed error.
fn error_matches(rest: &str, err: &MathError) -> Result<(), String> {
    let rest = rest.trim();
    if err.message.contains(rest) || err.to_string().contains(rest) {
        Ok(())
    } else {
        Err(format!("the message does not contain '{rest}'"))
    }
}

// ---------------------------------------------------------------- numbers

/// A number as an author wrote it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct WrittenNumber {
    /// Its value.
    value: f64,
    /// For `~`/`≈` numbers, the decimal places written (negative for
    /// `~1e3`-style numbers that are rounded to tens, hundreds, …).
    approx: Option<i32>,
}

impl WrittenNumber {
    /// Whether a computed value matches: `exact` is the full-precision
    /// value, `printed` the value as printed at the site's precision.
    fn matches(&self, exact: f64, printed: f64) -> bool {
        match self.approx {
            Some(decimals) => {
                rounds_to(exact, self.value, decimals) || rounds_to(printed, self.value, decimals)
            }
            None => close(self.value, exact) || close(self.value, printed),
        }
    }
}

/// The number rule: relative error 1e-9, absolute 1e-12 near zero; `inf`
/// and `nan` match only themselves.
fn close(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a.is_infinite() || b.is_infinite() {
        return a == b;
    }
    let diff = (a - b).abs();
    diff <= ABSOLUTE || diff <= RELATIVE * a.abs().max(b.abs())
}

/// The most decimal places an approximate number is rounded to; written
/// to more, it is compared by the plain number rule.
const MAX_ROUNDED_DECIMALS: i32 = 15;

/// Whether `value` rounded to `decimals` places equals `written`.
fn rounds_to(value: f64, written: f64, decimals: i32) -> bool {
    if !value.is_finite() || !written.is_finite() {
        return close(value, written);
    }
    if decimals > MAX_ROUNDED_DECIMALS {
        return close(value, written);
    }
    let scale = 10f64.powi(decimals);
    let rounded = (value * scale).round();
    let target = (written * scale).round();
    rounded == target || ((value * scale) - target).abs() <= 0.5 + 1e-9 * target.abs().max(1.0)
}

/// Parses a whole string as one number, optionally `~`/`≈`-prefixed.
fn parse_written_number(s: &str) -> Option<WrittenNumber> {
    let s = s.trim();
    let (body, approx) = match s.strip_prefix('~').or_else(|| s.strip_prefix('≈')) {
        Some(rest) => (rest.trim_start(), true),
        None => (s, false),
    };
    let len = number_len(body)?;
    if len != body.len() {
        return None;
    }
    let value = parse_number_literal(body)?;
    let approx = if approx {
        Some(decimals_written(body)?)
    } else {
        None
    };
    Some(WrittenNumber { value, approx })
}

/// The decimal places a literal is written to: `0.006` → 3, `1.5e-3` → 4,
/// `1200` → 0, `1.2e3` → -2.
fn decimals_written(literal: &str) -> Option<i32> {
    let literal = literal.trim_start_matches(['-', '+']);
    if matches!(literal, "inf" | "nan") {
        return Some(0);
    }
    let (mantissa, exponent) = match literal.find(['e', 'E']) {
        Some(i) => (&literal[..i], literal[i + 1..].parse::<i32>().ok()?),
        None => (literal, 0),
    };
    let fraction = mantissa.find('.').map_or(0, |i| mantissa.len() - i - 1);
    let fraction = i32::try_from(fraction).ok()?;
    Some(fraction.saturating_sub(exponent))
}

fn parse_number_literal(s: &str) -> Option<f64> {
    match s {
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        "nan" | "-nan" | "+nan" => Some(f64::NAN),
        _ => s.parse::<f64>().ok(),
    }
}

/// The length in bytes of the number literal at the start of `s`, if one
/// starts there: optional sign, digits with an optional fraction, optional
/// exponent; or `inf`/`nan`.
fn number_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    for word in ["inf", "nan"] {
        if s[i..].starts_with(word) {
            let end = i + word.len();
            let boundary = s[end..].chars().next().is_none_or(|c| !is_ident_char(c));
            return boundary.then_some(end);
        }
    }
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - digits_start;
    if i < b.len() && b[i] == b'.' {
        let frac_start = i + 1;
        let mut k = frac_start;
        while k < b.len() && b[k].is_ascii_digit() {
            k += 1;
        }
        if digits > 0 || k > frac_start {
            digits += k - frac_start;
            i = k;
        }
    }
    if digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut k = i + 1;
        if k < b.len() && (b[k] == b'-' || b[k] == b'+') {
            k += 1;
        }
        let exp_start = k;
        while k < b.len() && b[k].is_ascii_digit() {
            k += 1;
        }
        if k > exp_start {
            i = k;
        }
    }
    Some(i)
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '\''
}

/// A line of a single number (the output of a value): the number rule,
/// or a constant expression (`2/3`) evaluated.
fn number_line_matches(
    expected: &str,
    value: f64,
    precision: usize,
    scope: &Scope,
) -> Result<(), String> {
    let printed = printed_value(value, precision);
    if let Some(written) = parse_written_number(expected) {
        return if written.matches(value, printed) {
            Ok(())
        } else {
            Err(number_reason(&written, value))
        };
    }
    match scope.parse_expr(expected) {
        Ok(expr) if expr.free_vars().is_empty() => match expr.eval(&[]) {
            Ok(v) if close(v, value) || close(v, printed) => Ok(()),
            Ok(v) => Err(format!(
                "{expected} is {}, not {}",
                format_number(v, 17),
                format_number(value, 17)
            )),
            Err(err) => Err(format!("the expected value fails: {}", err.message)),
        },
        _ => Err("expected a number".to_string()),
    }
}

fn number_reason(written: &WrittenNumber, value: f64) -> String {
    match written.approx {
        // Past 15 places `rounds_to` applies the plain number rule, and
        // the reason is the one for plain numbers.
        Some(d) if (0..=MAX_ROUNDED_DECIMALS).contains(&d) => format!(
            "{} rounded to {d} decimal place{} is {}",
            format_number(value, 17),
            if d == 1 { "" } else { "s" },
            rounded_text(value, d)
        ),
        Some(d) if d < 0 => format!("{} does not round to it", format_number(value, 17)),
        _ => {
            let diff = (written.value - value).abs();
            let rel = diff / value.abs().max(written.value.abs());
            if rel.is_finite() && value != 0.0 {
                format!("off by {} (relative {:.1e})", format_number(diff, 6), rel)
            } else {
                String::new()
            }
        }
    }
}

fn rounded_text(value: f64, decimals: i32) -> String {
    let d = usize::try_from(decimals).unwrap_or(0);
    format!("{value:.d$}")
}

/// `value` as printed at `precision`, read back.
fn printed_value(value: f64, precision: usize) -> f64 {
    parse_number_literal(&format_number(value, precision)).unwrap_or(value)
}

// ---------------------------------------------------------------- tokens

/// A piece of a line: a number, or text between numbers (white space
/// removed, so that it is free).
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number { value: f64, approx: Option<i32> },
    Text(String),
}

/// Splits a line into numbers and the text between them. A digit, or a
/// sign before one, starts a number only when it does not continue a name
/// (`w1`, `dL/dw2`); a sign is part of a number only at the start, after
/// white space or after one of `( [ , = :`.
fn tokenize(line: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut text = String::new();
    let mut prev: Option<char> = None;
    let mut i = 0;
    let flush = |text: &mut String, tokens: &mut Vec<Token>| {
        if !text.is_empty() {
            tokens.push(Token::Text(std::mem::take(text)));
        }
    };
    while i < line.len() {
        let rest = &line[i..];
        let c = rest.chars().next().unwrap_or(' ');
        if c.is_whitespace() {
            // White space separates numbers but is otherwise ignored.
            flush(&mut text, &mut tokens);
            prev = Some(' ');
            i += c.len_utf8();
            continue;
        }
        let after_separator =
            prev.is_none_or(|p| p.is_whitespace() || matches!(p, '(' | '[' | ',' | '=' | ':'));
        let continues_name = prev.is_some_and(|p| is_ident_char(p) || p == '.');
        let (approx, body_offset) = if c == '~' || c == '≈' {
            let skip = c.len_utf8();
            let ws = rest[skip..].len() - rest[skip..].trim_start().len();
            (true, skip + ws)
        } else {
            (false, 0)
        };
        let body = &rest[body_offset..];
        let signed = body.starts_with(['-', '+']);
        let starts_number = !continues_name && (!signed || after_separator || approx);
        if starts_number && let Some(len) = number_len(body) {
            let literal = &body[..len];
            let follows_name = body[len..].chars().next().is_some_and(is_ident_char);
            let is_word = literal
                .trim_start_matches(['-', '+'])
                .starts_with(['i', 'n']);
            if (!follows_name || is_word)
                && let Some(value) = parse_number_literal(literal)
            {
                flush(&mut text, &mut tokens);
                let approx = if approx {
                    decimals_written(literal)
                } else {
                    None
                };
                tokens.push(Token::Number { value, approx });
                i += body_offset + len;
                prev = literal.chars().last();
                continue;
            }
        }
        text.push(c);
        prev = Some(c);
        i += c.len_utf8();
    }
    flush(&mut text, &mut tokens);
    // Adjacent text pieces (split by white space) compare as one.
    let mut merged: Vec<Token> = Vec::new();
    for token in tokens {
        match (merged.last_mut(), token) {
            (Some(Token::Text(a)), Token::Text(b)) => a.push_str(&b),
            (_, token) => merged.push(token),
        }
    }
    merged
}

/// A line of a nudge, a descent table or a plot, compared token by token:
/// the text must agree (white space aside) and the numbers by the number
/// rule. `exact` is the same line printed at full precision, when known.
fn tokens_match(expected: &str, printed: &str, exact: Option<&str>) -> Result<(), String> {
    let want = tokenize(expected);
    let got = tokenize(printed);
    let got_exact = exact.map(tokenize).filter(|e| same_shape(e, &got));
    if want.len() != got.len() {
        let count = |t: &[Token]| {
            t.iter()
                .filter(|t| matches!(t, Token::Number { .. }))
                .count()
        };
        return Err(format!(
            "{} numbers written, {} computed",
            count(&want),
            count(&got)
        ));
    }
    let mut numbers = 0;
    for (k, (w, g)) in want.iter().zip(&got).enumerate() {
        match (w, g) {
            (Token::Text(a), Token::Text(b)) if a == b => {}
            (Token::Number { value, approx }, Token::Number { value: p, .. }) => {
                numbers += 1;
                let exact = match got_exact.as_ref().map(|e| &e[k]) {
                    Some(Token::Number { value, .. }) => *value,
                    _ => *p,
                };
                let written = WrittenNumber {
                    value: *value,
                    approx: *approx,
                };
                if !written.matches(exact, *p) {
                    let (shown, rounded) = match approx {
                        Some(d) => (
                            format!("~{}", format_number(*value, 15)),
                            if *d >= 0 {
                                format!(", which rounds to {}", rounded_text(exact, *d))
                            } else {
                                String::new()
                            },
                        ),
                        None => (format_number(*value, 15), String::new()),
                    };
                    return Err(format!(
                        "number {numbers} differs: written {shown}, computed {}{rounded}",
                        format_number(*p, 15)
                    ));
                }
            }
            (Token::Text(a), Token::Text(b)) => {
                return Err(format!("the text differs: '{a}' written, '{b}' computed"));
            }
            _ => return Err("a number and a word are swapped".to_string()),
        }
    }
    Ok(())
}

fn same_shape(a: &[Token], b: &[Token]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            matches!(
                (x, y),
                (Token::Number { .. }, Token::Number { .. }) | (Token::Text(_), Token::Text(_))
            )
        })
}

// ---------------------------------------------------------------- vectors

/// Splits `[a, b, c]` into its cells at top-level commas.
fn split_vector(text: &str) -> Option<Vec<&str>> {
    let inner = text.trim().strip_prefix('[')?.strip_suffix(']')?;
    if inner.trim().is_empty() {
        return Some(Vec::new());
    }
    let mut cells = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                cells.push(inner[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    cells.push(inner[start..].trim());
    Some(cells)
}

fn vector_matches(
    expected: &str,
    items: &[Value],
    precision: usize,
    scope: &Scope,
) -> Result<(), String> {
    let Some(cells) = split_vector(expected) else {
        return Err("expected a vector like [2, 12]".to_string());
    };
    if cells.len() != items.len() {
        return Err(format!(
            "{} components expected, {} computed",
            cells.len(),
            items.len()
        ));
    }
    for (k, (cell, item)) in cells.iter().zip(items).enumerate() {
        let outcome = match item {
            Value::Number(x) => number_line_matches(cell, *x, precision, scope),
            Value::Expr(e) => expression_text_matches(cell, e, scope),
            other => {
                let a: String = cell.split_whitespace().collect();
                let b: String = other.to_text(precision).split_whitespace().collect();
                if a == b { Ok(()) } else { Err(String::new()) }
            }
        };
        if let Err(reason) = outcome {
            let reason = if reason.is_empty() {
                String::new()
            } else {
                format!(": {reason}")
            };
            return Err(format!("component {} differs{reason}", k + 1));
        }
    }
    Ok(())
}

// ------------------------------------------------------------ expressions

/// Sample values, chosen to avoid 0, ±1, integers and other special points
/// where distinct functions often agree; mixed signs so that a domain
/// restricted on one side still leaves points.
const SAMPLES: [f64; 20] = [
    0.7183, 1.4137, -0.5772, 2.2361, 0.3679, -1.618, 1.7321, 2.6458, -2.4495, 0.1234, 3.1287,
    -0.9003, 1.0507, 0.5403, 4.3012, -3.3019, 0.2718, 1.2599, -0.1587, 2.9957,
];
/// How many agreeing points settle that two expressions are the same.
const ENOUGH: usize = 8;

/// The expected text parsed in `scope`, compared as a function with `computed`.
fn expression_text_matches(expected: &str, computed: &Expr, scope: &Scope) -> Result<(), String> {
    match scope.parse_expr(expected) {
        Ok(written) => same_function(&written, computed),
        Err(err) => Err(format!("the expected text is not an expression: {err}")),
    }
}

/// Whether two expressions are the same function: both are evaluated at
/// sample points of their variables, skipping points where either is
/// undefined, and must agree within the number rule (absolute tolerance
/// 1e-10, for round-off in cancelling terms).
fn same_function(expected: &Expr, computed: &Expr) -> Result<(), String> {
    let mut vars = expected.free_vars();
    vars.extend(computed.free_vars());
    vars.sort();
    vars.dedup();
    let mut agreed = 0;
    // The base points first; if the functions share no domain there (say
    // `sqrt(w - 10)`), the same points scaled up and down.
    for scale in [1.0, 10.0, 100.0, 0.01] {
        for k in 0..SAMPLES.len() {
            let point: Vec<(&str, f64)> = vars
                .iter()
                .enumerate()
                .map(|(v, name)| {
                    let base = SAMPLES[(k + 7 * v) % SAMPLES.len()] + 0.0131 * v as f64;
                    (name.as_str(), base * scale)
                })
                .collect();
            let (Ok(a), Ok(b)) = (expected.eval(&point), computed.eval(&point)) else {
                continue;
            };
            if !a.is_finite() || !b.is_finite() {
                continue;
            }
            let diff = (a - b).abs();
            if diff > 1e-10 && diff > RELATIVE * a.abs().max(b.abs()) {
                let at = point
                    .iter()
                    .map(|(n, x)| format!("{n} = {}", format_number(*x, 6)))
                    .collect::<Vec<_>>()
                    .join(", ");
                let at = if at.is_empty() {
                    String::new()
                } else {
                    format!("at {at}, ")
                };
                return Err(format!(
                    "not the same function: {at}expected gives {}, computed gives {}",
                    format_number(a, 12),
                    format_number(b, 12)
                ));
            }
            agreed += 1;
            if agreed >= ENOUGH || vars.is_empty() {
                return Ok(());
            }
        }
        if agreed >= 3 {
            return Ok(());
        }
    }
    if agreed > 0 {
        return Ok(());
    }
    // No point where both are defined: fall back to the printed forms.
    if expected.to_text() == computed.to_text() {
        Ok(())
    } else {
        Err("no sample point where both expressions are defined".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(value: f64) -> Token {
        Token::Number {
            value,
            approx: None,
        }
    }
    fn t(s: &str) -> Token {
        Token::Text(s.to_string())
    }

    #[test]
    fn number_rule_relative_and_absolute() {
        assert!(close(6.0, 6.0));
        assert!(close(9.006001, 9.006001 + 1e-12));
        assert!(close(1e20, 1e20 * (1.0 + 5e-10)));
        assert!(!close(1e20, 1e20 * (1.0 + 5e-9)));
        assert!(close(0.0, 5e-13));
        assert!(!close(0.0, 5e-12));
        assert!(!close(6.0, 6.001));
        assert!(close(f64::INFINITY, f64::INFINITY));
        assert!(!close(f64::INFINITY, f64::NEG_INFINITY));
        assert!(close(f64::NAN, f64::NAN));
        assert!(!close(f64::NAN, 1.0));
    }

    #[test]
    fn extreme_exponents_in_expected_numbers_do_not_panic() {
        for written in [
            "~9e-2147483648",
            "~9e2147483647",
            "~1e-400",
            "≈1e999999999999",
        ] {
            assert!(run_check(&[], "9", &[written]).is_err(), "{written}");
        }
        assert!(run_check(&[], "0", &["~0e-2147483648"]).is_ok());
    }

    #[test]
    fn approximate_numbers_round_to_the_decimals_written() {
        let w = parse_written_number("~0.006").unwrap();
        assert_eq!(w.approx, Some(3));
        assert!(w.matches(0.006001, 0.006001));
        assert!(!w.matches(0.0071, 0.0071));
        let w = parse_written_number("≈ 9.01").unwrap();
        assert!(w.matches(9.006001, 9.006001));
        assert!(!w.matches(9.016, 9.016));
        let w = parse_written_number("~1.2e3").unwrap();
        assert_eq!(w.approx, Some(-2));
        assert!(w.matches(1234.0, 1234.0));
        assert!(!w.matches(1260.0, 1260.0));
        assert_eq!(decimals_written("1.5e-3"), Some(4));
        assert_eq!(decimals_written("-1200"), Some(0));
    }

    #[test]
    fn plain_numbers_use_printed_or_exact_value() {
        let w = parse_written_number("0.333333333333").unwrap();
        assert!(w.matches(1.0 / 3.0, 0.333333333333));
        // Quoted at lower precision than computed: only the printed value
        // (at a precision of 4) makes it match.
        let w = parse_written_number("0.3333").unwrap();
        assert!(w.matches(1.0 / 3.0, 0.3333));
        assert!(!w.matches(1.0 / 3.0, 0.333333333333));
        assert!(parse_written_number("6x").is_none());
        assert!(parse_written_number("2/3").is_none());
        assert!(parse_written_number("-inf").unwrap().value.is_infinite());
    }

    #[test]
    fn tokenizer_separates_numbers_from_names() {
        assert_eq!(
            tokenize("J(3.001) = 9.006001"),
            [t("J("), n(3.001), t(")="), n(9.006001)]
        );
        assert_eq!(
            tokenize("step  w1  w2  L(w1, w2)  dL/dw1  dL/dw2"),
            [t("stepw1w2L(w1,w2)dL/dw1dL/dw2")]
        );
        assert_eq!(
            tokenize("2   -0.5  1e-10  -inf"),
            [n(2.0), n(-0.5), n(1e-10), n(f64::NEG_INFINITY)]
        );
        assert_eq!(
            tokenize("plot: J(w) for w in [-4, 4], tangent at w=3, slope 6"),
            [
                t("plot:J(w)forwin["),
                n(-4.0),
                t(","),
                n(4.0),
                t("],tangentatw="),
                n(3.0),
                t(",slope"),
                n(6.0)
            ]
        );
        assert_eq!(
            tokenize("ΔJ/ε = ~0.006"),
            [
                t("ΔJ/ε="),
                Token::Number {
                    value: 0.006,
                    approx: Some(3)
                }
            ]
        );
    }

    #[test]
    fn table_rows_match_cell_by_cell_with_free_space() {
        assert!(tokens_match("1  2.4  5.76  4.8", "1     2.4    5.76   4.8", None).is_ok());
        assert!(tokens_match("1 2.4 ~5.8 4.8", "1  2.4  5.76  4.8", None).is_ok());
        assert!(tokens_match("step w J(w) dJ/dw", "step  w    J(w)   dJ/dw", None).is_ok());
        let err = tokens_match("1  2.4  5.77  4.8", "1  2.4  5.76  4.8", None).unwrap_err();
        assert!(
            err.contains("number 3 differs: written 5.77, computed 5.76"),
            "{err}"
        );
        assert!(tokens_match("1  2.4  5.76", "1  2.4  5.76  4.8", None).is_err());
        assert!(tokens_match("step w L(w) dL/dw", "step  w  J(w)  dJ/dw", None).is_err());
        // The exact value rescues a quote more precise than the print.
        assert!(
            tokens_match(
                "x = 0.33333333333333",
                "x = 0.3333",
                Some("x = 0.33333333333333331")
            )
            .is_ok()
        );
    }

    #[test]
    fn vectors_split_at_top_level_commas() {
        assert_eq!(split_vector("[2, 12]").unwrap(), ["2", "12"]);
        assert_eq!(
            split_vector("[ 2*w1 , f(a, b) ]").unwrap(),
            ["2*w1", "f(a, b)"]
        );
        assert_eq!(split_vector("[]").unwrap(), Vec::<&str>::new());
        assert!(split_vector("2, 12").is_none());
    }

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn eq_matcher<'a>(
        expected: &'a [&'a str],
        computed: &'a [String],
    ) -> impl FnMut(usize, usize) -> Result<(), String> + 'a {
        move |i, j| {
            if expected[i] == computed[j] {
                Ok(())
            } else {
                Err("differs".to_string())
            }
        }
    }

    #[test]
    fn ellipsis_matches_any_number_of_lines() {
        let computed = lines(&["h", "0", "1", "2", "3", "4"]);
        for expected in [
            &["h", "...", "4"][..],
            &["h", "0", "...", "3", "4"],
            &["...", "4"],
            &["h", "..."],
            &["..."],
            &["h", "0", "...", "1", "2", "3", "4"],
        ] {
            assert!(
                ellipsis_match(expected, &computed, eq_matcher(expected, &computed)).is_ok(),
                "{expected:?}"
            );
        }
    }

    #[test]
    fn ellipsis_failures_name_the_offending_line() {
        let computed = lines(&["h", "0", "1", "2"]);
        let expected = ["h", "...", "9"];
        let m = ellipsis_match(&expected, &computed, eq_matcher(&expected, &computed)).unwrap_err();
        assert_eq!(m.line, 2);
        assert_eq!(m.expected, "9");

        let expected = ["h", "0"];
        let m = ellipsis_match(&expected, &computed, eq_matcher(&expected, &computed)).unwrap_err();
        assert_eq!(m.line, 1);
        assert_eq!(m.computed, "1");
        assert!(m.message.contains("more than"), "{m:?}");

        let expected = ["h", "0", "1", "2", "3"];
        let m = ellipsis_match(&expected, &computed, eq_matcher(&expected, &computed)).unwrap_err();
        assert_eq!(m.line, 4);
        assert!(m.message.contains("expected more output"), "{m:?}");

        let expected = ["h", "x", "1", "2"];
        let m = ellipsis_match(&expected, &computed, eq_matcher(&expected, &computed)).unwrap_err();
        assert_eq!((m.line, m.computed.as_str()), (1, "0"));
    }

    #[test]
    fn runs_between_ellipses_are_found_in_order() {
        let computed = lines(&["h", "0", "1", "2", "3", "4"]);
        for expected in [
            &["h", "...", "2", "...", "4"][..],
            &["...", "1", "2", "...", "4"],
            &["...", "0", "...", "3", "..."],
            &["h", "...", "...", "4"],
        ] {
            assert!(
                ellipsis_match(expected, &computed, eq_matcher(expected, &computed)).is_ok(),
                "{expected:?}"
            );
        }
        // Out of order, or overlapping the tail: no match.
        for expected in [
            &["...", "3", "...", "1", "..."][..],
            &["h", "...", "4", "...", "4"],
        ] {
            assert!(
                ellipsis_match(expected, &computed, eq_matcher(expected, &computed)).is_err(),
                "{expected:?}"
            );
        }
        // A run that almost matches is reported where it went wrong.
        let expected = ["h", "...", "2", "9", "...", "4"];
        let m = ellipsis_match(&expected, &computed, eq_matcher(&expected, &computed)).unwrap_err();
        assert_eq!(
            (m.line, m.expected.as_str(), m.computed.as_str()),
            (3, "9", "3")
        );
    }

    #[test]
    fn long_outputs_match_in_constant_memory() {
        // A 200,000-row table once needed a 200,000 × 200,000 grid.
        let rows: Vec<String> = (0..200_000).map(|i| format!("{i}  {}", i * 2)).collect();
        let expected: Vec<&str> = rows.iter().map(String::as_str).collect();
        assert!(ellipsis_match(&expected, &rows, eq_matcher(&expected, &rows)).is_ok());
        let expected = [
            rows[0].as_str(),
            "...",
            rows[100_000].as_str(),
            "...",
            rows[199_999].as_str(),
        ];
        assert!(ellipsis_match(&expected, &rows, eq_matcher(&expected, &rows)).is_ok());
    }

    /// Runs `setup` then `input` in a fresh scope and checks `expected`.
    fn run_check(setup: &[&str], input: &str, expected: &[&str]) -> Result<(), Mismatch> {
        let mut scope = Scope::new();
        for line in setup {
            scope.run(line).expect("setup");
        }
        let result = scope.run(input);
        let printed = match &result {
            Ok(value) => split_lines(&value.to_text(12)),
            Err(err) => vec![format!("error: {}", err.message)],
        };
        check(expected, result.as_ref(), &printed, &scope, 12)
    }

    #[test]
    fn expressions_match_as_functions() {
        let j = ["J(w) = w**2"];
        for written in ["2*w", "w*2", "w + w", "2 * w", "4*w/2"] {
            assert!(
                run_check(&j, "diff(J(w), w)", &[written]).is_ok(),
                "{written}"
            );
        }
        let m = run_check(&j, "diff(J(w), w)", &["3*w"]).unwrap_err();
        assert!(m.detail.unwrap().contains("not the same function"));
        assert!(run_check(&j, "diff(J(w), w)", &["2*x"]).is_err());
        assert!(run_check(&j, "diff(J(w), w)", &["2*w +"]).is_err());
        // Defined functions of the scope may appear in the expected text.
        assert!(run_check(&[], "diff(sigmoid(z), z)", &["sigmoid(z)*(1 - sigmoid(z))"]).is_ok());
        assert!(run_check(&[], "diff(sigmoid(z), z)", &["exp(-z)/(1 + exp(-z))**2"]).is_ok());
        assert!(run_check(&["f(x) = x**3"], "diff(f(x), x)", &["3*x**2"]).is_ok());
        // Only the positive half is shared: points where one side is undefined are skipped.
        assert!(run_check(&[], "diff(log(x), x)", &["1/x"]).is_ok());
        assert!(run_check(&[], "diff(3*w**2 + 2*w, w, 2)", &["6"]).is_ok());
        // A domain far from the base points is still sampled.
        assert!(run_check(&[], "diff(2*sqrt(w - 10), w)", &["1/sqrt(w - 10)"]).is_ok());
        assert!(run_check(&[], "diff(2*sqrt(w - 10), w)", &["2/sqrt(w - 10)"]).is_err());
    }

    #[test]
    fn numbers_in_every_form() {
        assert!(run_check(&[], "1/3", &["0.333333333333"]).is_ok());
        assert!(run_check(&[], "1/3", &["~0.33"]).is_ok());
        assert!(run_check(&[], "1/3", &["≈0.333"]).is_ok());
        assert!(run_check(&[], "1/3", &["~0.34"]).is_err());
        assert!(run_check(&[], "1/3", &["0.3334"]).is_err());
        assert!(run_check(&[], "3.001**2", &["9.006001"]).is_ok());
        assert!(run_check(&[], "1e-13", &["0"]).is_ok());
        let m = run_check(&[], "2 + 2", &["5"]).unwrap_err();
        assert_eq!((m.expected.as_str(), m.computed.as_str()), ("5", "4"));
    }

    #[test]
    fn vectors_cell_by_cell() {
        let l = ["L(w1, w2) = w1**2 + 3*w2**2"];
        assert!(run_check(&l, "grad(L, w1=1, w2=2)", &["[2, 12]"]).is_ok());
        assert!(run_check(&l, "grad(L, w1=1, w2=2)", &["[ 2 ,12 ]"]).is_ok());
        assert!(run_check(&l, "grad(L, w1=1, w2=2)", &["[2, ~12.0]"]).is_ok());
        assert!(run_check(&l, "grad(L)", &["[w1*2, 6*w2]"]).is_ok());
        let m = run_check(&l, "grad(L, w1=1, w2=2)", &["[2, 13]"]).unwrap_err();
        assert!(m.detail.unwrap().contains("component 2"));
        assert!(run_check(&l, "grad(L, w1=1, w2=2)", &["[2]"]).is_err());
        assert!(run_check(&l, "grad(L)", &["[2*w1, 6*w1]"]).is_err());
    }

    #[test]
    fn nudge_lines_with_approximations() {
        let j = ["J(w) = w**2"];
        let written = [
            "J(3) = 9",
            "J(3.001) = ~9.006",
            "ΔJ = ~0.006",
            "ΔJ/ε = 6.001",
            "J'(3) = 6",
        ];
        assert!(run_check(&j, "nudge(J, w=3, eps=0.001)", &written).is_ok());
        let wrong = [
            "J(3) = 9",
            "J(3.001) = 9.006",
            "ΔJ = ~0.006",
            "ΔJ/ε = 6.001",
            "J'(3) = 6",
        ];
        let m = run_check(&j, "nudge(J, w=3, eps=0.001)", &wrong).unwrap_err();
        assert_eq!(m.line, 1);
        let renamed = ["K(3) = 9", "..."];
        assert_eq!(
            run_check(&j, "nudge(J, w=3, eps=0.001)", &renamed)
                .unwrap_err()
                .line,
            0
        );
    }

    #[test]
    fn descent_tables_with_ellipsis() {
        let j = ["J(w) = w**2"];
        let input = "descent(J, w=3, alpha=0.1, steps=5)";
        let head_tail = [
            "step w J(w) dJ/dw",
            "0  3  9  6",
            "...",
            "5  0.98304  0.9663676416  1.96608",
        ];
        assert!(run_check(&j, input, &head_tail).is_ok());
        let approx = ["step  w  J(w)  dJ/dw", "...", "5  ~0.983  ~0.97  ~1.97"];
        assert!(run_check(&j, input, &approx).is_ok());
        let wrong = [
            "step w J(w) dJ/dw",
            "0  3  9  6",
            "1  2.5  5.76  4.8",
            "...",
        ];
        let m = run_check(&j, input, &wrong).unwrap_err();
        assert_eq!(m.line, 2);
        assert!(m.detail.unwrap().contains("number 2 differs"));
        let short = ["step w J(w) dJ/dw", "0  3  9  6"];
        assert!(
            run_check(&j, input, &short)
                .unwrap_err()
                .message
                .contains("more than")
        );
        let l = ["L(w1, w2) = w1**2 + 3*w2**2"];
        let two = [
            "step  w1  w2  L(w1,w2)  dL/dw1  dL/dw2",
            "0  1  -2  13  2  -12",
            "...",
        ];
        assert!(run_check(&l, "descent(L, w1=1, w2=-2, alpha=0.1, steps=4)", &two).is_ok());
    }

    #[test]
    fn plots_and_definitions() {
        let j = ["J(w) = w**2"];
        assert!(
            run_check(
                &j,
                "plot(J, w=-4..4, at=3)",
                &["plot: J(w) for w in [-4, 4], tangent at w=3, slope 6"]
            )
            .is_ok()
        );
        assert!(
            run_check(
                &j,
                "plot(J, w=-4..4, at=3)",
                &["plot: J(w) for w in [-4, 4], tangent at w=3, slope 7"]
            )
            .is_err()
        );
        let m = run_check(&[], "K(w) = w", &["1"]).unwrap_err();
        assert!(m.message.contains("more output"), "{m:?}");
    }

    #[test]
    fn error_lines() {
        assert!(run_check(&[], "sigmod(2)", &["error: unknown function 'sigmod'"]).is_ok());
        assert!(run_check(&[], "sigmod(2)", &["error:"]).is_ok());
        assert!(run_check(&[], "sigmod(2)", &["error: division by zero"]).is_err());
        let m = run_check(&[], "sigmoid(0)", &["error: unknown"]).unwrap_err();
        assert_eq!(m.computed, "0.5");
    }
}
