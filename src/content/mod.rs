//! The lessons and sections under `content/`, in reading order.
//!
//! [`load`] walks the content folder ([`crate::files::walk`]), reads each file's front
//! matter ([`frontmatter`]), gives every page its pretty URL ([`slug`]) and
//! orders sections and lessons by `order`, then title. It never stops at
//! the first problem: every unreadable file, missing title or clashing URL
//! becomes a [`Diagnostic`], and the rest of the site still loads.

// A `Diagnostic` is the error of a content problem; it is large, but it is
// built only on the error path, so it is not worth boxing.
#![allow(clippy::result_large_err)]

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use crate::diagnostics::{Candidates, Diagnostic, SourceText};

pub mod frontmatter;
pub mod slug;

use frontmatter::FrontMatter;

/// The file name of a section's own page.
pub const SECTION_INDEX: &str = "_index.md";

/// One lesson.
#[derive(Debug, Clone)]
pub struct Lesson {
    /// The file, shown relative to the site root (shared with `serve`'s
    /// [`ReadCache`]).
    pub source: Arc<SourceText>,
    /// A hash of the file's text, for keys of what a page is made from.
    pub source_hash: u64,
    /// The file relative to the content folder (`calculus/intro.md`).
    pub rel_path: PathBuf,
    /// The title from the front matter.
    pub title: String,
    /// The id and classes of the title (`# Title {#id .class}`).
    pub title_attributes: frontmatter::TitleAttributes,
    /// The whole front matter.
    pub front: FrontMatter,
    /// The bytes of the body (after the front matter).
    pub body: Range<usize>,
    /// The URL relative to the site root (`calculus/intro/`).
    pub url: String,
    /// Index of its section in [`Content::sections`].
    pub section: usize,
}

/// The Markdown of a section's `_index.md` after its front matter.
#[derive(Debug, Clone)]
pub struct Intro {
    /// The `_index.md` file.
    pub source: Arc<SourceText>,
    /// The bytes of its body.
    pub body: Range<usize>,
}

/// A folder of lessons (the content folder itself is the root section).
#[derive(Debug, Clone)]
pub struct Section {
    /// The folder relative to the content folder (empty for the root).
    pub rel_dir: PathBuf,
    /// From `_index.md`, or the folder name made readable.
    pub title: String,
    /// The id and classes of the title, from `_index.md`'s title heading
    /// (`# Title {#id .class}`).
    pub title_attributes: frontmatter::TitleAttributes,
    /// From `_index.md`.
    pub order: Option<i64>,
    /// From `_index.md`.
    pub summary: String,
    /// The body of `_index.md`, if there is one.
    pub intro: Option<Intro>,
    /// The URL relative to the site root (empty for the root).
    pub url: String,
    /// 0 for the root, 1 for its sub-folders, and so on.
    pub depth: usize,
    /// The enclosing section.
    pub parent: Option<usize>,
    /// Lessons, in order (indices into [`Content::lessons`]).
    pub lessons: Vec<usize>,
    /// Sub-sections, in order.
    pub children: Vec<usize>,
    /// `draft = true` in `_index.md`.
    pub draft: bool,
}

/// How a `.md` link resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// The page's URL, relative to the site root (`calculus/intro/`).
    Page(String),
    /// There is no such page (or it is not built).
    Missing {
        /// What is wrong.
        message: String,
        /// A suggested fix.
        help: Option<String>,
    },
    /// The target exists but could not be read; its own error is reported
    /// elsewhere, so the link is left alone.
    Unknown,
}

/// What a `.md` path inside the content folder stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// A built lesson.
    Lesson(usize),
    /// A section's `_index.md`.
    Section(usize),
    /// A draft that is not being built.
    Draft,
    /// A file that cannot be a page: unreadable, empty, without front
    /// matter, or a lesson whose URL is taken (its error is reported).
    Broken,
}

