//! Which folders a build may replace.
//!
//! A build replaces its whole destination, so the destination must be a
//! folder gradbook owns: missing, empty, or carrying the [`MARKER`] file
//! every site gradbook writes holds. Anything else is refused unless the
//! user says `--force`. Some folders are refused whatever the flags
//! ([`Protected`]): a destination that is or contains the site, its
//! sources, the current folder, the home folder or a filesystem root, and
//! any destination that is, is inside, or contains a `.git` folder.
//!
//! Paths are compared after resolving symbolic links (as far as the path
//! exists), so `--dest link-to-home` is seen for what it is.

use std::fmt;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// The file that marks a folder as a site gradbook wrote.
pub const MARKER: &str = ".gradbook";

/// The text of the marker file.
pub fn marker_text() -> String {
    format!(
        "gradbook {}\nThis folder was written by gradbook; the next `gradbook build` replaces all of it.\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// Whether `dir` carries the marker (a regular file, not a link, that
/// starts with `gradbook `).
pub fn is_marked(dir: &Path) -> bool {
    let path = dir.join(MARKER);
    let Ok(meta) = fs::symlink_metadata(&path) else {
        return false;
    };
    if !meta.is_file() || meta.len() > 4096 {
        return false;
    }
    crate::files::read_regular(&path, 4096).is_ok_and(|bytes| bytes.starts_with(b"gradbook "))
}

/// A folder or file no build may replace.
#[derive(Debug, Clone)]
pub struct Protected {
    /// The path, resolved.
    pub path: PathBuf,
    /// How to name it in a message ("the site folder").
    pub what: String,
    /// Whether a destination inside it is refused too (a site written into
    /// `static/` would be copied into the next build, and so on).
    pub inside_too: bool,
}

impl Protected {
    /// `path` (resolved here), named `what`.
    pub fn new(path: &Path, what: impl Into<String>, inside_too: bool) -> Protected {
        Protected {
            path: resolve(path),
            what: what.into(),
            inside_too,
        }
    }

    /// What every build protects whatever the site: the current folder
    /// and the home folder.
    pub fn common() -> Vec<Protected> {
        let mut common = Vec::new();
        if let Ok(cwd) = std::env::current_dir() {
            common.push(Protected::new(&cwd, "the current folder", false));
        }
        if let Some(home) = std::env::home_dir().filter(|h| !h.as_os_str().is_empty()) {
            common.push(Protected::new(&home, "your home folder", false));
        }
        common
    }
}

/// Why a destination is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// It is, or holds, something no build may replace.
    Protected {
        /// The destination as given.
        dest: PathBuf,
        /// What it would replace ("the site folder").
        what: String,
        /// Whether the destination is inside it rather than holding it.
        inside: bool,
    },
    /// It is a `.git` folder, inside one, or holds one.
    Git {
        /// The destination as given.
        dest: PathBuf,
        /// The `.git` folder it holds; `None` when it is one or is inside
        /// one.
        git: Option<PathBuf>,
    },
    /// It has files and no marker.
    NotOwned {
        /// The destination as given.
        dest: PathBuf,
    },
    /// It is a file.
    NotAFolder {
        /// The destination as given.
        dest: PathBuf,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Protected {
                dest,
                what,
                inside: false,
            } => write!(
                f,
                "the output folder {} would replace {what}",
                dest.display()
            ),
            Refusal::Protected {
                dest,
                what,
                inside: true,
            } => write!(f, "the output folder {} is inside {what}", dest.display()),
            Refusal::Git { dest, git: None } => write!(
                f,
                "the output folder {} is a git folder (.git) or inside one",
                dest.display()
            ),
            Refusal::Git {
                dest,
                git: Some(git),
            } => write!(
                f,
                "the output folder {} would replace the git repository {}",
                dest.display(),
                git.display()
            ),
            Refusal::NotOwned { dest } => write!(
                f,
                "the output folder {} is not empty and was not written by gradbook",
                dest.display()
            ),
            Refusal::NotAFolder { dest } => write!(
                f,
                "the output folder {} is a file, or inside one",
                dest.display()
            ),
        }
    }
}

