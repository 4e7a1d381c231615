//! Pages through tera templates.
//!
//! The built-in templates (`templates/*.html` in this repository) are
//! compiled into the binary under the `builtin/` prefix. A file of the same
//! name in a site's `templates/` folder is found first, so it overrides the
//! built-in; a site template may also extend a built-in one explicitly
//! (`{% extends "builtin/base.html" %}`). Only `.html` files are
//! templates; `templates/assets/` replaces or adds stylesheets and
//! scripts instead. Template errors become
//! [`Diagnostic`]s pointing into the template file.

// A `Diagnostic` is the error of a content problem; it is large, but it is
// built only on the error path, so it is not worth boxing.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::{ErrorKind, Tera};

use crate::diagnostics::{Diagnostic, SourceText};

pub mod context;
pub mod describe;
pub mod links;

/// The prefix of the built-in templates' names.
pub const BUILTIN_PREFIX: &str = "builtin/";

/// The folder of a site that holds its template overrides.
pub const TEMPLATE_DIR: &str = "templates";

/// The built-in templates: name and source.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("lesson.html", include_str!("../../templates/lesson.html")),
    ("section.html", include_str!("../../templates/section.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("404.html", include_str!("../../templates/404.html")),
    (
        "nav_lesson.html",
        include_str!("../../templates/nav_lesson.html"),
    ),
    (
        "lesson_card.html",
        include_str!("../../templates/lesson_card.html"),
    ),
    (
        "search_box.html",
        include_str!("../../templates/search_box.html"),
    ),
    ("review.html", include_str!("../../templates/review.html")),
];

/// The folder, in the output and in a site's `templates/`, of stylesheets
/// and scripts. A site's `templates/assets/NAME` replaces the built-in
/// asset of the same name (or adds a new one).
pub const ASSET_DIR: &str = "assets/";

/// The static assets every site gets under `assets/`.
pub const ASSETS: &[(&str, &str)] = &[
    // The search box is on every page, so its styles are part of the
    // theme's stylesheet: a page waits for one stylesheet, not two.
    (
        "gradbook.css",
        include_str!("../../templates/assets/gradbook.css"),
    ),
    (
        "gradbook.js",
        include_str!("../../templates/assets/gradbook.js"),
    ),
    (
        "components.css",
        include_str!("../../templates/assets/components.css"),
    ),
    (
        "components.js",
        include_str!("../../templates/assets/components.js"),
    ),
    ("quiz.js", include_str!("../../templates/assets/quiz.js")),
    ("calc.css", include_str!("../../templates/assets/calc.css")),
    // The math font's `@font-face`, added by gradbook.js after the page
    // has loaded, so the font never delays the first paint.
    (
        "math-font.css",
        include_str!("../../templates/assets/math-font.css"),
    ),
    ("calc.js", include_str!("../../templates/assets/calc.js")),
    (
        "search.js",
        include_str!("../../templates/assets/search.js"),
    ),
    (
        "pretty-urls.js",
        include_str!("../../templates/assets/pretty-urls.js"),
    ),
    // The review page and the header's count of due cards.
    (
        "review-fsrs.js",
        include_str!("../../templates/assets/review-fsrs.js"),
    ),
    (
        "review.js",
        include_str!("../../templates/assets/review.js"),
    ),
    (
        "review.css",
        include_str!("../../templates/assets/review.css"),
    ),
];

/// The binary assets every site gets under `assets/`: the math font and
/// its licence.
pub const BINARY_ASSETS: &[(&str, &[u8])] = &[
    (
        "fonts/STIXTwoMath-Regular.woff2",
        include_bytes!("../../templates/assets/fonts/STIXTwoMath-Regular.woff2"),
    ),
    (
        "fonts/STIXTwoMath-OFL.txt",
        include_bytes!("../../templates/assets/fonts/STIXTwoMath-OFL.txt"),
    ),
];

/// The compiled templates of one site.
pub struct Templates {
    tera: Tera,
    /// Sources of the site's own templates, by template name, for quoting
    /// lines in errors.
    sources: BTreeMap<String, SourceText>,
}

impl Templates {
    /// A hash of the site's own templates (the built-in ones are fixed for
    /// a given gradbook), for the render cache.
    pub fn fingerprint(&self) -> u64 {
        let mut hasher = std::hash::DefaultHasher::new();
        for (name, source) in &self.sources {
            std::hash::Hash::hash(&(name, &source.text), &mut hasher);
        }
        std::hash::Hasher::finish(&hasher)
    }

    /// Compiles the built-ins plus the overrides in `root/templates/`.
    pub fn load(root: &Path) -> Result<Templates, Vec<Diagnostic>> {
        let mut tera = Tera::new();
        tera.set_escape_fn(escape_value);
        tera.set_fallback_prefixes([BUILTIN_PREFIX])
            .map_err(|e| vec![Diagnostic::whole_file(TEMPLATE_DIR, e.to_string())])?;
        let builtins: Vec<(String, &str)> = BUILTIN_TEMPLATES
            .iter()
            .map(|(name, text)| (format!("{BUILTIN_PREFIX}{name}"), *text))
            .collect();
        tera.add_raw_templates(builtins.iter().map(|(n, t)| (n.as_str(), *t)))
            .map_err(|e| {
                vec![Diagnostic::whole_file(
                    "(built-in templates)",
                    e.to_string(),
                )]
            })?;

        let mut sources = BTreeMap::new();
        let mut diagnostics = Vec::new();
        let dir = root.join(TEMPLATE_DIR);
        let found = crate::files::walk(&dir, Path::new(TEMPLATE_DIR), root, |rel, is_dir| {
            // `assets/` holds stylesheets and scripts, not templates.
            if is_dir {
                !rel.starts_with(ASSET_DIR)
            } else {
                rel.extension().is_some_and(|e| e == "html")
            }
        });
        diagnostics.extend(found.diagnostics);
        for rel in found.files {
            let name = rel.to_string_lossy().replace('\\', "/");
            let shown = Path::new(TEMPLATE_DIR).join(&rel);
            match crate::content::read_source(&dir.join(&rel), &shown) {
                Ok(source) => {
                    sources.insert(name, source);
                }
                Err(d) => diagnostics.push(d),
            }
        }
        let mut templates = Templates { tera, sources };
        if !templates.sources.is_empty() {
            let batch: Vec<(String, String)> = templates
                .sources
                .iter()
                .map(|(n, s)| (n.clone(), s.text.clone()))
                .collect();
            if let Err(err) = templates
                .tera
                .add_raw_templates(batch.iter().map(|(n, t)| (n, t)))
            {
                // Compile each file on its own to find every broken one;
                // the batch's error is one of them, so it is reported only
                // when no file fails alone (a problem between files).
                let mut alone_errors = Vec::new();
                for (name, text) in &batch {
                    let mut alone = Tera::new();
                    let _ = alone.set_fallback_prefixes([BUILTIN_PREFIX]);
                    if alone
                        .add_raw_templates(builtins.iter().map(|(n, t)| (n.as_str(), *t)))
                        .is_err()
                    {
                        continue;
                    }
                    if let Err(err) = alone.add_raw_template(name, text) {
                        alone_errors.push(templates.diagnostic(&err, Some(name)));
                    }
                }
                if alone_errors.is_empty() {
                    diagnostics.push(templates.diagnostic(&err, None));
                }
                diagnostics.extend(alone_errors);
            }
        }
        crate::diagnostics::sort(&mut diagnostics);
        if diagnostics.is_empty() {
            Ok(templates)
        } else {
            Err(diagnostics)
        }
    }

    /// Renders template `name` (found on disk first, then built in).
    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String, Diagnostic> {
        self.tera
            .render(name, context)
            .map_err(|err| self.diagnostic(&err, Some(name)))
    }

    /// Where a template named `name` comes from, as shown to the user.
    pub fn shown_path(&self, name: &str) -> PathBuf {
        match name.strip_prefix(BUILTIN_PREFIX) {
            Some(builtin) => PathBuf::from(format!("(built-in template) {builtin}")),
            None => Path::new(TEMPLATE_DIR).join(name),
        }
    }

    /// Converts a tera error; `fallback` names the template when the error
    /// does not.
    fn diagnostic(&self, err: &tera::Error, fallback: Option<&str>) -> Diagnostic {
        match err.kind() {
            ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
                let name = if report.filename().is_empty() {
                    fallback.unwrap_or("")
                } else {
                    report.filename()
                };
                let span = report.span();
                let message = first_line(report.message());
                let hint = message.contains("not defined in any parent").then(|| {
                    format!(
                        "the built-in templates fill the blocks {BUILTIN_BLOCKS}; a replacement base.html must define every block the other templates use"
                    )
                });
                let diagnostic = match self.sources.get(name) {
                    Some(source) => {
                        let line_text = source.line_text(span.start_line);
                        let column = line_text
                            .get(..span.start_col.min(line_text.len()))
                            .map_or(span.start_col, |s| s.chars().count())
                            + 1;
                        let width = if span.end_line == span.start_line {
                            span.end_col.saturating_sub(span.start_col).max(1)
                        } else {
                            1
                        };
                        Diagnostic::at_line(source, span.start_line, column, width, message)
                            .with_label("in this template")
                    }
                    None if name.is_empty() => Diagnostic::whole_file(TEMPLATE_DIR, message),
                    None => {
                        let mut d = Diagnostic::whole_file(self.shown_path(name), message);
                        d.line = span.start_line;
                        d.column = span.start_col + 1;
                        d
                    }
                };
                match hint {
                    Some(hint) => diagnostic.with_help(hint),
                    None => diagnostic,
                }
            }
            ErrorKind::MissingParent { current, parent } => Diagnostic::whole_file(
                self.shown_path(current),
                format!("extends '{parent}', which does not exist"),
            )
            .with_help(format!(
                "built-in templates are {}",
                BUILTIN_TEMPLATES
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            ErrorKind::CircularExtend { tpl, .. } => Diagnostic::whole_file(
                self.shown_path(tpl),
                "the template extends itself (directly or through others)",
            )
            .with_help(
                "a site template may extend the built-in one of the same name as \"builtin/NAME\"",
            ),
            other => Diagnostic::whole_file(
                self.shown_path(fallback.unwrap_or("")),
                first_line(&other.to_string()),
            ),
        }
    }
}

/// The first line of a tera message, without tera's own `error:` prefix.
fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or(text).trim();
    line.strip_prefix("error:")
        .unwrap_or(line)
        .trim()
        .to_string()
}

/// The blocks the built-in templates define, for hints.
const BUILTIN_BLOCKS: &str = "title, head, sidebar, content, footer, scripts";

/// How templates escape every value they print (`{{ page.title }}`):
/// [`crate::html::escape`], which also drops control characters, so a NUL
/// or ESC in front matter or `book.toml` never reaches a page.
fn escape_value(value: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(crate::html::escape(value).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(TEMPLATE_DIR).join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn builtins_compile() {
        let dir = site(&[]);
        assert!(Templates::load(dir.path()).is_ok());
    }

    #[test]
    fn site_template_overrides_and_can_extend_builtin() {
        let dir = site(&[(
            "404.html",
            "{% extends \"builtin/404.html\" %}{% block title %}Gone{% endblock title %}",
        )]);
        let t = Templates::load(dir.path()).unwrap();
        assert!(t.sources.contains_key("404.html"));
    }

    #[test]
    fn syntax_errors_point_at_the_template_line() {
        let dir = site(&[
            ("lesson.html", "<p>\n{% if %}\n</p>\n"),
            ("index.html", "ok {{ "),
        ]);
        let errs = Templates::load(dir.path()).err().unwrap();
        assert!(
            errs.iter()
                .any(|d| d.location().starts_with("templates/lesson.html:2")),
            "{errs:?}"
        );
        assert!(
            errs.iter()
                .any(|d| d.location().starts_with("templates/index.html:1")),
            "{errs:?}"
        );
    }

    #[test]
    fn render_errors_point_at_the_template_line() {
        let dir = site(&[("index.html", "line one\n{{ nope.field }}\n")]);
        let t = Templates::load(dir.path()).unwrap();
        let d = t.render("index.html", &tera::Context::new()).unwrap_err();
        assert_eq!(d.location(), "templates/index.html:2:4", "{d}");
    }
}
