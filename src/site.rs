//! The pipeline: load → render (in parallel) → validate links → write.
//!
//! [`Site::load`] reads `book.toml`, walks the content and compiles the
//! templates. [`Site::render`] renders every page in memory and checks
//! every link and anchor, collecting every problem instead of stopping at
//! the first; it writes nothing, which is all `check` needs. `build` then
//! hands the files to [`crate::output`], the only disk writer. Output is
//! deterministic: pages are rendered in parallel but collected in order,
//! and nothing depends on time or hash order.

// A `Diagnostic` is the error of a content problem; it is large, but it is
// built only on the error path, so it is not worth boxing.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::calc::{CalcReport, PageCalc};
use crate::components;
use crate::config::Config;
use crate::content::{self, Content};
use crate::diagnostics::{self, Diagnostic, SourceText, did_you_mean};
use crate::markdown::highlight::{self, Scheme};
use crate::markdown::{self, PageContext, Rendered};
use crate::output::SiteFiles;
use crate::render::context::{
    BookContext, LinkContext, NavLesson, NavSection, PageContext as TemplatePage,
};
use crate::render::{self, Templates};
use crate::search::{self, Stemming};

/// Up to this many lessons, the sidebar lists every lesson of every
/// section; above it, only the current section's lessons (so that pages of
/// a large site do not each carry the whole table of contents).
pub const NAV_EXPAND_ALL: usize = 60;

/// The folder of a site whose files are copied verbatim.
pub const STATIC_DIR: &str = "static";

/// A loaded site, ready to render.
pub struct Site {
    /// The folder holding `book.toml`.
    pub root: PathBuf,
    /// `book.toml`.
    pub config: Config,
    /// Lessons and sections.
    pub content: Content,
    /// Compiled templates; `None` when they have errors (reported in
    /// `load_diagnostics`).
    pub templates: Option<Templates>,
    /// Problems found while loading content and templates.
    pub load_diagnostics: Vec<Diagnostic>,
}

/// What rendering produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The site's files, ready for [`crate::output::write_site`].
    pub files: SiteFiles,
    /// Every problem, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// How many of `diagnostics` are not calc failures.
    pub other_failures: usize,
    /// Calc inputs and inline values that matched.
    pub calc_passed: usize,
    /// Calc inputs and inline values that failed.
    pub calc_failed: usize,
    /// Files `check --bless` would rewrite: path on disk and new text.
    pub blessed: Vec<(PathBuf, String)>,
    /// Number of HTML pages.
    pub pages: usize,
}

/// One rendered Markdown body, before templating.
struct Body<'a> {
    source: &'a SourceText,
    disk_path: PathBuf,
    url: String,
    rendered: Rendered,
    report: CalcReport,
}

impl Site {
    /// Loads the site in `root`. `drafts` adds drafts on top of
    /// `build.drafts`. Config problems are returned as the error (they make
    /// everything else meaningless); content and template problems are
    /// kept in `load_diagnostics`.
    pub fn load(root: &Path, drafts: bool) -> Result<Site, Vec<Diagnostic>> {
        let config = Config::load(root)?;
        let drafts = drafts || config.build.drafts;
        let (content, mut load_diagnostics) =
            content::load(root, &config.build.content_dir, drafts);
        let templates = match Templates::load(root) {
            Ok(t) => Some(t),
            Err(d) => {
                load_diagnostics.extend(d);
                None
            }
        };
        Ok(Site {
            root: root.to_path_buf(),
            config,
            content,
            templates,
            load_diagnostics,
        })
    }

    /// The output folder: `dest` if given, else `build.output-dir`
    /// relative to the site root.
    pub fn destination(&self, dest: Option<&Path>) -> PathBuf {
        match dest {
            Some(d) => d.to_path_buf(),
            None => self.root.join(&self.config.build.output_dir),
        }
    }

    /// Renders every page in memory and validates every link.
    pub fn render(&self) -> Outcome {
        self.render_with_progress(&|_, _| {})
    }

