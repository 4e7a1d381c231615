//! Finding and reading a site's own files: the one folder walk and the one
//! reader that `content/`, `templates/`, `static/` and `book.toml` all go
//! through, so every source folder follows the same rules.
//!
//! - **Ignored names** ([`is_ignored`]): hidden files and folders (a name
//!   starting with `.`, except `.well-known`) and editor leftovers (`x~`,
//!   `x.swp`, `x.swo`, `#x#`) are skipped everywhere.
//! - **Only regular files are read.** Named pipes, sockets and devices are
//!   reported by the walk and never opened; [`open_regular`] checks again
//!   before and after opening (the open itself cannot block), so a file
//!   swapped for a pipe between the walk and the read is refused too.
//! - **Links stay inside the site.** A symbolic link is followed only when
//!   it resolves inside the site folder (or inside the folder being
//!   walked, for a content folder kept elsewhere); any other link is an
//!   error naming the link. Link loops are reported, not followed.
//! - **Links never lead to what is private** ([`private_place`]): a link
//!   whose target is, or is inside, a `.git` folder, a build's staging or
//!   old-site folder, any other hidden (or ignored) file or folder of the
//!   site, or a site gradbook built (a folder holding the `.gradbook`
//!   marker, such as the output folder) is an error naming the link and
//!   its target, even though it stays inside the site; so is a folder
//!   reached through a link that is such a site, and a source folder that
//!   is itself in such a place.
//! - **Sizes are bounded**: a lesson or template over [`SOURCE_LIMIT`], or
//!   a `book.toml` over [`CONFIG_LIMIT`], is an error, not a read.
//!
//! Paths come back relative to the walked folder, in a deterministic
//! (sorted) order, and every name is valid UTF-8 (others are reported).

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;

/// The largest lesson, `_index.md` or template read, in bytes (8 MiB).
pub const SOURCE_LIMIT: u64 = 8 * 1024 * 1024;

/// The largest `book.toml` read, in bytes (1 MiB).
pub const CONFIG_LIMIT: u64 = 1024 * 1024;

