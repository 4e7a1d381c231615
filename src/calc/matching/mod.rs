//! Does what the author wrote match what the engine computed?
//!
//! The rules are SPEC §2's:
//! - a plain number matches when it is what the engine prints: within
//!   half a unit of the computed value's last printed significant digit,
//!   at every magnitude (0 matches only 0); a number written with a
//!   leading `~` or `≈` matches when the computed value, rounded to the
//!   decimal places written, equals it;
//! - expressions match when they are the same function: the expected text
//!   is parsed in the page's scope and both sides are evaluated at sample
//!   points where both are defined (never a text comparison);
//! - vectors and tables match cell by cell with the number rule, with free
//!   white space between cells;
//! - a `...` line matches any number of lines (doctest's ELLIPSIS);
//! - an `error:` line matches a failed input whose message contains the
//!   rest of the line.
//!
//! Numbers are compared with the full-precision value, so a lesson may
//! quote a result more precisely than the site prints it, or exactly as
//! `--bless` writes it at the site's precision.

//!
//! The rules live in one file per family: `ellipsis` places `...` lines,
//! `numbers` reads and compares written numbers, `tokens` compares lines
//! cell by cell (vectors and tables too), and `functions` compares
//! expressions by sampling.

mod ellipsis;
mod functions;
mod numbers;
mod tokens;

use std::cell::OnceCell;

use gradbook_math::{MathError, Scope, Value};

use ellipsis::{ellipsis_match, is_ellipsis};
use functions::expression_text_matches;
use numbers::number_line_matches;
use tokens::{tokens_match, vector_matches};

/// A quiz answer written as a number (`6`, `-0.5`, `~0.119`): its value
/// and, for a `~`/`≈` number, the decimal places a reader's value is
/// rounded to before comparing.
pub fn written_number(text: &str) -> Option<(f64, Option<i32>)> {
    let written = numbers::parse_written_number(text)?;
    let decimals = written
        .approx
        .filter(|d| *d <= numbers::MAX_ROUNDED_DECIMALS);
    written
        .value
        .is_finite()
        .then_some((written.value, decimals))
}

/// Sample points of `expr` over its variables `vars` where it is defined,
/// and its values there, for grading a reader's expression in the browser.
pub fn sample_points(expr: &gradbook_math::Expr, vars: &[String]) -> (Vec<Vec<f64>>, Vec<f64>) {
    functions::sample(expr, vars)
}

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
                let exact = || self.exact_lines().map(|lines| lines[j].as_str());
                tokens_match(expected, printed, exact, self.precision)
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

/// `error: rest` against a computed error.
fn error_matches(rest: &str, err: &MathError) -> Result<(), String> {
    let rest = rest.trim();
    if err.message.contains(rest) || err.to_string().contains(rest) {
        Ok(())
    } else {
        Err(format!("the message does not contain '{rest}'"))
    }
}

#[cfg(test)]
mod tests;