    /// [`Site::render`], calling `progress(done, total)` as pages are
    /// rendered (from several threads, in no particular order).
    pub fn render_with_progress(&self, progress: &(dyn Fn(usize, usize) + Sync)) -> Outcome {
        let mut outcome = Outcome::default();
        let mut diagnostics = self.load_diagnostics.clone();

        let bodies = self.render_bodies(progress);
        self.check_anchors(&bodies, &mut diagnostics);
        for body in &bodies {
            diagnostics.extend(body.rendered.diagnostics.iter().cloned());
        }
        let mut calc_diagnostics = Vec::new();
        for body in &bodies {
            outcome.calc_passed += body.report.passed;
            outcome.calc_failed += body.report.failed;
            calc_diagnostics.extend(body.report.diagnostics.iter().cloned());
            if let Some(blessed) = &body.report.blessed {
                outcome
                    .blessed
                    .push((body.disk_path.clone(), blessed.clone()));
            }
        }
        diagnostics::sort(&mut diagnostics);
        outcome.other_failures = diagnostics.len();
        diagnostics.extend(calc_diagnostics);

        let search = self.search_index(&bodies);
        if let Some(templates) = &self.templates {
            let (pages, template_diagnostics) =
                self.render_pages(templates, &bodies, &search.version);
            outcome.other_failures += template_diagnostics.len();
            diagnostics.extend(template_diagnostics);
            outcome.pages = pages.iter().filter(|(f, _)| f.ends_with(".html")).count();
            outcome.files.generated.extend(pages);
        }
        outcome.files.generated.extend(search.files);
        self.add_assets(&mut outcome.files);
        let mut static_diagnostics = self.add_asset_overrides(&mut outcome.files);
        static_diagnostics.extend(self.add_static(&mut outcome.files));
        outcome.other_failures += static_diagnostics.len();
        diagnostics.extend(static_diagnostics);
        diagnostics::sort(&mut diagnostics);
        outcome.diagnostics = diagnostics;
        outcome
    }