/// Everything under `content/`.
#[derive(Debug, Clone, Default)]
pub struct Content {
    /// All sections; index 0 is the root.
    pub sections: Vec<Section>,
    /// All built lessons, in the order files were found.
    pub lessons: Vec<Lesson>,
    /// Lessons in reading order: depth first, a section's own lessons
    /// before its sub-sections'.
    pub reading_order: Vec<usize>,
    /// Sections in reading order, root first.
    pub section_order: Vec<usize>,
    /// For each lesson, its position in `reading_order`.
    positions: Vec<usize>,
    /// Every Markdown file by its path relative to the content folder.
    pub targets: BTreeMap<PathBuf, Target>,
    /// Every other file (images, data, notebooks) by its path relative to
    /// the content folder: page assets, copied to the same place in the
    /// output.
    pub assets: BTreeSet<PathBuf>,
    /// The assets' paths to suggest from, made at the first miss.
    asset_hints: OnceLock<Candidates>,
    /// The Markdown files' paths to suggest from, made at the first miss.
    target_hints: OnceLock<Candidates>,
}

/// Reads the content folder `content_rel` (relative to `root`, or
/// absolute). Drafts are kept when `drafts` is true.
pub fn load(root: &Path, content_rel: &Path, drafts: bool) -> (Content, Vec<Diagnostic>) {
    load_cached(root, content_rel, drafts, &mut ReadCache::default())
}

/// The Markdown files an earlier [`load_cached`] read, each with its size
/// and modification time then: `serve` keeps one, so that a rebuild reads
/// and parses only the files that changed.
#[derive(Default)]
pub struct ReadCache {
    files: HashMap<PathBuf, (Stamp, Arc<ReadFile>)>,
}

/// A file's size and modification time.
type Stamp = (u64, Option<SystemTime>);

/// One Markdown file, read and its front matter parsed, or why not.
type ReadFile = Result<Parsed, Vec<Diagnostic>>;

#[derive(Clone)]
struct Parsed {
    source: Arc<SourceText>,
    hash: u64,
    /// The front matter, and its problems: a file whose front matter has
    /// some is still read with the keys that could be, so that its body's
    /// own problems are found in the same run.
    read: frontmatter::Read,
}

impl ReadCache {
    /// Forgets `paths` (absolute, or as the watcher reports them), so they
    /// are read again whatever their time stamps say.
    pub fn forget(&mut self, paths: &[PathBuf]) {
        self.files.retain(|path, _| {
            // Kept as the content folder joined to the file, which may be
            // relative to where gradbook runs (`./content/a.md`) while the
            // watcher reports absolute paths.
            let plain: PathBuf = path
                .components()
                .filter(|c| !matches!(c, Component::CurDir))
                .collect();
            !paths
                .iter()
                .any(|p| p == path || (plain.is_relative() && p.ends_with(&plain)))
        });
    }

    /// The files `rel` (relative to `dir`), read in parallel; those whose
    /// size and time are as when last read come from the cache.
    fn read_all(&mut self, dir: &Path, shown: &Path, rel: &[&PathBuf]) -> Vec<Arc<ReadFile>> {
        use rayon::prelude::*;
        let read: Vec<(PathBuf, Stamp, Arc<ReadFile>)> = rel
            .par_iter()
            .map(|rel| {
                let path = dir.join(rel);
                let stamp = std::fs::metadata(&path)
                    .map(|m| (m.len(), m.modified().ok()))
                    .unwrap_or((0, None));
                let cached = self
                    .files
                    .get(&path)
                    .filter(|(at, _)| at.1.is_some() && *at == stamp)
                    .map(|(_, read)| Arc::clone(read));
                let read = cached.unwrap_or_else(|| Arc::new(read_file(&path, &shown.join(rel))));
                (path, stamp, read)
            })
            .collect();
        self.files.clear();
        read.into_iter()
            .map(|(path, stamp, read)| {
                self.files.insert(path, (stamp, Arc::clone(&read)));
                read
            })
            .collect()
    }
}

/// Reads the Markdown file at `path` and parses its front matter.
fn read_file(path: &Path, shown: &Path) -> ReadFile {
    let source = read_source(path, shown).map_err(|d| vec![d])?;
    let read = frontmatter::read(&source)?;
    let hash = {
        let mut h = std::hash::DefaultHasher::new();
        source.text.hash(&mut h);
        h.finish()
    };
    Ok(Parsed {
        source: Arc::new(source),
        hash,
        read,
    })
}

