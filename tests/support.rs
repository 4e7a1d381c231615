//! Shared helpers for the integration tests: a [`SiteTest`] is a site in a
//! temporary folder that tests fill with files, run the real `gradbook`
//! binary on, and inspect (HTML is parsed with scraper).
//!
//! ```ignore
//! let site = SiteTest::new().lesson("calculus/a.md", "A", "Body");
//! site.build().success();
//! let page = site.page("calculus/a/");
//! assert_eq!(page.text("h1"), ["A"]);
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use scraper::{ElementRef, Html, Selector};

/// The minimal `book.toml` most tests use.
pub(crate) const BOOK: &str = "[book]\ntitle = \"Test Book\"\n";

/// A site in a temporary folder.
pub(crate) struct SiteTest {
    dir: tempfile::TempDir,
}

impl Default for SiteTest {
    fn default() -> Self {
        Self::new()
    }
}

impl SiteTest {
    /// A site with just a minimal `book.toml`.
    pub(crate) fn new() -> Self {
        Self::empty().file("book.toml", BOOK)
    }

    /// An empty folder.
    pub(crate) fn empty() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temporary folder"),
        }
    }

    /// A copy of `tests/fixtures/<name>`.
    pub(crate) fn fixture(name: &str) -> Self {
        let site = Self::empty();
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        copy_tree(&from, site.root());
        site
    }

    /// The site folder.
    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Adds (or replaces) a file; builder form of [`SiteTest::write`].
    pub(crate) fn file(self, path: &str, contents: impl AsRef<[u8]>) -> Self {
        self.write(path, contents);
        self
    }

    /// Adds a lesson with the given title and body (TOML front matter).
    pub(crate) fn lesson(self, path: &str, title: &str, body: &str) -> Self {
        self.file(
            &format!("content/{path}"),
            format!("+++\ntitle = \"{title}\"\n+++\n{body}"),
        )
    }

    /// Writes a file, creating folders as needed.
    pub(crate) fn write(&self, path: &str, contents: impl AsRef<[u8]>) {
        let path = self.root().join(path);
        fs::create_dir_all(path.parent().expect("a parent")).expect("folder created");
        fs::write(path, contents).expect("file written");
    }

    /// Removes a file.
    pub(crate) fn remove(&self, path: &str) {
        fs::remove_file(self.root().join(path)).expect("file removed");
    }

    /// Runs `gradbook ARGS` in the site folder.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        self.run_with_env(args, &[])
    }

    /// Runs `gradbook ARGS` in the site folder with extra environment
    /// variables. A run that outlives [`RUN_LIMIT`] is killed and reported
    /// as exit code -1, so no test waits forever on a hung binary.
    pub(crate) fn run_with_env(&self, args: &[&str], env: &[(&str, &Path)]) -> Run {
        run_in(self.root(), args, env)
    }

    /// `gradbook build` in the site folder.
    pub(crate) fn build(&self) -> Run {
        self.run(&["build"])
    }

    /// `gradbook check` in the site folder.
    pub(crate) fn check(&self) -> Run {
        self.run(&["check"])
    }

    /// The text of a file of the built site (`site/REL`).
    pub(crate) fn output(&self, rel: &str) -> String {
        let path = self.root().join("site").join(rel);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Whether the built site has `REL`.
    pub(crate) fn has_output(&self, rel: &str) -> bool {
        self.root().join("site").join(rel).exists()
    }

    /// The built page at `url` (`calculus/a/`, or `` for the home page).
    pub(crate) fn page(&self, url: &str) -> Page {
        Page::parse(&self.output(&format!("{url}index.html")))
    }

    /// Every file under `rel` (relative to the site root) with its bytes,
    /// for comparing whole trees.
    pub(crate) fn tree(&self, rel: &str) -> BTreeMap<PathBuf, Vec<u8>> {
        read_tree(&self.root().join(rel))
    }
}

/// The longest any single run of the binary may take in a test; a run
/// that hangs is killed then (and its exit code is -1).
pub(crate) const RUN_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Runs `gradbook ARGS` in `dir` with extra environment variables, killed
/// after [`RUN_LIMIT`].
pub(crate) fn run_in(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Run {
    let mut command = assert_cmd::Command::new(env!("CARGO_BIN_EXE_gradbook"));
    command.args(args).current_dir(dir).timeout(RUN_LIMIT);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("gradbook runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Every file under `dir`, by relative path.
pub(crate) fn read_tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return files;
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walkable");
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .expect("inside")
                .to_path_buf();
            files.insert(rel, fs::read(entry.path()).expect("readable"));
        }
    }
    files
}

fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in read_tree(from) {
        let target = to.join(rel);
        fs::create_dir_all(target.parent().expect("a parent")).expect("folder created");
        fs::write(target, bytes).expect("file written");
    }
}

/// What a run printed and returned.
#[derive(Debug)]
pub(crate) struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Asserts exit code 0.
    pub(crate) fn success(&self) -> &Self {
        self.code(0)
    }

    /// Asserts the exit code.
    pub(crate) fn code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            code,
            "exit code{}\n--- stdout\n{}\n--- stderr\n{}",
            if self.code == -1 {
                " (killed by a signal, or after the time limit)"
            } else {
                ""
            },
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts that stderr contains `text`.
    pub(crate) fn stderr_has(&self, text: &str) -> &Self {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}:\n{}",
            self.stderr
        );
        self
    }

    /// Asserts that stdout contains `text`.
    pub(crate) fn stdout_has(&self, text: &str) -> &Self {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}:\n{}",
            self.stdout
        );
        self
    }
}

/// A parsed HTML page.
pub(crate) struct Page {
    /// The document.
    pub html: Html,
    /// The source text.
    pub source: String,
}

impl Page {
    /// Parses `source`.
    pub(crate) fn parse(source: &str) -> Page {
        Page {
            html: Html::parse_document(source),
            source: source.to_string(),
        }
    }

    /// Elements matching the CSS selector.
    pub(crate) fn select(&self, css: &str) -> Vec<ElementRef<'_>> {
        let selector = Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e:?}"));
        self.html.select(&selector).collect()
    }

    /// Whether anything matches.
    pub(crate) fn has(&self, css: &str) -> bool {
        !self.select(css).is_empty()
    }

    /// The trimmed text of each matching element.
    pub(crate) fn text(&self, css: &str) -> Vec<String> {
        self.select(css)
            .iter()
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// The attribute `attr` of each matching element that has it.
    pub(crate) fn attr(&self, css: &str, attr: &str) -> Vec<String> {
        self.select(css)
            .iter()
            .filter_map(|e| e.value().attr(attr).map(str::to_string))
            .collect()
    }
}

/// The SQLite collection inside the Anki package `apkg`, opened as Anki
/// opens it: unzipped into a temporary folder (kept alive beside the
/// connection) and read with SQLite.
pub(crate) fn anki_collection(apkg: &[u8]) -> (tempfile::TempDir, rusqlite::Connection) {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(apkg)).expect("a zip file");
    let mut collection = Vec::new();
    zip.by_name("collection.anki2")
        .expect("a collection")
        .read_to_end(&mut collection)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("collection.anki2");
    fs::write(&db, collection).unwrap();
    let conn = rusqlite::Connection::open(&db).expect("an SQLite database");
    (dir, conn)
}
