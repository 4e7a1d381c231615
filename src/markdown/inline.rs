//! The rules gradbook adds to inline text.

/// The expression of an inline value: code that starts with `=`
/// (`` `= J'(3)` ``), the rest trimmed.
pub(super) fn inline_value(code: &str) -> Option<&str> {
    code.strip_prefix('=').map(str::trim)
}
