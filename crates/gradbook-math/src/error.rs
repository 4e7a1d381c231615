//! Building [`MathError`]s: constructors, the engine's limits, and a small
//! edit distance for "did you mean" suggestions (the engine is pure, so it
//! carries its own rather than borrowing the site's).

use std::ops::Range;

use super::MathError;

/// Deepest nesting of parentheses, calls and operators the parser accepts.
pub const MAX_NESTING: usize = 64;
/// Deepest expression tree any operation may produce.
pub const MAX_DEPTH: usize = 128;
/// Largest expression tree (in nodes) differentiation, substitution and
/// simplification may produce.
pub const MAX_NODES: usize = 200_000;
/// Most steps a `descent` may take.
pub const MAX_STEPS: usize = 1_000_000;
/// Most stack-machine instructions one `descent` or `plot` may execute
/// (steps or samples times the size of the compiled function).
pub const MAX_WORK: usize = 2_000_000_000;
/// Highest derivative order (`diff(f, x, n)`, `J''''(x)`).
pub const MAX_ORDER: usize = 12;
/// Most samples a `plot` may take.
pub const MAX_SAMPLES: usize = 10_000;
/// Most decimal digits in the numerator, and in the denominator, of an
/// exact number (`10**999` is the largest power of ten).
pub const MAX_DIGITS: usize = 1000;
/// Most cells (rows times columns) in a result table: a `descent` over
/// `n` variables has `2n + 2` columns, so a one-variable run may take
/// every one of its [`MAX_STEPS`] steps and a 50-variable one about 78,000.
pub const MAX_CELLS: usize = 8_000_000;
/// Longest printed form, in bytes, of an expression result.
pub const MAX_TEXT: usize = 4_000_000;

impl MathError {
    /// An error about `span` with no suggestion.
    pub fn new(message: impl Into<String>, span: Range<usize>) -> Self {
        MathError {
            message: message.into(),
            span,
            help: None,
        }
    }

    /// Adds a suggested fix.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Replaces an empty span (an error raised without position) with `span`.
    pub fn at_least(mut self, span: Range<usize>) -> Self {
        if self.span.is_empty() && self.span.start == 0 {
            self.span = span;
        }
        self
    }
}

/// The closest candidate to `name`, if it is close enough to be a typo.
/// The distance is the site's (`strsim`'s optimal string alignment: a swap
/// of two letters is one edit); the limit is the engine's own, looser for
/// the short names of functions and variables than the site's for paths
/// and keys.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = match name.chars().count() {
        0..=1 => return None,
        2 => 1,
        3..=5 => 2,
        _ => 3,
    };
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::osa_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let names = ["sigmoid", "sin", "sqrt", "softplus"];
        assert_eq!(closest("sigmod", names), Some("sigmoid"));
        assert_eq!(closest("sofplus", names), Some("softplus"));
        assert_eq!(closest("banana", names), None);
        assert_eq!(closest("sqtr", names), Some("sqrt"), "a swap is one edit");
    }
}
