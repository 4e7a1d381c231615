//! `$…$` and `$$…$$` math, converted to MathML at build time.
//!
//! The conversion is done by the `math-core` crate, which emits MathML Core
//! that browsers lay out without fonts, CSS or JavaScript. One converter is
//! built lazily and shared by every page (it is `Sync`); its errors carry a
//! byte span into the formula, which the Markdown renderer maps to a file
//! position.
//!
//! math-core parses recursively, so a deeply nested formula (`{{{…}}}`,
//! `\sqrt\sqrt…`) could overflow the stack of the thread converting it,
//! which aborts the process. A formula can nest at most about half as deep
//! as it is long, so short formulas are converted where they are, longer
//! ones on a helper thread with a stack sized for the longest formula
//! accepted, and anything longer than that is an error.

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

/// Formulas up to this many bytes nest at most a few hundred levels deep,
/// which any thread's stack holds; they are converted on the caller's.
const SMALL_FORMULA: usize = 512;
/// The longest formula accepted, in bytes.
const MAX_FORMULA: usize = 16 * 1024;
/// The stack of the helper thread for longer formulas: room for
/// `MAX_FORMULA` bytes nested as deeply as they can be, several times over.
/// Only the pages it touches are ever allocated.
const HELPER_STACK: usize = 64 << 20;

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
    if tex.len() > MAX_FORMULA {
        return Err(LatexError {
            message: format!("formula too long (more than {MAX_FORMULA} bytes)"),
            span: 0..tex.len(),
        });
    }
    let mode = if display {
        MathDisplay::Block
    } else {
        MathDisplay::Inline
    };
    if tex.len() <= SMALL_FORMULA {
        return convert(converter, tex, mode);
    }
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("latex".to_string())
            .stack_size(HELPER_STACK)
            .spawn_scoped(scope, || convert(converter, tex, mode))
            .ok()
            .and_then(|helper| helper.join().ok())
            .unwrap_or_else(|| {
                Err(LatexError {
                    message: "the formula could not be converted".to_string(),
                    span: 0..tex.len(),
                })
            })
    })
}

fn convert(converter: &LatexToMathML, tex: &str, mode: MathDisplay) -> Result<String, LatexError> {
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
        let err = to_mathml("  ", false).unwrap_err();
        assert_eq!(err.message, "empty formula");
        assert_eq!(err.span, 0..2);
    }

    /// Runs `to_mathml` on a thread with the stack a page-rendering thread
    /// gets, so that a conversion needing more would abort the test run.
    fn on_small_stack(tex: String) -> Result<String, LatexError> {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || to_mathml(&tex, true))
            .unwrap()
            .join()
            .unwrap()
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let half = (MAX_FORMULA - 1) / 2;
        let braces = format!("{}x{}", "{".repeat(half), "}".repeat(half));
        assert!(on_small_stack(braces).unwrap().contains("<mi>x</mi>"));
        let roots = format!("{}x", "\\sqrt ".repeat((MAX_FORMULA - 1) / 6));
        assert!(on_small_stack(roots).unwrap().contains("<msqrt>"));
        let fractions = format!("{}x{}", "\\frac{1}{".repeat(1600), "}".repeat(1600));
        assert!(on_small_stack(fractions).unwrap().contains("<mfrac>"));
        let fences = format!("{}x{}", "\\left(".repeat(1200), "\\right)".repeat(1200));
        assert!(on_small_stack(fences).is_ok());
        let matrices = format!(
            "{}x{}",
            "\\begin{matrix}".repeat(580),
            "\\end{matrix}".repeat(580)
        );
        assert!(on_small_stack(matrices).is_ok());
    }

    #[test]
    fn overlong_formula_is_an_error() {
        let err = to_mathml(&"x+".repeat(MAX_FORMULA), false).unwrap_err();
        assert!(err.message.contains("too long"), "{err:?}");
        assert_eq!(err.span, 0..2 * MAX_FORMULA);
    }
}
