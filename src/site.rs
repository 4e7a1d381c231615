//! The pipeline: load → render (in parallel) → validate links → write.
//!
//! [`Site::load`] reads `book.toml`, walks the content and compiles the
//! templates. [`Site::render`] renders every page in memory and checks
//! every link and anchor, collecting every problem instead of stopping at
//! the first; it writes nothing, which is all `check` needs.
//! [`Site::build`] checks the destination first (a folder it may not
//! replace is refused before any work), renders, and hands the files to
//! [`crate::output`], the only disk writer. Output is deterministic: pages
//! are rendered in parallel but collected in order, and nothing depends on
//! time or hash order.

// A `Diagnostic` is the error of a content problem; it is large, but it is
// built only on the error path, so it is not worth boxing.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use rayon::prelude::*;

use crate::calc::{CalcReport, PageCalc};
use crate::components;
use crate::config::{CONFIG_FILE, Config};
use crate::content::{self, Content};
use crate::diagnostics::{self, Diagnostic, SourceText, did_you_mean};
use crate::markdown::highlight::{self, Scheme};
use crate::markdown::{self, PageContext, Rendered};
use crate::output::destination::{self, Protected, Refusal};
use crate::output::{SiteFiles, WriteError, WriteOptions};
use crate::render::context::{
    BookContext, LinkContext, NavLesson, NavSection, PageContext as TemplatePage,
};
use crate::render::{self, Templates};

/// Up to this many lessons, the sidebar lists every lesson of every
/// section; above it, only the current section's lessons (so that pages of
/// a large site do not each carry the whole table of contents).
pub const NAV_EXPAND_ALL: usize = 60;

/// The most HTML one page may have, in bytes (16 MiB). Past it, the calc
/// results of the page are no longer kept (so memory stays bounded) and
/// the page is an error naming its largest part.
pub const MAX_PAGE_BYTES: usize = 16 * 1024 * 1024;

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
    /// The text of `book.toml`, for pointing at its settings.
    pub config_source: SourceText,
}

/// How to build.
pub struct BuildOptions<'a> {
    /// The output folder given on the command line; `None` for
    /// `build.output-dir`.
    pub dest: Option<&'a Path>,
    /// Replace an output folder that holds files gradbook did not write.
    pub force: bool,
    /// How long to wait for another build writing the same folder.
    pub lock_wait: std::time::Duration,
    /// Told what is happening, from any thread.
    pub progress: &'a (dyn Fn(Progress<'_>) + Sync),
}

/// What a build is doing, for a progress display.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// `done` of `total` pages rendered (in no particular order).
    Rendered {
        /// Pages done.
        done: usize,
        /// Pages in all.
        total: usize,
    },
    /// Another build is writing the same output folder; this one waits
    /// for its lock file.
    Waiting(&'a Path),
}

/// A finished build.
#[derive(Debug)]
pub struct Built {
    /// The output folder, as given.
    pub dest: PathBuf,
    /// HTML pages written.
    pub pages: usize,
    /// Folders of earlier, interrupted builds that were removed.
    pub removed_leftovers: Vec<PathBuf>,
}

/// Why a build wrote nothing.
#[derive(Debug)]
pub enum BuildError {
    /// The output folder may not be replaced (a usage problem).
    Refused(Box<Diagnostic>),
    /// The content has problems; the outcome holds every one.
    Content(Box<Outcome>),
    /// Another build kept the output folder locked.
    Busy(String),
    /// The machine failed: a disk full, a permission denied.
    Io(anyhow::Error),
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
    /// Whether the body alone is over [`MAX_PAGE_BYTES`] (and reported).
    over_limit: bool,
}