/// [`load`], reading only the files that changed since `cache` was filled.
pub fn load_cached(
    root: &Path,
    content_rel: &Path,
    drafts: bool,
    cache: &mut ReadCache,
) -> (Content, Vec<Diagnostic>) {
    let content_dir = root.join(content_rel);
    let mut loader = Loader {
        root,
        content_rel,
        content_dir: content_dir.clone(),
        drafts,
        content: Content::default(),
        diagnostics: Vec::new(),
        by_dir: BTreeMap::from([(PathBuf::new(), 0)]),
        urls: BTreeMap::from([(String::new(), "the home page".to_string())]),
    };
    loader.content.sections.push(Section {
        rel_dir: PathBuf::new(),
        title: String::new(),
        title_attributes: frontmatter::TitleAttributes::default(),
        order: None,
        summary: String::new(),
        intro: None,
        url: String::new(),
        depth: 0,
        parent: None,
        lessons: Vec::new(),
        children: Vec::new(),
        draft: false,
    });
    if !content_dir.is_dir() {
        let d = if content_dir.exists() {
            Diagnostic::whole_file(content_rel, "the content folder is a file, not a folder")
                .with_help("move the file away and create a folder of lessons in its place, or set content-dir in book.toml")
        } else {
            Diagnostic::whole_file(content_rel, "the content folder does not exist")
                .with_help("create it and put lessons (Markdown files) in it")
        };
        loader.diagnostics.push(d);
        return (loader.content, loader.diagnostics);
    }
    // Links stay inside the site, or inside the content folder when
    // book.toml puts it elsewhere (`content-dir = "../lessons"`).
    let outside = content_rel.is_absolute()
        || content_rel
            .components()
            .any(|c| matches!(c, Component::ParentDir));
    let boundary = if outside { &content_dir } else { root };
    let found = crate::files::walk(&content_dir, content_rel, boundary, |_, _| true);
    loader.diagnostics.extend(found.diagnostics);
    let (found_files, assets): (Vec<PathBuf>, Vec<PathBuf>) = found
        .files
        .into_iter()
        .partition(|p| p.extension().is_some_and(|e| e == "md"));
    loader.content.assets = assets.into_iter().collect();
    // Sections, parents before children (the walk is sorted). A folder
    // with no Markdown anywhere under it holds only page assets (a
    // lesson's pictures in `intro/` beside `intro.md`): it is no section,
    // and its name makes no URL.
    let markdown_dirs: BTreeSet<&Path> = found_files
        .iter()
        .flat_map(|f| f.ancestors().skip(1))
        .collect();
    for dir in found
        .dirs
        .iter()
        .filter(|d| markdown_dirs.contains(d.as_path()))
    {
        loader.add_section(dir);
    }
    // Read every file once; `_index.md` files first so that section drafts
    // are known before their lessons. The walk is sorted, and the sort is
    // stable, so each group keeps the walk's order.
    let mut files: Vec<&PathBuf> = found_files.iter().collect();
    files.sort_by_key(|f| !is_section_index(f));
    let read = cache.read_all(&loader.content_dir, content_rel, &files);
    for (rel, read) in files.into_iter().zip(read) {
        loader.add_file(rel, &read);
    }
    let Loader {
        mut content,
        diagnostics,
        ..
    } = loader;
    arrange(&mut content, drafts);
    (content, diagnostics)
}

/// What [`load`] builds up while it reads the content folder.
struct Loader<'a> {
    root: &'a Path,
    content_rel: &'a Path,
    content_dir: PathBuf,
    drafts: bool,
    content: Content,
    diagnostics: Vec<Diagnostic>,
    /// Sections by folder, relative to the content folder.
    by_dir: BTreeMap<PathBuf, usize>,
    /// What already has each URL, to report two pages at one URL.
    urls: BTreeMap<String, String>,
}

