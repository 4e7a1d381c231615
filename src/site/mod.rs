//! The pipeline: load → render each page and hand it on → validate links.
//!
//! [`Site::load`] reads `book.toml`, walks the content and compiles the
//! templates. [`Site::render_into`] renders every page and gives each one
//! to a [`Sink`] as soon as it is finished: the staging folder of a build
//! (see [`crate::output`]), memory for `serve`, or nowhere for `check`.
//! Lessons are rendered in parallel, each from Markdown to its finished
//! page in one go, so no more than one page per worker is in memory at a
//! time; what later steps need from a page (its ids, its anchor links, its
//! counts, its problems) is kept as small [`PageFacts`]. Section and index
//! pages, which list lessons with their counts, come after the lessons.
//! Every problem is collected instead of stopping at the first. Output is
//! deterministic: nothing depends on time, thread timing or hash order.
//!
//! `nav` sizes the sidebar, `pages` fills the templates of each page kind,
//! `review` makes the review page from every flashcard (`cards`), and
//! `extras` adds what is not a page (assets, `static/`, the sitemap).

// A `Diagnostic` is the error of a content problem; it is large, but it is
// built only on the error path, so it is not worth boxing.
#![allow(clippy::result_large_err)]

mod budget;
mod cache;
mod cards;
mod extras;
mod index;
mod nav;
mod pages;
mod review;

use std::collections::BTreeSet;

pub use budget::MAX_PAGE_BYTES;
pub use cache::RenderCache;
pub use cards::SiteCard;
pub use index::PendingSearch;
pub use nav::{NAV_EXPAND_ALL, NavWindow, SECTION_WHOLE, WINDOW};
pub use review::REVIEW_URL;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::calc::{CalcReport, PageCalc};
use crate::components::Trackable;
use crate::config::{CONFIG_FILE, Config};
use crate::content::slug::IdSet;
use crate::content::{self, Content};
use crate::diagnostics::{self, Diagnostic, SourceText, did_you_mean};
use crate::markdown::highlight;
use crate::markdown::{self, AnchorLink, BodyContext, TocEntry};
use crate::output::destination::{self, Protected, Refusal};
use crate::output::{InMemory, Sink, SiteFiles, Staging, WriteError, WriteOptions};
use crate::render::{self, Templates};
use crate::search;

use budget::PageBudget;
use cache::{CachedLesson, key_of};
use nav::Nav;
use pages::Pages;

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
    /// Keep every lesson's text with its computed outputs written in
    /// ([`Outcome::blessed`]), for `check --bless`; other commands do not
    /// need them and leave them out, so they are not held for every page.
    pub keep_blessed: bool,
    /// Make every calc input that prints output without an expected
    /// output an error (`check --strict`, `[check] strict`); only `check`
    /// sets it.
    pub strict: bool,
    /// Make no review page (`export anki`, which writes the cards and no
    /// page, so the page's size limit is no concern of it).
    pub without_review_page: bool,
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
    /// A build killed while swapping its site in left the output folder
    /// missing; the old site it had moved aside (`from`) was put back.
    Restored {
        /// Where the old site was.
        from: &'a Path,
        /// The output folder.
        to: &'a Path,
    },
}

