//! The only module that writes to disk.
//!
//! A site is written into a staging folder beside the destination and
//! swapped in only once every file is in place: with one atomic exchange
//! where the system has one (`renameat2(RENAME_EXCHANGE)` on Linux), else
//! with two renames, after which a killed build's old site is put back by
//! the next build. A build that fails (or is interrupted) leaves the
//! previous site exactly as it was. Only a destination gradbook owns is
//! replaced ([`destination`]), one build at a time, and every build
//! removes what killed builds left beside it ([`lock`]). Single files
//! (`check --bless`) and exported packages (`export anki`,
//! [`write_package`]) are replaced through a temporary file gradbook
//! creates itself (a new file, never through a link, under an
//! unpredictable name); `init` creates files without ever overwriting one.

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

use destination::{MARKER, Manifest, Protected, Refusal};
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
    /// Called when an old site a killed build left aside (the first
    /// path) is put back at the destination (the second).
    pub on_restore: &'a dyn Fn(&Path, &Path),
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
    /// The old site a killed build left aside, put back before this build.
    pub restored: Option<PathBuf>,
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
/// in; dropping it uncommitted removes it (and releases the lock), so a
/// failed build leaves the previous site exactly as it was, and a killed
/// one leaves a folder the next build removes.
pub struct Staging {
    dest: PathBuf,
    resolved: PathBuf,
    dir: PathBuf,
    old: PathBuf,
    protected: Vec<Protected>,
    force: bool,
    removed_leftovers: Vec<PathBuf>,
    restored: Option<PathBuf>,
    written: Mutex<Manifest>,
    committed: bool,
    _lock: Lock,
}

impl Staging {
    /// Checks that `dest` may be replaced ([`destination::check`]), takes
    /// its lock (waiting as `options` says), puts back an old site a
    /// killed swap left aside, removes what killed builds left beside it,
    /// checks again, and creates an empty staging folder holding a marker
    /// that names it.
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
            LockError::Foreign { path, what } => WriteError::Io(anyhow!(
                "cannot lock {}: it is {what}, not a lock file gradbook made (gradbook never writes through one); remove it and build again",
                path.display()
            )),
            LockError::Io(err) => WriteError::Io(
                anyhow::Error::new(err).context(format!("cannot lock {}", lock_path.display())),
            ),
        })?;
        let restored = lock::restore_missing(&parent, &name)
            .with_context(|| format!("cannot put back the old site of {}", dest.display()))
            .map_err(WriteError::Io)?;
        if let Some(old) = &restored {
            (options.on_restore)(old, &resolved);
        }
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
        let dir_name = format!("{}{suffix}", names.staging);
        let dir = parent.join(&dir_name);
        let old = parent.join(format!("{}{suffix}", names.old));
        fs::create_dir(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))
            .map_err(WriteError::Io)?;
        let staging = Staging {
            dest: dest.to_path_buf(),
            resolved,
            dir,
            old,
            protected: options.protected.to_vec(),
            force: options.force,
            removed_leftovers,
            restored,
            written: Mutex::new(Manifest::new()),
            committed: false,
            _lock: lock,
        };
        let marker = staging.dir.join(MARKER);
        write_new(
            &marker,
            destination::staging_marker_text(&dir_name).as_bytes(),
        )
        .with_context(|| format!("cannot write {}", marker.display()))
        .map_err(WriteError::Io)?;
        Ok(staging)
    }

    /// Puts the staged site in place of the destination (checked once
    /// more: a build can take a while). Its marker, listing every file
    /// written, is put in first; then one atomic exchange swaps the two
    /// folders where the system can (the old site then goes), else two
    /// renames: the old site aside, the new one in place.
    pub fn commit(mut self) -> Result<Written, WriteError> {
        self.write_marker().map_err(WriteError::Io)?;
        destination::check(&self.dest, &self.protected, self.force).map_err(WriteError::Refused)?;
        fault::step();
        let dest = self.dest.clone();
        let had_old = fs::symlink_metadata(&self.resolved).is_ok();
        let io = |err: io::Error, what: &str| {
            WriteError::Io(anyhow::Error::new(err).context(format!("{what} {}", dest.display())))
        };
        let mut step = fault::step;
        if had_old
            && exchange(&self.dir, &self.resolved)
                .map_err(|e| io(e, "cannot swap the new site in at"))?
        {
            self.committed = true;
            fault::step();
            // The staging name now holds the old site: only clutter (and a
            // later build removes it if this one is killed first).
            let _ = lock::remove_marked(&self.dir, &mut step);
        } else {
            if had_old {
                fs::rename(&self.resolved, &self.old).map_err(|e| io(e, "cannot move aside"))?;
                fault::step();
            }
            if let Err(err) = fs::rename(&self.dir, &self.resolved) {
                if had_old {
                    let _ = fs::rename(&self.old, &self.resolved);
                }
                return Err(io(err, "cannot move the new site to"));
            }
            self.committed = true;
            fault::step();
            if had_old {
                let _ = lock::remove_marked(&self.old, &mut step);
            }
        }
        fault::step();
        Ok(Written {
            dest: self.resolved.clone(),
            removed_leftovers: std::mem::take(&mut self.removed_leftovers),
            restored: self.restored.take(),
        })
    }

    /// Replaces the staging marker with the site's: the tool and every
    /// file written (through a new file and a rename, so the folder always
    /// holds one whole marker).
    fn write_marker(&self) -> Result<()> {
        let files = self.written.lock().unwrap_or_else(|e| e.into_inner());
        let text = destination::marker_text(&files);
        let marker = self.dir.join(MARKER);
        let next = self.dir.join(format!("{MARKER}.next"));
        write_new(&next, text.as_bytes())
            .and_then(|()| fs::rename(&next, &marker))
            .with_context(|| format!("cannot write {}", marker.display()))
    }

    fn record(&self, rel: &str, size: u64) {
        let mut files = self.written.lock().unwrap_or_else(|e| e.into_inner());
        files.insert(rel.to_string(), size);
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
        let mut file =
            open_fresh(&target).with_context(|| format!("cannot write {}", target.display()))?;
        file.write_all(&bytes)
            .with_context(|| format!("cannot write {}", target.display()))?;
        self.record(rel, bytes.len() as u64);
        Ok(())
    }

    fn copy(&self, rel: &str, source: &Path) -> Result<()> {
        let target = self.dir.join(rel);
        create_parent(&target)?;
        let size = copy_regular(source, &target)
            .with_context(|| format!("cannot copy {} to {}", source.display(), target.display()))?;
        self.record(rel, size);
        Ok(())
    }
}