impl Loader<'_> {
    /// Adds the section of folder `dir` (its parent is already known).
    fn add_section(&mut self, dir: &Path) {
        let parent_dir = dir.parent().unwrap_or(Path::new("")).to_path_buf();
        let Some(&parent) = self.by_dir.get(&parent_dir) else {
            return;
        };
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let segment = slug::slugify(name);
        if segment.is_empty() {
            self.diagnostics.push(
                Diagnostic::whole_file(
                    self.content_rel.join(dir),
                    "the folder name has no letter or digit to make a URL from",
                )
                .with_help("rename the folder"),
            );
            return;
        }
        let url = format!("{}{segment}/", self.content.sections[parent].url);
        if let Some(other) = self.urls.get(&url) {
            self.diagnostics.push(Diagnostic::whole_file(
                self.content_rel.join(dir),
                format!("this folder has the same URL /{url} as {other}"),
            ));
            return;
        }
        self.urls.insert(
            url.clone(),
            format!("the folder {}", self.content_rel.join(dir).display()),
        );
        let index = self.content.sections.len();
        self.content.sections.push(Section {
            rel_dir: dir.to_path_buf(),
            title: slug::humanize(name),
            title_attributes: frontmatter::TitleAttributes::default(),
            order: None,
            summary: String::new(),
            intro: None,
            url,
            depth: self.content.sections[parent].depth + 1,
            parent: Some(parent),
            lessons: Vec::new(),
            children: Vec::new(),
            draft: false,
        });
        self.by_dir.insert(dir.to_path_buf(), index);
    }

    /// Reads the Markdown file `rel` into its section: a section's
    /// `_index.md`, or a lesson. What it stands for is recorded as a link
    /// target either way (broken, a draft, a section or a lesson).
    fn add_file(&mut self, rel: &Path, read: &ReadFile) {
        let dir = rel.parent().unwrap_or(Path::new("")).to_path_buf();
        let Some(&section) = self.by_dir.get(&dir) else {
            return;
        };
        let Parsed { source, hash, read } = match read {
            Ok(parsed) => parsed.clone(),
            Err(ds) => {
                self.diagnostics.extend(ds.iter().cloned());
                self.content
                    .targets
                    .insert(rel.to_path_buf(), Target::Broken);
                return;
            }
        };
        let mut read = read;
        self.diagnostics.append(&mut read.problems);
        if is_section_index(rel) {
            let frontmatter::Read {
                front,
                split,
                title_attributes,
                ..
            } = read;
            let s = &mut self.content.sections[section];
            // The home page's heading is the book's title.
            if section != 0 {
                s.title_attributes = title_attributes;
            }
            if let Some(title) = front.title.as_ref().filter(|t| !t.trim().is_empty()) {
                s.title = title.clone();
            }
            s.order = front.order;
            s.summary = front.summary.clone();
            s.draft = front.draft;
            s.intro = Some(Intro {
                source,
                body: split.body,
            });
            self.content
                .targets
                .insert(rel.to_path_buf(), Target::Section(section));
            return;
        }
        let target = match self.read_lesson(rel, section, (source, hash), read) {
            Ok(Some(lesson)) => {
                self.content.lessons.push(lesson);
                Target::Lesson(self.content.lessons.len() - 1)
            }
            Ok(None) => Target::Draft,
            Err(d) => {
                self.diagnostics.push(d);
                Target::Broken
            }
        };
        self.content.targets.insert(rel.to_path_buf(), target);
    }

    /// The lesson in `rel`, `None` for a draft that is not built, or the
    /// problem that keeps it from being a page.
    fn read_lesson(
        &mut self,
        rel: &Path,
        section: usize,
        (source, source_hash): (Arc<SourceText>, u64),
        read: frontmatter::Read,
    ) -> Result<Option<Lesson>, Diagnostic> {
        let frontmatter::Read {
            front,
            split,
            title_attributes,
            wrong_keys,
            ..
        } = read;
        let stem = rel.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let title = match front.title.as_ref().map(|t| t.trim()) {
            Some(t) if !t.is_empty() => t.to_string(),
            // A title that could not be read is reported with the front
            // matter; the page is still made, under the name of its file,
            // so that its body is checked too.
            _ if wrong_keys.contains(&"title") => slug::humanize(stem),
            _ => {
                // Reported, and the body still checked under the name of
                // the file.
                self.diagnostics.push(
                    Diagnostic::at(&source, split.opening.clone(), "the lesson has no title")
                        .with_label("in this front matter")
                        .with_help(match split.format {
                            frontmatter::Format::Toml => {
                                "add a line like title = \"What is a derivative?\""
                            }
                            frontmatter::Format::Yaml => {
                                "add a line like title: What is a derivative?"
                            }
                            frontmatter::Format::Heading => "give the heading some text",
                        }),
                );
                slug::humanize(stem)
            }
        };
        let excluded =
            !self.drafts && (front.draft || section_is_draft(&self.content.sections, section));
        if excluded {
            return Ok(None);
        }
        let segment = slug::slugify(stem);
        if segment.is_empty() {
            return Err(Diagnostic::at(
                &source,
                split.opening.clone(),
                "the file name has no letter or digit to make a URL from",
            )
            .with_help("rename the file"));
        }
        let url = format!("{}{segment}/", self.content.sections[section].url);
        if let Some(other) = self.urls.get(&url) {
            let d = Diagnostic::at(
                &source,
                split.opening.clone(),
                format!("this lesson has the same URL /{url} as {other}"),
            );
            return Err(if other.starts_with("the folder") {
                d.with_help(format!(
                    "rename the file, or move it into the folder as {SECTION_INDEX} to make it the section's page"
                ))
            } else {
                d.with_help("rename one of the files")
            });
        }
        if let Some(d) = missing_image(self.root, &source, &split, &front.image) {
            self.diagnostics.push(d);
        }
        let shown = self.content_rel.join(rel);
        self.urls
            .insert(url.clone(), format!("the lesson {}", shown.display()));
        Ok(Some(Lesson {
            source,
            source_hash,
            rel_path: rel.to_path_buf(),
            title,
            title_attributes,
            front,
            body: split.body,
            url,
            section,
        }))
    }
}

