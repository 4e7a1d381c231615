//! Numbers as authors write them, plain or `~`/`≈`-rounded, and the number
//! rule: a plain number matches what the engine prints, at every
//! magnitude; a rounded one matches when the computed value rounds to it.

use gradbook_math::format_number;

use super::*;

/// Relative slack for the last bits of a float: a few units in the last
/// place (an f64's unit is about 2.2e-16 of its value), so that
/// 2.4000000000000004 is 2.4 even at a precision of 17, and a written
/// number's own rounding when read never decides a match.
pub(super) const SLACK: f64 = 1e-15;

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
    /// Whether the computed value `computed` (at full precision) matches,
    /// for a site that prints `precision` significant digits.
    pub(super) fn matches(&self, computed: f64, precision: usize) -> bool {
        match self.approx {
            Some(decimals) => rounds_to(computed, self.value, decimals),
            None => prints_as(self.value, computed, precision),
        }
    }
}

/// The number rule for a plain written number: `written` matches
/// `computed` when it lies within half a unit of the `precision`-th
/// significant digit of `computed` (the interval of numbers that print
/// as `computed` prints), give or take [`SLACK`]. There is no absolute
/// floor: 0 matches only 0, and 1e-14 is not 9e-13. `inf` and `nan`
/// match only themselves.
pub(super) fn prints_as(written: f64, computed: f64, precision: usize) -> bool {
    if written.is_nan() || computed.is_nan() {
        return written.is_nan() && computed.is_nan();
    }
    if written == computed {
        return true;
    }
    if !written.is_finite() || !computed.is_finite() || computed == 0.0 {
        return false;
    }
    // Both scaled by the same power of ten when they are near the ends of
    // the float range, so that the unit below neither underflows nor
    // overflows; the scaling costs an ulp, which the slack covers.
    let exponent = decimal_exponent(computed);
    let shift = if exponent < -290 {
        300
    } else if exponent > 290 {
        -300
    } else {
        0
    };
    let (w, c) = (scale10(written, shift), scale10(computed, shift));
    let digits = i32::try_from(precision.clamp(1, 17)).unwrap_or(17);
    let half_unit = 0.5 * 10f64.powi(exponent + shift - digits + 1);
    let diff = (w - c).abs();
    // A written number so far off that scaling overflows it is no match.
    diff.is_finite() && (diff <= half_unit * (1.0 + SLACK) || diff <= SLACK * w.abs().max(c.abs()))
}

/// The decimal exponent of a finite, non-zero `x`: `1234.5` → 3,
/// `0.00012` → -4, read from its shortest exact printing so that it is
/// never off by one at a power of ten.
pub(super) fn decimal_exponent(x: f64) -> i32 {
    let text = format!("{x:e}");
    text.rsplit_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0)
}

/// `x` times 10 to the `k`, in two steps so that a power beyond the float
/// range (10^400 when `x` is 1e-390) is never formed.
fn scale10(x: f64, k: i32) -> f64 {
    let half = k / 2;
    x * 10f64.powi(half) * 10f64.powi(k - half)
}

/// The most decimal places a quiz answer is rounded to in the browser;
/// written to more, it is graded as a plain number.
pub(super) const MAX_ROUNDED_DECIMALS: i32 = 15;

/// Whether `value` rounded to `decimals` places equals `written` (which
/// has that many places), give or take [`SLACK`] at the tie, at any
/// magnitude: `~0` matches 2**-40, `~3e-20` matches 3.4e-20 but not 9e-13,
/// `~1.2e3` matches 1234.
pub(super) fn rounds_to(value: f64, written: f64, decimals: i32) -> bool {
    if !value.is_finite() || !written.is_finite() {
        return prints_as(written, value, 17);
    }
    // Past 400 places either way every float rounds to itself or to 0, as
    // it does at 400.
    let decimals = decimals.clamp(-400, 400);
    let scaled = scale10(value, decimals);
    let target = scale10(written, decimals).round();
    // A value too large to scale has far more digits than the places
    // written, so it cannot round to the written number.
    scaled.is_finite() && (scaled - target).abs() <= 0.5 + SLACK * scaled.abs().max(target.abs())
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
/// or a constant expression (`2/3`) evaluated and held to the same rule.
pub(super) fn number_line_matches(
    expected: &str,
    value: f64,
    precision: usize,
    scope: &Scope,
) -> Result<(), String> {
    if let Some(written) = parse_written_number(expected) {
        return if written.matches(value, precision) {
            Ok(())
        } else {
            Err(number_reason(&written, value, precision))
        };
    }
    match scope.parse_expr(expected) {
        Ok(expr) if expr.free_vars().is_empty() => match expr.eval(&[]) {
            Ok(v) if prints_as(v, value, precision) => Ok(()),
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

/// Why `written` does not match `value`, as a note.
pub(super) fn number_reason(written: &WrittenNumber, value: f64, precision: usize) -> String {
    match written.approx {
        Some(d) if (0..=MAX_ROUNDED_DECIMALS).contains(&d) => format!(
            "{} rounded to {d} decimal place{} is {}",
            format_number(value, 17),
            if d == 1 { "" } else { "s" },
            rounded_text(value, d)
        ),
        Some(_) => format!("{} does not round to it", format_number(value, 17)),
        None if value == 0.0 && written.value.is_finite() => {
            "the computed value is exactly 0, which only 0 matches".to_string()
        }
        None => {
            let diff = (written.value - value).abs();
            let rel = diff / value.abs().max(written.value.abs());
            if !rel.is_finite() {
                return String::new();
            }
            let off = format!("off by {}", format_number(diff, 6));
            if written.value == 0.0 {
                format!("{off}; 0 matches only a computed 0 (`~0` matches what rounds to 0)")
            } else if rel <= 1e-2 {
                format!(
                    "{off} (relative {rel:.1e}); a plain number must agree with the computed \
                     value to the {precision} significant digits gradbook prints (`~` before \
                     it rounds to the places written instead)"
                )
            } else {
                format!("{off} (relative {rel:.1e})")
            }
        }
    }
}

pub(super) fn rounded_text(value: f64, decimals: i32) -> String {
    let d = usize::try_from(decimals).unwrap_or(0);
    format!("{value:.d$}")
}
