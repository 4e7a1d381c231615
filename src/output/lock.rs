//! One build at a time per destination, and no leftovers of killed ones.
//!
//! A build holds a lock on `.NAME.gradbook-lock` beside the destination
//! `NAME` (an advisory file lock, which the system releases when the
//! process ends, however it ends) from before it stages the new site until
//! the swap is done. The lock file is opened without following a link at
//! its name, and must be a plain file with no other name. While a build
//! holds the lock, it first puts back an old site a killed swap left
//! aside when the destination is missing ([`restore_missing`]), then
//! removes every staging or old folder of that destination a killed build
//! left: only those with exactly gradbook's names that hold its marker.
//! The lock file itself is removed on release; a waiting build that then
//! holds a lock on the removed file notices and tries again.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::destination::{self, Marker};

/// How often a waiting build tries the lock again.
const RETRY: Duration = Duration::from_millis(50);

/// The names of the helper entries of destination `name` beside it.
pub struct Names {
    /// `.NAME.gradbook-lock`.
    pub lock: String,
    /// The prefix of staging folders: `.NAME.gradbook-staging-`.
    pub staging: String,
    /// The prefix of old-site folders: `.NAME.gradbook-old-`.
    pub old: String,
}

/// What a helper entry beside a destination is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leftover {
    /// `.NAME.gradbook-staging-PID-HEX`.
    Staging,
    /// `.NAME.gradbook-old-PID-HEX`.
    Old,
    /// `.NAME.staging-PID` or `.NAME.old-PID`, as earlier versions named
    /// them.
    Legacy,
}

impl Names {
    /// The names for destination `name`.
    pub fn new(name: &str) -> Names {
        Names {
            lock: format!(".{name}.gradbook-lock"),
            staging: format!(".{name}.gradbook-staging-"),
            old: format!(".{name}.gradbook-old-"),
        }
    }

    /// A unique, unpredictable suffix for this process's staging and old
    /// folders: `PID-HEX`.
    pub fn unique_suffix() -> String {
        format!("{}-{:016x}", std::process::id(), random_u64())
    }

    /// Which helper `file_name` is, if it has exactly the shape of one.
    pub fn leftover(&self, file_name: &str, name: &str) -> Option<Leftover> {
        if let Some(rest) = file_name.strip_prefix(&self.staging) {
            return is_suffix(rest).then_some(Leftover::Staging);
        }
        if let Some(rest) = file_name.strip_prefix(&self.old) {
            return is_suffix(rest).then_some(Leftover::Old);
        }
        legacy_pid(file_name, name).map(|_| Leftover::Legacy)
    }
}

/// Whether `rest` is `PID-HEX`.
fn is_suffix(rest: &str) -> bool {
    let Some((pid, hex)) = rest.split_once('-') else {
        return false;
    };
    !pid.is_empty()
        && pid.len() <= 10
        && pid.bytes().all(|b| b.is_ascii_digit())
        && !hex.is_empty()
        && hex.len() <= 32
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Eight unpredictable bytes: from the system's random source where there
/// is one, else a hash of the time, the process and a counter under the
/// standard library's randomly keyed hasher.
pub fn random_u64() -> u64 {
    let mut bytes = [0u8; 8];
    if File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .is_ok()
    {
        return u64::from_le_bytes(bytes);
    }
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u32(std::process::id());
    if let Ok(now) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(now.as_nanos());
    }
    hasher.finish()
}

/// A held lock; released (and its file removed) on drop.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    // Dropped after `drop` removed the path: the lock is released last.
    file: File,
}

/// Why the lock was not taken.
#[derive(Debug)]
pub enum LockError {
    /// Another build held it for the whole wait.
    Busy {
        /// The lock file.
        path: PathBuf,
        /// The process holding it, if it said.
        holder: Option<u32>,
    },
    /// Something that is not a lock file gradbook made is at its name (a
    /// link, a folder, a file with other names): never written through.
    Foreign {
        /// The lock file's name.
        path: PathBuf,
        /// What is there.
        what: String,
    },
    /// The lock file could not be created or locked.
    Io(io::Error),
}

