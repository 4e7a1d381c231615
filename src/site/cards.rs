//! Every flashcard of the site, with the lesson it belongs to: what the
//! site-wide review page and deck exports are made from.

use std::path::PathBuf;
use std::sync::Arc;

use crate::components::RenderedCard;

use super::{PageFacts, Site};

/// One flashcard and where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteCard {
    /// The card as rendered on its page, computed values included (shared
    /// with the page's facts).
    pub card: Arc<RenderedCard>,
    /// The lesson's URL path (`calculus/what-is-a-derivative/`).
    pub lesson_url: String,
    /// The lesson's title.
    pub lesson_title: String,
    /// The lesson's source, relative to the content folder.
    pub lesson_path: PathBuf,
    /// The title of the lesson's section (empty for a top-level lesson
    /// without one) and its URL path.
    pub section_title: String,
    pub section_url: String,
    /// The lesson's tags, from its front matter.
    pub tags: Vec<String>,
    /// The 1-based line of the card's front in the lesson's source.
    pub line: usize,
}

impl Site {
    /// The flashcards of the rendered lessons `facts` (in reading order),
    /// lesson by lesson, each lesson's in page order.
    pub(super) fn site_cards(&self, facts: &[PageFacts<'_>]) -> Vec<SiteCard> {
        let mut out = Vec::new();
        for (&i, page) in self.content.reading_order.iter().zip(facts) {
            let lesson = &self.content.lessons[i];
            let section = &self.content.sections[lesson.section];
            for card in &page.cards {
                out.push(SiteCard {
                    card: Arc::clone(card),
                    lesson_url: lesson.url.clone(),
                    lesson_title: lesson.title.clone(),
                    lesson_path: lesson.rel_path.clone(),
                    section_title: section.title.clone(),
                    section_url: section.url.clone(),
                    tags: lesson.front.tags.clone(),
                    line: lesson.source.locate(card.span.start).0,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::output::Discard;
    use crate::site::Site;

    #[test]
    fn every_card_of_the_site_comes_with_its_lesson_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("book.toml"), "[book]\ntitle = \"T\"\n").unwrap();
        std::fs::create_dir_all(root.join("content/basics")).unwrap();
        std::fs::write(
            root.join("content/basics/_index.md"),
            "+++\ntitle = \"Basics\"\n+++\n",
        )
        .unwrap();
        std::fs::write(
            root.join("content/basics/a.md"),
            "+++\ntitle = \"Slopes\"\norder = 1\ntags = [\"calculus\"]\n+++\n\n```calc\n>>> J(w) = w**2\n```\n\n::: flashcards Terms\n### Slope at 3\nIt is `= J'(3)`.\n:::\n",
        )
        .unwrap();
        std::fs::write(
            root.join("content/basics/b.md"),
            "+++\ntitle = \"More\"\norder = 2\n+++\n\n::: flashcards\n### One\nA.\n\n### Two\nB.\n:::\n",
        )
        .unwrap();
        let site = Site::load(root, false).unwrap();
        let outcome = site.render_into(&Discard, &|_, _| {});
        assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
        let cards: Vec<_> = outcome
            .cards
            .iter()
            .map(|c| {
                (
                    c.lesson_title.as_str(),
                    c.section_title.as_str(),
                    c.card.front.as_str(),
                    c.line,
                )
            })
            .collect();
        assert_eq!(
            cards,
            [
                ("Slopes", "Basics", "Slope at 3", 12),
                ("More", "Basics", "One", 7),
                ("More", "Basics", "Two", 10)
            ]
        );
        let first = &outcome.cards[0];
        assert!(first.card.back.contains('6'), "{}", first.card.back);
        assert_eq!(first.tags, ["calculus"]);
        assert_eq!(first.card.deck, "Terms");
        assert_eq!(first.lesson_url, "basics/a/");
    }
}
