//! The only module that writes to disk.
//!
//! A site is written into a staging folder beside the destination and
//! swapped in with two renames only once every file is in place, so a
//! build that fails (or is interrupted) leaves the previous site exactly
//! as it was. Only a destination gradbook owns is replaced
//! ([`destination`]), one build at a time, and every build removes what
//! killed builds left beside it ([`lock`]). Single files (`check --bless`)
//! and exported packages (`export anki`, [`write_package`]) are replaced
//! through a temporary file and a rename; `init` creates files without
//! ever overwriting one.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use bytes::Bytes;

pub mod destination;
pub mod lock;

use destination::{MARKER, Protected, Refusal};
use lock::{Lock, LockError, Names};

/// A site to write: generated files by path relative to the output folder
/// (with `/` separators), plus files copied from disk.
#[derive(Debug, Default, Clone)]
pub struct SiteFiles {
    /// Generated content; cheap to clone and share (the server hands the
    /// same bytes to every response).
    pub generated: BTreeMap<String, Bytes>,
    /// Files copied verbatim: relative destination → source path.
    pub copied: BTreeMap<String, PathBuf>,
}

/// How to write a site.
pub struct WriteOptions<'a> {
    /// What the destination must not be or hold ([`destination::check`]).
    pub protected: &'a [Protected],
    /// Replace a folder with files gradbook did not write.
    pub force: bool,
    /// How long to wait for another build writing the same destination.
    pub lock_wait: Duration,
    /// Called once if the build has to wait for that other build.
    pub on_wait: &'a dyn Fn(&Path),
}

/// Why a site was not written.
#[derive(Debug)]
pub enum WriteError {
    /// The destination is not one a build may replace.
    Refused(Refusal),
    /// Another build kept the destination's lock for the whole wait.
    Busy {
        /// The lock file.
        lock: PathBuf,
        /// The process holding it, if known.
        holder: Option<u32>,
    },
    /// The system failed (disk full, permission denied, …).
    Io(anyhow::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Refused(refusal) => write!(f, "{refusal}"),
            WriteError::Busy { lock, holder } => {
                write!(f, "another gradbook build")?;
                if let Some(pid) = holder {
                    write!(f, " (process {pid})")?;
                }
                write!(
                    f,
                    " is still writing this output folder (it holds {})",
                    lock.display()
                )
            }
            WriteError::Io(err) => write!(f, "{err:#}"),
        }
    }
}

/// What writing did besides writing the site.
#[derive(Debug, Default)]
pub struct Written {
    /// The destination, resolved.
    pub dest: PathBuf,
    /// Staging and old folders of killed builds that were removed.
    pub removed_leftovers: Vec<PathBuf>,
}

/// Where finished files go, as soon as each one is finished: a staging
/// folder ([`Staging`]), memory ([`InMemory`]) or nowhere ([`Discard`]).
/// Called from several threads at once.
pub trait Sink: Sync {
    /// A generated file, by its path relative to the output folder (with
    /// `/` separators).
    fn put(&self, path: &str, bytes: Bytes) -> Result<()>;
    /// A file copied verbatim from `source`.
    fn copy(&self, path: &str, source: &Path) -> Result<()>;
}

/// A sink that keeps nothing: `check` renders every page and writes none.
pub struct Discard;

impl Sink for Discard {
    fn put(&self, _: &str, _: Bytes) -> Result<()> {
        Ok(())
    }
    fn copy(&self, _: &str, _: &Path) -> Result<()> {
        Ok(())
    }
}

/// A sink that keeps every file in memory (what `serve` serves); pages
/// are shared `Bytes`, so a page kept from an earlier render is not copied.
#[derive(Default)]
pub struct InMemory(Mutex<SiteFiles>);