    /// Renders every lesson and section intro to HTML, in parallel.
    fn render_bodies(&self, progress: &(dyn Fn(usize, usize) + Sync)) -> Vec<Body<'_>> {
        enum Job {
            Lesson(usize),
            Intro(usize),
        }
        let mut jobs: Vec<Job> = self
            .content
            .reading_order
            .iter()
            .map(|&i| Job::Lesson(i))
            .collect();
        jobs.extend(
            self.content
                .section_order
                .iter()
                .filter(|&&s| self.content.sections[s].intro.is_some())
                .map(|&s| Job::Intro(s)),
        );
        let content_dir = &self.config.build.content_dir;
        let done = AtomicUsize::new(0);
        let total = jobs.len();
        jobs.par_iter()
            .map(|job| {
                let (source, body, url, rel_path) = match *job {
                    Job::Lesson(i) => {
                        let l = &self.content.lessons[i];
                        (&l.source, l.body.clone(), l.url.clone(), l.rel_path.clone())
                    }
                    Job::Intro(s) => {
                        let section = &self.content.sections[s];
                        let intro = section.intro.as_ref().expect("filtered above");
                        (
                            &intro.source,
                            intro.body.clone(),
                            section.url.clone(),
                            section.rel_dir.join(content::SECTION_INDEX),
                        )
                    }
                };
                let page_key = format!("/{url}");
                let root = root_prefix(&url);
                let resolve = |link: &str| self.content.resolve_link(&rel_path, link);
                let ctx = PageContext {
                    source,
                    page_key: &page_key,
                    page_url: &url,
                    root: &root,
                    resolve: &resolve,
                };
                let mut calc = PageCalc::new(source, self.config.calc.precision);
                let rendered = markdown::render_body(&ctx, body, &mut calc);
                let report = calc.finish();
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                Body {
                    source,
                    disk_path: self.root.join(content_dir).join(&rel_path),
                    url,
                    rendered,
                    report,
                }
            })
            .collect()
    }

    /// Reports links to anchors that no page defines.
    fn check_anchors(&self, bodies: &[Body<'_>], diagnostics: &mut Vec<Diagnostic>) {
        let ids: BTreeMap<&str, &Rendered> = bodies
            .iter()
            .map(|b| (b.url.as_str(), &b.rendered))
            .collect();
        for body in bodies {
            for link in &body.rendered.anchor_links {
                let Some(target) = ids.get(link.page_url.as_str()) else {
                    continue;
                };
                if target.ids.contains(&link.anchor) {
                    continue;
                }
                let page = if link.page_url == body.url {
                    "this page".to_string()
                } else {
                    format!("/{}", link.page_url)
                };
                let mut d = Diagnostic::at(
                    body.source,
                    link.span.clone(),
                    format!("link to a missing anchor '#{}' on {page}", link.anchor),
                );
                if let Some(best) = did_you_mean(&link.anchor, target.ids.ids()) {
                    d = d.with_help(format!("did you mean '#{best}'?"));
                } else {
                    let headings: Vec<String> =
                        target.toc.iter().map(|h| format!("#{}", h.id)).collect();
                    if !headings.is_empty() {
                        d = d.with_note(format!("anchors there: {}", headings.join(", ")));
                    }
                }
                diagnostics.push(d);
            }
        }
    }

    /// Fills the templates for every page, in parallel.
    fn render_pages(
        &self,
        templates: &Templates,
        bodies: &[Body<'_>],
        search_version: &str,
    ) -> (Vec<(String, Vec<u8>)>, Vec<Diagnostic>) {
        let content = &self.content;
        let book = BookContext {
            title: self.config.book.title.clone(),
            description: self.config.book.description.clone(),
            language: self.config.book.language.clone(),
            base_url: self.config.book.base_url.clone(),
        };
        let nav = self.nav(bodies);
        // Converted once: tera values share their arrays, so every page
        // gets the sidebar without copying it.
        let nav_value = tera::Value::from_serializable(&nav);
        let book_value = tera::Value::from_serializable(&book);
        let expand_all = content.lessons.len() <= NAV_EXPAND_ALL;
        let html_by_url: BTreeMap<&str, &Rendered> = bodies
            .iter()
            .map(|b| (b.url.as_str(), &b.rendered))
            .collect();
        let link = |url: &str, title: &str| LinkContext {
            title: title.to_string(),
            url: url.to_string(),
        };
        let section_link =
            |s: usize| (s != 0).then(|| link(&content.sections[s].url, &content.sections[s].title));
        let first = content
            .reading_order
            .first()
            .map(|&i| link(&content.lessons[i].url, &content.lessons[i].title));

        struct Job {
            template: &'static str,
            file: String,
            root: String,
            /// The section whose lessons the sidebar shows.
            open_section: Option<String>,
            page: TemplatePage,
            prev: Option<LinkContext>,
            next: Option<LinkContext>,
        }
        let body_of = |url: &str| {
            html_by_url
                .get(url)
                .map_or((String::new(), Vec::new()), |r| {
                    let toc = r
                        .toc
                        .iter()
                        .filter(|h| (2..=3).contains(&h.level))
                        .cloned()
                        .collect();
                    (r.html.clone(), toc)
                })
        };
        let mut jobs = Vec::new();
        let order = &content.reading_order;
        for (position, &i) in order.iter().enumerate() {
            let lesson = &content.lessons[i];
            let (html, toc) = body_of(&lesson.url);
            let neighbour = |j: usize| link(&content.lessons[j].url, &content.lessons[j].title);
            jobs.push(Job {
                template: "lesson.html",
                file: format!("{}index.html", lesson.url),
                root: root_prefix(&lesson.url),
                open_section: Some(content.sections[lesson.section].url.clone()),
                page: TemplatePage {
                    kind: "lesson",
                    title: lesson.title.clone(),
                    summary: lesson.front.summary.clone(),
                    url: lesson.url.clone(),
                    tags: lesson.front.tags.clone(),
                    content: html,
                    toc,
                    section: section_link(lesson.section),
                    sections: Vec::new(),
                    extra: serde_json::to_value(&lesson.front.extra).unwrap_or_default(),
                },
                prev: position.checked_sub(1).map(|p| neighbour(order[p])),
                next: order.get(position + 1).map(|&n| neighbour(n)),
            });
        }
        for &s in &content.section_order {
            let section = &content.sections[s];
            let (html, toc) = body_of(&section.url);
            let is_root = s == 0;
            let subtree: Vec<NavSection> = nav
                .iter()
                .zip(&content.section_order)
                .filter(|&(_, &other)| is_within(&content.sections, other, s))
                .map(|(n, _)| n.clone())
                .collect();
            jobs.push(Job {
                template: if is_root {
                    "index.html"
                } else {
                    "section.html"
                },
                file: format!("{}index.html", section.url),
                root: root_prefix(&section.url),
                open_section: Some(section.url.clone()),
                page: TemplatePage {
                    kind: if is_root { "index" } else { "section" },
                    title: if is_root {
                        self.config.book.title.clone()
                    } else {
                        section.title.clone()
                    },
                    summary: if is_root && section.summary.is_empty() {
                        self.config.book.description.clone()
                    } else {
                        section.summary.clone()
                    },
                    url: section.url.clone(),
                    tags: Vec::new(),
                    content: html,
                    toc,
                    section: section.parent.and_then(section_link),
                    sections: subtree,
                    extra: serde_json::Value::Null,
                },
                prev: None,
                next: if is_root {
                    first.clone()
                } else {
                    section
                        .lessons
                        .first()
                        .map(|&i| link(&content.lessons[i].url, &content.lessons[i].title))
                },
            });
        }
        jobs.push(Job {
            template: "404.html",
            file: "404.html".to_string(),
            root: self.config.book.base_url.clone(),
            open_section: None,
            page: TemplatePage {
                kind: "404",
                title: "Page not found".to_string(),
                summary: String::new(),
                url: "404.html".to_string(),
                tags: Vec::new(),
                content: String::new(),
                toc: Vec::new(),
                section: None,
                sections: Vec::new(),
                extra: serde_json::Value::Null,
            },
            prev: None,
            next: first.clone(),
        });

        let theme_default = self.config.theme.default.as_str();
        let version = env!("CARGO_PKG_VERSION");
        let results: Vec<Result<(String, Vec<u8>), Diagnostic>> = jobs
            .par_iter()
            .map(|job| {
                let mut ctx = tera::Context::new();
                ctx.insert_value("book", book_value.clone());
                ctx.insert("page", &job.page);
                ctx.insert_value("nav", nav_value.clone());
                ctx.insert("nav_expand_all", &expand_all);
                ctx.insert("nav_open_section", &job.open_section);
                ctx.insert("prev", &job.prev);
                ctx.insert("next", &job.next);
                ctx.insert("root", &job.root);
                ctx.insert("theme_default", theme_default);
                ctx.insert("gradbook_version", version);
                ctx.insert("search_version", search_version);
                templates.render(job.template, &ctx).map(|html| {
                    let html = render::links::name_index_files(&html);
                    (job.file.clone(), html.into_bytes())
                })
            })
            .collect();
        let mut pages = Vec::new();
        let mut problems = Vec::new();
        for result in results {
            match result {
                Ok(page) => pages.push(page),
                Err(d) => problems.push(d),
            }
        }
        pages.push(("sitemap.xml".to_string(), self.sitemap().into_bytes()));
        diagnostics::sort(&mut problems);
        (pages, problems)
    }

    /// The search index of every lesson and section page (not the home
    /// page), lessons first, in reading order.
    fn search_index<'s>(&'s self, bodies: &'s [Body<'_>]) -> search::Index {
        let content = &self.content;
        let by_url: BTreeMap<&str, &Rendered> = bodies
            .iter()
            .map(|b| (b.url.as_str(), &b.rendered))
            .collect();
        let page = |url: &'s str,
                    title: &'s str,
                    section: usize,
                    summary: &'s str,
                    tags: &'s [String]|
         -> search::Page<'s> {
            let body = by_url.get(url);
            search::Page {
                url,
                title,
                section: if section == 0 {
                    ""
                } else {
                    &content.sections[section].title
                },
                summary,
                tags,
                html: body.map_or("", |r| r.html.as_str()),
                headings: body.map_or_else(Vec::new, |r| {
                    r.toc
                        .iter()
                        .map(|h| (h.id.as_str(), h.title.as_str()))
                        .collect()
                }),
            }
        };
        let mut pages: Vec<search::Page<'s>> = content
            .reading_order
            .iter()
            .map(|&i| {
                let l = &content.lessons[i];
                page(&l.url, &l.title, l.section, &l.front.summary, &l.front.tags)
            })
            .collect();
        pages.extend(content.section_order.iter().filter(|&&s| s != 0).map(|&s| {
            let section = &content.sections[s];
            let parent = section.parent.unwrap_or(0);
            page(&section.url, &section.title, parent, &section.summary, &[])
        }));
        search::build(&pages, Stemming::for_language(&self.config.book.language))
    }

    /// The sidebar: sections in reading order, each with its lessons and
    /// what there is to track in each (from the rendered `bodies`).
    fn nav(&self, bodies: &[Body<'_>]) -> Vec<NavSection> {
        let content = &self.content;
        let trackable: BTreeMap<&str, components::Trackable> = bodies
            .iter()
            .map(|b| (b.url.as_str(), b.rendered.trackable))
            .collect();
        let number: BTreeMap<usize, usize> = content
            .reading_order
            .iter()
            .enumerate()
            .map(|(n, &i)| (i, n + 1))
            .collect();
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
                    lessons: section
                        .lessons
                        .iter()
                        .map(|&i| {
                            let l = &content.lessons[i];
                            let counts = trackable.get(l.url.as_str()).copied().unwrap_or_default();
                            NavLesson {
                                title: l.title.clone(),
                                url: l.url.clone(),
                                summary: l.front.summary.clone(),
                                number: number.get(&i).copied().unwrap_or(0),
                                cards: counts.cards,
                                tasks: counts.tasks,
                            }
                        })
                        .collect(),
                }
            })
            .collect()
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

    /// The built-in assets and the two highlighting stylesheets.
    fn add_assets(&self, files: &mut SiteFiles) {
        for (name, text) in render::ASSETS {
            files
                .generated
                .insert(format!("assets/{name}"), text.as_bytes().to_vec());
        }
        let theme = &self.config.theme;
        for (name, theme_name, scheme) in [
            ("highlight-light.css", &theme.highlight_light, Scheme::Light),
            ("highlight-dark.css", &theme.highlight_dark, Scheme::Dark),
        ] {
            // The config has checked the names, so the stylesheet exists.
            let css = highlight::stylesheet(theme_name, scheme).unwrap_or_default();
            files
                .generated
                .insert(format!("assets/{name}"), css.into_bytes());
        }
    }

    /// A site's `templates/assets/` replaces built-in assets of the same
    /// name and adds others.
    fn add_asset_overrides(&self, files: &mut SiteFiles) -> Vec<Diagnostic> {
        let dir = self.root.join(render::TEMPLATE_DIR).join(render::ASSET_DIR);
        let (found, errors) = files_under(&dir);
        for (rel, path) in found {
            let rel = format!("{}{rel}", render::ASSET_DIR);
            files.generated.remove(&rel);
            files.copied.insert(rel, path);
        }
        errors
            .into_iter()
            .map(|err| {
                Diagnostic::whole_file(
                    Path::new(render::TEMPLATE_DIR).join(render::ASSET_DIR),
                    format!("cannot read: {err}"),
                )
            })
            .collect()
    }

    /// Lists `static/` for copying; a static file that would replace a
    /// generated one is an error.
    fn add_static(&self, files: &mut SiteFiles) -> Vec<Diagnostic> {
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
            if files.generated.contains_key(&rel) || files.copied.contains_key(&rel) {
                problems.push(
                    Diagnostic::whole_file(
                        Path::new(STATIC_DIR).join(&rel),
                        format!("would replace the generated file {rel}"),
                    )
                    .with_help("rename or move the static file"),
                );
                continue;
            }
            files.copied.insert(rel, path);
        }
        problems
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

/// The way from a page at `url` back to the site root: `./` for the home
/// page, `../` per folder otherwise.
pub fn root_prefix(url: &str) -> String {
    let depth = url.split('/').filter(|s| !s.is_empty()).count();
    if depth == 0 {
        "./".to_string()
    } else {
        "../".repeat(depth)
    }
}

fn is_within(sections: &[crate::content::Section], mut index: usize, ancestor: usize) -> bool {
    loop {
        if index == ancestor {
            return true;
        }
        match sections[index].parent {
            Some(p) => index = p,
            None => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_prefixes() {
        assert_eq!(root_prefix(""), "./");
        assert_eq!(root_prefix("a/"), "../");
        assert_eq!(root_prefix("a/b/"), "../../");
    }
}
