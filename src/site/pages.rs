//! Fills the templates, one function per page kind: a lesson, a section,
//! the home page, the 404 page, the review page.
//!
//! Lessons are filled as soon as their body is rendered (their sidebar
//! needs nothing from other pages, see `nav`); section pages and the home
//! page list lessons with their flashcard and checklist counts, so they
//! are filled after every lesson.

use bytes::Bytes;
use rayon::prelude::*;

use super::nav::{Nav, nav_lesson};
use super::{MAX_PAGE_BYTES, PageFacts, Site, is_within, root_prefix};
use crate::components::Trackable;
use crate::diagnostics::Diagnostic;
use crate::markdown::TocEntry;
use crate::render::Templates;
use crate::render::context::{
    BookContext, LinkContext, NavSection, PageContext, Uses, absolute_image, description,
};

/// A finished page: its path in the output folder and its bytes.
pub(super) type Page = (String, Bytes);

/// What every page of one build shares.
pub(super) struct Pages<'a> {
    site: &'a Site,
    templates: &'a Templates,
    nav: &'a Nav,
    book: tera::Value,
    first: Option<LinkContext>,
    /// The search index's version, which every page names.
    search_version: &'a str,
    /// Whether any lesson may have progress to show (in every page's
    /// sidebar and on the home page), which `components.js` fills in.
    tracks_progress: bool,
    /// The review page's URL path, when the site has one (every header
    /// links to it).
    review_url: Option<&'static str>,
}

/// The values one template needs beyond what every page shares.
struct Fill<'a> {
    template: &'static str,
    file: String,
    root: String,
    page: PageContext,
    /// The section whose lessons the sidebar shows.
    open_section: Option<&'a str>,
    window: Option<super::NavWindow>,
    /// The page's own flashcard and checklist counts (its sidebar entry
    /// shows them; other entries cannot know theirs).
    counts: Trackable,
    /// Whether the body alone was over the page limit (already reported).
    body_over_limit: bool,
    prev: Option<LinkContext>,
    next: Option<LinkContext>,
    /// One more value for the template, by name (the review page's cards).
    more: Option<(&'static str, tera::Value)>,
}

