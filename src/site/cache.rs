//! Pages kept from one render to the next, so that `serve` re-renders only
//! what an edit changed.
//!
//! Every lesson page is stored with a key: a hash of everything the page is
//! made from. That is the site as a whole (`book.toml`, the site's own
//! templates, which pages exist), the sidebar every page shares, and the
//! page's own inputs (its source file, its section, the lessons its sidebar
//! window shows, its previous and next lessons). A lesson whose key is
//! unchanged is not rendered again: its bytes (shared, not copied) and its
//! facts come from the cache. So an edit to a lesson's body renders that
//! one lesson; a changed title also renders the pages whose sidebar or
//! previous/next links show it; a template or configuration change renders
//! everything. Pages that list lessons (section pages and the home page)
//! are kept the same way, keyed by what they list, and the review page by
//! the cards it shows.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;

use super::Facts;
use super::pages::Page;
use crate::diagnostics::Diagnostic;

/// Rendered pages by what they were made from; see the module docs.
#[derive(Default)]
pub struct RenderCache {
    pub(super) lessons: HashMap<PathBuf, CachedLesson>,
    pub(super) listings: Option<(u64, Vec<Result<Page, Diagnostic>>)>,
    /// The review page, keyed by the site and every card.
    pub(super) review: Option<(u64, Result<Page, Diagnostic>)>,
}

impl RenderCache {
    /// An empty cache.
    pub fn new() -> RenderCache {
        RenderCache::default()
    }
}

/// One lesson's page and facts, with the key they were made under.
#[derive(Clone)]
pub(super) struct CachedLesson {
    pub(super) key: u64,
    /// The finished page, or why the template could not be filled.
    pub(super) page: Result<Page, Diagnostic>,
    pub(super) facts: std::sync::Arc<Facts>,
}

/// A hash of `parts`, stable within one process.
pub(super) fn key_of(parts: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    parts.hash(&mut hasher);
    hasher.finish()
}