/// A front matter `image` that is neither an absolute URL nor a file under
/// the site's `static/` folder.
fn missing_image(
    root: &Path,
    source: &SourceText,
    split: &frontmatter::Split,
    image: &str,
) -> Option<Diagnostic> {
    if image.is_empty() || image.starts_with("https://") || image.starts_with("http://") {
        return None;
    }
    let rel = image.trim_start_matches('/');
    let static_dir = root.join(crate::site::STATIC_DIR);
    let inside = Path::new(rel)
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if inside && !rel.is_empty() && static_dir.join(rel).is_file() {
        return None;
    }
    // Point at the `image` line of the header.
    let header = &source.text[split.header.clone()];
    let mut span = split.opening.clone();
    let mut offset = split.header.start;
    for line in header.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("image")
            && rest.trim_start().starts_with(['=', ':'])
        {
            let start = offset + (line.len() - trimmed.len());
            span = start..start + line.trim().len();
            break;
        }
        offset += line.len();
    }
    Some(
        Diagnostic::at(
            source,
            span,
            format!("the image '{image}' is not a file in {}/", crate::site::STATIC_DIR),
        )
        .with_help(format!(
            "put the picture in {}/ and name it relative to that folder, or give an absolute https:// URL",
            crate::site::STATIC_DIR
        )),
    )
}

fn is_section_index(rel: &Path) -> bool {
    rel.file_name().is_some_and(|n| n == SECTION_INDEX)
}

fn section_is_draft(sections: &[Section], mut index: usize) -> bool {
    loop {
        if sections[index].draft {
            return true;
        }
        match sections[index].parent {
            Some(parent) => index = parent,
            None => return false,
        }
    }
}

/// Reads a source file (a regular file of at most
/// [`crate::files::SOURCE_LIMIT`] bytes) as UTF-8, reporting the first
/// invalid byte's line.
pub fn read_source(path: &Path, shown: &Path) -> Result<SourceText, Diagnostic> {
    let bytes = crate::files::read_regular(path, crate::files::SOURCE_LIMIT)
        .map_err(|err| err.diagnostic(shown))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceText::new(shown, text)),
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            let source =
                SourceText::new(shown, String::from_utf8_lossy(err.as_bytes()).into_owned());
            Err(
                Diagnostic::at(&source, at..at + 1, "the file is not valid UTF-8")
                    .with_label("invalid byte here")
                    .with_help("save the file as UTF-8"),
            )
        }
    }
}