/// Whether a file or folder name is skipped by every walk.
pub fn is_ignored(name: &str) -> bool {
    (name.starts_with('.') && name != ".well-known")
        || name.ends_with('~')
        || Path::new(name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("swp") || e.eq_ignore_ascii_case("swo"))
        || (name.starts_with('#') && name.ends_with('#'))
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walked {
    /// Folders below the walked folder (not the folder itself), relative.
    pub dirs: Vec<PathBuf>,
    /// Regular files the caller wanted, relative to the walked folder.
    pub files: Vec<PathBuf>,
    /// Problems: special files, links out of the site, loops, unreadable
    /// entries, names that are not UTF-8.
    pub diagnostics: Vec<Diagnostic>,
}

/// How deeply folders may nest below a walked folder: every level is a
/// section, and each page lists the sections around it, so a thousand
/// nested folders would make gigabytes of pages.
const MAX_DEPTH: usize = 32;

/// Walks `dir`; `shown` is how `dir` is named in messages (relative to the
/// site root). Every link, and `dir` itself, must resolve inside
/// `boundary`: the site folder, or the content folder itself when
/// `content-dir` names a folder outside the site. `wanted(rel, is_dir)`
/// says which files the caller reads (only those are listed and checked)
/// and which folders to enter. A missing `dir` has nothing in it.
pub fn walk(
    dir: &Path,
    shown: &Path,
    boundary: &Path,
    wanted: impl Fn(&Path, bool) -> bool,
) -> Walked {
    let mut found = Walked::default();
    if !dir.is_dir() {
        return found;
    }
    let boundaries: Vec<PathBuf> = fs::canonicalize(boundary).into_iter().collect();
    // `static -> /etc` is a link out of the site as much as a file in it.
    if let Some(d) = link_outside(dir, &boundaries, shown) {
        found.diagnostics.push(d);
        return found;
    }
    if let Some(d) = private_source(dir, &boundaries, shown) {
        found.diagnostics.push(d);
        return found;
    }
    // Folders entered through a link: what is below them was not chosen
    // by where it sits in the source folder.
    let mut linked: Vec<PathBuf> = Vec::new();
    let shown_rel = |path: &Path| {
        path.strip_prefix(dir)
            .map_or_else(|_| shown.to_path_buf(), |p| shown.join(p))
    };
    let mut walker = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let at = err.path().map_or_else(|| shown.to_path_buf(), shown_rel);
                found.diagnostics.push(walk_error(&err, dir, shown, &at));
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        if entry.file_name().to_str().is_some_and(is_ignored) {
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let rel = rel.to_path_buf();
        let is_dir = entry.file_type().is_dir();
        if !wanted(&rel, is_dir) {
            if is_dir {
                walker.skip_current_dir();
            }
            continue;
        }
        if rel.to_str().is_none() {
            found.diagnostics.push(
                Diagnostic::whole_file(shown.join(&rel), "the name is not valid UTF-8")
                    .with_help("rename it using UTF-8 characters"),
            );
            if is_dir {
                walker.skip_current_dir();
            }
            continue;
        }
        let through_link = linked.iter().any(|l| rel.starts_with(l));
        if let Some(d) = refused(&entry, through_link, &boundaries, &shown.join(&rel)) {
            found.diagnostics.push(d);
            if is_dir {
                walker.skip_current_dir();
            }
            continue;
        }
        if is_dir && entry.path_is_symlink() {
            linked.push(rel.clone());
        }
        if is_dir {
            found.dirs.push(rel);
        } else if entry.file_type().is_file() {
            found.files.push(rel);
        } else {
            found
                .diagnostics
                .push(not_regular(&shown.join(&rel), kind_of(&entry.file_type())));
        }
    }
    found
}

/// Why the walk does not take `entry` (shown as `shown`): a folder nested
/// too deep, a link out of the site or into a private place, or a private
/// folder entered through a link (`through_link`).
fn refused(
    entry: &walkdir::DirEntry,
    through_link: bool,
    boundaries: &[PathBuf],
    shown: &Path,
) -> Option<Diagnostic> {
    if entry.file_type().is_dir() && entry.depth() > MAX_DEPTH {
        return Some(
            Diagnostic::whole_file(
                shown,
                format!("folders nest more than {MAX_DEPTH} deep here"),
            )
            .with_help("keep the book's sections fewer levels deep"),
        );
    }
    if entry.path_is_symlink() {
        link_outside(entry.path(), boundaries, shown)
            .or_else(|| private_link(entry.path(), boundaries, shown))
    } else if through_link && entry.file_type().is_dir() {
        private_below_link(entry.path(), boundaries, shown)
    } else {
        None
    }
}

/// The diagnostic for a link at `path` that resolves outside every
/// boundary, or `None` when it stays inside.
fn link_outside(path: &Path, boundaries: &[PathBuf], shown: &Path) -> Option<Diagnostic> {
    let target = fs::canonicalize(path).ok()?;
    if boundaries.iter().any(|b| target.starts_with(b)) {
        return None;
    }
    Some(
        Diagnostic::whole_file(
            shown,
            format!(
                "symbolic link to {}, outside the site folder; gradbook does not follow it",
                target.display()
            ),
        )
        .with_help("copy what it points to into the site, or link to something inside the site"),
    )
}

/// What a link may not lead into, when `target` (resolved) is there: a
/// `.git` folder, a build's staging or old-site folder, any other file or
/// folder the walk skips (hidden ones), or a site gradbook built (a folder
/// holding the `.gradbook` marker: the output folder). The place is named
/// relative to the boundary holding it, with what it is.
pub fn private_place(target: &Path, boundaries: &[PathBuf]) -> Option<String> {
    let base = boundaries.iter().find(|b| target.starts_with(b))?;
    let rel = target.strip_prefix(base).ok()?;
    let mut at = base.clone();
    for part in rel.components() {
        at.push(part);
        let shown = at.strip_prefix(base).unwrap_or(&at).display().to_string();
        let name = part.as_os_str().to_str().unwrap_or("");
        if name == ".git" {
            return Some(format!("{shown}, a Git folder"));
        }
        if name.contains(".gradbook-staging-") || name.contains(".gradbook-old-") {
            return Some(format!(
                "{shown}, a folder of a build in progress or replaced"
            ));
        }
        if name.starts_with('.') && is_ignored(name) {
            return Some(format!("{shown}, which is hidden"));
        }
        if is_ignored(name) {
            return Some(format!("{shown}, an editor's leftover that gradbook skips"));
        }
        if at.is_dir() && crate::output::destination::is_marked(&at) {
            return Some(format!(
                "{shown}, a site gradbook built (it holds .gradbook)"
            ));
        }
    }
    None
}

/// What every refusal of a private place suggests.
const PRIVATE_HELP: &str = "links may not lead into .git, the output folder, a build's staging folders, or any hidden file or folder of the site; copy what you mean to publish into the site's own folders";

/// The diagnostic for a link at `path` that leads somewhere private.
fn private_link(path: &Path, boundaries: &[PathBuf], shown: &Path) -> Option<Diagnostic> {
    let target = fs::canonicalize(path).ok()?;
    let place = private_place(&target, boundaries)?;
    let base = boundaries.iter().find(|b| target.starts_with(b))?;
    let target = target.strip_prefix(base).unwrap_or(&target);
    Some(
        Diagnostic::whole_file(
            shown,
            format!(
                "symbolic link to {}, in {place}; gradbook never publishes it and does not follow the link",
                target.display()
            ),
        )
        .with_help(PRIVATE_HELP),
    )
}

/// The diagnostic for a folder entered through a link that is private
/// itself (a built site below a linked folder).
fn private_below_link(path: &Path, boundaries: &[PathBuf], shown: &Path) -> Option<Diagnostic> {
    let target = fs::canonicalize(path).ok()?;
    let place = private_place(&target, boundaries)?;
    Some(
        Diagnostic::whole_file(
            shown,
            format!("this folder, reached through a symbolic link, is {place}; gradbook never publishes it"),
        )
        .with_help(PRIVATE_HELP),
    )
}

/// The diagnostic for a source folder (`content/`, `static/`,
/// `templates/`, or `content-dir`) that is itself in a private place.
fn private_source(dir: &Path, boundaries: &[PathBuf], shown: &Path) -> Option<Diagnostic> {
    if dir.is_symlink() {
        return private_link(dir, boundaries, shown);
    }
    let target = fs::canonicalize(dir).ok()?;
    let place = private_place(&target, boundaries)?;
    Some(
        Diagnostic::whole_file(
            shown,
            format!("this folder is in {place}; gradbook never reads or publishes it"),
        )
        .with_help("keep the site's sources in folders of their own, outside .git, the output folder and hidden folders"),
    )
}

/// Turns a walkdir error into a diagnostic at `at`.
fn walk_error(err: &walkdir::Error, dir: &Path, shown: &Path, at: &Path) -> Diagnostic {
    if let Some(ancestor) = err.loop_ancestor() {
        let ancestor = ancestor
            .strip_prefix(dir)
            .map_or_else(|_| ancestor.to_path_buf(), |p| shown.join(p));
        return Diagnostic::whole_file(
            at,
            format!(
                "symbolic link loop: this leads back to {}",
                ancestor.display()
            ),
        );
    }
    let dangling = err
        .path()
        .is_some_and(|p| p.symlink_metadata().is_ok() && p.metadata().is_err());
    if dangling && err.path().is_some_and(links_in_a_circle) {
        return Diagnostic::whole_file(
            at,
            "symbolic link loop: following it leads back to a link already followed",
        )
        .with_help("remove the link or point it at a file");
    }
    if dangling {
        let target = err
            .path()
            .and_then(|p| fs::read_link(p).ok())
            .map_or_else(String::new, |t| format!(" to {}", t.display()));
        return Diagnostic::whole_file(
            at,
            format!("broken symbolic link{target}: what it points to does not exist"),
        )
        .with_help("remove the link or fix its target");
    }
    match err.io_error() {
        Some(io) => Diagnostic::whole_file(at, format!("cannot read: {io}")),
        None => Diagnostic::whole_file(at, err.to_string()),
    }
}

/// Whether following the link at `path` comes back to a link already
/// followed (or goes on for more links than a system follows).
fn links_in_a_circle(path: &Path) -> bool {
    let mut seen = vec![path.to_path_buf()];
    let mut at = path.to_path_buf();
    for _ in 0..40 {
        let Ok(target) = fs::read_link(&at) else {
            return false;
        };
        let next = at
            .parent()
            .map_or_else(|| target.clone(), |d| d.join(&target));
        if seen.contains(&next) {
            return true;
        }
        seen.push(next.clone());
        at = next;
    }
    true
}

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// A folder, named pipe, socket or device: described in words.
    NotRegular(&'static str),
    /// Over the size limit.
    TooLarge {
        /// The file's size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The system refused (missing, permissions, …).
    Io(io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotRegular(kind) => write!(
                f,
                "this is {kind}, not a regular file; gradbook reads only regular files"
            ),
            ReadError::TooLarge { size, limit } => write!(
                f,
                "the file is {}, over the limit of {}",
                human_size(*size),
                human_size(*limit)
            ),
            ReadError::Io(err) => write!(f, "cannot read the file: {err}"),
        }
    }
}

impl ReadError {
    /// A diagnostic for `shown`, with a hint where one helps.
    pub fn diagnostic(&self, shown: &Path) -> Diagnostic {
        match self {
            ReadError::NotRegular(kind) => not_regular(shown, kind),
            ReadError::TooLarge { .. } => Diagnostic::whole_file(shown, self.to_string())
                .with_help("split it into several files"),
            ReadError::Io(_) => Diagnostic::whole_file(shown, self.to_string()),
        }
    }
}

fn not_regular(shown: &Path, kind: &str) -> Diagnostic {
    Diagnostic::whole_file(
        shown,
        format!("this is {kind}, not a regular file; gradbook reads only regular files"),
    )
    .with_help("remove it, or move it out of the site's folders")
}

/// Describes a file type that is not a regular file.
fn kind_of(file_type: &fs::FileType) -> &'static str {
    if file_type.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
    }
    "a special file"
}