/// Swaps the folders `a` and `b` in one atomic step. `Ok(false)` when the
/// system or filesystem has no such step (then nothing happened).
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    if fault::no_exchange() {
        return Ok(false);
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use rustix::io::Errno;
        match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
            Ok(()) => Ok(true),
            Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = (a, b);
        Ok(false)
    }
}

/// Fault injection for the crash tests, compiled only into debug builds:
/// `GRADBOOK_FAULT_KILL_AT=N` ends the process at once (no cleanup runs,
/// as with `kill -9`) at the Nth step of a swap, and
/// `GRADBOOK_FAULT_NO_EXCHANGE=1` makes the swap use two renames.
mod fault {
    #[cfg(debug_assertions)]
    pub(super) fn step() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static STEPS: AtomicUsize = AtomicUsize::new(0);
        let at = std::env::var("GRADBOOK_FAULT_KILL_AT")
            .ok()
            .and_then(|v| v.parse::<usize>().ok());
        if let Some(at) = at
            && STEPS.fetch_add(1, Ordering::SeqCst) + 1 == at
        {
            std::process::abort();
        }
    }

    #[cfg(not(debug_assertions))]
    pub(super) fn step() {}

    pub(super) fn no_exchange() -> bool {
        cfg!(debug_assertions) && std::env::var_os("GRADBOOK_FAULT_NO_EXCHANGE").is_some()
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
fn copy_regular(source: &Path, target: &Path) -> Result<u64> {
    let (mut from, _) = crate::files::open_regular(source).map_err(|e| anyhow!("{e}"))?;
    let mut to = open_fresh(target)?;
    Ok(io::copy(&mut from, &mut to)?)
}

/// Options that never follow a link at the file's name.
fn no_follow(options: &mut fs::OpenOptions) -> &mut fs::OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options
}

/// Opens `path` in a folder gradbook made for writing from the start
/// (created or emptied), never through a link.
fn open_fresh(path: &Path) -> io::Result<fs::File> {
    no_follow(
        fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true),
    )
    .open(path)
}

/// Creates `path`, which must not exist (not even as a link), with
/// `contents`.
fn write_new(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = no_follow(fs::OpenOptions::new().write(true).create_new(true)).open(path)?;
    file.write_all(contents)
}

