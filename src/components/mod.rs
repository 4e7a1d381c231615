//! Learning components: `::: kind title` … `:::` fenced divs.
//!
//! [`parse`] splits a stretch of Markdown into plain Markdown and
//! components (line by line, aware of code fences, before pulldown-cmark
//! sees anything) and checks each component's shape. [`render`] turns one
//! component into HTML, asking a [`MarkdownSink`] to render the Markdown
//! inside it, so calc blocks and inline values inside components run in
//! document order like everything else.
//!
//! THE SIGNATURES IN THIS FILE ARE THE CONTRACT WITH `markdown`; the bodies
//! are placeholders until the components land.

use std::ops::Range;

use crate::diagnostics::{Diagnostic, SourceText};

/// A piece of a lesson body, in document order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Plain Markdown: bytes of the source file.
    Markdown(Range<usize>),
    /// A learning component.
    Component(Component),
}

/// One `::: kind title` … `:::` component.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    /// The bytes of the whole component, fences included.
    pub span: Range<usize>,
}

/// What a component asks of the Markdown renderer.
pub trait MarkdownSink {
    /// Renders `range` of the source as inline Markdown (no `<p>`).
    fn inline(&mut self, range: Range<usize>) -> String;
    /// Renders blocks (Markdown and nested components) in order.
    fn blocks(&mut self, blocks: &[Block]) -> String;
}

/// Splits `range` of `source` into Markdown and components. Problems
/// (unknown kinds, unclosed fences, content of the wrong shape) are
/// returned alongside whatever could be parsed.
pub fn parse(source: &SourceText, range: Range<usize>) -> (Vec<Block>, Vec<Diagnostic>) {
    let _ = source;
    (vec![Block::Markdown(range)], Vec::new())
}

/// Renders one component to HTML. `page_key` is a stable identifier of the
/// page (its URL path), used for storage keys and the reorder shuffle.
pub fn render(component: &Component, page_key: &str, sink: &mut dyn MarkdownSink) -> String {
    let _ = (component, page_key, sink);
    String::new()
}