impl InMemory {
    /// The files received.
    pub fn into_files(self) -> SiteFiles {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for InMemory {
    fn put(&self, path: &str, bytes: Bytes) -> Result<()> {
        let mut files = self.0.lock().unwrap_or_else(|e| e.into_inner());
        files.generated.insert(path.to_string(), bytes);
        Ok(())
    }
    fn copy(&self, path: &str, source: &Path) -> Result<()> {
        let mut files = self.0.lock().unwrap_or_else(|e| e.into_inner());
        files.copied.insert(path.to_string(), source.to_path_buf());
        Ok(())
    }
}

/// A new site being written file by file into a staging folder beside its
/// destination, under the destination's lock. [`Staging::commit`] swaps it
/// in with two renames; dropping it uncommitted removes it (and releases
/// the lock), so a failed build leaves the previous site exactly as it
/// was, and a killed one leaves a folder the next build removes.
pub struct Staging {
    dest: PathBuf,
    resolved: PathBuf,
    dir: PathBuf,
    old: PathBuf,
    protected: Vec<Protected>,
    force: bool,
    removed_leftovers: Vec<PathBuf>,
    committed: bool,
    _lock: Lock,
}

impl Staging {
    /// Checks that `dest` may be replaced ([`destination::check`]), takes
    /// its lock (waiting as `options` says), removes what killed builds
    /// left beside it, checks again, and creates an empty staging folder
    /// holding the `.gradbook` marker.
    pub fn begin(dest: &Path, options: &WriteOptions<'_>) -> Result<Staging, WriteError> {
        let resolved = destination::check(dest, options.protected, options.force)
            .map_err(WriteError::Refused)?;
        let (Some(parent), Some(name)) = (resolved.parent(), resolved.file_name()) else {
            return Err(WriteError::Io(anyhow!(
                "{} is not a folder name",
                dest.display()
            )));
        };
        let parent = parent.to_path_buf();
        let name = name.to_string_lossy().into_owned();
        fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create {}", parent.display()))
            .map_err(WriteError::Io)?;
        let names = Names::new(&name);
        let lock_path = parent.join(&names.lock);
        let lock = Lock::acquire(&lock_path, options.lock_wait, &|| {
            (options.on_wait)(&lock_path);
        })
        .map_err(|err| match err {
            LockError::Busy { path, holder } => WriteError::Busy { lock: path, holder },
            LockError::Io(err) => WriteError::Io(
                anyhow::Error::new(err).context(format!("cannot lock {}", lock_path.display())),
            ),
        })?;
        let removed_leftovers = lock::remove_leftovers(&parent, &name)
            .with_context(|| {
                format!(
                    "cannot remove what interrupted builds left in {}",
                    parent.display()
                )
            })
            .map_err(WriteError::Io)?;
        // Another program may have changed the folder since the first check.
        destination::check(dest, options.protected, options.force).map_err(WriteError::Refused)?;
        let suffix = Names::unique_suffix();
        let dir = parent.join(format!("{}{suffix}", names.staging));
        let old = parent.join(format!("{}{suffix}", names.old));
        let staging = Staging {
            dest: dest.to_path_buf(),
            resolved,
            dir,
            old,
            protected: options.protected.to_vec(),
            force: options.force,
            removed_leftovers,
            committed: false,
            _lock: lock,
        };
        fs::create_dir(&staging.dir)
            .with_context(|| format!("cannot create {}", staging.dir.display()))
            .map_err(WriteError::Io)?;
        let marker = staging.dir.join(MARKER);
        fs::write(&marker, destination::marker_text())
            .with_context(|| format!("cannot write {}", marker.display()))
            .map_err(WriteError::Io)?;
        Ok(staging)
    }

    /// Puts the staged site in place of the destination (checked once
    /// more: a build can take a while).
    pub fn commit(mut self) -> Result<Written, WriteError> {
        destination::check(&self.dest, &self.protected, self.force).map_err(WriteError::Refused)?;
        let (dest, resolved) = (&self.dest, &self.resolved);
        let had_old = fs::symlink_metadata(resolved).is_ok();
        if had_old && let Err(err) = fs::rename(resolved, &self.old) {
            return Err(WriteError::Io(
                anyhow::Error::new(err).context(format!("cannot move {} aside", dest.display())),
            ));
        }
        if let Err(err) = fs::rename(&self.dir, resolved) {
            if had_old {
                let _ = fs::rename(&self.old, resolved);
            }
            return Err(WriteError::Io(anyhow::Error::new(err).context(format!(
                "cannot move the new site to {}",
                dest.display()
            ))));
        }
        self.committed = true;
        if had_old {
            // The new site is in place; the old copy is only clutter (and a
            // later build removes it if this one is killed first).
            let _ = fs::remove_dir_all(&self.old);
        }
        Ok(Written {
            dest: self.resolved.clone(),
            removed_leftovers: std::mem::take(&mut self.removed_leftovers),
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

impl Sink for Staging {
    fn put(&self, rel: &str, bytes: Bytes) -> Result<()> {
        let target = self.dir.join(rel);
        create_parent(&target)?;
        fs::write(&target, &bytes).with_context(|| format!("cannot write {}", target.display()))
    }

    fn copy(&self, rel: &str, source: &Path) -> Result<()> {
        let target = self.dir.join(rel);
        create_parent(&target)?;
        copy_regular(source, &target)
            .with_context(|| format!("cannot copy {} to {}", source.display(), target.display()))
    }
}

/// Writes `files` to `dest`, replacing whatever was there only if all of
/// it could be written and only if [`destination::check`] allows it (it is
/// checked again under the destination's lock).
pub fn write_site(
    dest: &Path,
    files: &SiteFiles,
    options: &WriteOptions<'_>,
) -> Result<Written, WriteError> {
    let staging = Staging::begin(dest, options)?;
    for (rel, source) in &files.copied {
        staging.copy(rel, source).map_err(WriteError::Io)?;
    }
    for (rel, bytes) in &files.generated {
        staging.put(rel, bytes.clone()).map_err(WriteError::Io)?;
    }
    staging.commit()
}

/// Copies the regular file `source` to `target` (never opening a pipe or
/// device that replaced it since the walk).
fn copy_regular(source: &Path, target: &Path) -> Result<()> {
    let (mut from, _) = crate::files::open_regular(source).map_err(|e| anyhow!("{e}"))?;
    let mut to = fs::File::create(target)?;
    io::copy(&mut from, &mut to)?;
    Ok(())
}

fn create_parent(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    Ok(())
}

/// Replaces the contents of `path` atomically (temporary file + rename).
pub fn replace_file(path: &Path, contents: &str) -> io::Result<()> {
    replace_bytes(path, contents.as_bytes())
}

/// Why a package (an exported deck) was not written.
#[derive(Debug)]
pub enum PackageError {
    /// The path is not one a package may be written to; the message says
    /// why.
    Refused(String),
    /// Writing failed (a disk full, a permission denied).
    Io(io::Error),
}

/// The zip format's magic number, which every `.apkg` starts with.
const ZIP_MAGIC: &[u8; 4] = b"PK\x03\x04";

/// Checks that a package named `extension` may be written at `path`: the
/// name must end in `.{extension}`, and a file already there must be a
/// regular file that starts as a zip does (so a mistyped `--out` never
/// overwrites a lesson, a folder or any other file).
pub fn check_package_path(path: &Path, extension: &str) -> Result<(), PackageError> {
    let shown = path.display();
    let named_right = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(extension));
    if !named_right {
        return Err(PackageError::Refused(format!(
            "{shown} does not end in .{extension}: refusing to write a package there"
        )));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(PackageError::Refused(format!(
            "the folder {} does not exist: create it first, or choose another --out",
            parent.display()
        )));
    }
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(PackageError::Io(err)),
    };
    if !meta.is_file() {
        return Err(PackageError::Refused(format!(
            "{shown} exists and is not a file: refusing to replace it"
        )));
    }
    let mut magic = [0u8; 4];
    let read = fs::File::open(path).and_then(|mut f| io::Read::read_exact(&mut f, &mut magic));
    if read.is_err() || &magic != ZIP_MAGIC {
        return Err(PackageError::Refused(format!(
            "{shown} exists and is not a .{extension} package (it is not a zip file): refusing to replace it"
        )));
    }
    Ok(())
}

/// Writes a package atomically at `path` after [`check_package_path`]:
/// the old file, if any, stays whole until the new one is complete.
pub fn write_package(path: &Path, extension: &str, bytes: &[u8]) -> Result<(), PackageError> {
    check_package_path(path, extension)?;
    replace_bytes(path, bytes).map_err(PackageError::Io)
}

/// Replaces the contents of `path` with `contents` atomically: a
/// temporary file beside it, synced, then renamed over it.
fn replace_bytes(path: &Path, contents: &[u8]) -> io::Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let temp = parent.join(format!(".{name}.gradbook-{}", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        if let Ok(meta) = fs::metadata(path) {
            fs::set_permissions(&temp, meta.permissions())?;
        }
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Creates new files under `dir` (paths relative, `/`-separated), failing
/// without touching anything if any of them already exists.
pub fn create_new_files(dir: &Path, files: &[(&str, String)]) -> io::Result<()> {
    for (rel, _) in files {
        let path = dir.join(rel);
        if path.exists() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} already exists", path.display()),
            ));
        }
    }
    for (rel, contents) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        file.write_all(contents.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> SiteFiles {
        SiteFiles {
            generated: pairs
                .iter()
                .map(|(p, c)| (p.to_string(), Bytes::from(c.as_bytes().to_vec())))
                .collect(),
            copied: BTreeMap::new(),
        }
    }

    fn write(dest: &Path, files: &SiteFiles) -> Result<Written, WriteError> {
        write_site(
            dest,
            files,
            &WriteOptions {
                protected: &[],
                force: false,
                lock_wait: Duration::from_secs(30),
                on_wait: &|_| {},
            },
        )
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_and_replaces_a_site() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("site");
        write(
            &dest,
            &files(&[("index.html", "one"), ("a/index.html", "a")]),
        )
        .unwrap();
        assert_eq!(fs::read_to_string(dest.join("a/index.html")).unwrap(), "a");
        assert!(destination::is_marked(&dest));
        write(&dest, &files(&[("index.html", "two")])).unwrap();
        assert_eq!(fs::read_to_string(dest.join("index.html")).unwrap(), "two");
        assert!(!dest.join("a").exists(), "old files are gone");
        assert_eq!(
            names_in(dir.path()),
            ["site"],
            "no staging folder or lock is left behind"
        );
    }

    #[test]
    fn a_failed_write_leaves_the_old_site() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("site");
        write(&dest, &files(&[("index.html", "old")])).unwrap();
        let mut bad = files(&[("index.html", "new")]);
        bad.copied
            .insert("x".into(), dir.path().join("missing-file"));
        assert!(matches!(write(&dest, &bad), Err(WriteError::Io(_))));
        assert_eq!(fs::read_to_string(dest.join("index.html")).unwrap(), "old");
        assert_eq!(names_in(dir.path()), ["site"]);
    }

    #[test]
    fn an_unowned_folder_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("notes");
        fs::create_dir(&dest).unwrap();
        fs::write(dest.join("todo.txt"), "keep").unwrap();
        assert!(matches!(
            write(&dest, &files(&[("index.html", "x")])),
            Err(WriteError::Refused(Refusal::NotOwned { .. }))
        ));
        assert_eq!(fs::read_to_string(dest.join("todo.txt")).unwrap(), "keep");
        assert_eq!(names_in(dir.path()), ["notes"]);
    }

    #[test]
    fn leftovers_of_killed_builds_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("site");
        for leftover in [
            ".site.gradbook-staging-4000000-1",
            ".site.gradbook-old-4000000-2",
        ] {
            fs::create_dir_all(dir.path().join(leftover).join("a")).unwrap();
        }
        let written = write(&dest, &files(&[("index.html", "x")])).unwrap();
        assert_eq!(written.removed_leftovers.len(), 2);
        assert_eq!(names_in(dir.path()), ["site"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_static_file_swapped_for_a_pipe_is_not_opened() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&pipe).status();
        assert!(made.unwrap().success());
        let mut site = files(&[("index.html", "x")]);
        site.copied.insert("p".into(), pipe);
        let err = write(&dir.path().join("site"), &site).unwrap_err();
        assert!(err.to_string().contains("named pipe"), "{err}");
    }

    #[test]
    fn replace_file_and_create_new_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        fs::write(&path, "old").unwrap();
        replace_file(&path, "new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        let err = create_new_files(dir.path(), &[("b.md", "b".into()), ("a.md", "x".into())]);
        assert!(err.is_err());
        assert!(
            !dir.path().join("b.md").exists(),
            "nothing is written on refusal"
        );
        create_new_files(dir.path(), &[("c/d.md", "d".into())]).unwrap();
        assert_eq!(fs::read_to_string(dir.path().join("c/d.md")).unwrap(), "d");
    }
}