fn create_parent(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    Ok(())
}

/// Replaces the contents of the lesson at `path` with `contents`
/// (`check --bless`). A symbolic link is written through to the file it
/// names, which must resolve inside one of `inside` (the site folder, the
/// content folder); anything else is refused. A file with one name is
/// replaced atomically (a temporary file, synced, renamed over it); a file
/// with several names (hard links) is rewritten in place, so every name
/// sees the new text, once the complete text is synced in a copy beside
/// it, which is removed after (and kept, named `.NAME.gradbook-copy-…`,
/// if the write is cut short).
pub fn replace_file(path: &Path, contents: &str, inside: &[PathBuf]) -> io::Result<()> {
    let linked = fs::symlink_metadata(path)?.file_type().is_symlink();
    // Where the file really is (a link, or a folder on its path that is
    // one, resolved): it must still be inside the site.
    let target = if linked || !inside.is_empty() {
        path.canonicalize()?
    } else {
        path.to_path_buf()
    };
    let allowed = inside.is_empty()
        || inside
            .iter()
            .filter_map(|root| root.canonicalize().ok())
            .any(|root| target.starts_with(root));
    if !allowed || (linked && inside.is_empty()) {
        return Err(io::Error::other(format!(
            "it resolves to {}, outside the site: refusing to write there",
            target.display()
        )));
    }
    let meta = fs::symlink_metadata(&target)?;
    if !meta.is_file() {
        return Err(io::Error::other("it is not a regular file"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return rewrite_in_place(&target, contents.as_bytes());
        }
    }
    replace_bytes(&target, contents.as_bytes())
}

/// The folder of `path` and its name.
fn split(path: &Path) -> (&Path, String) {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    (parent, name)
}

/// Rewrites the file at `path` in place (keeping its inode, so its other
/// names see the new text), after the complete text is synced in a copy
/// beside it.
#[cfg(unix)]
fn rewrite_in_place(path: &Path, contents: &[u8]) -> io::Result<()> {
    let (parent, name) = split(path);
    let _ = temporary::sweep(parent, &name);
    let (temp, mut file) = temporary::create(parent, &name, temporary::Kind::Temp)?;
    let copy = parent.join(temporary::name(&name, temporary::Kind::Copy, &temp));
    let result = (|| {
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&temp, &copy)?;
        let mut lesson = no_follow(fs::OpenOptions::new().write(true)).open(path)?;
        lesson.write_all(contents)?;
        lesson.set_len(contents.len() as u64)?;
        lesson.sync_all()
    })();
    match &result {
        Ok(()) => {
            let _ = fs::remove_file(&copy);
        }
        Err(_) if !copy.exists() => {
            let _ = fs::remove_file(&temp);
        }
        // The lesson may be cut short: the copy keeps the whole text.
        Err(_) => {}
    }
    result
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
/// temporary file gradbook creates beside it, synced, then renamed over
/// it. Temporary files of killed runs beside it are removed first.
fn replace_bytes(path: &Path, contents: &[u8]) -> io::Result<()> {
    let (parent, name) = split(path);
    let _ = temporary::sweep(parent, &name);
    let (temp, mut file) = temporary::create(parent, &name, temporary::Kind::Temp)?;
    let result = (|| {
        file.write_all(contents)?;
        if let Ok(meta) = fs::metadata(path) {
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// The temporary files gradbook writes beside a file it replaces:
/// `.NAME.gradbook-tmp-PID-HEX` (a new file, never through a link, under
/// an unpredictable name), and `.NAME.gradbook-copy-PID-HEX` (a complete
/// copy kept while a file with several names is rewritten in place).
mod temporary {
    use std::fs;
    use std::io;
    use std::path::{Path, PathBuf};

    use super::lock;

    #[derive(Clone, Copy)]
    pub(super) enum Kind {
        Temp,
        Copy,
    }

    fn prefix(name: &str, kind: Kind) -> String {
        match kind {
            Kind::Temp => format!(".{name}.gradbook-tmp-"),
            Kind::Copy => format!(".{name}.gradbook-copy-"),
        }
    }

    /// The name of kind `kind` with the suffix of `temp`.
    pub(super) fn name(name: &str, kind: Kind, temp: &Path) -> String {
        let file_name = temp
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let suffix = file_name
            .strip_prefix(&prefix(name, Kind::Temp))
            .unwrap_or("");
        format!("{}{suffix}", prefix(name, kind))
    }

    /// Creates a new temporary file for `name` in `parent`.
    pub(super) fn create(parent: &Path, name: &str, kind: Kind) -> io::Result<(PathBuf, fs::File)> {
        let path = parent.join(format!(
            "{}{}-{:016x}",
            prefix(name, kind),
            std::process::id(),
            lock::random_u64()
        ));
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = super::no_follow(&mut options).open(&path)?;
        Ok((path, file))
    }

    /// The process id of `file_name` if it is a temporary file of `name`
    /// (exactly `.NAME.gradbook-tmp-PID-HEX`).
    fn owner(file_name: &str, name: &str) -> Option<u32> {
        let rest = file_name.strip_prefix(&prefix(name, Kind::Temp))?;
        let (pid, hex) = rest.split_once('-')?;
        let shaped = !pid.is_empty()
            && pid.bytes().all(|b| b.is_ascii_digit())
            && hex.len() == 16
            && hex.bytes().all(|b| b.is_ascii_hexdigit());
        if shaped { pid.parse().ok() } else { None }
    }

    /// Removes the temporary files of `name` in `parent` whose process is
    /// gone (regular files only, never links), and returns them.
    pub(super) fn sweep(parent: &Path, name: &str) -> io::Result<Vec<PathBuf>> {
        let mut removed = Vec::new();
        for entry in fs::read_dir(parent)? {
            let entry = entry?;
            let file_name = entry.file_name();
            let Some(pid) = file_name.to_str().and_then(|n| owner(n, name)) else {
                continue;
            };
            if lock::process_is_gone(pid) && entry.file_type()?.is_file() {
                fs::remove_file(entry.path())?;
                removed.push(entry.path());
            }
        }
        Ok(removed)
    }
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
                on_restore: &|_, _| {},
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

    /// A folder as a killed build leaves it: `index.html` and a marker.
    fn leftover(dir: &Path, name: &str, staging: bool) {
        let path = dir.join(name);
        fs::create_dir_all(path.join("a")).unwrap();
        fs::write(path.join("a/index.html"), "x").unwrap();
        let marker = if staging {
            destination::staging_marker_text(name)
        } else {
            destination::marker_text(&Manifest::from([("a/index.html".to_string(), 1)]))
        };
        fs::write(path.join(MARKER), marker).unwrap();
    }

    #[test]
    fn leftovers_of_killed_builds_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("site");
        leftover(dir.path(), ".site.gradbook-staging-4000000-1", true);
        leftover(dir.path(), ".site.gradbook-old-4000000-2", false);
        write(&dest, &files(&[("index.html", "x")])).unwrap();
        let written = write(&dest, &files(&[("index.html", "x")])).unwrap();
        assert!(written.removed_leftovers.is_empty());
        leftover(dir.path(), ".site.gradbook-staging-4000000-1", true);
        leftover(dir.path(), ".site.gradbook-old-4000000-2", false);
        let written = write(&dest, &files(&[("index.html", "x")])).unwrap();
        assert_eq!(written.removed_leftovers.len(), 2);
        assert_eq!(names_in(dir.path()), ["site"]);
    }

    #[test]
    fn folders_that_only_look_like_leftovers_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        // The right name but no marker; a copied marker naming another
        // folder; a site marker that does not list what is there.
        fs::create_dir_all(dir.path().join(".site.gradbook-old-1-a/notes")).unwrap();
        leftover(dir.path(), ".site.gradbook-staging-1-b", true);
        fs::rename(
            dir.path().join(".site.gradbook-staging-1-b"),
            dir.path().join(".site.gradbook-staging-1-c"),
        )
        .unwrap();
        leftover(dir.path(), ".site.gradbook-old-1-d", false);
        fs::write(dir.path().join(".site.gradbook-old-1-d/id_rsa"), "key").unwrap();
        // Not exactly gradbook's name.
        leftover(dir.path(), ".site.gradbook-old-mine", false);
        let written = write(&dir.path().join("site"), &files(&[("index.html", "x")])).unwrap();
        assert!(written.removed_leftovers.is_empty());
        assert_eq!(
            names_in(dir.path()),
            [
                ".site.gradbook-old-1-a",
                ".site.gradbook-old-1-d",
                ".site.gradbook-old-mine",
                ".site.gradbook-staging-1-c",
                "site"
            ]
        );
    }

    #[test]
    fn a_missing_site_is_put_back_from_its_whole_old_copy() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("site");
        write(&dest, &files(&[("a/index.html", "x")])).unwrap();
        // As a swap killed between its two renames leaves it.
        fs::rename(&dest, dir.path().join(".site.gradbook-old-1-ab")).unwrap();
        let restored = std::cell::RefCell::new(None);
        let on_restore = |from: &Path, _: &Path| *restored.borrow_mut() = Some(from.to_owned());
        let staging = Staging::begin(
            &dest,
            &WriteOptions {
                protected: &[],
                force: false,
                lock_wait: Duration::from_secs(30),
                on_wait: &|_| {},
                on_restore: &on_restore,
            },
        );
        let staging = staging.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            restored.borrow().as_deref(),
            Some(dir.path().join(".site.gradbook-old-1-ab").as_path())
        );
        drop(staging);
        assert_eq!(fs::read_to_string(dest.join("a/index.html")).unwrap(), "x");
        assert_eq!(names_in(dir.path()), ["site"]);
        // A copy missing a file is not whole: not put back, not removed.
        fs::rename(&dest, dir.path().join(".site.gradbook-old-1-cd")).unwrap();
        fs::remove_file(dir.path().join(".site.gradbook-old-1-cd/a/index.html")).unwrap();
        write(&dest, &files(&[("index.html", "new")])).unwrap();
        assert_eq!(fs::read_to_string(dest.join("index.html")).unwrap(), "new");
    }

    #[test]
    fn the_marker_lists_what_the_build_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("site");
        write(
            &dest,
            &files(&[("index.html", "one"), ("a/b\nc.html", "ab")]),
        )
        .unwrap();
        let Some(destination::Marker::Site(listed)) = destination::read_marker(&dest) else {
            panic!("no list");
        };
        assert_eq!(
            listed,
            Manifest::from([
                ("a/b\nc.html".to_string(), 2),
                ("index.html".to_string(), 3)
            ])
        );
        fs::write(dest.join("notes.txt"), "mine").unwrap();
        let err = write(&dest, &files(&[("index.html", "two")])).unwrap_err();
        assert!(err.to_string().contains("did not write notes.txt"), "{err}");
        assert!(dest.join("notes.txt").exists());
    }

    #[cfg(unix)]
    #[test]
    fn replace_file_writes_through_inside_links_and_keeps_hard_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        fs::create_dir_all(root.join("content")).unwrap();
        let real = root.join("real.md");
        fs::write(&real, "old").unwrap();
        let link = root.join("content/a.md");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        replace_file(&link, "new", std::slice::from_ref(&root)).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        // Outside every allowed folder: refused, nothing written.
        let outside = dir.path().join("outside.md");
        fs::write(&outside, "keep").unwrap();
        let bad = root.join("content/b.md");
        std::os::unix::fs::symlink(&outside, &bad).unwrap();
        assert!(replace_file(&bad, "x", std::slice::from_ref(&root)).is_err());
        assert_eq!(fs::read_to_string(&outside).unwrap(), "keep");
        // Hard links keep seeing one text.
        let other = root.join("other.md");
        fs::hard_link(&real, &other).unwrap();
        replace_file(&real, "newer, and longer", &[]).unwrap();
        assert_eq!(fs::read_to_string(&other).unwrap(), "newer, and longer");
        replace_file(&real, "short", &[]).unwrap();
        assert_eq!(fs::read_to_string(&other).unwrap(), "short");
        assert_eq!(names_in(&root), ["content", "other.md", "real.md"]);
    }

    #[test]
    fn temporaries_of_gone_processes_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        fs::write(&path, "old").unwrap();
        let stale = ".a.md.gradbook-tmp-4194303-0123456789abcdef";
        let mine = format!(".a.md.gradbook-tmp-{}-0123456789abcdef", std::process::id());
        for name in [
            stale,
            &mine,
            ".a.md.gradbook-tmp-4194303-xyz",
            ".b.md.gradbook-tmp-4194303-0123456789abcdef",
        ] {
            fs::write(dir.path().join(name), "t").unwrap();
        }
        replace_file(&path, "new", &[]).unwrap();
        let mut expected = vec![
            ".a.md.gradbook-tmp-4194303-xyz".to_string(),
            ".b.md.gradbook-tmp-4194303-0123456789abcdef".to_string(),
            "a.md".to_string(),
            mine.clone(),
        ];
        if !Path::new("/proc/self").exists() {
            expected.push(stale.to_string());
        }
        expected.sort();
        assert_eq!(names_in(dir.path()), expected);
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
        replace_file(&path, "new", &[]).unwrap();
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
