//! What templates see: the serializable values put into a tera context.
//!
//! Every URL here is relative to the site root and has no leading slash
//! (`calculus/intro/`, empty for the home page); templates prefix it with
//! `root`, the way back from the current page to the site root (`../../`),
//! so a site works under any base URL and from a plain folder.

use serde::Serialize;

use crate::markdown::TocEntry;

/// `book` in templates.
#[derive(Debug, Clone, Serialize)]
pub struct BookContext {
    /// `book.title`.
    pub title: String,
    /// `book.description`.
    pub description: String,
    /// `book.language`.
    pub language: String,
    /// `book.base-url`, ending with `/`.
    pub base_url: String,
}

/// A link to a page, for previous/next and breadcrumbs.
#[derive(Debug, Clone, Serialize, PartialEq, Hash)]
pub struct LinkContext {
    /// The page's title.
    pub title: String,
    /// Its URL relative to the site root.
    pub url: String,
}

/// A lesson as listed in the sidebar and on index pages.
#[derive(Debug, Clone, Serialize, PartialEq, Hash)]
pub struct NavLesson {
    /// Title.
    pub title: String,
    /// URL relative to the site root.
    pub url: String,
    /// Summary from the front matter (may be empty).
    pub summary: String,
    /// Position in reading order, from 1.
    pub number: usize,
    /// How many flashcards the lesson holds (its components together);
    /// 0 where not known (in the sidebar).
    pub cards: usize,
    /// How many checklist items the lesson holds; 0 where not known.
    pub tasks: usize,
}

/// A section as listed in the sidebar and on the home page. Sections are
/// flattened in reading order; `depth` says how deep each one is.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct NavSection {
    /// Title (empty for lessons directly in `content/`).
    pub title: String,
    /// URL relative to the site root (empty for the root).
    pub url: String,
    /// Summary from `_index.md`.
    pub summary: String,
    /// 0 for the root, 1 for top-level sections, and so on.
    pub depth: usize,
    /// How many lessons are directly in this section.
    pub lesson_count: usize,
    /// Lessons directly in this section, in order (in the sidebar of a
    /// large site, empty: see `nav_window`).
    pub lessons: Vec<NavLesson>,
}

/// `page` in templates.
#[derive(Debug, Clone, Serialize)]
pub struct PageContext {
    /// `lesson`, `section`, `index` or `404`.
    pub kind: &'static str,
    /// Title.
    pub title: String,
    /// Summary (may be empty).
    pub summary: String,
    /// URL relative to the site root.
    pub url: String,
    /// Tags from the front matter.
    pub tags: Vec<String>,
    /// The rendered body (lesson text, or a section's intro).
    pub content: String,
    /// The body's own headings of levels 2 and 3 (not those inside
    /// learning components), for "On this page".
    pub toc: Vec<TocEntry>,
    /// The section the page belongs to (none for the home page).
    pub section: Option<LinkContext>,
    /// For section pages: the section and its sub-sections, in reading
    /// order, each with its lessons; empty for other pages.
    pub sections: Vec<NavSection>,
    /// `[extra]` from the front matter.
    pub extra: serde_json::Value,
}
