//! `$…$` and `$$…$$` math, converted to MathML at build time.
//!
//! The conversion is done by the `math-core` crate, which emits MathML Core
//! that browsers lay out without fonts, CSS or JavaScript. One converter is
//! built lazily and shared by every page (it is `Sync`); its errors carry a
//! byte span into the formula, which the Markdown renderer maps to a file
//! position.

use std::ops::Range;
use std::sync::LazyLock;

use math_core::{LatexToMathML, MathCoreConfig, MathDisplay, PrettyPrint};

/// Why a formula could not be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatexError {
    /// What is wrong.
    pub message: String,
    /// Byte range within the formula.
    pub span: Range<usize>,
}

/// The shared converter; `None` only if math-core rejected its own
/// configuration, which has no custom macros and so cannot fail.
static CONVERTER: LazyLock<Option<LatexToMathML>> = LazyLock::new(|| {
    let config = MathCoreConfig {
        pretty_print: PrettyPrint::Never,
        ..MathCoreConfig::default()
    };
    LatexToMathML::new(config).ok()
});

/// Converts a LaTeX formula (without its `$` delimiters) to a `<math>`
/// element; `display` selects block layout.
pub fn to_mathml(tex: &str, display: bool) -> Result<String, LatexError> {
    let Some(converter) = CONVERTER.as_ref() else {
        return Err(LatexError {
            message: "the LaTeX converter could not be set up".to_string(),
            span: 0..tex.len(),
        });
    };
    if tex.trim().is_empty() {
        return Err(LatexError {
            message: "empty formula".to_string(),
            span: 0..tex.len(),
        });
    }
    let mode = if display {
        MathDisplay::Block
    } else {
        MathDisplay::Inline
    };
    match converter.convert_with_local_state(tex, mode) {
        Ok(result) => Ok(result.mathml),
        Err(err) => {
            let start = floor_boundary(tex, err.0.start.min(tex.len()));
            let end = floor_boundary(tex, err.0.end.clamp(start, tex.len()));
            let label = err.label();
            let mut message = err.error_message();
            if message.is_empty() {
                message = label.to_string();
            }
            Err(LatexError {
                message: format!("invalid LaTeX: {message}"),
                span: start..end,
            })
        }
    }
}

fn floor_boundary(s: &str, mut offset: usize) -> usize {
    while offset > 0 && !s.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_formula_becomes_math_element() {
        let out = to_mathml(r"J(w) = w^2", false).unwrap();
        assert!(out.starts_with("<math"), "{out}");
        assert!(!out.contains("display=\"block\""), "{out}");
        assert!(out.contains("<msup>"), "{out}");
        assert!(out.ends_with("</math>"), "{out}");
    }

    #[test]
    fn display_formula_is_block() {
        let out = to_mathml(r"\frac{\partial J}{\partial w_j}", true).unwrap();
        assert!(out.contains("display=\"block\""), "{out}");
        assert!(out.contains("<mfrac>"), "{out}");
    }

    #[test]
    fn unknown_command_is_an_error_with_a_span() {
        let tex = r"a + \frac{1}{2} + \sigmaa";
        let err = to_mathml(tex, false).unwrap_err();
        assert!(err.message.contains("sigmaa"), "{err:?}");
        assert_eq!(&tex[err.span.start..err.span.start + 1], "\\", "{err:?}");
    }

    #[test]
    fn unclosed_group_is_an_error() {
        let err = to_mathml(r"\frac{1}{2", false).unwrap_err();
        assert!(err.span.end <= 10, "{err:?}");
        assert!(!err.message.is_empty());
    }

    #[test]
    fn empty_formula_is_an_error() {
        assert!(to_mathml("  ", false).is_err());
    }
}