/// Fills in lessons and children lists in order, drops empty sections and
/// computes the reading order.
fn arrange(content: &mut Content, drafts: bool) {
    for (index, lesson) in content.lessons.iter().enumerate() {
        content.sections[lesson.section].lessons.push(index);
    }
    // A section is shown when it has lessons, an intro, or a shown child.
    let mut shown = vec![false; content.sections.len()];
    for index in (0..content.sections.len()).rev() {
        let s = &content.sections[index];
        let draft_hidden = !drafts && section_is_draft(&content.sections, index);
        if index == 0 || (!draft_hidden && (!s.lessons.is_empty() || s.intro.is_some())) {
            shown[index] = true;
        }
        if shown[index]
            && let Some(parent) = s.parent
        {
            shown[parent] = true;
        }
    }
    for (index, &visible) in shown.iter().enumerate().skip(1) {
        if visible && let Some(parent) = content.sections[index].parent {
            content.sections[parent].children.push(index);
        }
    }
    let lessons = &content.lessons;
    for section in 0..content.sections.len() {
        let mut own = std::mem::take(&mut content.sections[section].lessons);
        own.sort_by_cached_key(|&i| {
            order_key(lessons[i].front.order, &lessons[i].title, &lessons[i].url)
        });
        content.sections[section].lessons = own;
        let mut children = std::mem::take(&mut content.sections[section].children);
        let sections = &content.sections;
        children.sort_by_cached_key(|&i| {
            order_key(sections[i].order, &sections[i].title, &sections[i].url)
        });
        content.sections[section].children = children;
    }
    let mut stack = vec![0];
    while let Some(section) = stack.pop() {
        content.section_order.push(section);
        content
            .reading_order
            .extend(content.sections[section].lessons.iter().copied());
        stack.extend(content.sections[section].children.iter().rev().copied());
    }
    content.index_positions();
}

/// Sort key: pages with an `order` first, by order; then by title
/// (case-insensitive); the URL breaks ties so the order is total.
fn order_key(order: Option<i64>, title: &str, url: &str) -> (bool, i64, String, String) {
    (
        order.is_none(),
        order.unwrap_or(0),
        title.to_lowercase(),
        url.to_string(),
    )
}

impl Content {
    /// Lesson `i`'s position in reading order, from 0.
    pub fn position(&self, i: usize) -> usize {
        self.positions[i]
    }

    /// Records every lesson's position in `reading_order`; call after
    /// changing it.
    pub fn index_positions(&mut self) {
        self.positions = vec![0; self.lessons.len()];
        for (n, &i) in self.reading_order.iter().enumerate() {
            self.positions[i] = n;
        }
    }

    /// The page asset a relative link or image source written in `from`
    /// (relative to the content folder) names, as a path relative to the
    /// content folder. When it names no file of the content folder other
    /// than a lesson (or is external, or starts with `/`): the closest
    /// asset, as it would be written in `from`, if one is close.
    pub fn resolve_asset(&self, from: &Path, link: &str) -> Result<PathBuf, Option<String>> {
        let path = link.split(['#', '?']).next().unwrap_or(link);
        if path.is_empty() || path.starts_with('/') || path.contains(':') {
            return Err(None);
        }
        let decoded = crate::url::percent_decode(path).unwrap_or_else(|| path.to_string());
        let dir = from.parent().unwrap_or(Path::new(""));
        let Some(wanted) = normalize(&dir.join(decoded)) else {
            return Err(None);
        };
        if self.assets.contains(&wanted) {
            return Ok(wanted);
        }
        let known = self
            .asset_hints
            .get_or_init(|| Candidates::new(self.assets.iter().map(|p| slashed(p))));
        let wanted = slashed(&wanted);
        Err(known
            .closest(&wanted)
            .map(|best| relative_path(dir, Path::new(best))))
    }

    /// Resolves a `.md` link written in `from` (relative to the content
    /// folder) to a page URL.
    pub fn resolve_link(&self, from: &Path, link: &str) -> Resolved {
        // `%20` and the like, for links to files with spaces in their names.
        let decoded = crate::url::percent_decode(link).unwrap_or_else(|| link.to_string());
        let joined = if let Some(rooted) = decoded.strip_prefix('/') {
            PathBuf::from(rooted)
        } else {
            from.parent().unwrap_or(Path::new("")).join(&decoded)
        };
        let Some(target) = normalize(&joined) else {
            return Resolved::Missing {
                message: format!("link to '{link}' points outside the content folder"),
                help: None,
            };
        };
        match self.targets.get(&target) {
            Some(Target::Lesson(i)) => Resolved::Page(self.lessons[*i].url.clone()),
            Some(Target::Section(i)) if self.section_order.contains(i) => {
                Resolved::Page(self.sections[*i].url.clone())
            }
            Some(Target::Draft | Target::Section(_)) => Resolved::Missing {
                message: format!("link to '{link}', a draft that is not built"),
                help: Some("build with --drafts, or set draft = false in that lesson".to_string()),
            },
            Some(Target::Broken) => Resolved::Unknown,
            None => {
                let known = self
                    .target_hints
                    .get_or_init(|| Candidates::new(self.targets.keys().map(|p| slashed(p))));
                let wanted = slashed(&target);
                let help = known.closest(&wanted).map(|best| {
                    let suggestion =
                        relative_path(from.parent().unwrap_or(Path::new("")), Path::new(best));
                    format!("did you mean '{suggestion}'?")
                });
                Resolved::Missing {
                    message: format!("link to a missing page '{link}'"),
                    help,
                }
            }
        }
    }
}

