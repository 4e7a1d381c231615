//! The page budget: the most HTML one page may have, and the wrapper
//! around a page's calc hooks that counts it.
//!
//! Calc results are the part of a page that can grow without bound (a
//! long descent table, many plots), so they are counted as they are
//! rendered. Once a page is over [`MAX_PAGE_BYTES`], its inputs still run
//! and are checked, but their HTML is dropped, so memory stays bounded, and
//! the page is an error naming its largest part.

use std::ops::Range;

use crate::calc::PageCalc;
use crate::diagnostics::{Diagnostic, SourceText};
use crate::markdown;

/// The most HTML one page may have, in bytes (16 MiB).
pub const MAX_PAGE_BYTES: usize = 16 * 1024 * 1024;

/// Counts the HTML that a page's calc blocks and inline values produce
/// (the content that can grow without bound), remembers the largest, and
/// stops keeping results once the page is over [`MAX_PAGE_BYTES`]: every
/// input still runs and is checked, but its HTML is dropped.
pub(super) struct PageBudget<'h, 'a> {
    calc: &'h mut PageCalc<'a>,
    /// Bytes of calc HTML so far.
    used: usize,
    /// The largest contribution: where it starts, what it is, its size.
    largest: Option<(Range<usize>, &'static str, usize)>,
    /// Whether results were dropped.
    over: bool,
}

impl<'h, 'a> PageBudget<'h, 'a> {
    pub(super) fn new(calc: &'h mut PageCalc<'a>) -> Self {
        PageBudget {
            calc,
            used: 0,
            largest: None,
            over: false,
        }
    }

    fn account(&mut self, span: Range<usize>, what: &'static str, html: String) -> String {
        self.used = self.used.saturating_add(html.len());
        if self.largest.as_ref().is_none_or(|l| html.len() > l.2) {
            self.largest = Some((span, what, html.len()));
        }
        if self.used > MAX_PAGE_BYTES {
            self.over = true;
            return "<p class=\"calc-omitted\">(left out: the page is over its size limit)</p>"
                .to_string();
        }
        html
    }

    /// The diagnostic for a page whose body came to `html_len` bytes, if
    /// it is over the limit: at its largest calc result, or about the page
    /// as a whole when its own text is most of it.
    pub(super) fn check(
        &self,
        source: &SourceText,
        url: &str,
        html_len: usize,
    ) -> Option<Diagnostic> {
        if !self.over && html_len <= MAX_PAGE_BYTES {
            return None;
        }
        let total = html_len.max(self.used) as u64;
        let message = format!(
            "the page /{url} is over the limit of {} of HTML per page (at least {})",
            crate::files::human_size(MAX_PAGE_BYTES as u64),
            crate::files::human_size(total)
        );
        let text = html_len.saturating_sub(self.used);
        match &self.largest {
            Some((span, what, size)) if *size >= text => Some(
                Diagnostic::at(source, span.start..span.start, message)
                    .with_label(format!("the largest part: this {what}"))
                    .with_note(format!(
                        "this {what} alone makes {} of HTML; calc results on the page make {}",
                        crate::files::human_size(*size as u64),
                        crate::files::human_size(self.used as u64)
                    ))
                    .with_help("use fewer steps, or split the examples over several lessons"),
            ),
            _ => Some(
                Diagnostic::whole_file(&source.path, message)
                    .with_note(format!(
                        "the lesson's own text makes {} of it",
                        crate::files::human_size(text as u64)
                    ))
                    .with_help("split the lesson into several lessons"),
            ),
        }
    }
}

impl markdown::Hooks for PageBudget<'_, '_> {
    fn calc_block(&mut self, code: Range<usize>) -> String {
        let html = self.calc.calc_block(code.clone());
        self.account(code, "calc block", html)
    }

    fn inline_value(&mut self, span: Range<usize>, expr: &str) -> String {
        let html = self.calc.inline_value(span.clone(), expr);
        self.account(span, "inline value", html)
    }

    fn variants(&mut self, vary: &crate::components::Vary) -> crate::components::Variants {
        let mut runs = self.calc.variants(vary);
        runs.html = std::mem::take(&mut runs.html)
            .into_iter()
            .map(|html| self.account(vary.code.clone(), "explorer variant", html))
            .collect();
        runs
    }

    fn quiz_key(
        &mut self,
        answer: &crate::components::TypedAnswer,
    ) -> Option<crate::components::AnswerKey> {
        let mut key = self.calc.quiz_key(answer)?;
        key.html = self.account(answer.span.clone(), "quiz answer", key.html);
        Some(key)
    }
}
