//! Which folders a build may replace.
//!
//! A build replaces its whole destination, so the destination must be a
//! folder gradbook owns: missing, empty, or carrying the [`MARKER`] file
//! every site gradbook writes holds, with nothing in it that marker does
//! not list (what the build that wrote it wrote). Anything else is
//! refused unless the
//! user says `--force`. Some folders are refused whatever the flags
//! ([`Protected`]): a destination that is or contains the site, its
//! sources, the current folder, the home folder or a filesystem root, and
//! any destination that is, is inside, or contains a `.git` folder.
//!
//! Paths are compared after resolving symbolic links (as far as the path
//! exists), so `--dest link-to-home` is seen for what it is.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// The file that marks a folder as a site gradbook wrote.
pub const MARKER: &str = ".gradbook";

/// The largest marker read (its list of files grows with the site).
const MAX_MARKER: u64 = 64 * 1024 * 1024;

/// Shown in a refusal: at most this many of the files gradbook did not
/// write.
const SHOWN: usize = 4;

/// The files a build wrote: path relative to the site (with `/`
/// separators) → size in bytes.
pub type Manifest = BTreeMap<String, u64>;

/// The text of the marker of a finished site: the tool, then every file
/// the build wrote, one a line as its size and its path (`\` and line
/// breaks in a path written `\\`, `\n`, `\r`).
pub fn marker_text(files: &Manifest) -> String {
    let mut text = format!(
        "gradbook {}\nThis folder was written by gradbook; the next `gradbook build` replaces all of it.\nfiles {}\n",
        env!("CARGO_PKG_VERSION"),
        files.len()
    );
    for (path, size) in files {
        text.push_str(&format!("{size} {}\n", escape(path)));
    }
    text
}

/// The text of the marker of a staging folder named `name`, while the
/// build writes it: it names that folder, so a copy elsewhere proves
/// nothing.
pub fn staging_marker_text(name: &str) -> String {
    format!(
        "gradbook {}\nstaging {}\nA gradbook build is writing this folder; if it was interrupted, the next build removes it.\n",
        env!("CARGO_PKG_VERSION"),
        escape(name)
    )
}

/// What a marker says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    /// A finished site and the files its build wrote.
    Site(Manifest),
    /// A staging folder, by its own name.
    Staging(String),
    /// A marker without a list of files (earlier versions wrote those):
    /// it proves nothing about the files beside it.
    Unlisted,
}

/// Reads the marker of `dir`: a regular file, not a link, that starts
/// with `gradbook `.
pub fn read_marker(dir: &Path) -> Option<Marker> {
    let path = dir.join(MARKER);
    let meta = fs::symlink_metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > MAX_MARKER {
        return None;
    }
    let bytes = crate::files::read_regular(&path, MAX_MARKER).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let mut lines = text.lines();
    if !lines.next()?.starts_with("gradbook ") {
        return None;
    }
    let mut lines = lines
        .skip_while(|l| !(l.starts_with("files ") || l.starts_with("staging ") || l.is_empty()));
    match lines.next() {
        Some(line) if line.starts_with("staging ") => {
            Some(Marker::Staging(unescape(&line["staging ".len()..])))
        }
        Some(line) if line.starts_with("files ") => {
            let count: usize = line["files ".len()..].parse().ok()?;
            let mut files = Manifest::new();
            for line in lines {
                let (size, path) = line.split_once(' ')?;
                files.insert(unescape(path), size.parse().ok()?);
            }
            (files.len() == count).then_some(Marker::Site(files))
        }
        _ => Some(Marker::Unlisted),
    }
}

/// Whether `dir` carries a marker (whatever it lists).
pub fn is_marked(dir: &Path) -> bool {
    read_marker(dir).is_some()
}

/// What in `dir` its marker does not account for: files it does not list
/// (or lists with another size), links, and folders holding no listed
/// file. The first few paths, and how many in all.
pub fn unlisted(dir: &Path, files: &Manifest) -> (Vec<String>, usize) {
    let mut folders = std::collections::BTreeSet::new();
    for path in files.keys() {
        let mut rest = path.as_str();
        while let Some((parent, _)) = rest.rsplit_once('/') {
            folders.insert(parent);
            rest = parent;
        }
    }
    let mut shown = Vec::new();
    let mut count = 0;
    let mut walk = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walk.next() {
        let Ok(entry) = entry else {
            count += 1;
            continue;
        };
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let rel_text = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let kind = entry.file_type();
        let ours = if rel_text == MARKER {
            true
        } else if kind.is_dir() {
            folders.contains(rel_text.as_str())
        } else if kind.is_file() {
            rel.to_str().is_some()
                && entry
                    .metadata()
                    .is_ok_and(|m| files.get(&rel_text) == Some(&m.len()))
        } else {
            false
        };
        if !ours {
            if kind.is_dir() {
                walk.skip_current_dir();
            }
            count += 1;
            if shown.len() < SHOWN {
                shown.push(if kind.is_dir() {
                    format!("{rel_text}/")
                } else {
                    rel_text
                });
            }
        }
    }
    (shown, count)
}

/// Whether `dir` holds exactly the site its marker lists: every listed
/// file at its size, and nothing else.
pub fn is_intact(dir: &Path, files: &Manifest) -> bool {
    unlisted(dir, files).1 == 0
        && files.iter().all(|(path, size)| {
            fs::symlink_metadata(dir.join(path)).is_ok_and(|m| m.is_file() && m.len() == *size)
        })
}

/// Whether everything in `dir` is what the build that marked it wrote
/// (files it listed may be gone).
pub fn is_owned(dir: &Path) -> bool {
    matches!(read_marker(dir), Some(Marker::Site(files)) if unlisted(dir, &files).1 == 0)
}