impl<'a> Pages<'a> {
    pub(super) fn new(
        site: &'a Site,
        templates: &'a Templates,
        nav: &'a Nav,
        search_version: &'a str,
    ) -> Pages<'a> {
        let book = BookContext {
            title: site.config.book.title.clone(),
            description: site.config.book.description.clone(),
            language: site.config.book.language.clone(),
            base_url: site.config.book.base_url.clone(),
        };
        let content = &site.content;
        Pages {
            site,
            templates,
            nav,
            book: tera::Value::from_serializable(&book),
            search_version,
            // Pages are rendered before every lesson's counts are known, so
            // this looks for the trackable kinds in the sources.
            tracks_progress: content.lessons.iter().any(|l| {
                let text = &l.source.text;
                text.contains("::: flashcards")
                    || text.contains("::: checklist")
                    || text.contains("::: quiz")
            }),
            review_url: site.has_review().then_some(super::REVIEW_URL),
            first: content
                .reading_order
                .first()
                .map(|&i| link(&content.lessons[i].url, &content.lessons[i].title)),
        }
    }

    /// A hash of what lesson `i`'s page is made from besides what every
    /// page shares: its source, section, sidebar window and neighbours.
    pub(super) fn lesson_key(&self, i: usize) -> u64 {
        let content = &self.site.content;
        let lesson = &content.lessons[i];
        let position = content.position(i);
        let order = &content.reading_order;
        let neighbour = |j: usize| (&content.lessons[j].url, &content.lessons[j].title);
        super::cache::key_of(&(
            lesson.source_hash,
            &lesson.source.path,
            &lesson.rel_path,
            &lesson.url,
            position,
            self.section_link(lesson.section),
            self.nav.window_key(content, lesson.section, Some(i)),
            position.checked_sub(1).map(|p| neighbour(order[p])),
            order.get(position + 1).map(|&n| neighbour(n)),
        ))
    }

    /// Lesson `i`'s finished page, around its rendered `html`.
    pub(super) fn lesson(
        &self,
        i: usize,
        html: String,
        toc: &[TocEntry],
        trackable: Trackable,
        body_over_limit: bool,
    ) -> Result<Page, Diagnostic> {
        let content = &self.site.content;
        let lesson = &content.lessons[i];
        let position = content.position(i);
        let order = &content.reading_order;
        let neighbour = |j: usize| link(&content.lessons[j].url, &content.lessons[j].title);
        let book = &self.site.config.book;
        self.fill(Fill {
            template: "lesson.html",
            file: format!("{}index.html", lesson.url),
            root: root_prefix(&lesson.url),
            page: PageContext {
                kind: "lesson",
                title: lesson.title.clone(),
                title_id: lesson.title_attributes.id.clone().unwrap_or_default(),
                title_classes: lesson.title_attributes.classes.clone(),
                summary: lesson.front.summary.clone(),
                url: lesson.url.clone(),
                tags: lesson.front.tags.clone(),
                toc: page_toc(toc),
                section: self.section_link(lesson.section),
                sections: Vec::new(),
                extra: serde_json::to_value(&lesson.front.extra).unwrap_or_default(),
                description: description(&lesson.front.summary, &html, &book.description),
                image: absolute_image(&lesson.front.image, book.absolute_base_url()),
                uses: Uses::of(&html),
                content: html,
            },
            open_section: Some(&content.sections[lesson.section].url),
            window: self.nav.window(content, lesson.section, Some(i)),
            counts: trackable,
            body_over_limit,
            prev: position.checked_sub(1).map(|p| neighbour(order[p])),
            next: order.get(position + 1).map(|&n| neighbour(n)),
            more: None,
        })
    }

    /// Every page that lists lessons (sections and the home page), then
    /// the 404 page. `intros` are the rendered `_index.md` bodies by
    /// section; `counts` every lesson's counts, by lesson index.
    pub(super) fn listing_pages(
        &self,
        intros: &[(usize, (String, PageFacts<'_>))],
        counts: &[Trackable],
    ) -> Vec<Result<Page, Diagnostic>> {
        let content = &self.site.content;
        let listed = self.listed_sections(counts);
        let mut intro_of = vec![None; content.sections.len()];
        for (s, (html, facts)) in intros {
            intro_of[*s] = Some((html, facts));
        }
        let mut pages: Vec<Result<Page, Diagnostic>> = content
            .section_order
            .par_iter()
            .map(|&s| self.section(s, intro_of[s], &listed))
            .collect();
        pages.push(self.not_found());
        pages
    }

    /// Sections in reading order with every lesson and its counts, as the
    /// home page and section pages list them.
    pub(super) fn listed_sections(&self, counts: &[Trackable]) -> Vec<NavSection> {
        let content = &self.site.content;
        super::nav::listed(content, |i| {
            let mut lesson = nav_lesson(content, i);
            lesson.cards = counts[i].cards;
            lesson.tasks = counts[i].tasks;
            lesson.questions = counts[i].questions;
            Some(lesson)
        })
    }

    /// Section `s`'s page (the home page for the root section).
    fn section(
        &self,
        s: usize,
        intro: Option<(&String, &PageFacts<'_>)>,
        listed: &[NavSection],
    ) -> Result<Page, Diagnostic> {
        let content = &self.site.content;
        let book = &self.site.config.book;
        let section = &content.sections[s];
        let is_root = s == 0;
        let subtree: Vec<NavSection> = listed
            .iter()
            .zip(&content.section_order)
            .filter(|&(_, &other)| is_within(&content.sections, other, s))
            .map(|(n, _)| n.clone())
            .collect();
        let (html, toc) = intro.map_or((String::new(), Vec::new()), |(html, facts)| {
            (html.clone(), page_toc(&facts.toc))
        });
        self.fill(Fill {
            template: if is_root {
                "index.html"
            } else {
                "section.html"
            },
            file: format!("{}index.html", section.url),
            root: root_prefix(&section.url),
            page: PageContext {
                kind: if is_root { "index" } else { "section" },
                title: if is_root {
                    book.title.clone()
                } else {
                    section.title.clone()
                },
                title_id: section.title_attributes.id.clone().unwrap_or_default(),
                title_classes: section.title_attributes.classes.clone(),
                summary: if is_root && section.summary.is_empty() {
                    book.description.clone()
                } else {
                    section.summary.clone()
                },
                url: section.url.clone(),
                tags: Vec::new(),
                toc,
                section: section.parent.and_then(|p| self.section_link(p)),
                sections: subtree,
                extra: serde_json::Value::Null,
                description: description(&section.summary, &html, &book.description),
                image: String::new(),
                uses: Uses::of(&html),
                content: html,
            },
            open_section: Some(&section.url),
            window: self.nav.window(content, s, None),
            counts: Trackable::default(),
            body_over_limit: false,
            prev: None,
            next: if is_root {
                self.first.clone()
            } else {
                section
                    .lessons
                    .first()
                    .map(|&i| link(&content.lessons[i].url, &content.lessons[i].title))
            },
            more: None,
        })
    }

    /// The 404 page, whose links start from the base URL (it is served at
    /// any depth).
    fn not_found(&self) -> Result<Page, Diagnostic> {
        self.fill(Fill {
            template: "404.html",
            file: "404.html".to_string(),
            root: self.site.config.book.base_url.clone(),
            page: PageContext::generated(
                "404",
                "Page not found",
                "404.html",
                self.site.config.book.description.clone(),
            ),
            open_section: None,
            window: None,
            counts: Trackable::default(),
            body_over_limit: false,
            prev: None,
            next: self.first.clone(),
            more: None,
        })
    }

    /// The review page, listing the cards `review` groups.
    pub(super) fn review(
        &self,
        review: &super::review::ReviewContext<'_>,
    ) -> Result<Page, Diagnostic> {
        let book = &self.site.config.book;
        let value = tera::Value::from_serializable(review);
        // The cards' HTML decides which styles the page needs; its own
        // buttons are the components'.
        let mut uses = Uses::of(&review.html());
        uses.components = true;
        self.fill(Fill {
            template: "review.html",
            file: format!("{}index.html", super::REVIEW_URL),
            root: root_prefix(super::REVIEW_URL),
            page: PageContext {
                uses,
                ..PageContext::generated(
                    "review",
                    "Review",
                    super::REVIEW_URL,
                    format!(
                        "Review the flashcards of {} with spaced repetition.",
                        book.title
                    ),
                )
            },
            open_section: None,
            window: None,
            counts: Trackable::default(),
            // Its size is checked by `Site::review_page`, which names the
            // cards that make it large rather than the template.
            body_over_limit: true,
            prev: None,
            next: None,
            more: Some(("review", value)),
        })
    }

    /// A link to section `s`, none for the root.
    fn section_link(&self, s: usize) -> Option<LinkContext> {
        let sections = &self.site.content.sections;
        (s != 0).then(|| link(&sections[s].url, &sections[s].title))
    }

    fn fill(&self, fill: Fill<'_>) -> Result<Page, Diagnostic> {
        let mut ctx = tera::Context::new();
        ctx.insert_value("book", self.book.clone());
        ctx.insert("page", &fill.page);
        ctx.insert_value("nav", self.nav.value());
        ctx.insert("nav_expand_all", &self.nav.expand_all());
        ctx.insert("nav_open_section", &fill.open_section);
        ctx.insert("nav_window", &fill.window);
        ctx.insert("page_cards", &fill.counts.cards);
        ctx.insert("page_tasks", &fill.counts.tasks);
        ctx.insert("page_questions", &fill.counts.questions);
        ctx.insert("prev", &fill.prev);
        ctx.insert("next", &fill.next);
        ctx.insert("root", &fill.root);
        ctx.insert("theme_default", self.site.config.theme.default.as_str());
        ctx.insert("tracks_progress", &self.tracks_progress);
        ctx.insert("review_url", &self.review_url);
        if let Some((name, value)) = fill.more {
            ctx.insert_value(name, value);
        }
        ctx.insert("gradbook_version", env!("CARGO_PKG_VERSION"));
        ctx.insert("search_version", self.search_version);
        let html = self.templates.render(fill.template, &ctx)?;
        if html.len() > MAX_PAGE_BYTES && !fill.body_over_limit {
            return Err(Diagnostic::whole_file(
                self.templates.shown_path(fill.template),
                format!(
                    "the page /{} is over the limit of {} of HTML per page ({}) with this template",
                    fill.page.url,
                    crate::files::human_size(MAX_PAGE_BYTES as u64),
                    crate::files::human_size(html.len() as u64)
                ),
            ));
        }
        // Links name `index.html`, so the site works opened from disk.
        let html = crate::render::links::name_index_files(&html);
        Ok((fill.file, Bytes::from(html)))
    }
}

fn link(url: &str, title: &str) -> LinkContext {
    LinkContext {
        title: title.to_string(),
        url: url.to_string(),
    }
}

/// "On this page": the body's headings of levels 2 and 3.
fn page_toc(toc: &[TocEntry]) -> Vec<TocEntry> {
    toc.iter()
        .filter(|h| (2..=3).contains(&h.level))
        .cloned()
        .collect()
}
