//! Executable examples: `calc` blocks and inline `= expr` values.
//!
//! A [`PageCalc`] lives for the rendering of one lesson. The Markdown
//! renderer calls it (through [`crate::markdown::Hooks`]) for every calc
//! block and inline value in document order; it runs each input through one
//! [`crate::math::Scope`], compares computed output with what the author
//! wrote, renders the result, and at the end reports passes, failures and
//! the text `check --bless` would write back.
//!
//! THE SIGNATURES IN THIS FILE ARE THE CONTRACT WITH `markdown`, `site` and
//! `cli`; the bodies are placeholders until executable lessons land.

use crate::diagnostics::{Diagnostic, SourceText};
use crate::markdown::Hooks;

/// What running a page's calc content found.
#[derive(Debug, Clone, Default)]
pub struct CalcReport {
    /// Inputs and inline values whose output matched (or was filled in).
    pub passed: usize,
    /// Inputs and inline values that failed.
    pub failed: usize,
    /// One per failure, in document order.
    pub diagnostics: Vec<Diagnostic>,
    /// The whole file with expected outputs rewritten to the computed ones,
    /// when that differs from the file; `None` when nothing would change
    /// or the page could not be evaluated.
    pub blessed: Option<String>,
}

/// The calc state of one page being rendered.
pub struct PageCalc<'a> {
    source: &'a SourceText,
    precision: usize,
    report: CalcReport,
}

impl<'a> PageCalc<'a> {
    /// Starts a page; `precision` is `calc.precision` from `book.toml`.
    pub fn new(source: &'a SourceText, precision: usize) -> Self {
        Self {
            source,
            precision,
            report: CalcReport::default(),
        }
    }

    /// Ends the page and returns what was found.
    pub fn finish(self) -> CalcReport {
        let _ = (self.source, self.precision);
        self.report
    }
}

impl Hooks for PageCalc<'_> {
    fn calc_block(&mut self, code: std::ops::Range<usize>) -> String {
        let text = &self.source.text[code];
        format!(
            "<pre><code class=\"language-calc\">{}</code></pre>",
            text.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        )
    }

    fn inline_value(&mut self, span: std::ops::Range<usize>, expr: &str) -> String {
        let _ = span;
        format!(
            "<code>={}</code>",
            expr.replace('&', "&amp;").replace('<', "&lt;")
        )
    }
}