/// A finished build.
#[derive(Debug)]
pub struct Built {
    /// The output folder, as given.
    pub dest: PathBuf,
    /// HTML pages written.
    pub pages: usize,
    /// Calc inputs whose expected output was compared and matched.
    pub calc_verified: usize,
    /// Calc outputs computed but compared with nothing.
    pub calc_computed: usize,
    /// Folders of earlier, interrupted builds that were removed.
    pub removed_leftovers: Vec<PathBuf>,
    /// The content's warnings (they do not stop a build).
    pub warnings: Vec<Diagnostic>,
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

/// What rendering produced, besides the files.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Every problem, sorted by file and position (errors only).
    pub diagnostics: Vec<Diagnostic>,
    /// Every warning, sorted by file and position: shown, but failing
    /// nothing by themselves.
    pub warnings: Vec<Diagnostic>,
    /// How many of `diagnostics` are not calc failures.
    pub other_failures: usize,
    /// Calc inputs whose expected output was compared and matched.
    pub calc_verified: usize,
    /// Calc outputs computed but compared with nothing: inputs without an
    /// expected output, and inline values.
    pub calc_computed: usize,
    /// Calc inputs and inline values that failed.
    pub calc_failed: usize,
    /// Files `check --bless` would rewrite: path on disk and new text.
    pub blessed: Vec<(PathBuf, String)>,
    /// Number of HTML pages.
    pub pages: usize,
    /// Code block languages that no page could highlight (shown plain),
    /// for a warning.
    pub unknown_languages: BTreeSet<String>,
    /// Pages taken unchanged from a [`RenderCache`] instead of rendered.
    pub reused: usize,
    /// Every flashcard of the site's lessons, in reading order.
    pub cards: Vec<SiteCard>,
    /// From [`Site::render_cached`]: the search index, still to be
    /// assembled (the other renders write it with the pages).
    pub search: Option<PendingSearch>,
    /// The first file the sink could not take (a full disk, a folder
    /// without write permission): the machine's problem, not the content's.
    pub write_error: Option<anyhow::Error>,
}

impl Outcome {
    /// Every failure: calc inputs and inline values that failed, and every
    /// other problem.
    pub fn failed(&self) -> usize {
        self.calc_failed + self.other_failures
    }

    /// What was checked, as `check` ends with it: "540 verified, 21
    /// computed without an expected output, 0 failed".
    pub fn summary(&self) -> String {
        let mut summary = format!(
            "{} verified, {} computed without an expected output, {} failed",
            self.calc_verified,
            self.calc_computed,
            self.failed()
        );
        match self.warnings.len() {
            0 => {}
            1 => summary.push_str(", 1 warning"),
            n => summary.push_str(&format!(", {n} warnings")),
        }
        summary
    }
}

/// What the rest of the build needs from one rendered page once its HTML
/// has gone to the sink: its source, for pointing into it, and its
/// [`Facts`].
struct PageFacts<'a> {
    source: &'a SourceText,
    /// Shared with `serve`'s cache, which keeps them with the page.
    facts: Arc<Facts>,
}

/// What a rendered page leaves for the checks that need every page, apart
/// from its source: what `serve`'s cache keeps with the page.
#[derive(Clone)]
struct Facts {
    disk_path: PathBuf,
    url: String,
    ids: IdSet,
    anchor_links: Vec<AnchorLink>,
    /// Each with the warning at its first block on the page.
    unknown_languages: std::collections::BTreeMap<String, Diagnostic>,
    /// Headings, for naming the anchors a broken link could have meant.
    toc: Vec<TocEntry>,
    trackable: Trackable,
    /// The page's flashcards as rendered (lessons only).
    cards: Vec<Arc<crate::components::RenderedCard>>,
    diagnostics: Vec<Diagnostic>,
    report: CalcReport,
    /// Whether the body alone is over [`MAX_PAGE_BYTES`] (and reported).
    over_limit: bool,
    /// The page analysed for the search index (lessons only; section
    /// pages are analysed with the index, see `search_of`).
    search: Option<search::Analysed>,
}

impl std::ops::Deref for PageFacts<'_> {
    type Target = Facts;
    fn deref(&self) -> &Facts {
        &self.facts
    }
}

impl std::ops::DerefMut for PageFacts<'_> {
    /// The facts to fill in, while the page is being rendered (they are
    /// not shared yet, so nothing is copied).
    fn deref_mut(&mut self) -> &mut Facts {
        Arc::make_mut(&mut self.facts)
    }
}

/// A body to render: a lesson, or a section's `_index.md`.
#[derive(Clone, Copy)]
enum BodyOf {
    Lesson(usize),
    Intro(usize),
}

/// Collects what the sink refused, keeping the first error.
#[derive(Default)]
struct WriteErrors {
    first: Mutex<Option<anyhow::Error>>,
}