impl Site {
    /// Loads the site in `root`. `drafts` adds drafts on top of
    /// `build.drafts`. Config problems are returned as the error (they make
    /// everything else meaningless); content and template problems are
    /// kept in `load_diagnostics`.
    pub fn load(root: &Path, drafts: bool) -> Result<Site, Vec<Diagnostic>> {
        let (config, config_source) = Config::load_with_source(root)?;
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
            config_source,
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

    /// What no build of this site may replace: the site folder, its
    /// sources, and (see [`Protected::common`]) the current and home
    /// folders. A destination inside a source folder is refused too, as
    /// the next build would read the site back in.
    pub fn protected(&self) -> Vec<Protected> {
        let root = &self.root;
        let content = &self.config.build.content_dir;
        let mut protected = vec![
            Protected::new(root, "the site folder", false),
            Protected::new(&root.join(CONFIG_FILE), CONFIG_FILE, false),
            Protected::new(
                &root.join(content),
                format!("the content folder {}", content.display()),
                true,
            ),
            Protected::new(
                &root.join(render::TEMPLATE_DIR),
                format!("the {} folder", render::TEMPLATE_DIR),
                true,
            ),
            Protected::new(
                &root.join(STATIC_DIR),
                format!("the {STATIC_DIR} folder"),
                true,
            ),
        ];
        protected.extend(Protected::common());
        protected
    }

    /// Builds the site into `options.dest` (or `build.output-dir`): checks
    /// that the folder may be replaced, renders every page, and writes the
    /// site only when there is no problem at all.
    pub fn build(&self, options: &BuildOptions<'_>) -> Result<Built, BuildError> {
        let dest = self.destination(options.dest);
        let protected = self.protected();
        if let Err(refusal) = destination::check(&dest, &protected, options.force) {
            return Err(BuildError::Refused(Box::new(
                self.refusal(&refusal, options.dest.is_none()),
            )));
        }
        let report = options.progress;
        let outcome = self.render_with_progress(&|done, total| {
            report(Progress::Rendered { done, total });
        });
        if !outcome.diagnostics.is_empty() {
            return Err(BuildError::Content(Box::new(outcome)));
        }
        let on_wait = |lock: &Path| report(Progress::Waiting(lock));
        let write = WriteOptions {
            protected: &protected,
            force: options.force,
            lock_wait: options.lock_wait,
            on_wait: &on_wait,
        };
        match crate::output::write_site(&dest, &outcome.files, &write) {
            Ok(written) => Ok(Built {
                dest,
                pages: outcome.pages,
                removed_leftovers: written.removed_leftovers,
            }),
            Err(WriteError::Refused(refusal)) => Err(BuildError::Refused(Box::new(
                self.refusal(&refusal, options.dest.is_none()),
            ))),
            Err(err @ WriteError::Busy { .. }) => Err(BuildError::Busy(err.to_string())),
            Err(WriteError::Io(err)) => Err(BuildError::Io(err)),
        }
    }

    /// A refused destination as a diagnostic: at `output-dir` in
    /// `book.toml` when it came from there, else about the folder itself.
    fn refusal(&self, refusal: &Refusal, from_config: bool) -> Diagnostic {
        let span = from_config
            .then(|| crate::config::setting_span(&self.config_source, "build", "output-dir"))
            .flatten();
        match span {
            Some(span) => Diagnostic::at(&self.config_source, span, refusal.to_string())
                .with_label("output-dir is set here")
                .with_help(refusal.help().replace(
                    "choose another output folder",
                    "set output-dir to another folder",
                )),
            None => {
                let shown = match refusal {
                    Refusal::Protected { dest, .. }
                    | Refusal::Git { dest, .. }
                    | Refusal::NotOwned { dest }
                    | Refusal::NotAFolder { dest } => dest.clone(),
                };
                let mut d =
                    Diagnostic::whole_file(shown, refusal.to_string()).with_help(refusal.help());
                if from_config {
                    d = d.with_note("the folder is build.output-dir in book.toml");
                }
                d
            }
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

        if let Some(templates) = &self.templates {
            let (pages, template_diagnostics) = self.render_pages(templates, &bodies);
            outcome.other_failures += template_diagnostics.len();
            diagnostics.extend(template_diagnostics);
            outcome.pages = pages.iter().filter(|(f, _)| f.ends_with(".html")).count();
            outcome.files.generated.extend(
                pages
                    .into_iter()
                    .map(|(name, bytes)| (name, Bytes::from(bytes))),
            );
        }
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
                let mut budget = PageBudget::new(&mut calc);
                let mut rendered = markdown::render_body(&ctx, body, &mut budget);
                let over_limit = budget.check(source, &url, rendered.html.len());
                let is_over = over_limit.is_some();
                rendered.diagnostics.extend(over_limit);
                let report = calc.finish();
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                Body {
                    source,
                    disk_path: self.root.join(content_dir).join(&rel_path),
                    url,
                    rendered,
                    report,
                    over_limit: is_over,
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

        let over_limit: std::collections::BTreeSet<&str> = bodies
            .iter()
            .filter(|b| b.over_limit)
            .map(|b| b.url.as_str())
            .collect();
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
                let html = templates.render(job.template, &ctx)?;
                if html.len() > MAX_PAGE_BYTES && !over_limit.contains(job.page.url.as_str()) {
                    return Err(Diagnostic::whole_file(
                        templates.shown_path(job.template),
                        format!(
                            "the page /{} is over the limit of {} of HTML per page ({}) with this template",
                            job.page.url,
                            crate::files::human_size(MAX_PAGE_BYTES as u64),
                            crate::files::human_size(html.len() as u64)
                        ),
                    ));
                }
                Ok((job.file.clone(), html.into_bytes()))
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
            files.generated.insert(
                format!("assets/{name}"),
                Bytes::from_static(text.as_bytes()),
            );
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
                .insert(format!("assets/{name}"), Bytes::from(css.into_bytes()));
        }
    }

    /// A site's `templates/assets/` replaces built-in assets of the same
    /// name and adds others.
    fn add_asset_overrides(&self, files: &mut SiteFiles) -> Vec<Diagnostic> {
        let shown = Path::new(render::TEMPLATE_DIR).join(render::ASSET_DIR);
        let dir = self.root.join(&shown);
        let found = crate::files::walk(&dir, &shown, &self.root, |_, _| true);
        for rel in found.files {
            let key = format!("{}{}", render::ASSET_DIR, slashed(&rel));
            files.generated.remove(&key);
            files.copied.insert(key, dir.join(rel));
        }
        found.diagnostics
    }

    /// Lists `static/` for copying; a static file that would replace a
    /// generated one is an error.
    fn add_static(&self, files: &mut SiteFiles) -> Vec<Diagnostic> {
        let dir = self.root.join(STATIC_DIR);
        let found = crate::files::walk(&dir, Path::new(STATIC_DIR), &self.root, |_, _| true);
        let mut problems = found.diagnostics;
        for rel in found.files {
            let key = slashed(&rel);
            if files.generated.contains_key(&key) || files.copied.contains_key(&key) {
                problems.push(
                    Diagnostic::whole_file(
                        Path::new(STATIC_DIR).join(&rel),
                        format!("would replace the generated file {key}"),
                    )
                    .with_help("rename or move the static file"),
                );
                continue;
            }
            files.copied.insert(key, dir.join(rel));
        }
        problems
    }
}

/// A relative path with `/` separators, as keys of [`SiteFiles`] are.
fn slashed(rel: &Path) -> String {
    rel.to_string_lossy().replace('\\', "/")
}

/// Counts the HTML that a page's calc blocks and inline values produce
/// (the content that can grow without bound), remembers the largest, and
/// stops keeping results once the page is over [`MAX_PAGE_BYTES`]: every
/// input still runs and is checked, but its HTML is dropped.
struct PageBudget<'h, 'a> {
    calc: &'h mut PageCalc<'a>,
    /// Bytes of calc HTML so far.
    used: usize,
    /// The largest contribution: where it starts, what it is, its size.
    largest: Option<(Range<usize>, &'static str, usize)>,
    /// Whether results were dropped.
    over: bool,
}

impl<'h, 'a> PageBudget<'h, 'a> {
    fn new(calc: &'h mut PageCalc<'a>) -> Self {
        PageBudget {
            calc,
            used: 0,
            largest: None,
            over: false,
        }
    }

    fn account(&mut self, span: Range<usize>, what: &'static str, html: String) -> String {
        self.used = self.used.saturating_add(html.len());
        if self.largest.as_ref().is_none_or(|l| html.len() > l.2) {
            self.largest = Some((span, what, html.len()));
        }
        if self.used > MAX_PAGE_BYTES {
            self.over = true;
            return "<p class=\"calc-omitted\">(left out: the page is over its size limit)</p>"
                .to_string();
        }
        html
    }

    /// The diagnostic for a page whose body came to `html_len` bytes, if
    /// it is over the limit: at its largest calc result, or about the page
    /// as a whole when its own text is most of it.
    fn check(&self, source: &SourceText, url: &str, html_len: usize) -> Option<Diagnostic> {
        if !self.over && html_len <= MAX_PAGE_BYTES {
            return None;
        }
        let total = html_len.max(self.used) as u64;
        let message = format!(
            "the page /{url} is over the limit of {} of HTML per page (at least {})",
            crate::files::human_size(MAX_PAGE_BYTES as u64),
            crate::files::human_size(total)
        );
        let text = html_len.saturating_sub(self.used);
        match &self.largest {
            Some((span, what, size)) if *size >= text => Some(
                Diagnostic::at(source, span.start..span.start, message)
                    .with_label(format!("the largest part: this {what}"))
                    .with_note(format!(
                        "this {what} alone makes {} of HTML; calc results on the page make {}",
                        crate::files::human_size(*size as u64),
                        crate::files::human_size(self.used as u64)
                    ))
                    .with_help("use fewer steps, or split the examples over several lessons"),
            ),
            _ => Some(
                Diagnostic::whole_file(&source.path, message)
                    .with_note(format!(
                        "the lesson's own text makes {} of it",
                        crate::files::human_size(text as u64)
                    ))
                    .with_help("split the lesson into several lessons"),
            ),
        }
    }
}

impl markdown::Hooks for PageBudget<'_, '_> {
    fn calc_block(&mut self, code: Range<usize>) -> String {
        let html = self.calc.calc_block(code.clone());
        self.account(code, "calc block", html)
    }

    fn inline_value(&mut self, span: Range<usize>, expr: &str) -> String {
        let html = self.calc.inline_value(span.clone(), expr);
        self.account(span, "inline value", html)
    }
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
