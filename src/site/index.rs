//! What the site gives the search index: each lesson is analysed as soon
//! as it is rendered (see `render_lesson`); section pages, and the index
//! itself, once every lesson is done.

use super::{PageFacts, Site, WriteErrors, key_of};
use crate::output::Sink;
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

    /// Analyses the section pages (after the lessons, in reading order),
    /// assembles the index and hands its files to `sink`.
    pub(super) fn write_search_index(
        &self,
        lessons: &[PageFacts<'_>],
        intros: &[(usize, (String, PageFacts<'_>))],
        version: &str,
        sink: &dyn Sink,
        written: &WriteErrors,
    ) {
        let mut section_pages = Vec::new();
        let mut intro_of = vec![None; self.content.sections.len()];
        for (s, (html, facts)) in intros {
            intro_of[*s] = Some((html.as_str(), facts));
        }
        let sections = self.content.section_order.iter().filter(|&&s| s != 0);
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
        let analysed: Vec<&search::Analysed> = lessons
            .iter()
            .filter_map(|f| f.search.as_ref())
            .chain(&section_pages)
            .collect();
        let index = search::assemble(&analysed, self.stemming(), version);
        for (path, bytes) in index.files {
            written.keep(sink.put(&path, bytes));
        }
    }
}
