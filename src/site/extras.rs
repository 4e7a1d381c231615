//! What a site holds besides its pages: the built-in assets and the two
//! highlighting stylesheets, a site's own `templates/assets/`, the page
//! assets of `content/` (every file that is not Markdown), the files of
//! `static/`, and the sitemap.

use std::collections::HashSet;

use bytes::Bytes;
use std::path::{Path, PathBuf};

use super::{STATIC_DIR, Site, WriteErrors};
use crate::diagnostics::Diagnostic;
use crate::markdown::highlight::{self, Scheme};
use crate::output::Sink;
use crate::render;

impl Site {
    /// Hands every file that is not a page to `sink`; returns the problems
    /// found (unreadable folders, a static file that would replace a
    /// generated one).
    pub(super) fn write_extras(&self, sink: &dyn Sink, written: &WriteErrors) -> Vec<Diagnostic> {
        let mut generated = self.page_paths();
        let own_robots = self.root.join(STATIC_DIR).join("robots.txt").is_file();
        for (name, text) in self.crawler_files() {
            // A site's own robots.txt (in static/) replaces the generated one.
            if name == "robots.txt" && own_robots {
                continue;
            }
            written.keep(sink.put(&name, Bytes::from(text)));
            generated.insert(name);
        }
        let overrides = self.asset_overrides();
        for (name, text) in render::ASSETS {
            let rel = format!("assets/{name}");
            if !overrides.0.iter().any(|(r, _)| *r == rel) {
                written.keep(sink.put(&rel, Bytes::from_static(text.as_bytes())));
            }
            generated.insert(rel);
        }
        for (name, bytes) in render::BINARY_ASSETS {
            let rel = format!("assets/{name}");
            if !overrides.0.iter().any(|(r, _)| *r == rel) {
                written.keep(sink.put(&rel, Bytes::from_static(bytes)));
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
                written.keep(sink.put(&rel, Bytes::from(css)));
            }
            generated.insert(rel);
        }
        let (found, mut problems) = overrides;
        for (rel, path) in found {
            written.keep(sink.copy(&rel, &path));
            generated.insert(rel);
        }
        problems.extend(self.copy_page_assets(sink, written, &mut generated));
        problems.extend(self.copy_static(sink, written, &generated));
        problems
    }

    /// Copies the content folder's files that are not Markdown to the same
    /// place in the output; one that would replace a generated file is an
    /// error.
    fn copy_page_assets(
        &self,
        sink: &dyn Sink,
        written: &WriteErrors,
        generated: &mut HashSet<String>,
    ) -> Vec<Diagnostic> {
        let shown = &self.config.build.content_dir;
        let dir = self.root.join(shown);
        let mut problems = Vec::new();
        for rel in &self.content.assets {
            let key = slashed(rel);
            if generated.contains(&key) {
                problems.push(
                    Diagnostic::whole_file(
                        shown.join(rel),
                        format!("would replace the generated file {key}"),
                    )
                    .with_help("rename or move the file"),
                );
                continue;
            }
            written.keep(sink.copy(&key, &dir.join(rel)));
            generated.insert(key);
        }
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
        if self.has_review() {
            paths.insert(format!("{}index.html", super::REVIEW_URL));
        }
        paths
    }

    /// A site's `templates/assets/` replaces built-in assets of the same
    /// name and adds others: the files, by output path, and the problems.
    fn asset_overrides(&self) -> (Vec<(String, PathBuf)>, Vec<Diagnostic>) {
        let shown = Path::new(render::TEMPLATE_DIR).join(render::ASSET_DIR);
        let dir = self.root.join(&shown);
        let found = crate::files::walk(&dir, &shown, &self.root, |_, _| true);
        let files = found
            .files
            .into_iter()
            .map(|rel| {
                (
                    format!("{}{}", render::ASSET_DIR, slashed(&rel)),
                    dir.join(rel),
                )
            })
            .collect();
        (files, found.diagnostics)
    }

    /// Copies `static/`; a static file that would replace a generated one
    /// is an error.
    fn copy_static(
        &self,
        sink: &dyn Sink,
        written: &WriteErrors,
        generated: &HashSet<String>,
    ) -> Vec<Diagnostic> {
        let dir = self.root.join(STATIC_DIR);
        let found = crate::files::walk(&dir, Path::new(STATIC_DIR), &self.root, |_, _| true);
        let mut problems = found.diagnostics;
        for rel in found.files {
            let key = slashed(&rel);
            if generated.contains(&key) {
                problems.push(
                    Diagnostic::whole_file(
                        Path::new(STATIC_DIR).join(&rel),
                        format!("would replace the generated file {key}"),
                    )
                    .with_help("rename or move the static file"),
                );
                continue;
            }
            written.keep(sink.copy(&key, &dir.join(rel)));
        }
        problems
    }

    /// `robots.txt`, and `sitemap.xml` when `base-url` is absolute: the
    /// sitemap protocol wants absolute URLs, so with a relative base-url
    /// there is no sitemap and `robots.txt` does not point to one.
    fn crawler_files(&self) -> Vec<(String, String)> {
        match self.config.book.absolute_base_url() {
            Some(base) => vec![
                (
                    "robots.txt".to_string(),
                    format!("User-agent: *\nAllow: /\n\nSitemap: {base}sitemap.xml\n"),
                ),
                ("sitemap.xml".to_string(), self.sitemap(base)),
            ],
            None => vec![(
                "robots.txt".to_string(),
                "User-agent: *\nAllow: /\n".to_string(),
            )],
        }
    }

    /// What `build` should tell the author about the output.
    pub fn notes(&self) -> Vec<String> {
        match self.config.book.absolute_base_url() {
            Some(_) => Vec::new(),
            None => vec![format!(
                "no sitemap.xml: base-url \"{}\" is not an absolute URL (set base-url in book.toml, or pass --base-url, to the address the site is published at)",
                self.config.book.base_url
            )],
        }
    }

    fn sitemap(&self, base: &str) -> String {
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

/// A relative path with `/` separators, as output paths are.
fn slashed(rel: &Path) -> String {
    rel.to_string_lossy().replace('\\', "/")
}
