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
    /// How many quiz questions the lesson holds; 0 where not known.
    pub questions: usize,
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
    /// `lesson`, `section`, `index`, `review` or `404`.
    pub kind: &'static str,
    /// Title.
    pub title: String,
    /// The title's id from its heading's attribute block (`# Title {#id}`),
    /// or empty.
    pub title_id: String,
    /// The title's classes from that block (`{.class}`).
    pub title_classes: Vec<String>,
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
    /// For `<meta name="description">` and link previews: the summary, or
    /// else the first paragraph of the text, or else the book's
    /// description (see [`description`]).
    pub description: String,
    /// An absolute URL of the page's picture for link previews, or empty
    /// (see [`absolute_image`]).
    pub image: String,
    /// Which optional stylesheets and scripts the page needs.
    pub uses: Uses,
}

impl PageContext {
    /// A page of gradbook's own (the 404 and review pages): no body, no
    /// section, no front matter; the template fills it.
    pub fn generated(kind: &'static str, title: &str, url: &str, description: String) -> Self {
        PageContext {
            kind,
            title: title.to_string(),
            title_id: String::new(),
            title_classes: Vec::new(),
            summary: String::new(),
            url: url.to_string(),
            tags: Vec::new(),
            content: String::new(),
            toc: Vec::new(),
            section: None,
            sections: Vec::new(),
            extra: serde_json::Value::Null,
            description,
            image: String::new(),
            uses: Uses::default(),
        }
    }
}

/// Which of the optional stylesheets and scripts a page needs, read from
/// its rendered body, so that a page loads only what it shows:
/// `highlight-*.css` for highlighted code, `components.css` for learning
/// components, `quiz.js` for quizzes, `calc.css` and `calc.js` for calc results,
/// `math-font.css` (in `<noscript>`; the script adds it after loading) for
/// formulas. (`gradbook.css`
/// and `gradbook.js` are on every page; `components.js` also fills in the
/// progress shown on every page.)
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Uses {
    /// Highlighted code blocks.
    pub code: bool,
    /// Learning components (callouts included).
    pub components: bool,
    /// Calc blocks or inline values.
    pub calc: bool,
    /// A quiz, graded by `quiz.js`.
    pub quiz: bool,
    /// Formulas (MathML), which use the math font of `math-font.css`.
    pub math: bool,
}

impl Uses {
    /// What the rendered `html` of a body needs. The markers are class
    /// names the renderer writes and that escaped text cannot contain.
    pub fn of(html: &str) -> Uses {
        Uses {
            code: html.contains("<span class=\"hl-"),
            components: html.contains("class=\"gb "),
            calc: html.contains(" data-calc>") || html.contains("class=\"calc-inline"),
            quiz: html.contains("class=\"gb gb-quiz\""),
            math: html.contains("<math"),
        }
    }
}

/// A page's description: its `summary`, else the first paragraph of its
/// rendered `html`, else `fallback` (the book's description).
pub fn description(summary: &str, html: &str, fallback: &str) -> String {
    if !summary.trim().is_empty() {
        return summary.trim().to_string();
    }
    super::describe::first_paragraph(html).unwrap_or_else(|| fallback.to_string())
}

/// The absolute URL of a front matter `image` for link previews: an
/// `http(s)://` URL as it is, a file of `static/` under an absolute
/// `base_url`; empty otherwise (previews need absolute URLs).
pub fn absolute_image(image: &str, base_url: Option<&str>) -> String {
    if image.is_empty() {
        String::new()
    } else if image.starts_with("https://") || image.starts_with("http://") {
        image.to_string()
    } else if let Some(base) = base_url {
        format!("{base}{}", image.trim_start_matches('/'))
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_uses_what_its_body_shows() {
        assert_eq!(Uses::of("<p>Plain text.</p>"), Uses::default());
        let code = "<pre class=\"hl-code\"><code><span class=\"hl-source\">x</span></code></pre>";
        assert!(Uses::of(code).code);
        // An unhighlighted block is styled by the theme alone.
        assert!(!Uses::of("<pre class=\"hl-code plain\"><code>x</code></pre>").code);
        assert!(Uses::of("<aside class=\"gb gb-callout gb-note\">").components);
        assert!(Uses::of("<section class=\"gb gb-flashcards\">").components);
        assert!(!Uses::of("<section class=\"gb gb-flashcards\">").quiz);
        assert!(Uses::of("<section class=\"gb gb-quiz\" id=\"gb-1\">").quiz);
        assert!(Uses::of("<div class=\"calc\" id=\"calc_1\" data-calc>").calc);
        assert!(Uses::of("<span class=\"calc-inline calc-number\">6</span>").calc);
        // Text that talks about the markers is escaped, so it is not them.
        assert_eq!(
            Uses::of("<p><code>&lt;span class=&quot;hl-x&quot;&gt; class=&quot;gb </code></p>"),
            Uses::default()
        );
    }

    #[test]
    fn descriptions_fall_back_to_the_first_paragraph_then_the_book() {
        assert_eq!(description("Summary.", "<p>Text.</p>", "Book."), "Summary.");
        assert_eq!(description("", "<p>Text.</p>", "Book."), "Text.");
        assert_eq!(description(" ", "<h2>x</h2>", "Book."), "Book.");
    }

    #[test]
    fn images_need_absolute_urls() {
        let base = Some("https://example.org/course/");
        assert_eq!(absolute_image("", base), "");
        assert_eq!(
            absolute_image("covers/a.png", base),
            "https://example.org/course/covers/a.png"
        );
        assert_eq!(
            absolute_image("/covers/a.png", base),
            "https://example.org/course/covers/a.png"
        );
        assert_eq!(absolute_image("covers/a.png", None), "");
        assert_eq!(
            absolute_image("https://cdn.example.org/a.png", None),
            "https://cdn.example.org/a.png"
        );
    }
}
