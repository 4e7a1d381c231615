//! What a site holds besides its pages: the built-in assets and the two
//! highlighting stylesheets, a site's own `templates/assets/`, the files of
//! `static/`, and the sitemap.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{STATIC_DIR, Site, WriteErrors};
use crate::output::Sink;
use crate::diagnostics::Diagnostic;
use crate::markdown::highlight::{self, Scheme};
use crate::render;

impl Site {
    /// Hands every file that is not a page to `sink`; returns the problems
    /// found (unreadable folders, a static file that would replace a
    /// generated one).
    pub(super) fn write_extras(&self, sink: &dyn Sink, written: &WriteErrors) -> Vec<Diagnostic> {
        let mut generated = self.page_paths();
        written.keep(sink.put("sitemap.xml", self.sitemap().into_bytes()));
        generated.insert("sitemap.xml".to_string());
        let overrides = self.asset_overrides();
        for (name, text) in render::ASSETS {
            let rel = format!("assets/{name}");
            if !overrides.0.iter().any(|(r, _)| *r == rel) {
                written.keep(sink.put(&rel, text.as_bytes().to_vec()));
            }
            generated.insert(rel);
        }
        let theme = &self.config.theme;
        for (name, theme_name, scheme) in [
            ("highlight-light.css", &theme.highlight_light, Scheme::Light),
            ("highlight-dark.css", &theme.highlight_dark, Scheme::Dark),
        ] {
            // The config has checked the names, so the stylesheet exists.
            let css = highlight::stylesheet(theme_name, scheme).unwrap_or_default();
            let rel = format!("assets/{name}");
            if !overrides.0.iter().any(|(r, _)| *r == rel) {
                written.keep(sink.put(&rel, css.into_bytes()));
            }
            generated.insert(rel);
        }
        let (found, mut problems) = overrides;
        for (rel, path) in found {
            written.keep(sink.copy(&rel, &path));
            generated.insert(rel);
        }
        problems.extend(self.copy_static(sink, written, &generated));
        problems
    }

    /// The output path of every page.
    fn page_paths(&self) -> HashSet<String> {
        let content = &self.content;
        let mut paths: HashSet<String> = content
            .reading_order
            .iter()
            .map(|&i| format!("{}index.html", content.lessons[i].url))
            .collect();
        paths.extend(
            content
                .section_order
                .iter()
                .map(|&s| format!("{}index.html", content.sections[s].url)),
        );
        paths.insert("404.html".to_string());
        paths
    }

    /// A site's `templates/assets/` replaces built-in assets of the same
    /// name and adds others: the files, by output path, and the problems.
    fn asset_overrides(&self) -> (Vec<(String, PathBuf)>, Vec<Diagnostic>) {
        let dir = self.root.join(render::TEMPLATE_DIR).join(render::ASSET_DIR);
        let (found, errors) = files_under(&dir);
        let found = found
            .into_iter()
            .map(|(rel, path)| (format!("{}{rel}", render::ASSET_DIR), path))
            .collect();
        let problems = errors
            .into_iter()
            .map(|err| {
                Diagnostic::whole_file(
                    Path::new(render::TEMPLATE_DIR).join(render::ASSET_DIR),
                    format!("cannot read: {err}"),
                )
            })
            .collect();
        (found, problems)
    }

    /// Copies `static/`; a static file that would replace a generated one
    /// is an error.
    fn copy_static(
        &self,
        sink: &dyn Sink,
        written: &WriteErrors,
        generated: &HashSet<String>,
    ) -> Vec<Diagnostic> {
        let (found, errors) = files_under(&self.root.join(STATIC_DIR));
        let mut problems: Vec<Diagnostic> = errors
            .into_iter()
            .map(|err| {
                let shown = err
                    .path()
                    .and_then(|p| p.strip_prefix(&self.root).ok())
                    .map_or_else(|| PathBuf::from(STATIC_DIR), Path::to_path_buf);
                Diagnostic::whole_file(shown, format!("cannot copy: {err}"))
            })
            .collect();
        for (rel, path) in found {
            if generated.contains(&rel) {
                problems.push(
                    Diagnostic::whole_file(
                        Path::new(STATIC_DIR).join(&rel),
                        format!("would replace the generated file {rel}"),
                    )
                    .with_help("rename or move the static file"),
                );
                continue;
            }
            written.keep(sink.copy(&rel, &path));
        }
        problems
    }

    fn sitemap(&self) -> String {
        let base = &self.config.book.base_url;
        let mut urls: Vec<&str> = self
            .content
            .section_order
            .iter()
            .map(|&s| self.content.sections[s].url.as_str())
            .collect();
        urls.extend(
            self.content
                .reading_order
                .iter()
                .map(|&i| self.content.lessons[i].url.as_str()),
        );
        urls.sort_unstable();
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for url in urls {
            xml.push_str("  <url><loc>");
            xml.push_str(&crate::html::escape(&format!("{base}{url}")));
            xml.push_str("</loc></url>\n");
        }
        xml.push_str("</urlset>\n");
        xml
    }
}

/// Every file under `dir` (links followed, in name order) as its path
/// relative to `dir` with `/` separators and its path on disk, plus the
/// entries that could not be read. A missing `dir` has no files.
fn files_under(dir: &Path) -> (Vec<(String, PathBuf)>, Vec<walkdir::Error>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    if !dir.is_dir() {
        return (found, errors);
    }
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        match entry {
            Err(err) => errors.push(err),
            Ok(entry) if entry.file_type().is_file() => {
                if let Ok(rel) = entry.path().strip_prefix(dir) {
                    let rel = rel.to_string_lossy().replace('\\', "/");
                    found.push((rel, entry.into_path()));
                }
            }
            Ok(_) => {}
        }
    }
    (found, errors)
}
