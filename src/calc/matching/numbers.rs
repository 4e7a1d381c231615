//! Numbers as authors write them: plain, `~`/`≈`-rounded, and the number
//! rule (relative 1e-9, absolute 1e-12 near zero).

use gradbook_math::format_number;

use super::*;

/// Relative tolerance of the number rule.
pub(super) const RELATIVE: f64 = 1e-9;
/// Absolute tolerance of the number rule, for values near zero.
pub(super) const ABSOLUTE: f64 = 1e-12;

/// A number as an author wrote it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct WrittenNumber {
    /// Its value.
    pub(super) value: f64,
    /// For `~`/`≈` numbers, the decimal places written (negative for
    /// `~1e3`-style numbers that are rounded to tens, hundreds, …).
    pub(super) approx: Option<i32>,
}

impl WrittenNumber {
    /// Whether a computed value matches: `exact` is the full-precision
    /// value, `printed` the value as printed at the site's precision.
    pub(super) fn matches(&self, exact: f64, printed: f64) -> bool {
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
pub(super) fn close(a: f64, b: f64) -> bool {
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
pub(super) const MAX_ROUNDED_DECIMALS: i32 = 15;

/// Whether `value` rounded to `decimals` places equals `written`.
pub(super) fn rounds_to(value: f64, written: f64, decimals: i32) -> bool {
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
pub(super) fn parse_written_number(s: &str) -> Option<WrittenNumber> {
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
pub(super) fn decimals_written(literal: &str) -> Option<i32> {
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

pub(super) fn parse_number_literal(s: &str) -> Option<f64> {
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
pub(super) fn number_len(s: &str) -> Option<usize> {
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

pub(super) fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '\''
}

/// A line of a single number (the output of a value): the number rule,
/// or a constant expression (`2/3`) evaluated.
pub(super) fn number_line_matches(
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

pub(super) fn number_reason(written: &WrittenNumber, value: f64) -> String {
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

pub(super) fn rounded_text(value: f64, decimals: i32) -> String {
    let d = usize::try_from(decimals).unwrap_or(0);
    format!("{value:.d$}")
}

/// `value` as printed at `precision`, read back.
pub(super) fn printed_value(value: f64, precision: usize) -> f64 {
    parse_number_literal(&format_number(value, precision)).unwrap_or(value)
}