/// Opens `path` (links followed) for reading, only if it is a regular
/// file; returns it with its length. The type is checked before opening
/// and again on the open file, and the open never waits (a named pipe
/// put in its place meanwhile is opened without blocking and refused).
pub fn open_regular(path: &Path) -> Result<(File, u64), ReadError> {
    let meta = fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta.file_type())));
    }
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta.file_type())));
    }
    Ok((file, meta.len()))
}

/// Reads the regular file at `path`, refusing more than `limit` bytes.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let (file, size) = open_regular(path)?;
    if size > limit {
        return Err(ReadError::TooLarge { size, limit });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // The file may grow after the check: never read past the limit.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    let read = bytes.len() as u64;
    if read > limit {
        return Err(ReadError::TooLarge { size: read, limit });
    }
    Ok(bytes)
}

/// `bytes` in words: `512 bytes`, `8 MiB`, `9.1 MiB`.
pub fn human_size(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    let (value, unit) = if b >= KIB * KIB * KIB {
        (b / (KIB * KIB * KIB), "GiB")
    } else if b >= KIB * KIB {
        (b / (KIB * KIB), "MiB")
    } else if b >= KIB {
        (b / KIB, "KiB")
    } else {
        return format!("{bytes} bytes");
    };
    let text = format!("{value:.1}");
    format!("{} {unit}", text.strip_suffix(".0").unwrap_or(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(_: &Path, _: bool) -> bool {
        true
    }

    fn md(p: &Path, is_dir: bool) -> bool {
        is_dir || p.extension().is_some_and(|e| e == "md")
    }

    #[test]
    fn editor_and_hidden_files_are_ignored() {
        for name in [
            ".git",
            ".a.md",
            "a.md~",
            ".a.md.swp",
            "#a.md#",
            "a.swp",
            ".DS_Store",
        ] {
            assert!(is_ignored(name), "{name}");
        }
        for name in ["a.md", "_index.md", "a#b.md", ".well-known"] {
            assert!(!is_ignored(name), "{name}");
        }
    }

    #[test]
    fn walk_is_sorted_and_relative() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("b")).unwrap();
        fs::create_dir_all(root.join(".git/objects")).unwrap();
        fs::write(root.join(".git/objects/x.md"), "x").unwrap();
        fs::write(root.join("b/z.md"), "x").unwrap();
        fs::write(root.join("b/a.md"), "x").unwrap();
        fs::write(root.join("b/.hidden.md"), "x").unwrap();
        fs::write(root.join("b/a.md~"), "x").unwrap();
        fs::write(root.join("notes.txt"), "x").unwrap();
        let found = walk(root, Path::new("content"), root, md);
        assert_eq!(found.dirs, [PathBuf::from("b")]);
        assert_eq!(
            found.files,
            [PathBuf::from("b/a.md"), PathBuf::from("b/z.md")]
        );
        assert!(found.diagnostics.is_empty());
        let found = walk(root, Path::new("static"), root, all);
        assert_eq!(
            found.files,
            [
                PathBuf::from("b/a.md"),
                PathBuf::from("b/z.md"),
                PathBuf::from("notes.txt")
            ]
        );
    }

    #[test]
    fn a_missing_folder_has_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let found = walk(&dir.path().join("nope"), Path::new("x"), dir.path(), all);
        assert!(found.files.is_empty() && found.diagnostics.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_reported_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a")).unwrap();
        std::os::unix::fs::symlink(root, root.join("a/loop")).unwrap();
        let found = walk(root, Path::new("content"), root, md);
        assert_eq!(found.diagnostics.len(), 1);
        assert!(found.diagnostics[0].message.contains("loop"));
    }

    #[cfg(unix)]
    #[test]
    fn links_inside_are_followed_and_links_outside_refused() {
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret.md"), "x").unwrap();
        fs::create_dir(outside.path().join("dir")).unwrap();
        fs::write(outside.path().join("dir/inner.md"), "x").unwrap();
        let site = tempfile::tempdir().unwrap();
        let content = site.path().join("content");
        fs::create_dir_all(content.join("real")).unwrap();
        fs::write(content.join("real/a.md"), "x").unwrap();
        fs::write(site.path().join("shared.md"), "x").unwrap();
        let link = |from: &Path, to: &Path| std::os::unix::fs::symlink(from, to);
        link(&content.join("real"), &content.join("alias")).unwrap();
        link(&site.path().join("shared.md"), &content.join("shared.md")).unwrap();
        link(
            &outside.path().join("secret.md"),
            &content.join("secret.md"),
        )
        .unwrap();
        link(&outside.path().join("dir"), &content.join("dir")).unwrap();
        link(Path::new("/dev/zero"), &content.join("zero.md")).unwrap();
        link(&content.join("missing"), &content.join("broken.md")).unwrap();
        link(&content.join("circle-b.md"), &content.join("circle-a.md")).unwrap();
        link(&content.join("circle-a.md"), &content.join("circle-b.md")).unwrap();
        let found = walk(&content, Path::new("content"), site.path(), md);
        assert_eq!(
            found.files,
            [
                PathBuf::from("alias/a.md"),
                PathBuf::from("real/a.md"),
                PathBuf::from("shared.md")
            ]
        );
        let messages: Vec<String> = found.diagnostics.iter().map(|d| d.one_line()).collect();
        assert_eq!(messages.len(), 6, "{messages:#?}");
        assert!(messages[0].starts_with("content/broken.md: error: broken symbolic link"));
        for (i, name) in [(1, "circle-a.md"), (2, "circle-b.md")] {
            assert!(
                messages[i].starts_with(&format!("content/{name}: error: symbolic link loop")),
                "{messages:#?}"
            );
        }
        assert!(messages[3].starts_with("content/dir: error: symbolic link to"));
        assert!(messages[4].starts_with("content/secret.md: error: symbolic link to"));
        assert!(messages[5].contains("content/zero.md: error: symbolic link to /dev/zero"));
    }

    #[cfg(unix)]
    #[test]
    fn links_into_private_places_of_the_site_are_refused() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        let content = root.join("content");
        fs::create_dir_all(root.join(".git")).unwrap();
        fs::write(root.join(".git/config"), "[remote] url = secret").unwrap();
        fs::create_dir_all(root.join(".secrets")).unwrap();
        fs::write(root.join(".env"), "TOKEN=x").unwrap();
        fs::create_dir_all(root.join(".site.gradbook-staging-1")).unwrap();
        fs::create_dir_all(root.join("site")).unwrap();
        fs::write(root.join("site/.gradbook"), "gradbook 0.1\n").unwrap();
        fs::write(root.join("site/index.html"), "x").unwrap();
        fs::create_dir_all(root.join("notes")).unwrap();
        fs::write(root.join("notes/ok.txt"), "x").unwrap();
        fs::create_dir_all(root.join("notes/old")).unwrap();
        fs::write(root.join("notes/old/.gradbook"), "gradbook 0.1\n").unwrap();
        fs::write(root.join("notes/old/index.html"), "x").unwrap();
        fs::create_dir_all(&content).unwrap();
        let link = |to: &str, at: &str| {
            std::os::unix::fs::symlink(root.join(to), content.join(at)).unwrap();
        };
        link(".git", "git");
        link(".git/config", "config.txt");
        link(".env", "env.txt");
        link(".secrets", "secrets");
        link(".site.gradbook-staging-1", "staging");
        link("site", "built");
        link("site/index.html", "page.html");
        link("", "everything");
        link("notes", "notes");
        let found = walk(&content, Path::new("content"), root, all);
        // A linked folder is followed, but not into a built site below it.
        assert_eq!(found.files, [PathBuf::from("notes/ok.txt")]);
        let messages: Vec<String> = found.diagnostics.iter().map(|d| d.one_line()).collect();
        let expect = [
            "content/built: error: symbolic link to site, in site, a site gradbook built (it holds .gradbook)",
            "content/config.txt: error: symbolic link to .git/config, in .git, a Git folder",
            "content/env.txt: error: symbolic link to .env, in .env, which is hidden",
            "content/everything: error: symbolic link loop",
            "content/notes/old: error: this folder, reached through a symbolic link, is notes/old, a site gradbook built",
            "content/git: error: symbolic link to .git, in .git, a Git folder",
            "content/page.html: error: symbolic link to site/index.html, in site, a site gradbook built",
            "content/secrets: error: symbolic link to .secrets, in .secrets, which is hidden",
            "content/staging: error: symbolic link to .site.gradbook-staging-1, in .site.gradbook-staging-1, a folder of a build in progress or replaced",
        ];
        assert_eq!(messages.len(), expect.len(), "{messages:#?}");
        for want in expect {
            assert!(
                messages.iter().any(|m| m.starts_with(want)),
                "{want}\n{messages:#?}"
            );
        }
        // A source folder in a private place is refused whole.
        let found = walk(&root.join(".git"), Path::new(".git"), root, all);
        assert!(found.files.is_empty());
        assert!(
            found.diagnostics[0]
                .one_line()
                .starts_with(".git: error: this folder is in .git, a Git folder"),
            "{:?}",
            found.diagnostics
        );
        std::os::unix::fs::symlink(root.join("site"), root.join("static")).unwrap();
        let found = walk(&root.join("static"), Path::new("static"), root, all);
        assert!(found.files.is_empty());
        assert!(
            found.diagnostics[0]
                .one_line()
                .starts_with("static: error: symbolic link to site, in site"),
            "{:?}",
            found.diagnostics
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_source_folder_that_links_out_of_the_site_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret.txt"), "x").unwrap();
        let site = tempfile::tempdir().unwrap();
        let link = site.path().join("static");
        std::os::unix::fs::symlink(outside.path(), &link).unwrap();
        let found = walk(&link, Path::new("static"), site.path(), all);
        assert!(found.files.is_empty());
        assert_eq!(found.diagnostics.len(), 1);
        assert!(
            found.diagnostics[0]
                .one_line()
                .starts_with("static: error: symbolic link to"),
            "{:?}",
            found.diagnostics
        );
        // A content folder configured outside the site is its own boundary.
        let found = walk(outside.path(), Path::new("../lessons"), outside.path(), all);
        assert_eq!(found.files, [PathBuf::from("secret.txt")]);
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_reported_only_when_wanted_and_never_opened() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let made = std::process::Command::new("mkfifo")
            .arg(root.join("x.md"))
            .arg(root.join("pipe.txt"))
            .status();
        if !made.is_ok_and(|s| s.success()) {
            return;
        }
        let found = walk(root, Path::new("content"), root, md);
        assert!(found.files.is_empty());
        assert_eq!(found.diagnostics.len(), 1, "{:?}", found.diagnostics);
        assert_eq!(
            found.diagnostics[0].one_line(),
            "content/x.md: error: this is a named pipe (FIFO), not a regular file; gradbook reads only regular files"
        );
        let err = read_regular(&root.join("x.md"), 10).unwrap_err();
        assert!(matches!(err, ReadError::NotRegular("a named pipe (FIFO)")));
        let err = read_regular(Path::new("/dev/zero"), 10).unwrap_err();
        assert!(matches!(err, ReadError::NotRegular("a character device")));
        let err = read_regular(root, 10).unwrap_err();
        assert!(matches!(err, ReadError::NotRegular("a folder")));
    }

    #[test]
    fn reads_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        fs::write(&path, "0123456789").unwrap();
        assert_eq!(read_regular(&path, 10).unwrap(), b"0123456789");
        let err = read_regular(&path, 9).unwrap_err();
        assert!(matches!(err, ReadError::TooLarge { size: 10, limit: 9 }));
        assert_eq!(
            err.to_string(),
            "the file is 10 bytes, over the limit of 9 bytes"
        );
        assert!(matches!(
            read_regular(&dir.path().join("nope"), 9),
            Err(ReadError::Io(_))
        ));
    }

    #[test]
    fn sizes_in_words() {
        assert_eq!(human_size(512), "512 bytes");
        assert_eq!(human_size(8 * 1024 * 1024), "8 MiB");
        assert_eq!(human_size(9_500_000), "9.1 MiB");
        assert_eq!(human_size(1536), "1.5 KiB");
    }
}