/// Opens the lock file at `path` without following a link at its name,
/// and checks that it is a plain file with no other name.
fn open_lock(path: &Path) -> Result<File, LockError> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        options.mode(0o644);
    }
    let foreign = |what: &str| LockError::Foreign {
        path: path.to_path_buf(),
        what: what.to_string(),
    };
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(foreign("a symbolic link"));
    }
    let file = match options.open(path) {
        Ok(file) => file,
        #[cfg(unix)]
        Err(err) if err.raw_os_error() == Some(libc::ELOOP) => {
            return Err(foreign("a symbolic link"));
        }
        Err(err) if err.kind() == io::ErrorKind::IsADirectory => {
            return Err(foreign("a folder"));
        }
        Err(err) => return Err(LockError::Io(err)),
    };
    let meta = file.metadata().map_err(LockError::Io)?;
    if !meta.is_file() {
        return Err(foreign("not a regular file"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() != 1 {
            return Err(foreign("a file with another name (a hard link)"));
        }
    }
    Ok(file)
}

impl Lock {
    /// Takes the lock at `path`, waiting up to `wait` for another build to
    /// release it; `on_wait` is called once if it has to wait.
    pub fn acquire(path: &Path, wait: Duration, on_wait: &dyn Fn()) -> Result<Lock, LockError> {
        let deadline = Instant::now() + wait;
        let mut told = false;
        loop {
            let mut file = open_lock(path)?;
            match file.try_lock() {
                Ok(()) => {
                    if !same_file(&file, path) {
                        // Released and removed by its holder between our
                        // open and our lock: try the new file.
                        if Instant::now() >= deadline {
                            return Err(LockError::Io(io::Error::other(format!(
                                "{} keeps being replaced",
                                path.display()
                            ))));
                        }
                        std::thread::sleep(RETRY / 10);
                        continue;
                    }
                    // Who holds it, for the message of a waiting build.
                    let _ = file.set_len(0);
                    let _ = writeln!(file, "{}", std::process::id());
                    return Ok(Lock {
                        path: path.to_path_buf(),
                        file,
                    });
                }
                Err(fs::TryLockError::WouldBlock) => {
                    if Instant::now() >= deadline {
                        let mut text = String::new();
                        let _ = file.read_to_string(&mut text);
                        return Err(LockError::Busy {
                            path: path.to_path_buf(),
                            holder: text.trim().parse().ok(),
                        });
                    }
                    if !told {
                        told = true;
                        on_wait();
                    }
                    std::thread::sleep(RETRY);
                }
                Err(fs::TryLockError::Error(err)) => return Err(LockError::Io(err)),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Only our own file: never what another program put at its name.
        if same_file(&self.file, &self.path) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Whether the open `file` is still the one at `path`.
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

/// Whether the helper folder `dir` (named `file_name`, of kind `kind`)
/// holds gradbook's marker for what it is: a staging folder its own
/// staging marker, or a site everything in which its marker lists (an
/// old site, or one an exchange moved to the staging name).
fn holds_our_marker(dir: &Path, file_name: &str, kind: Leftover) -> bool {
    if kind == Leftover::Staging && holds_at_most_a_marker(dir) {
        // Killed between creating the folder and finishing its marker.
        return true;
    }
    match destination::read_marker(dir) {
        Some(Marker::Staging(name)) => kind != Leftover::Old && name == file_name,
        Some(Marker::Site(_)) => destination::is_owned(dir),
        // Earlier versions wrote a marker without a list.
        Some(Marker::Unlisted) => kind == Leftover::Legacy,
        None => false,
    }
}

/// Whether `dir` holds nothing but (perhaps) a small marker file,
/// `.gradbook` or the `.gradbook.next` that replaces it.
fn holds_at_most_a_marker(dir: &Path) -> bool {
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    let next = format!("{}.next", destination::MARKER);
    entries.take(3).all(|entry| {
        entry.is_ok_and(|entry| {
            let name = entry.file_name();
            (name == destination::MARKER || name == next.as_str())
                && entry
                    .metadata()
                    .is_ok_and(|m| m.file_type().is_file() && m.len() <= 4096)
        })
    })
}

/// Removes the staging and old folders of destination `name` in `parent`
/// left by builds that were killed, and returns what was removed: only
/// folders with exactly the names gradbook gives them that hold its
/// marker. Only call it while holding the destination's lock: then no
/// other build is using any of them.
pub fn remove_leftovers(parent: &Path, name: &str) -> io::Result<Vec<PathBuf>> {
    let names = Names::new(name);
    let mut removed = Vec::new();
    for entry in fs::read_dir(parent)? {
        let entry = entry?;
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        let Some(kind) = names.leftover(file_name, name) else {
            continue;
        };
        if kind == Leftover::Legacy && !legacy_pid(file_name, name).is_some_and(process_is_gone) {
            continue;
        }
        let path = entry.path();
        if !entry.file_type()?.is_dir() || !holds_our_marker(&path, file_name, kind) {
            continue;
        }
        remove_marked(&path, &mut || {})?;
        removed.push(path);
    }
    removed.sort();
    Ok(removed)
}

/// Removes the marked folder `dir`, its marker last (so a removal cut
/// short leaves a folder a later sweep still recognises), calling `step`
/// after each entry of its top level.
pub fn remove_marked(dir: &Path, step: &mut dyn FnMut()) -> io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|e| e.file_name() != destination::MARKER)
        .collect();
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(&path)?;
        } else {
            fs::remove_file(&path)?;
        }
        step();
    }
    match fs::remove_file(dir.join(destination::MARKER)) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
        _ => {}
    }
    fs::remove_dir(dir)
}

