//! Markdown to HTML for one lesson body.
//!
//! pulldown-cmark does the parsing; this module adds what gradbook needs on
//! top: heading ids, syntax highlighting, `.md` link rewriting, MathML for
//! `$…$`, learning components (via `components`) and executable content
//! (via [`Hooks`], implemented by `calc`).

use std::ops::Range;

/// What the Markdown renderer asks of a page's executable content. Ranges
/// are byte ranges of the whole source file.
pub trait Hooks {
    /// A fenced code block whose info string is `calc`; `code` covers the
    /// block's content lines (fences excluded). Returns the HTML to put in
    /// its place.
    fn calc_block(&mut self, code: Range<usize>) -> String;

    /// Inline code whose text starts with `=`: `span` covers the whole code
    /// span in the source, `expr` is the text after `=`, trimmed. Returns
    /// the HTML to put in its place.
    fn inline_value(&mut self, span: Range<usize>, expr: &str) -> String;
}
