//! The review page (`review/`): every flashcard of the site, grouped by
//! section and lesson, written after the lessons from
//! [`Site::site_cards`]. The page lists each card's front and back in
//! plain HTML; `templates/assets/review.js` turns the list into a daily
//! queue scheduled in the browser by `templates/assets/review-fsrs.js`
//! (FSRS-5), and every page's header links here with a count of the cards
//! due.
//!
//! Whether a site has a review page must be known before any lesson is
//! rendered (every header links to it), so it is decided from the sources:
//! a site gets the page when some lesson has a `::: flashcards` line (the
//! fence scanner's line scan, no parse) and no lesson or section of its
//! own is at `review/`. Where that line turns out not to open a component
//! (it is inside a code block), the page says there are no cards yet.

use serde::Serialize;

use std::path::Path;

use super::cache::{RenderCache, key_of};
use super::pages::{Page, Pages};
use super::{MAX_PAGE_BYTES, Site, SiteCard};
use crate::diagnostics::Diagnostic;
use crate::files::human_size;

/// The review page's URL path.
pub const REVIEW_URL: &str = "review/";

/// What `templates/review.html` sees as `review`.
#[derive(Serialize, Debug, PartialEq)]
pub(super) struct ReviewContext<'a> {
    /// Cards in all.
    total: usize,
    /// Lessons with cards.
    lessons: usize,
    sections: Vec<ReviewSection<'a>>,
}

/// A run of lessons of one section, in reading order.
#[derive(Serialize, Debug, PartialEq)]
struct ReviewSection<'a> {
    /// Empty for lessons at the top of the content folder.
    title: &'a str,
    url: &'a str,
    lessons: Vec<ReviewLesson<'a>>,
}

#[derive(Serialize, Debug, PartialEq)]
struct ReviewLesson<'a> {
    title: &'a str,
    url: &'a str,
    cards: Vec<ReviewCard<'a>>,
}

#[derive(Serialize, Debug, PartialEq)]
struct ReviewCard<'a> {
    /// The card's key in the browser's review state: the lesson's URL
    /// path, `#`, the card's id (what the lesson page stores its marks
    /// under).
    key: String,
    front: &'a str,
    back: &'a str,
}

impl ReviewContext<'_> {
    /// Every card's front and back, one after the other.
    pub(super) fn html(&self) -> String {
        let mut html = String::new();
        for card in self
            .sections
            .iter()
            .flat_map(|s| &s.lessons)
            .flat_map(|l| &l.cards)
        {
            html.push_str(card.front);
            html.push_str(card.back);
        }
        html
    }
}

/// The cards grouped by section, then lesson, keeping their order.
pub(super) fn grouped(cards: &[SiteCard]) -> ReviewContext<'_> {
    let mut sections: Vec<ReviewSection<'_>> = Vec::new();
    let mut lessons = 0;
    for card in cards {
        // Lessons at the top of the content folder are in no section, even
        // when its `_index.md` has a title (the home page's).
        let title = if card.section_url.is_empty() {
            ""
        } else {
            card.section_title.as_str()
        };
        let same_section = sections
            .last()
            .is_some_and(|s| s.url == card.section_url && s.title == title);
        if !same_section {
            sections.push(ReviewSection {
                title,
                url: &card.section_url,
                lessons: Vec::new(),
            });
        }
        let section = sections.last_mut().expect("pushed above");
        if section
            .lessons
            .last()
            .is_none_or(|l| l.url != card.lesson_url)
        {
            lessons += 1;
            section.lessons.push(ReviewLesson {
                title: &card.lesson_title,
                url: &card.lesson_url,
                cards: Vec::new(),
            });
        }
        let lesson = section.lessons.last_mut().expect("pushed above");
        lesson.cards.push(ReviewCard {
            key: format!("{}#{}", card.lesson_url, card.card.id),
            front: &card.card.front,
            back: &card.card.back,
        });
    }
    ReviewContext {
        total: cards.len(),
        lessons,
        sections,
    }
}

impl Site {
    /// Whether the site gets a review page; see the module docs.
    pub(super) fn has_review(&self) -> bool {
        let content = &self.content;
        let taken = content.lessons.iter().any(|l| l.url == REVIEW_URL)
            || content.sections.iter().any(|s| s.url == REVIEW_URL);
        // A cheap first look that the lesson may have cards, then the fence
        // scanner (a line scan, no parse) to see a `::: flashcards` line.
        let cards = content.lessons.iter().any(|l| {
            let text = l.source.text.as_str();
            text.contains("flashcards")
                && crate::components::scan(text, l.body.clone())
                    .iter()
                    .filter_map(|fence| fence.word.clone())
                    .any(|word| text[word].eq_ignore_ascii_case("flashcards"))
        });
        cards && !taken
    }