/// If destination `name` in `parent` is missing (a build was killed
/// between the two renames of a swap), puts back the old site that build
/// moved aside, when one is there whole, and returns where it was.
/// Only call it while holding the destination's lock.
pub fn restore_missing(parent: &Path, name: &str) -> io::Result<Option<PathBuf>> {
    let dest = parent.join(name);
    match fs::symlink_metadata(&dest) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => {}
        _ => return Ok(None),
    }
    let names = Names::new(name);
    let mut best: Option<(std::time::SystemTime, PathBuf)> = None;
    for entry in fs::read_dir(parent)? {
        let entry = entry?;
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        if names.leftover(file_name, name) != Some(Leftover::Old) || !entry.file_type()?.is_dir() {
            continue;
        }
        let path = entry.path();
        let Some(Marker::Site(files)) = destination::read_marker(&path) else {
            continue;
        };
        if !destination::is_intact(&path, &files) {
            continue;
        }
        let when = fs::symlink_metadata(path.join(destination::MARKER))
            .and_then(|m| m.modified())
            .unwrap_or(std::time::UNIX_EPOCH);
        if best.as_ref().is_none_or(|(newest, _)| when > *newest) {
            best = Some((when, path));
        }
    }
    let Some((_, old)) = best else {
        return Ok(None);
    };
    fs::rename(&old, &dest)?;
    Ok(Some(old))
}