/// A path as it is written in a link, with `/` between its parts; borrowed
/// when it already is, so that hints over thousands of files do not copy
/// every name for every miss.
fn slashed(path: &Path) -> Cow<'_, str> {
    match path.to_string_lossy() {
        Cow::Borrowed(s) if !s.contains('\\') => Cow::Borrowed(s),
        other => Cow::Owned(other.replace('\\', "/")),
    }
}

/// Removes `.` and `..` components; `None` when `..` climbs above the top.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out: Vec<&std::ffi::OsStr> = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(c) => out.push(c),
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out.iter().collect())
}

/// The path to `to` as written from folder `from` (both relative to the
/// content folder), with `/` separators.
fn relative_path(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to_parts: Vec<_> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to_parts[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_load_reads_only_what_changed() {
        let (dir, _, _) = site(&[
            ("a.md", "+++\ntitle = \"Alpha\"\n+++\nA\n"),
            ("b.md", "+++\ntitle = \"Bravo\"\n+++\nB\n"),
        ]);
        let root = dir.path();
        let mut cache = ReadCache::default();
        let titles = |cache: &mut ReadCache| {
            let (content, diagnostics) = load_cached(root, Path::new("content"), false, cache);
            assert!(diagnostics.is_empty(), "{diagnostics:?}");
            content
                .lessons
                .iter()
                .map(|l| l.title.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(titles(&mut cache), ["Alpha", "Bravo"]);
        // An edit changes the file's time stamp: it is read again.
        let b = root.join("content/b.md");
        std::fs::write(&b, "+++\ntitle = \"Brave\"\n+++\nBB\n").unwrap();
        assert_eq!(titles(&mut cache), ["Alpha", "Brave"]);
        // An edit that keeps the size and the time is not seen…
        let a = root.join("content/a.md");
        let time = std::fs::metadata(&a).unwrap().modified().unwrap();
        std::fs::write(&a, "+++\ntitle = \"Aleph\"\n+++\nA\n").unwrap();
        let file = std::fs::File::options().append(true).open(&a).unwrap();
        file.set_modified(time).unwrap();
        assert_eq!(titles(&mut cache), ["Alpha", "Brave"]);
        // …until the watcher names the file (as an absolute path).
        cache.forget(&[a.canonicalize().unwrap()]);
        assert_eq!(titles(&mut cache), ["Aleph", "Brave"]);
        // A deleted file leaves the cache.
        std::fs::remove_file(&b).unwrap();
        assert_eq!(titles(&mut cache), ["Aleph"]);
        assert_eq!(cache.files.len(), 1);
    }

    fn site(files: &[(&str, &str)]) -> (tempfile::TempDir, Content, Vec<Diagnostic>) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join("content").join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let (content, diagnostics) = load(dir.path(), Path::new("content"), false);
        (dir, content, diagnostics)
    }

    fn lesson(title: &str, order: Option<i64>) -> String {
        match order {
            Some(o) => format!("+++\ntitle = \"{title}\"\norder = {o}\n+++\nbody\n"),
            None => format!("+++\ntitle = \"{title}\"\n+++\nbody\n"),
        }
    }

    #[test]
    fn a_missing_content_folder_is_one_error() {
        let dir = tempfile::tempdir().unwrap();
        let (content, diagnostics) = load(dir.path(), Path::new("lessons"), false);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0].file, Path::new("lessons"));
        assert!(diagnostics[0].message.contains("does not exist"));
        assert!(content.lessons.is_empty());
        assert_eq!(content.sections.len(), 1, "only the root section");
    }

    #[test]
    fn ordering_is_by_order_then_title() {
        let (_d, content, diags) = site(&[
            (
                "b/_index.md",
                "+++\ntitle = \"Bravo\"\norder = 1\n+++\nIntro\n",
            ),
            ("a/x.md", &lesson("Zulu", None)),
            ("a/y.md", &lesson("alpha", None)),
            ("a/z.md", &lesson("Middle", Some(2))),
            ("b/q.md", &lesson("Q", Some(5))),
            ("b/r.md", &lesson("R", Some(1))),
        ]);
        assert!(diags.is_empty(), "{diags:?}");
        let titles: Vec<&str> = content
            .reading_order
            .iter()
            .map(|&i| content.lessons[i].title.as_str())
            .collect();
        assert_eq!(titles, ["R", "Q", "Middle", "alpha", "Zulu"]);
        let sections: Vec<&str> = content
            .section_order
            .iter()
            .map(|&i| content.sections[i].title.as_str())
            .collect();
        assert_eq!(sections, ["", "Bravo", "A"]);
    }

    #[test]
    fn urls_are_pretty_and_slugged() {
        let (_d, content, diags) = site(&[("Linear Algebra/Dot Product.md", &lesson("Dot", None))]);
        assert!(diags.is_empty());
        assert_eq!(content.lessons[0].url, "linear-algebra/dot-product/");
        assert_eq!(content.sections[1].title, "Linear Algebra");
    }

    #[test]
    fn drafts_are_skipped_and_remembered() {
        let (_d, content, _) = site(&[
            ("a/x.md", "+++\ntitle = \"X\"\ndraft = true\n+++\n"),
            ("a/y.md", &lesson("Y", None)),
        ]);
        assert_eq!(content.lessons.len(), 1);
        assert_eq!(content.targets[Path::new("a/x.md")], Target::Draft);
    }

    #[test]
    fn a_page_named_like_a_folder_is_an_error() {
        let (_d, content, diags) = site(&[
            ("calculus.md", &lesson("Calculus", None)),
            ("calculus/a.md", &lesson("A", None)),
        ]);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(
            diags[0].message.contains("same URL /calculus/"),
            "{}",
            diags[0]
        );
        assert_eq!(diags[0].line, 1);
        assert_eq!(content.lessons.len(), 1);
    }

    #[test]
    fn every_broken_file_is_reported() {
        let (_d, content, diags) = site(&[
            ("a.md", ""),
            ("b.md", "+++\ntitle = 1\n+++\n"),
            ("c.md", "+++\nsummary = \"no title\"\n+++\n"),
            ("d.md", "no front matter"),
            ("e.md", &lesson("E", None)),
        ]);
        assert_eq!(diags.len(), 4, "{diags:?}");
        // A file whose front matter is wrong is still a page, under the
        // name of its file, so that its body is checked in the same run;
        // a wrong title is one problem, not also a missing one.
        let mut titles: Vec<&str> = content.lessons.iter().map(|l| l.title.as_str()).collect();
        titles.sort_unstable();
        assert_eq!(titles, ["B", "C", "E"]);
        assert_eq!(
            content.targets[Path::new("a.md")],
            Target::Broken,
            "an empty file has no body"
        );
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.md");
        std::fs::write(&path, b"+++\ntitle = \"x\"\n+++\nok\nbad \xff here\n").unwrap();
        let d = read_source(&path, Path::new("content/x.md")).unwrap_err();
        assert_eq!((d.line, d.column), (5, 5));
    }

    #[test]
    fn links_resolve_relative_to_the_file() {
        let (_d, content, _) = site(&[
            ("a/x.md", &lesson("X", None)),
            ("b/y.md", &lesson("Y", None)),
            ("b/_index.md", "+++\n+++\n"),
        ]);
        let from = Path::new("a/x.md");
        assert_eq!(
            content.resolve_link(from, "../b/y.md"),
            Resolved::Page("b/y/".into())
        );
        assert_eq!(
            content.resolve_link(from, "/b/_index.md"),
            Resolved::Page("b/".into())
        );
        let Resolved::Missing { help, .. } = content.resolve_link(from, "../b/yy.md") else {
            panic!()
        };
        assert_eq!(help.as_deref(), Some("did you mean '../b/y.md'?"));
        assert!(matches!(
            content.resolve_link(from, "../../x.md"),
            Resolved::Missing { .. }
        ));
    }
}