    /// Renders the review page, when the site has one; under `serve`,
    /// takes it from `cache` while neither the site (`site_key`) nor any
    /// card changed. Returns the page and whether it came from the cache.
    pub(super) fn review_page(
        &self,
        pages: &Pages<'_>,
        cards: &[SiteCard],
        cache: Option<&mut RenderCache>,
        site_key: Option<u64>,
    ) -> Option<(Result<Page, Diagnostic>, bool)> {
        if self.without_review_page || !self.has_review() {
            return None;
        }
        let key = site_key.map(|k| {
            let parts: Vec<(&str, &str, &str, &str, &str, &str)> = cards
                .iter()
                .map(|c| {
                    (
                        c.card.id.as_str(),
                        c.card.front.as_str(),
                        c.card.back.as_str(),
                        c.lesson_url.as_str(),
                        c.lesson_title.as_str(),
                        c.section_title.as_str(),
                    )
                })
                .collect();
            key_of(&(k, parts))
        });
        let cached = cache
            .as_deref()
            .and_then(|c| c.review.as_ref())
            .filter(|(k, _)| Some(*k) == key)
            .map(|(_, page)| page.clone());
        let reused = cached.is_some();
        let page: Result<Page, Diagnostic> = cached.unwrap_or_else(|| {
            pages
                .review(&grouped(cards))
                .and_then(|page| self.within_limit(page, cards))
        });
        if let (Some(cache), Some(key)) = (cache, key) {
            cache.review = Some((key, page.clone()));
        }
        Some((page, reused))
    }
}

impl Site {
    /// `page` if it is within [`MAX_PAGE_BYTES`]; else an error at the
    /// largest card of the site, since the page holds every card (its
    /// template is the built-in one unless the site has its own).
    fn within_limit(&self, page: Page, cards: &[SiteCard]) -> Result<Page, Diagnostic> {
        let size = page.1.len();
        if size <= MAX_PAGE_BYTES {
            return Ok(page);
        }
        let card_bytes = |c: &SiteCard| c.card.front.len() + c.card.back.len();
        let all: usize = cards.iter().map(card_bytes).sum();
        let message = format!(
            "the review page /{REVIEW_URL} would be {}, over the limit of {} of HTML per page: it holds all {} flashcards of the site ({})",
            human_size(size as u64),
            human_size(MAX_PAGE_BYTES as u64),
            cards.len(),
            human_size(all as u64),
        );
        let largest = cards.iter().max_by_key(|c| card_bytes(c));
        let lesson = largest.and_then(|card| {
            self.content
                .lessons
                .iter()
                .find(|l| l.rel_path == card.lesson_path)
                .map(|l| (card, l))
        });
        let mut problem = match lesson {
            Some((card, lesson)) => {
                let source = &lesson.source;
                let width = source.line_text(card.line).chars().count().max(1);
                Diagnostic::at_line(source, card.line, 1, width, message).with_note(format!(
                    "the largest card is this one, at {}",
                    human_size(card_bytes(card) as u64)
                ))
            }
            None => Diagnostic::whole_file(REVIEW_URL, message),
        };
        let own = Path::new(crate::render::TEMPLATE_DIR).join("review.html");
        if self.root.join(&own).is_file() {
            problem = problem.with_note(format!(
                "the page is made with the site's own {}",
                own.display()
            ));
        }
        Err(problem.with_help(
            "make the flashcards fewer or shorter (a value computed with many steps makes a long back)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use crate::output::InMemory;
    use crate::site::{RenderCache, Site};

    fn lesson(root: &std::path::Path, name: &str, cards: &str) {
        let dir = root.join("content/s");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(format!("{name}.md")),
            format!("+++\ntitle = \"{name}\"\n+++\n\n::: flashcards\n{cards}:::\n"),
        )
        .unwrap();
    }

    fn render(root: &std::path::Path, cache: &mut RenderCache) -> (usize, usize, String) {
        let site = Site::load(root, false).unwrap();
        let sink = InMemory::default();
        let outcome = site.render_cached(&sink, cache);
        assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
        let files = sink.into_files();
        let page = String::from_utf8_lossy(&files.generated["review/index.html"]).into_owned();
        (outcome.pages, outcome.reused, page)
    }

    #[test]
    fn under_serve_the_review_page_follows_the_cards() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("book.toml"), "[book]\ntitle = \"T\"\n").unwrap();
        lesson(root, "a", "### First\nOne.\n");
        lesson(root, "b", "### Second\nTwo.\n");
        let mut cache = RenderCache::new();
        let (pages, reused, page) = render(root, &mut cache);
        assert_eq!(reused, 0);
        assert!(page.contains("First") && page.contains("Second"));

        let (_, reused, same) = render(root, &mut cache);
        assert_eq!(
            reused, pages,
            "nothing changed, the review page too is kept"
        );
        assert_eq!(same, page);

        lesson(
            root,
            "b",
            "### Second, renamed\nTwo.\n\n### Third\nThree.\n",
        );
        let (_, reused, edited) = render(root, &mut cache);
        // The edited lesson and the review page are new; listing pages,
        // which count cards, too.
        assert!(reused < pages - 1, "{reused} of {pages}");
        assert!(edited.contains("Second, renamed") && edited.contains("Third"));
        assert!(edited.contains("3 flashcards from 2 lessons"), "{edited}");
    }
}
