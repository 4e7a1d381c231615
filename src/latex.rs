//! `$…$` and `$$…$$` math, converted to MathML at build time.
//!
//! THE SIGNATURE IN THIS FILE IS THE CONTRACT WITH `markdown`; the body is a
//! placeholder until LaTeX support lands.

use std::ops::Range;

/// Why a formula could not be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatexError {
    /// What is wrong.
    pub message: String,
    /// Byte range within the formula.
    pub span: Range<usize>,
}

/// Converts a LaTeX formula (without its `$` delimiters) to a `<math>`
/// element; `display` selects block layout.
pub fn to_mathml(tex: &str, display: bool) -> Result<String, LatexError> {
    let tag = if display { "pre" } else { "code" };
    let escaped = tex
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    Ok(format!("<{tag} class=\"math\">{escaped}</{tag}>"))
}
