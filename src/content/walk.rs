//! Finding the Markdown files and folders under `content/`.
//!
//! The walk follows symbolic links but reports loops instead of following
//! them forever, skips hidden files and editor leftovers (`.x`, `x~`,
//! `x.swp`, `#x#`), and returns paths relative to the content folder in a
//! deterministic (sorted) order.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;

/// What the walk found.
#[derive(Debug, Default)]
pub struct Found {
    /// Folders below the content folder (not the folder itself), relative.
    pub dirs: Vec<PathBuf>,
    /// Markdown files, relative to the content folder.
    pub files: Vec<PathBuf>,
    /// Problems: loops, unreadable entries, names that are not UTF-8.
    pub diagnostics: Vec<Diagnostic>,
}

/// Whether a file or folder name is skipped by the walk.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swo")
        || (name.starts_with('#') && name.ends_with('#'))
}

/// Walks `content_dir`; `shown` is how the folder is named in messages
/// (relative to the site root).
pub fn walk(content_dir: &Path, shown: &Path) -> Found {
    let mut found = Found::default();
    let walker = WalkDir::new(content_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0 || !entry.file_name().to_str().is_some_and(is_ignored)
        });
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let rel = err
                    .path()
                    .and_then(|p| p.strip_prefix(content_dir).ok())
                    .map_or_else(|| shown.to_path_buf(), |p| shown.join(p));
                let message = if let Some(ancestor) = err.loop_ancestor() {
                    let ancestor = ancestor
                        .strip_prefix(content_dir)
                        .map_or_else(|_| ancestor.to_path_buf(), |p| shown.join(p));
                    format!(
                        "symbolic link loop: this leads back to {}",
                        ancestor.display()
                    )
                } else if let Some(io) = err.io_error() {
                    format!("cannot read: {io}")
                } else {
                    err.to_string()
                };
                found.diagnostics.push(Diagnostic::whole_file(rel, message));
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(content_dir) else {
            continue;
        };
        if rel.to_str().is_none() {
            found.diagnostics.push(
                Diagnostic::whole_file(shown.join(rel), "the name is not valid UTF-8")
                    .with_help("rename it using UTF-8 characters"),
            );
            continue;
        }
        if entry.file_type().is_dir() {
            found.dirs.push(rel.to_path_buf());
        } else if rel.extension().is_some_and(|e| e == "md") {
            found.files.push(rel.to_path_buf());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_and_hidden_files_are_ignored() {
        for name in [".git", ".a.md", "a.md~", ".a.md.swp", "#a.md#", "a.swp"] {
            assert!(is_ignored(name), "{name}");
        }
        for name in ["a.md", "_index.md", "a#b.md"] {
            assert!(!is_ignored(name), "{name}");
        }
    }

    #[test]
    fn walk_is_sorted_and_relative() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b")).unwrap();
        std::fs::write(root.join("b/z.md"), "x").unwrap();
        std::fs::write(root.join("b/a.md"), "x").unwrap();
        std::fs::write(root.join("b/.hidden.md"), "x").unwrap();
        std::fs::write(root.join("b/a.md~"), "x").unwrap();
        std::fs::write(root.join("notes.txt"), "x").unwrap();
        let found = walk(root, Path::new("content"));
        assert_eq!(found.dirs, [PathBuf::from("b")]);
        assert_eq!(
            found.files,
            [PathBuf::from("b/a.md"), PathBuf::from("b/z.md")]
        );
        assert!(found.diagnostics.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_reported_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::os::unix::fs::symlink(root, root.join("a/loop")).unwrap();
        let found = walk(root, Path::new("content"));
        assert_eq!(found.diagnostics.len(), 1);
        assert!(found.diagnostics[0].message.contains("loop"));
    }
}