impl WriteErrors {
    fn keep(&self, result: anyhow::Result<()>) {
        if let Err(err) = result {
            let mut first = self.first.lock().unwrap_or_else(|e| e.into_inner());
            first.get_or_insert(err);
        }
    }

    fn into_first(self) -> Option<anyhow::Error> {
        self.first.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Site {
    /// Loads the site in `root`. `drafts` adds drafts on top of
    /// `build.drafts`. Config problems are returned as the error (they make
    /// everything else meaningless); content and template problems are
    /// kept in `load_diagnostics`.
    pub fn load(root: &Path, drafts: bool) -> Result<Site, Vec<Diagnostic>> {
        Self::load_cached(root, drafts, &mut content::ReadCache::default())
    }

    /// [`Site::load`], reading only the content files that changed since
    /// `cache` was filled (what `serve` does on every edit).
    pub fn load_cached(
        root: &Path,
        drafts: bool,
        cache: &mut content::ReadCache,
    ) -> Result<Site, Vec<Diagnostic>> {
        let themes = highlight::theme_names();
        let (config, config_source) = Config::load_with_source(root, Some(&themes))?;
        let drafts = drafts || config.build.drafts;
        let (content, mut load_diagnostics) =
            content::load_cached(root, &config.build.content_dir, drafts, cache);
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
            keep_blessed: false,
            strict: false,
            without_review_page: false,
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
    /// that the folder may be replaced before any work, renders every page
    /// into a staging folder beside it (holding its lock), and swaps the
    /// staging folder in only when there is no problem at all.
    pub fn build(&self, options: &BuildOptions<'_>) -> Result<Built, BuildError> {
        let dest = self.destination(options.dest);
        let protected = self.protected();
        let refused = |refusal: &Refusal| {
            BuildError::Refused(Box::new(self.refusal(refusal, options.dest.is_none())))
        };
        if let Err(refusal) = destination::check(&dest, &protected, options.force) {
            return Err(refused(&refusal));
        }
        let report = options.progress;
        let on_wait = |lock: &Path| report(Progress::Waiting(lock));
        let on_restore = |from: &Path, to: &Path| report(Progress::Restored { from, to });
        let write = WriteOptions {
            protected: &protected,
            force: options.force,
            lock_wait: options.lock_wait,
            on_wait: &on_wait,
            on_restore: &on_restore,
        };
        let failed = |err: WriteError| match err {
            WriteError::Refused(refusal) => refused(&refusal),
            err @ WriteError::Busy { .. } => BuildError::Busy(err.to_string()),
            WriteError::Io(err) => BuildError::Io(err),
        };
        let staging = Staging::begin(&dest, &write).map_err(failed)?;
        let mut outcome = self.render_into(&staging, &|done, total| {
            report(Progress::Rendered { done, total });
        });
        if !outcome.diagnostics.is_empty() {
            return Err(BuildError::Content(Box::new(outcome)));
        }
        if let Some(err) = outcome.write_error.take() {
            return Err(BuildError::Io(err));
        }
        let done = staging.commit().map_err(failed)?;
        Ok(Built {
            dest,
            pages: outcome.pages,
            calc_verified: outcome.calc_verified,
            calc_computed: outcome.calc_computed,
            removed_leftovers: done.removed_leftovers,
            warnings: outcome.warnings,
        })
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
                let shown = refusal.dest().to_path_buf();
                let mut d =
                    Diagnostic::whole_file(shown, refusal.to_string()).with_help(refusal.help());
                if from_config {
                    d = d.with_note("the folder is build.output-dir in book.toml");
                }
                d
            }
        }
    }

    /// Renders every page into memory and validates every link.
    pub fn render(&self) -> (Outcome, SiteFiles) {
        let sink = InMemory::default();
        let outcome = self.render_into(&sink, &|_, _| {});
        (outcome, sink.into_files())
    }

    /// Renders every page, handing each to `sink` as soon as it is done,
    /// and validates every link. `progress(done, total)` is called as
    /// lessons are rendered (from several threads, in no particular
    /// order).
    pub fn render_into(
        &self,
        sink: &dyn Sink,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Outcome {
        self.render_with(sink, progress, None)
    }

    /// [`Site::render_into`], taking every page whose inputs did not
    /// change from `cache` and leaving the new pages there (see
    /// [`RenderCache`]); what `serve` does on every edit.
    pub fn render_cached(&self, sink: &dyn Sink, cache: &mut RenderCache) -> Outcome {
        self.render_with(sink, &|_, _| {}, Some(cache))
    }

    fn render_with(
        &self,
        sink: &dyn Sink,
        progress: &(dyn Fn(usize, usize) + Sync),
        mut cache: Option<&mut RenderCache>,
    ) -> Outcome {
        let mut outcome = Outcome::default();
        let nav = Nav::new(&self.content);
        // Under `serve` nothing is cached by the browser, and a version
        // that changed with every edit would make every page new.
        let search_version = if cache.is_some() {
            "live".to_string()
        } else {
            self.search_version()
        };
        let pages = self
            .templates
            .as_ref()
            .map(|t| Pages::new(self, t, &nav, &search_version));
        let written = WriteErrors::default();
        let site_key = cache.as_ref().map(|_| self.site_key(&nav));
        let lessons = self.render_lessons(
            pages.as_ref(),
            sink,
            &written,
            progress,
            cache.as_deref().zip(site_key),
        );
        let (mut facts, mut template_problems) =
            Self::take_lessons(lessons, cache.as_deref_mut(), &mut outcome);
        let intros = self.render_intros();
        let counts: Vec<Trackable> = self.lesson_counts(&facts);
        if let Some(pages) = &pages {
            let listing_key = site_key.map(|k| {
                let intros: Vec<&str> = intros.iter().map(|(_, (html, _))| html.as_str()).collect();
                key_of(&(k, pages.listed_sections(&counts), intros))
            });
            let cached = cache
                .as_deref()
                .and_then(|c| c.listings.as_ref())
                .filter(|(key, _)| Some(*key) == listing_key)
                .map(|(_, listed)| listed.clone());
            let reused = cached.is_some();
            let listed = cached.unwrap_or_else(|| pages.listing_pages(&intros, &counts));
            if reused {
                outcome.reused += listed.iter().filter(|r| r.is_ok()).count();
            }
            for result in &listed {
                match result {
                    Ok((file, bytes)) => {
                        outcome.pages += 1;
                        written.keep(sink.put(file, bytes.clone()));
                    }
                    Err(d) => template_problems.push(d.clone()),
                }
            }
            if let (Some(cache), Some(key)) = (cache.as_deref_mut(), listing_key) {
                cache.listings = Some((key, listed));
            }
            outcome.pages += facts.len();
        }
        let cards = self.site_cards(&facts);
        let review = pages
            .as_ref()
            .and_then(|pages| self.review_page(pages, &cards, cache.as_deref_mut(), site_key));
        match review {
            Some((Ok((file, bytes)), reused)) => {
                outcome.pages += 1;
                outcome.reused += usize::from(reused);
                written.keep(sink.put(&file, bytes));
            }
            Some((Err(d), _)) => template_problems.push(d),
            None => {}
        }
        outcome.cards = cards;
        let search = self.search_of(&facts, &intros, &search_version);
        if cache.is_some() {
            outcome.search = Some(search);
        } else {
            for (path, bytes) in search.files() {
                written.keep(sink.put(&path, bytes));
            }
        }
        facts.extend(intros.into_iter().map(|(_, (_, page))| page));
        if let Some(cache) = cache {
            self.forget_removed(cache);
        }

        let extras = self.write_extras(sink, &written);
        outcome.write_error = written.into_first();
        self.gather(&mut outcome, &facts, template_problems, extras);
        outcome
    }

    /// Splits what [`Site::render_lessons`] returned into the pages'
    /// facts and their template problems, keeping the pages rendered anew
    /// in `cache` and counting those taken from it.
    #[allow(clippy::type_complexity)]
    fn take_lessons<'a>(
        lessons: Vec<(
            PageFacts<'a>,
            Option<Diagnostic>,
            Option<(PathBuf, CachedLesson)>,
        )>,
        mut cache: Option<&mut RenderCache>,
        outcome: &mut Outcome,
    ) -> (Vec<PageFacts<'a>>, Vec<Diagnostic>) {
        let mut facts = Vec::with_capacity(lessons.len());
        let mut template_problems = Vec::new();
        for (page, problem, fresh) in lessons {
            facts.push(page);
            template_problems.extend(problem);
            match (fresh, cache.as_deref_mut()) {
                (Some((path, entry)), Some(cache)) => {
                    cache.lessons.insert(path, entry);
                }
                (None, _) => outcome.reused += 1,
                (Some(_), None) => {}
            }
        }
        (facts, template_problems)
    }

    /// Drops from `cache` the lessons that no longer exist.
    fn forget_removed(&self, cache: &mut RenderCache) {
        let present: std::collections::HashSet<&Path> = self
            .content
            .lessons
            .iter()
            .map(|l| l.rel_path.as_path())
            .collect();
        cache
            .lessons
            .retain(|path, _| present.contains(path.as_path()));
    }

    /// Puts every problem of `facts`, the templates and the extras into
    /// `outcome`, with the calc counts and the files `--bless` would write.
    fn gather(
        &self,
        outcome: &mut Outcome,
        facts: &[PageFacts<'_>],
        mut template_problems: Vec<Diagnostic>,
        mut extras: Vec<Diagnostic>,
    ) {
        let mut diagnostics = self.load_diagnostics.clone();
        Self::check_anchors(facts, &mut diagnostics);
        let mut calc_diagnostics = Vec::new();
        // By reference: under `serve` the facts are shared with the cache.
        for page in facts {
            diagnostics.extend(page.diagnostics.iter().cloned());
            // One warning per language, at its first block in the site.
            for (language, warning) in &page.unknown_languages {
                if outcome.unknown_languages.insert(language.clone()) {
                    diagnostics.push(warning.clone());
                }
            }
            outcome.calc_verified += page.report.verified;
            outcome.calc_computed += page.report.computed;
            outcome.calc_failed += page.report.failed;
            calc_diagnostics.extend(page.report.diagnostics.iter().cloned());
            if let Some(blessed) = &page.report.blessed {
                outcome
                    .blessed
                    .push((page.disk_path.clone(), blessed.clone()));
            }
        }
        diagnostics::sort(&mut template_problems);
        diagnostics.append(&mut template_problems);
        diagnostics.append(&mut extras);
        diagnostics::sort(&mut diagnostics);
        // Warnings fail nothing by themselves: they travel apart.
        outcome.warnings = diagnostics
            .iter()
            .filter(|d| d.is_warning())
            .cloned()
            .collect();
        diagnostics.retain(|d| !d.is_warning());
        outcome.other_failures = diagnostics.len();
        diagnostics.extend(calc_diagnostics);
        diagnostics::sort(&mut diagnostics);
        outcome.diagnostics = diagnostics;
    }

    /// A hash of what every page is made from: `book.toml`, the site's own
    /// templates, which pages and page assets exist, and the sidebar.
    fn site_key(&self, nav: &Nav) -> u64 {
        let templates = self.templates.as_ref().map(Templates::fingerprint);
        key_of(&(
            &self.config_source.text,
            &self.config.book.base_url,
            templates,
            &self.content.targets,
            &self.content.assets,
            nav.key(),
            // Every page's header links to the review page, or not.
            self.has_review(),
        ))
    }

    /// Renders every lesson to its finished page and hands it to `sink`,
    /// in parallel, taking unchanged pages from `cache` (with the site's
    /// key). Returns each lesson's facts, in reading order, with its
    /// template problem if the page could not be filled, and, for a
    /// lesson rendered anew, what to keep in the cache.
    #[allow(clippy::type_complexity)]
    fn render_lessons<'a>(
        &'a self,
        pages: Option<&Pages<'_>>,
        sink: &dyn Sink,
        written: &WriteErrors,
        progress: &(dyn Fn(usize, usize) + Sync),
        cache: Option<(&RenderCache, u64)>,
    ) -> Vec<(
        PageFacts<'a>,
        Option<Diagnostic>,
        Option<(PathBuf, CachedLesson)>,
    )> {
        let done = AtomicUsize::new(0);
        let total = self.content.reading_order.len();
        self.content
            .reading_order
            .par_iter()
            .map(|&i| {
                let lesson = &self.content.lessons[i];
                let key = cache
                    .zip(pages)
                    .map(|((_, site), pages)| key_of(&(site, pages.lesson_key(i))));
                let hit = cache
                    .and_then(|(c, _)| c.lessons.get(&lesson.rel_path))
                    .filter(|hit| Some(hit.key) == key);
                let result = match hit {
                    Some(hit) => {
                        if let Ok((file, bytes)) = &hit.page {
                            written.keep(sink.put(file, bytes.clone()));
                        }
                        let problem = hit.page.as_ref().err().cloned();
                        (
                            PageFacts {
                                source: &lesson.source,
                                facts: Arc::clone(&hit.facts),
                            },
                            problem,
                            None,
                        )
                    }
                    None => self.render_lesson(i, pages, sink, written, key),
                };
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                result
            })
            .collect()
    }

    /// Renders lesson `i` to its finished page and hands it to `sink`;
    /// with a cache `key`, also returns what to keep in the cache.
    #[allow(clippy::type_complexity)]
    fn render_lesson(
        &self,
        i: usize,
        pages: Option<&Pages<'_>>,
        sink: &dyn Sink,
        written: &WriteErrors,
        key: Option<u64>,
    ) -> (
        PageFacts<'_>,
        Option<Diagnostic>,
        Option<(PathBuf, CachedLesson)>,
    ) {
        let (html, mut facts) = self.render_body(BodyOf::Lesson(i));
        let lesson = &self.content.lessons[i];
        let headings: Vec<(&str, &str)> = facts
            .toc
            .iter()
            .map(|h| (h.id.as_str(), h.title.as_str()))
            .collect();
        let page = search::Page {
            url: &lesson.url,
            title: &lesson.title,
            section: self.section_title(lesson.section),
            summary: &lesson.front.summary,
            tags: &lesson.front.tags,
            html: &html,
            headings,
        };
        facts.search = Some(search::analyse(
            self.content.position(i),
            &page,
            self.stemming(),
        ));
        let Some(pages) = pages else {
            return (facts, None, None);
        };
        let page = pages.lesson(i, html, &facts.toc, facts.trackable, facts.over_limit);
        if let Ok((file, bytes)) = &page {
            written.keep(sink.put(file, bytes.clone()));
        }
        let fresh = key.map(|key| {
            let path = self.content.lessons[i].rel_path.clone();
            let entry = CachedLesson {
                key,
                page: page.clone(),
                facts: Arc::clone(&facts.facts),
            };
            (path, entry)
        });
        (facts, page.err(), fresh)
    }

    /// Renders the bodies of the sections' `_index.md` files, in parallel,
    /// by section index.
    fn render_intros(&self) -> Vec<(usize, (String, PageFacts<'_>))> {
        let with_intro: Vec<usize> = self
            .content
            .section_order
            .iter()
            .copied()
            .filter(|&s| self.content.sections[s].intro.is_some())
            .collect();
        with_intro
            .par_iter()
            .map(|&s| (s, self.render_body(BodyOf::Intro(s))))
            .collect()
    }

    /// Every lesson's flashcard and checklist counts, by lesson index.
    fn lesson_counts(&self, facts: &[PageFacts<'_>]) -> Vec<Trackable> {
        let mut counts = vec![Trackable::default(); self.content.lessons.len()];
        for (&i, page) in self.content.reading_order.iter().zip(facts) {
            counts[i] = page.trackable;
        }
        counts
    }

    /// Renders one Markdown body (with its calc blocks) to HTML.
    fn render_body(&self, of: BodyOf) -> (String, PageFacts<'_>) {
        let title_id = match of {
            BodyOf::Lesson(i) => self.content.lessons[i].title_attributes.id.as_deref(),
            BodyOf::Intro(s) => self.content.sections[s].title_attributes.id.as_deref(),
        };
        let (source, body, url, rel_path) = match of {
            BodyOf::Lesson(i) => {
                let l = &self.content.lessons[i];
                (
                    &l.source,
                    l.body.clone(),
                    l.url.as_str(),
                    l.rel_path.clone(),
                )
            }
            BodyOf::Intro(s) => {
                let section = &self.content.sections[s];
                let intro = section.intro.as_ref().expect("only sections with an intro");
                (
                    &intro.source,
                    intro.body.clone(),
                    section.url.as_str(),
                    section.rel_dir.join(content::SECTION_INDEX),
                )
            }
        };
        let page_key = format!("/{url}");
        let root = root_prefix(url);
        let resolve = |link: &str| self.content.resolve_link(&rel_path, link);
        let content_dir = self.root.join(&self.config.build.content_dir);
        let asset = |link: &str, sized: bool| {
            let rel = self.content.resolve_asset(&rel_path, link)?;
            Ok(markdown::Asset {
                href: crate::url::encode_path(&rel.to_string_lossy().replace('\\', "/")),
                size: if sized {
                    image_size(&content_dir.join(&rel))
                } else {
                    None
                },
            })
        };
        let ctx = BodyContext {
            source,
            page_key: &page_key,
            page_url: url,
            root: &root,
            resolve: &resolve,
            asset: &asset,
            macros: &self.config.math.macros,
            title_id,
            backslash_delimiters: self.config.math.backslash_delimiters,
        };
        let mut calc = PageCalc::new(source, self.config.calc.precision).strict(self.strict);
        let mut budget = PageBudget::new(&mut calc);
        let mut rendered = markdown::render_body(&ctx, body, &mut budget);
        let over_limit = budget.check(source, url, rendered.html.len());
        let over = over_limit.is_some();
        rendered.diagnostics.extend(over_limit);
        let mut report = calc.finish();
        if !self.keep_blessed {
            report.blessed = None;
        }
        let facts = Facts {
            disk_path: self
                .root
                .join(&self.config.build.content_dir)
                .join(&rel_path),
            url: url.to_string(),
            ids: rendered.ids,
            anchor_links: rendered.anchor_links,
            unknown_languages: rendered.unknown_languages,
            toc: rendered.toc,
            trackable: rendered.trackable,
            cards: rendered.cards.into_iter().map(Arc::new).collect(),
            diagnostics: rendered.diagnostics,
            report,
            over_limit: over,
            search: None,
        };
        (
            rendered.html,
            PageFacts {
                source,
                facts: Arc::new(facts),
            },
        )
    }

    /// Reports links to anchors that no page defines.
    fn check_anchors(pages: &[PageFacts<'_>], diagnostics: &mut Vec<Diagnostic>) {
        let by_url: std::collections::HashMap<&str, &PageFacts<'_>> =
            pages.iter().map(|p| (p.url.as_str(), p)).collect();
        for page in pages {
            for link in &page.anchor_links {
                let Some(target) = by_url.get(link.page_url.as_str()) else {
                    continue;
                };
                if target.ids.contains(&link.anchor) {
                    continue;
                }
                let shown = if link.page_url == page.url {
                    "this page".to_string()
                } else {
                    format!("/{}", link.page_url)
                };
                let mut d = Diagnostic::at(
                    page.source,
                    link.span.clone(),
                    format!("link to a missing anchor '#{}' on {shown}", link.anchor),
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

/// An image's width and height in pixels, when its format says so in the
/// first 256 KiB (PNG, JPEG, GIF, WebP, BMP, ICO); read through the one
/// safe reader, so a file swapped for a pipe is never waited on.
fn image_size(path: &Path) -> Option<(usize, usize)> {
    use std::io::Read;
    let (file, _) = crate::files::open_regular(path).ok()?;
    let mut head = Vec::new();
    file.take(256 * 1024).read_to_end(&mut head).ok()?;
    let size = imagesize::blob_size(&head).ok()?;
    Some((size.width, size.height)).filter(|&(w, h)| w > 0 && h > 0)
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

    /// A site of `n` lessons in one section, each with a calc block.
    fn site(n: usize) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"T\"\n").unwrap();
        let section = dir.path().join("content/s");
        std::fs::create_dir_all(&section).unwrap();
        for i in 0..n {
            write_lesson(dir.path(), i, &format!("L{i:02}"), "x");
        }
        dir
    }

    fn write_lesson(root: &Path, i: usize, title: &str, word: &str) {
        let text = format!(
            "+++\ntitle = \"{title}\"\norder = {i}\n+++\n\nSome {word}.\n\n```calc\n>>> {i} + 1\n{}\n```\n",
            i + 1
        );
        std::fs::write(root.join(format!("content/s/l{i:02}.md")), text).unwrap();
    }

    fn render(root: &Path, cache: &mut RenderCache) -> (Outcome, SiteFiles) {
        let site = Site::load(root, false).unwrap();
        let sink = InMemory::default();
        let outcome = site.render_cached(&sink, cache);
        (outcome, sink.into_files())
    }

    #[test]
    fn the_cache_renders_only_what_an_edit_changed() {
        let dir = site(40);
        let mut cache = RenderCache::new();
        let (first, files) = render(dir.path(), &mut cache);
        assert!(first.diagnostics.is_empty(), "{:?}", first.diagnostics);
        assert_eq!(first.reused, 0);
        let pages = first.pages;

        let (again, same) = render(dir.path(), &mut cache);
        assert_eq!(again.reused, pages, "nothing changed, nothing rendered");
        assert_eq!(same.generated, files.generated, "the same bytes");
        assert_eq!(
            (again.calc_verified, again.calc_computed),
            (first.calc_verified, first.calc_computed),
            "facts are kept"
        );
        assert_eq!(first.calc_verified, 40);

        // A body edit renders that lesson alone.
        write_lesson(dir.path(), 20, "L20", "words");
        let (edited, files) = render(dir.path(), &mut cache);
        assert_eq!(pages - edited.reused, 1);
        let page = String::from_utf8_lossy(&files.generated["s/l20/index.html"]).into_owned();
        assert!(page.contains("Some words."));

        // A title shows in its neighbours' sidebars and pager links (the
        // whole site is small, so in every sidebar), and in the lists.
        write_lesson(dir.path(), 20, "Renamed", "words");
        let (renamed, files) = render(dir.path(), &mut cache);
        assert_eq!(renamed.reused, 0);
        let neighbour = String::from_utf8_lossy(&files.generated["s/l21/index.html"]).into_owned();
        assert!(neighbour.contains("Renamed"));

        // A broken calc block stays reported while it is unchanged.
        std::fs::write(
            dir.path().join("content/s/l05.md"),
            "+++\ntitle = \"L05\"\norder = 5\n+++\n\n```calc\n>>> 1 + 1\n3\n```\n",
        )
        .unwrap();
        let (broken, _) = render(dir.path(), &mut cache);
        assert_eq!(broken.calc_failed, 1);
        let (still, _) = render(dir.path(), &mut cache);
        assert_eq!(still.calc_failed, 1);
        assert_eq!(still.reused, pages);
    }

    #[test]
    fn on_a_large_site_a_title_renders_the_pages_that_show_it() {
        let dir = site(NAV_EXPAND_ALL + 20);
        let mut cache = RenderCache::new();
        let (first, _) = render(dir.path(), &mut cache);
        write_lesson(dir.path(), 40, "Renamed", "x");
        let (renamed, files) = render(dir.path(), &mut cache);
        // The lessons whose sidebar window shows lesson 40, and the pages
        // rendered with the lists of lessons (the section page, the home
        // page and the 404 page).
        assert_eq!(first.pages - renamed.reused, 2 * WINDOW + 1 + 3);
        for (url, shows) in [("s/l34/", true), ("s/l46/", true), ("s/l33/", false)] {
            let page =
                String::from_utf8_lossy(&files.generated[&format!("{url}index.html")]).into_owned();
            assert_eq!(page.contains("Renamed"), shows, "{url}");
        }
    }
}