impl Refusal {
    /// What to do about it.
    pub fn help(&self) -> String {
        match self {
            Refusal::Protected { .. } | Refusal::Git { .. } => {
                "choose another output folder; gradbook never replaces this one, even with --force"
                    .to_string()
            }
            Refusal::NotOwned { dest } => format!(
                "choose a new or empty folder, or pass --force to delete everything in {} and write the site there",
                dest.display()
            ),
            Refusal::NotAFolder { .. } => "choose a folder for the site".to_string(),
        }
    }
}

/// `path` made absolute, with symbolic links resolved as far as it
/// exists and `.` and `..` removed from the rest.
pub fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = existing.canonicalize() {
            let mut resolved = canonical;
            for part in rest.iter().rev() {
                match part {
                    Component::ParentDir => {
                        resolved.pop();
                    }
                    Component::CurDir => {}
                    other => resolved.push(other),
                }
            }
            return resolved;
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// Checks that a build may replace `dest` (as given by the user), and
/// returns it resolved. `force` allows a folder with files gradbook did
/// not write, never a protected one.
pub fn check(dest: &Path, protected: &[Protected], force: bool) -> Result<PathBuf, Refusal> {
    let resolved = resolve(dest);
    let shown = dest.to_path_buf();
    if resolved.parent().is_none() || resolved.file_name().is_none() {
        return Err(Refusal::Protected {
            dest: shown,
            what: "a filesystem root".to_string(),
            inside: false,
        });
    }
    for p in protected {
        if p.path.starts_with(&resolved) {
            return Err(Refusal::Protected {
                dest: shown,
                what: p.what.clone(),
                inside: false,
            });
        }
        if p.inside_too && resolved.starts_with(&p.path) {
            return Err(Refusal::Protected {
                dest: shown,
                what: p.what.clone(),
                inside: true,
            });
        }
    }
    if resolved.components().any(|part| part.as_os_str() == ".git") {
        return Err(Refusal::Git {
            dest: shown,
            git: None,
        });
    }
    let Ok(meta) = fs::symlink_metadata(&resolved) else {
        // Missing: created by the build, if what exists of its path is
        // folders (`--dest notes.txt/site` is a mistake, not a disk error).
        if resolved
            .ancestors()
            .skip(1)
            .any(|a| fs::symlink_metadata(a).is_ok_and(|m| !m.is_dir()))
        {
            return Err(Refusal::NotAFolder { dest: shown });
        }
        return Ok(resolved);
    };
    if !meta.is_dir() {
        return Err(Refusal::NotAFolder { dest: shown });
    }
    let empty = fs::read_dir(&resolved).is_ok_and(|mut entries| entries.next().is_none());
    if !force && !empty && !is_marked(&resolved) {
        return Err(Refusal::NotOwned { dest: shown });
    }
    if let Some(git) = find_git(&resolved) {
        let git = git
            .strip_prefix(&resolved)
            .map_or(git.clone(), |rel| dest.join(rel));
        return Err(Refusal::Git {
            dest: shown,
            git: Some(git),
        });
    }
    Ok(resolved)
}

/// The first `.git` folder or file inside `dir` (links not followed).
fn find_git(dir: &Path) -> Option<PathBuf> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .filter_map(Result::ok)
        .find(|entry| entry.file_name() == ".git")
        .map(walkdir::DirEntry::into_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(dest: &Path, protected: &[Protected], force: bool) -> Refusal {
        check(dest, protected, force).unwrap_err()
    }

    #[test]
    fn resolves_links_and_dots_as_far_as_the_path_exists() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        fs::create_dir(root.join("a")).unwrap();
        assert_eq!(resolve(&root.join("a/../a/./new/x")), root.join("a/new/x"));
        assert_eq!(resolve(&root.join("missing/../b")), root.join("b"));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("a"), root.join("link")).unwrap();
            assert_eq!(resolve(&root.join("link/new")), root.join("a/new"));
        }
    }

    #[test]
    fn missing_empty_and_marked_folders_are_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert!(check(&root.join("new/deeper"), &[], false).is_ok());
        fs::create_dir(root.join("empty")).unwrap();
        assert!(check(&root.join("empty"), &[], false).is_ok());
        fs::create_dir(root.join("site")).unwrap();
        fs::write(root.join("site/index.html"), "x").unwrap();
        fs::write(root.join("site").join(MARKER), marker_text()).unwrap();
        assert!(check(&root.join("site"), &[], false).is_ok());
    }

    #[test]
    fn folders_gradbook_did_not_write_need_force() {
        let dir = tempfile::tempdir().unwrap();
        let notes = dir.path().join("notes");
        fs::create_dir(&notes).unwrap();
        fs::write(notes.join("todo.txt"), "keep").unwrap();
        assert_eq!(
            refused(&notes, &[], false),
            Refusal::NotOwned {
                dest: notes.clone()
            }
        );
        fs::write(notes.join(MARKER), "not ours").unwrap();
        assert!(matches!(
            refused(&notes, &[], false),
            Refusal::NotOwned { .. }
        ));
        assert!(check(&notes, &[], true).is_ok());
        fs::write(dir.path().join("file"), "x").unwrap();
        assert!(matches!(
            refused(&dir.path().join("file"), &[], true),
            Refusal::NotAFolder { .. }
        ));
        assert!(matches!(
            refused(&dir.path().join("file/site"), &[], true),
            Refusal::NotAFolder { .. }
        ));
    }

    #[test]
    fn protected_folders_are_refused_even_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site-root");
        fs::create_dir_all(root.join("content")).unwrap();
        fs::create_dir_all(root.join("static")).unwrap();
        let protected = [
            Protected::new(&root, "the site folder", false),
            Protected::new(&root.join("content"), "the content folder", true),
            Protected::new(&root.join("static"), "the static folder", true),
        ];
        let what = |dest: &Path| match refused(dest, &protected, true) {
            Refusal::Protected { what, inside, .. } => (what, inside),
            other => panic!("{other:?}"),
        };
        assert_eq!(what(&root), ("the site folder".to_string(), false));
        assert_eq!(what(dir.path()), ("the site folder".to_string(), false));
        assert_eq!(
            what(&root.join("content")),
            ("the content folder".to_string(), false)
        );
        assert_eq!(
            what(&root.join("static/out")),
            ("the static folder".to_string(), true)
        );
        assert_eq!(
            what(&root.join("content/../static/x/..")),
            ("the static folder".to_string(), false)
        );
        assert_eq!(
            what(Path::new("/")),
            ("a filesystem root".to_string(), false)
        );
        assert!(check(&root.join("site"), &protected, false).is_ok());
    }

    #[test]
    fn git_folders_are_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        fs::create_dir_all(repo.join(".git/objects")).unwrap();
        assert!(matches!(
            refused(&repo.join(".git"), &[], true),
            Refusal::Git { .. }
        ));
        assert!(matches!(
            refused(&repo.join(".git/objects/new"), &[], true),
            Refusal::Git { .. }
        ));
        let git = match refused(&repo, &[], true) {
            Refusal::Git { git, .. } => git,
            other => panic!("{other:?}"),
        };
        assert_eq!(git, Some(repo.join(".git")));
        let site = dir.path().join("site");
        fs::create_dir_all(site.join("deploy/.git")).unwrap();
        fs::write(site.join(MARKER), marker_text()).unwrap();
        let refusal = refused(&site, &[], false);
        assert_eq!(
            refusal.to_string(),
            format!(
                "the output folder {} would replace the git repository {}",
                site.display(),
                site.join("deploy/.git").display()
            )
        );
    }

    #[test]
    fn messages_say_how_to_proceed() {
        let refusal = Refusal::NotOwned {
            dest: PathBuf::from("../notes"),
        };
        assert_eq!(
            refusal.to_string(),
            "the output folder ../notes is not empty and was not written by gradbook"
        );
        assert!(refusal.help().contains("--force"), "{}", refusal.help());
        let refusal = Refusal::Protected {
            dest: PathBuf::from("."),
            what: "the site folder".into(),
            inside: false,
        };
        assert!(refusal.help().contains("even with --force"));
    }
}
