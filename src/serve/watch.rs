//! Watching a site's sources for changes.
//!
//! The site folder itself is watched without recursion (that sees
//! `book.toml`, including editors that save by writing a temporary file
//! and renaming it over, and the creation or removal of the source
//! folders); the content folder, `templates/` and `static/` are watched
//! recursively, and watched again whenever they are removed, recreated or
//! renamed, or when `book.toml` moves the content folder. Nothing else
//! (the output folder, `.git`, build folders) is watched at all.
//!
//! Events are debounced by notify-debouncer-full, stripped of reads (the
//! build itself opens every file) and handed on as plain paths;
//! [`relevant`] then decides which of them call for a rebuild.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify_debouncer_full::notify::event::{AccessKind, AccessMode};
use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use crate::files::is_ignored;
use crate::render::TEMPLATE_DIR;
use crate::site::STATIC_DIR;

/// How long the sources must be quiet before a batch of changes is
/// handed on. Editors often write a file in several steps.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// The name of a site's configuration file.
pub const CONFIG_FILE: &str = "book.toml";

/// What the watcher reports.
#[derive(Debug)]
pub enum Change {
    /// These paths (absolute) were created, written, renamed or removed.
    Paths(Vec<PathBuf>),
    /// The watcher failed; changes may have been missed.
    Problem(String),
    /// The server is stopping.
    Stop,
}

/// A running watcher.
pub struct Watch {
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    root: PathBuf,
    /// The folders to watch recursively (absolute).
    wanted: Vec<PathBuf>,
    /// The folders watched recursively now.
    watched: BTreeSet<PathBuf>,
}

impl Watch {
    /// Starts watching `root` (absolute) and its sources, with the content
    /// in `content_dir` (relative to `root`), sending changes to `tx`.
    pub fn start(root: &Path, content_dir: &Path, tx: Sender<Change>) -> Result<Watch, String> {
        let handler = move |result: DebounceEventResult| match result {
            Ok(events) => {
                let mut paths = Vec::new();
                for event in events {
                    if event.need_rescan() {
                        // The system dropped events: treat it as a change
                        // of everything.
                        paths.push(PathBuf::new());
                    }
                    if is_read(event.kind) {
                        continue;
                    }
                    paths.extend(event.event.paths);
                }
                if !paths.is_empty() {
                    let _ = tx.send(Change::Paths(paths));
                }
            }
            Err(errors) => {
                let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
                let _ = tx.send(Change::Problem(text.join("; ")));
            }
        };
        let mut debouncer = new_debouncer(DEBOUNCE, None, handler)
            .map_err(|e| format!("cannot watch for changes: {e}"))?;
        debouncer
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
        let mut watch = Watch {
            debouncer,
            root: root.to_path_buf(),
            wanted: Vec::new(),
            watched: BTreeSet::new(),
        };
        watch.set_content_dir(content_dir);
        Ok(watch)
    }

    /// Follows a change of the content folder; returns problems.
    pub fn set_content_dir(&mut self, content_dir: &Path) -> Vec<String> {
        let wanted = vec![
            self.root.join(content_dir),
            self.root.join(TEMPLATE_DIR),
            self.root.join(STATIC_DIR),
        ];
        if wanted == self.wanted {
            return Vec::new();
        }
        for old in std::mem::take(&mut self.watched) {
            if !wanted.contains(&old) {
                let _ = self.debouncer.unwatch(&old);
            } else {
                self.watched.insert(old);
            }
        }
        self.wanted = wanted;
        self.refresh(&[])
    }

    /// Watches again each wanted folder that `changed` touched (the folder
    /// itself or one of its parents), and starts watching wanted folders
    /// that appeared; returns problems.
    pub fn refresh(&mut self, changed: &[PathBuf]) -> Vec<String> {
        let mut problems = Vec::new();
        for dir in self.wanted.clone() {
            let touched = changed
                .iter()
                .any(|p| p.as_os_str().is_empty() || dir.starts_with(p));
            let watched = self.watched.contains(&dir);
            if watched && !touched {
                continue;
            }
            if watched {
                // The folder may be gone or replaced; the old watch is
                // then stale, and removing it may fail harmlessly.
                let _ = self.debouncer.unwatch(&dir);
                self.watched.remove(&dir);
            }
            if dir.is_dir() {
                match self.debouncer.watch(&dir, RecursiveMode::Recursive) {
                    Ok(()) => {
                        self.watched.insert(dir);
                    }
                    Err(e) => problems.push(format!("cannot watch {}: {e}", dir.display())),
                }
            }
        }
        problems
    }
}

/// Reads and opens: the build's own, and never a change.
fn is_read(kind: EventKind) -> bool {
    matches!(kind, EventKind::Access(access)
        if access != AccessKind::Close(AccessMode::Write))
}

/// Whether a change at `path` (absolute) affects the site in `root` with
/// its content in `content_dir` (relative to `root`). Editor backups and
/// swap files, and hidden files, are skipped in every source folder, as
/// the build skips them.
pub fn relevant(root: &Path, content_dir: &Path, path: &Path) -> bool {
    if path.as_os_str().is_empty() {
        return true;
    }
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    if rel == Path::new(CONFIG_FILE) {
        return true;
    }
    let skips_ignored = |inner: &Path| {
        !inner
            .components()
            .any(|c| c.as_os_str().to_str().is_some_and(is_ignored))
    };
    let content = root.join(content_dir);
    if let Ok(inner) = path.strip_prefix(&content) {
        return skips_ignored(inner);
    }
    for folder in [TEMPLATE_DIR, STATIC_DIR] {
        if let Ok(inner) = rel.strip_prefix(folder) {
            return skips_ignored(inner);
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_changes_count() {
        let root = Path::new("/site");
        let content = Path::new("content");
        for path in [
            "/site/book.toml",
            "/site/content",
            "/site/content/a.md",
            "/site/content/calculus/b.md",
            "/site/templates/base.html",
            "/site/templates/assets/gradbook.css",
            "/site/static",
            "/site/static/.well-known/x",
        ] {
            assert!(relevant(root, content, Path::new(path)), "{path}");
        }
        for path in [
            "/site/site/index.html",
            "/site/.book.toml.swp",
            "/site/book.toml~",
            "/site/README.md",
            "/site/content/.a.md.swp",
            "/site/content/a.md~",
            "/site/content/#a.md#",
            "/site/content/.hidden/a.md",
            "/site/templates/.base.html.tmp",
            "/site/static/img/logo.svg~",
            "/site/static/.DS_Store",
            "/elsewhere/content/a.md",
            "/site/contents/a.md",
        ] {
            assert!(!relevant(root, content, Path::new(path)), "{path}");
        }
        assert!(relevant(root, content, Path::new("")), "a rescan counts");
        let moved = Path::new("docs/lessons");
        assert!(relevant(root, moved, Path::new("/site/docs/lessons/a.md")));
        assert!(!relevant(root, moved, Path::new("/site/content/a.md")));
    }

    #[test]
    fn reads_are_not_changes() {
        use notify_debouncer_full::notify::event::{CreateKind, ModifyKind};
        assert!(is_read(EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(is_read(EventKind::Access(AccessKind::Read)));
        assert!(is_read(EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(!is_read(EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(!is_read(EventKind::Create(CreateKind::File)));
        assert!(!is_read(EventKind::Modify(ModifyKind::Any)));
    }
}