/// The process id in `.NAME.staging-PID` or `.NAME.old-PID`, the names
/// earlier versions used.
fn legacy_pid(file_name: &str, name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix('.')?.strip_prefix(name)?;
    let pid = rest
        .strip_prefix(".staging-")
        .or_else(|| rest.strip_prefix(".old-"))?;
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Whether process `pid` is known to be gone (known only where `/proc`
/// lists processes; elsewhere every process may still be running).
pub fn process_is_gone(pid: u32) -> bool {
    let proc = Path::new("/proc");
    pid != std::process::id() && proc.join("self").exists() && !proc.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn one_holder_at_a_time_and_the_file_goes_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".site.gradbook-lock");
        let first = Lock::acquire(&path, Duration::ZERO, &|| {}).unwrap();
        assert!(path.exists());
        let waited = AtomicBool::new(false);
        let second = Lock::acquire(&path, Duration::from_millis(120), &|| {
            waited.store(true, Ordering::SeqCst);
        });
        match second {
            Err(LockError::Busy { holder, .. }) => {
                assert_eq!(holder, Some(std::process::id()));
            }
            other => panic!("{other:?}"),
        }
        assert!(waited.load(Ordering::SeqCst));
        drop(first);
        assert!(!path.exists(), "the lock file is removed on release");
        let third = Lock::acquire(&path, Duration::ZERO, &|| {}).unwrap();
        drop(third);
    }

    #[cfg(unix)]
    #[test]
    fn links_and_hard_links_at_the_lock_name_are_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".site.gradbook-lock");
        let precious = dir.path().join("precious");
        fs::write(&precious, "keep").unwrap();
        std::os::unix::fs::symlink(&precious, &path).unwrap();
        let err = Lock::acquire(&path, Duration::ZERO, &|| {}).unwrap_err();
        assert!(matches!(err, LockError::Foreign { .. }), "{err:?}");
        fs::remove_file(&path).unwrap();
        let target = dir.path().join("made-by-link");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        assert!(Lock::acquire(&path, Duration::ZERO, &|| {}).is_err());
        assert!(!target.exists(), "a dangling link creates nothing");
        fs::remove_file(&path).unwrap();
        fs::hard_link(&precious, &path).unwrap();
        assert!(Lock::acquire(&path, Duration::ZERO, &|| {}).is_err());
        assert_eq!(fs::read_to_string(&precious).unwrap(), "keep");
    }

    #[test]
    fn a_waiting_build_gets_the_lock_when_it_is_released() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".site.gradbook-lock");
        let first = Lock::acquire(&path, Duration::ZERO, &|| {}).unwrap();
        let waiter = {
            let path = path.clone();
            std::thread::spawn(move || Lock::acquire(&path, Duration::from_secs(30), &|| {}))
        };
        std::thread::sleep(Duration::from_millis(100));
        drop(first);
        let second = waiter.join().unwrap().unwrap();
        assert!(path.exists());
        drop(second);
    }

    #[test]
    fn leftovers_of_the_destination_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let parent = dir.path();
        let listed = destination::Manifest::from([("index.html".to_string(), 1)]);
        for name in [
            ".site.gradbook-staging-99999999-abc",
            ".site.gradbook-old-1-0",
            ".site.staging-999999999",
            "site",
            ".other.gradbook-staging-1-0",
            ".site.staging-notapid",
            "notes",
            ".site.gradbook-old-1-0-x",
        ] {
            fs::create_dir(parent.join(name)).unwrap();
            fs::write(parent.join(name).join("index.html"), "x").unwrap();
            let marker = if name.contains("staging-9") {
                destination::staging_marker_text(name)
            } else if name.contains("staging-") {
                "gradbook 0.1.0\nwritten by gradbook\n".to_string()
            } else {
                destination::marker_text(&listed)
            };
            fs::write(parent.join(name).join(destination::MARKER), marker).unwrap();
        }
        // The running test's own pid: alive, so its legacy folder stays.
        let alive = format!(".site.old-{}", std::process::id());
        fs::create_dir(parent.join(&alive)).unwrap();
        fs::write(
            parent.join(&alive).join(destination::MARKER),
            "gradbook 0.1.0\n",
        )
        .unwrap();
        // The right name, no marker.
        fs::create_dir(parent.join(".site.gradbook-old-2-0")).unwrap();
        // A staging folder killed before its marker was whole: nothing in
        // it but a part of one.
        fs::create_dir(parent.join(".site.gradbook-staging-3-0")).unwrap();
        fs::create_dir(parent.join(".site.gradbook-staging-3-1")).unwrap();
        fs::write(parent.join(".site.gradbook-staging-3-1/.gradbook"), "grad").unwrap();
        let removed = remove_leftovers(parent, "site").unwrap();
        let names: Vec<String> = removed
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        let mut expected = vec![
            ".site.gradbook-old-1-0",
            ".site.gradbook-staging-3-0",
            ".site.gradbook-staging-3-1",
            ".site.gradbook-staging-99999999-abc",
        ];
        if Path::new("/proc/self").exists() {
            expected.push(".site.staging-999999999");
        }
        expected.sort_unstable();
        assert_eq!(names, expected);
        for kept in [
            "site",
            ".other.gradbook-staging-1-0",
            "notes",
            &alive,
            ".site.gradbook-old-1-0-x",
            ".site.gradbook-old-2-0",
        ] {
            assert!(parent.join(kept).exists(), "{kept}");
        }
    }
}