fn escape(path: &str) -> String {
    path.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
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
    /// It has files, and no marker or files its marker does not list.
    NotOwned {
        /// The destination as given.
        dest: PathBuf,
        /// When it has a marker: the first few paths it does not list.
        found: Vec<String>,
        /// How many such paths in all.
        more: usize,
        /// Whether it has a marker that lists no files (written by an
        /// earlier version, or copied).
        unlisted_marker: bool,
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
            Refusal::NotOwned {
                dest,
                found,
                more,
                unlisted_marker,
            } => {
                write!(
                    f,
                    "the output folder {} is not empty and was not written by gradbook",
                    dest.display()
                )?;
                if !found.is_empty() {
                    write!(f, " (the last build did not write {}", found.join(", "))?;
                    if *more > found.len() {
                        write!(f, " and {} more", more - found.len())?;
                    }
                    write!(f, ")")?;
                }
                if *unlisted_marker {
                    write!(
                        f,
                        " (its .gradbook file lists no files: an earlier version of gradbook wrote it, or it was copied there)"
                    )?;
                }
                Ok(())
            }
            Refusal::NotAFolder { dest } => write!(
                f,
                "the output folder {} is a file, or inside one",
                dest.display()
            ),
        }
    }
}

impl Refusal {
    /// The destination, as given.
    pub fn dest(&self) -> &Path {
        match self {
            Refusal::Protected { dest, .. }
            | Refusal::Git { dest, .. }
            | Refusal::NotOwned { dest, .. }
            | Refusal::NotAFolder { dest } => dest,
        }
    }

    /// What to do about it.
    pub fn help(&self) -> String {
        match self {
            Refusal::Protected { .. } | Refusal::Git { .. } => {
                "choose another output folder; gradbook never replaces this one, even with --force"
                    .to_string()
            }
            Refusal::NotOwned { dest, found, .. } if !found.is_empty() => format!(
                "move those out (a file the site should publish belongs in static/), choose another folder, or pass --force to delete everything in {} and write the site there",
                dest.display()
            ),
            Refusal::NotOwned { dest, .. } => format!(
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
    if !force && !empty {
        let marker = read_marker(&resolved);
        let (found, more) = match &marker {
            Some(Marker::Site(files)) => unlisted(&resolved, files),
            _ => (Vec::new(), 1),
        };
        if more > 0 {
            return Err(Refusal::NotOwned {
                dest: shown,
                found,
                more,
                unlisted_marker: marker == Some(Marker::Unlisted),
            });
        }
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
        let listed = Manifest::from([
            ("index.html".to_string(), 1),
            ("a/gone.html".to_string(), 9),
        ]);
        fs::write(root.join("site").join(MARKER), marker_text(&listed)).unwrap();
        assert!(check(&root.join("site"), &[], false).is_ok());
        assert!(is_owned(&root.join("site")));
        assert!(!is_intact(&root.join("site"), &listed));
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
                dest: notes.clone(),
                found: Vec::new(),
                more: 1,
                unlisted_marker: false,
            }
        );
        fs::write(notes.join(MARKER), "not ours").unwrap();
        assert!(matches!(
            refused(&notes, &[], false),
            Refusal::NotOwned { .. }
        ));
        // A marker of an earlier version, which lists nothing.
        fs::write(notes.join(MARKER), "gradbook 0.1.0\nwritten by gradbook\n").unwrap();
        assert!(
            refused(&notes, &[], false)
                .to_string()
                .ends_with("an earlier version of gradbook wrote it, or it was copied there)")
        );
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
        fs::write(site.join(MARKER), marker_text(&Manifest::new())).unwrap();
        let refusal = refused(&site, &[], true);
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
    fn a_copied_marker_proves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        for (rel, text) in [
            (".ssh/id_ed25519", "KEY"),
            ("index.html", "x"),
            ("notes.txt", "n"),
            ("a/b.txt", "b"),
            ("c.txt", "c"),
            ("d.txt", "d"),
        ] {
            let path = home.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let listed = Manifest::from([("index.html".to_string(), 1), ("c.txt".to_string(), 5)]);
        fs::write(home.join(MARKER), marker_text(&listed)).unwrap();
        let refusal = refused(&home, &[], false);
        assert_eq!(
            refusal.to_string(),
            format!(
                "the output folder {} is not empty and was not written by gradbook (the last build did not write .ssh/, a/, c.txt, d.txt and 1 more)",
                home.display()
            )
        );
        assert!(home.join(".ssh/id_ed25519").exists());
        assert!(check(&home, &[], true).is_ok());
    }

    #[test]
    fn markers_round_trip() {
        let listed = Manifest::from([("a b/c.html".to_string(), 10), ("x\\y\nz".to_string(), 0)]);
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(MARKER), marker_text(&listed)).unwrap();
        assert_eq!(read_marker(dir.path()), Some(Marker::Site(listed)));
        fs::write(
            dir.path().join(MARKER),
            staging_marker_text(".s.gradbook-staging-1-a"),
        )
        .unwrap();
        assert_eq!(
            read_marker(dir.path()),
            Some(Marker::Staging(".s.gradbook-staging-1-a".into()))
        );
        fs::write(dir.path().join(MARKER), "gradbook 0.1.0\nfiles 2\n1 a\n").unwrap();
        assert_eq!(read_marker(dir.path()), None, "a short list is no list");
    }

    #[test]
    fn messages_say_how_to_proceed() {
        let refusal = Refusal::NotOwned {
            dest: PathBuf::from("../notes"),
            found: Vec::new(),
            more: 1,
            unlisted_marker: false,
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
