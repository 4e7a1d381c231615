//! The sidebar, sized so that it never grows with the number of lessons.
//!
//! A small site (up to [`NAV_EXPAND_ALL`] lessons) lists every lesson of
//! every section in every page, as before. A larger one lists every
//! section, and inside the current section a window of the lessons around
//! the current page (at most [`WINDOW`] before and after), with a link to
//! the section page for the rest. Every page is then bounded in size
//! whatever the site's size, and with JavaScript off every lesson is still
//! two clicks away (section page, lesson).
//!
//! Sidebar entries carry no flashcard or checklist counts: a lesson's
//! totals are known only once it is rendered, and pages are rendered (and
//! written) in parallel, one at a time. The browser takes the totals from
//! the progress the learner saved on the lesson itself, which is the only
//! case where there is progress to show.

use serde::Serialize;

use crate::content::Content;
use crate::render::context::{NavLesson, NavSection};

/// Up to this many lessons in the whole site, the sidebar lists every
/// lesson of every section.
pub const NAV_EXPAND_ALL: usize = 60;

/// In a larger site, a section with at most this many lessons is listed
/// whole in its own pages' sidebars.
pub const SECTION_WHOLE: usize = 25;

/// Otherwise, the sidebar shows this many lessons on each side of the
/// current one.
pub const WINDOW: usize = 6;

/// The sidebar data shared by every page: sections in reading order, with
/// their lessons only when the whole site is small.
pub(super) struct Nav {
    expand_all: bool,
    /// A hash of what every sidebar shows, for the render cache.
    key: u64,
    /// `sections` converted once: tera values share their arrays, so each
    /// page gets the list without copying it.
    value: tera::Value,
    /// Each lesson's place in its section's list (by lesson index), so a
    /// window is found without a search through the section.
    place: Vec<usize>,
}

/// The lessons of the current section that one page's sidebar lists.
#[derive(Debug, Clone, Serialize, PartialEq, Hash)]
pub struct NavWindow {
    /// The section's URL.
    pub section_url: String,
    /// The lessons shown, in order.
    pub lessons: Vec<NavLesson>,
    /// How many of the section's lessons come before the first one shown.
    pub hidden_before: usize,
    /// How many come after the last one shown.
    pub hidden_after: usize,
    /// How many lessons the section has.
    pub total: usize,
}

impl Nav {
    pub(super) fn new(content: &Content) -> Nav {
        let expand_all = content.lessons.len() <= NAV_EXPAND_ALL;
        let sections = sections(content, expand_all);
        let value = tera::Value::from_serializable(&sections);
        let mut place = vec![0; content.lessons.len()];
        for section in &content.sections {
            for (at, &i) in section.lessons.iter().enumerate() {
                place[i] = at;
            }
        }
        Nav {
            expand_all,
            key: super::cache::key_of(&sections),
            value,
            place,
        }
    }

    /// A hash of what every page's sidebar shows.
    pub(super) fn key(&self) -> u64 {
        self.key
    }

    /// Whether every page lists every lesson.
    pub(super) fn expand_all(&self) -> bool {
        self.expand_all
    }

    /// The shared section list, ready for a tera context.
    pub(super) fn value(&self) -> tera::Value {
        self.value.clone()
    }

    /// The window of section `s`'s lessons shown around lesson `current`
    /// (an index into `content.lessons`), or from the section's start when
    /// `current` is `None` (the section's own page). `None` when every
    /// page already lists every lesson.
    pub(super) fn window(
        &self,
        content: &Content,
        s: usize,
        current: Option<usize>,
    ) -> Option<NavWindow> {
        let range = self.window_range(content, s, current)?;
        let lessons = &content.sections[s].lessons;
        let total = lessons.len();
        Some(NavWindow {
            section_url: content.sections[s].url.clone(),
            hidden_before: range.start,
            hidden_after: total - range.end,
            lessons: lessons[range]
                .iter()
                .map(|&i| nav_lesson(content, i))
                .collect(),
            total,
        })
    }
}

impl Nav {
    /// Which of section `s`'s lessons [`Nav::window`] shows.
    fn window_range(
        &self,
        content: &Content,
        s: usize,
        current: Option<usize>,
    ) -> Option<std::ops::Range<usize>> {
        if self.expand_all {
            return None;
        }
        let lessons = &content.sections[s].lessons;
        let total = lessons.len();
        if total <= SECTION_WHOLE {
            return Some(0..total);
        }
        let at = current
            .and_then(|c| self.place.get(c).copied())
            .filter(|&at| lessons.get(at) == current.as_ref())
            .unwrap_or(0);
        let start = at
            .saturating_sub(WINDOW)
            .min(total.saturating_sub(2 * WINDOW + 1));
        Some(start..(start + 2 * WINDOW + 1).min(total))
    }

    /// A hash of what [`Nav::window`] gives, made without building it
    /// (what `serve` computes for every lesson on every edit).
    pub(super) fn window_key(&self, content: &Content, s: usize, current: Option<usize>) -> u64 {
        let Some(range) = self.window_range(content, s, current) else {
            return 0;
        };
        let lessons = &content.sections[s].lessons;
        let shown: Vec<(&str, &str, &str, usize)> = lessons[range.clone()]
            .iter()
            .map(|&i| {
                let l = &content.lessons[i];
                (
                    l.title.as_str(),
                    l.url.as_str(),
                    l.front.summary.as_str(),
                    content.position(i),
                )
            })
            .collect();
        super::cache::key_of(&(&content.sections[s].url, range, lessons.len(), shown))
    }
}

