//! What the site gives the search index: each lesson is analysed as soon
//! as it is rendered (see `render_lesson`); section pages, and the index
//! itself, once every lesson is done.

use std::sync::Arc;

use bytes::Bytes;

use super::{Facts, PageFacts, Site, key_of};
use crate::search::{self, Stemming};

impl Site {
    /// How the index folds words for the book's language.
    pub(super) fn stemming(&self) -> Stemming {
        Stemming::for_language(&self.config.book.language)
    }

    /// The title of section `s` as results show it (none at the top).
    pub(super) fn section_title(&self, s: usize) -> &str {
        if s == 0 {
            ""
        } else {
            &self.content.sections[s].title
        }
    }

    /// A version that changes with anything the index is made from (every
    /// source, `book.toml`, the templates, gradbook itself), known before
    /// any page is rendered, since every page names it: a browser then
    /// never mixes index files of two builds.
    pub(super) fn search_version(&self) -> String {
        let mut parts: Vec<&str> = self
            .content
            .lessons
            .iter()
            .map(|l| l.source.text.as_str())
            .collect();
        parts.extend(
            self.content
                .sections
                .iter()
                .filter_map(|s| s.intro.as_ref().map(|i| i.source.text.as_str())),
        );
        let templates = self
            .templates
            .as_ref()
            .map(crate::render::Templates::fingerprint);
        let key = key_of(&(
            parts,
            &self.config_source.text,
            templates,
            env!("CARGO_PKG_VERSION"),
        ));
        format!("{:012x}", key >> 16)
    }

    /// Analyses the section pages (after the lessons, in reading order)
    /// and gathers what the index is assembled from.
    pub(super) fn search_of(
        &self,
        lessons: &[PageFacts<'_>],
        intros: &[(usize, (String, PageFacts<'_>))],
        version: &str,
    ) -> PendingSearch {
        let mut intro_of = vec![None; self.content.sections.len()];
        for (s, (html, facts)) in intros {
            intro_of[*s] = Some((html.as_str(), facts));
        }
        let sections = self.content.section_order.iter().filter(|&&s| s != 0);
        let mut section_pages = Vec::new();
        for (n, &s) in sections.enumerate() {
            let section = &self.content.sections[s];
            let (html, headings) = intro_of[s].map_or(("", Vec::new()), |(html, facts)| {
                let headings = facts
                    .toc
                    .iter()
                    .map(|h| (h.id.as_str(), h.title.as_str()))
                    .collect();
                (html, headings)
            });
            let page = search::Page {
                url: &section.url,
                title: &section.title,
                section: self.section_title(section.parent.unwrap_or(0)),
                summary: &section.summary,
                tags: &[],
                html,
                headings,
            };
            section_pages.push(search::analyse(lessons.len() + n, &page, self.stemming()));
        }
        PendingSearch {
            lessons: lessons.iter().map(|f| Arc::clone(&f.facts)).collect(),
            sections: section_pages,
            stemming: self.stemming(),
            version: version.to_string(),
        }
    }
}

/// Everything the search index is made from, once every page is analysed:
/// [`PendingSearch::files`] assembles it. `build` does so at once; `serve`
/// first puts the new pages in place, then the index, so that an edit
/// shows without waiting for it.
pub struct PendingSearch {
    lessons: Vec<Arc<Facts>>,
    sections: Vec<search::Analysed>,
    stemming: Stemming,
    version: String,
}

impl PendingSearch {
    /// The index's files: paths in the site and contents.
    pub fn files(&self) -> Vec<(String, Bytes)> {
        let analysed: Vec<&search::Analysed> = self
            .lessons
            .iter()
            .filter_map(|f| f.search.as_ref())
            .chain(&self.sections)
            .collect();
        search::assemble(&analysed, self.stemming, &self.version).files
    }
}

impl std::fmt::Debug for PendingSearch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingSearch")
            .field("pages", &(self.lessons.len() + self.sections.len()))
            .finish_non_exhaustive()
    }
}