/// The sections in reading order, with their lessons when `expand_all`.
fn sections(content: &Content, expand_all: bool) -> Vec<NavSection> {
    listed(content, |i| expand_all.then(|| nav_lesson(content, i)))
}

/// The sections in reading order, each with the lessons `lesson` gives
/// (none when it gives `None`).
pub(super) fn listed(
    content: &Content,
    lesson: impl Fn(usize) -> Option<NavLesson>,
) -> Vec<NavSection> {
    content
        .section_order
        .iter()
        .map(|&s| {
            let section = &content.sections[s];
            NavSection {
                title: section.title.clone(),
                url: section.url.clone(),
                summary: section.summary.clone(),
                depth: section.depth,
                lesson_count: section.lessons.len(),
                lessons: section.lessons.iter().filter_map(|&i| lesson(i)).collect(),
            }
        })
        .collect()
}

/// Lesson `i` as the sidebar and lesson lists show it.
pub(super) fn nav_lesson(content: &Content, i: usize) -> NavLesson {
    let lesson = &content.lessons[i];
    NavLesson {
        title: lesson.title.clone(),
        url: lesson.url.clone(),
        summary: lesson.front.summary.clone(),
        number: content.position(i) + 1,
        cards: 0,
        tasks: 0,
        questions: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Lesson, Section};

    fn lesson(i: usize) -> Lesson {
        Lesson {
            source: crate::diagnostics::SourceText::new(format!("l{i}.md"), "").into(),
            source_hash: 0,
            rel_path: format!("l{i}.md").into(),
            title: format!("L{i}"),
            title_attributes: Default::default(),
            front: Default::default(),
            body: 0..0,
            url: format!("l{i}/"),
            section: 0,
        }
    }

    fn content(lessons: usize) -> Content {
        let mut content = Content::default();
        let mut root = Section {
            rel_dir: Default::default(),
            title: String::new(),
            title_attributes: Default::default(),
            order: None,
            summary: String::new(),
            intro: None,
            url: String::new(),
            depth: 0,
            parent: None,
            lessons: Vec::new(),
            children: Vec::new(),
            draft: false,
        };
        for i in 0..lessons {
            root.lessons.push(i);
            content.lessons.push(lesson(i));
            content.reading_order.push(i);
        }
        content.sections.push(root);
        content.section_order.push(0);
        content.index_positions();
        content
    }

    fn shown(window: &NavWindow) -> Vec<usize> {
        window
            .lessons
            .iter()
            .map(|l| l.title[1..].parse().unwrap())
            .collect()
    }

    #[test]
    fn small_sites_list_everything_and_need_no_window() {
        let c = content(NAV_EXPAND_ALL);
        let nav = Nav::new(&c);
        assert!(nav.expand_all());
        assert_eq!(sections(&c, true)[0].lessons.len(), NAV_EXPAND_ALL);
        assert_eq!(nav.window(&c, 0, Some(3)), None);
    }

    #[test]
    fn the_window_is_bounded_and_follows_the_current_lesson() {
        let c = content(10_000);
        let nav = Nav::new(&c);
        assert!(!nav.expand_all());
        for current in [0, 1, 5, 6, 7, 5000, 9993, 9994, 9999] {
            let w = nav.window(&c, 0, Some(current)).unwrap();
            let shown = shown(&w);
            assert_eq!(shown.len(), 2 * WINDOW + 1, "at {current}");
            assert!(shown.contains(&current), "at {current}: {shown:?}");
            assert_eq!(w.hidden_before, shown[0]);
            assert_eq!(w.hidden_before + shown.len() + w.hidden_after, 10_000);
            assert!(shown.windows(2).all(|p| p[1] == p[0] + 1));
        }
        let middle = nav.window(&c, 0, Some(5000)).unwrap();
        assert_eq!(
            shown(&middle)[WINDOW],
            5000,
            "centred on the current lesson"
        );
        let section_page = nav.window(&c, 0, None).unwrap();
        assert_eq!(section_page.hidden_before, 0);
    }

    #[test]
    fn a_window_key_changes_exactly_when_the_window_does() {
        let mut c = content(1_000);
        let nav = Nav::new(&c);
        let key = |c: &Content, at: usize| nav.window_key(c, 0, Some(at));
        let before: Vec<u64> = (0..1_000).map(|at| key(&c, at)).collect();
        // Lessons near the start share the first window.
        assert_eq!(before[0], before[WINDOW]);
        assert_ne!(before[WINDOW], before[WINDOW + 1]);
        // Retitling lesson 500 changes the keys of the windows that show it.
        c.lessons[500].title = "Renamed".into();
        for (at, &was) in before.iter().enumerate() {
            let shows = nav
                .window(&c, 0, Some(at))
                .unwrap()
                .lessons
                .iter()
                .any(|l| l.title == "Renamed");
            assert_eq!(key(&c, at) != was, shows, "at {at}");
        }
    }

    #[test]
    fn a_section_of_moderate_size_is_listed_whole() {
        let c = content(NAV_EXPAND_ALL + 1);
        let mut c2 = c.clone();
        // Move all but SECTION_WHOLE lessons out of the section's list.
        c2.sections[0].lessons.truncate(SECTION_WHOLE);
        let nav = Nav::new(&c2);
        let w = nav.window(&c2, 0, Some(SECTION_WHOLE - 1)).unwrap();
        assert_eq!(w.lessons.len(), SECTION_WHOLE);
        assert_eq!((w.hidden_before, w.hidden_after), (0, 0));
    }
}
