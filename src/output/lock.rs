//! One build at a time per destination, and no leftovers of killed ones.
//!
//! A build holds a lock on `.NAME.gradbook-lock` beside the destination
//! `NAME` (an advisory file lock, which the system releases when the
//! process ends, however it ends) from before it stages the new site until
//! the swap is done. While it holds the lock, every staging or old folder
//! of that destination it finds is a leftover of a killed build, and is
//! removed. The lock file itself is removed on release; a waiting build
//! that then holds a lock on the removed file notices and tries again.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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

impl Names {
    /// The names for destination `name`.
    pub fn new(name: &str) -> Names {
        Names {
            lock: format!(".{name}.gradbook-lock"),
            staging: format!(".{name}.gradbook-staging-"),
            old: format!(".{name}.gradbook-old-"),
        }
    }

    /// A unique suffix for this process's staging and old folders.
    pub fn unique_suffix() -> String {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        format!("{}-{nanos:08x}", std::process::id())
    }
}

/// A held lock; released (and its file removed) on drop.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    // Dropped after `drop` removed the path: the lock is released last.
    _file: File,
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
    /// The lock file could not be created or locked.
    Io(io::Error),
}

impl Lock {
    /// Takes the lock at `path`, waiting up to `wait` for another build to
    /// release it; `on_wait` is called once if it has to wait.
    pub fn acquire(path: &Path, wait: Duration, on_wait: &dyn Fn()) -> Result<Lock, LockError> {
        let deadline = Instant::now() + wait;
        let mut told = false;
        loop {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(LockError::Io)?;
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
                        _file: file,
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
        let _ = fs::remove_file(&self.path);
    }
}

/// Whether the open `file` is still the one at `path`.
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

/// Removes the staging and old folders of destination `name` in `parent`
/// left by builds that were killed, and returns what was removed. Only
/// call it while holding the destination's lock: then no other build is
/// using any of them.
pub fn remove_leftovers(parent: &Path, name: &str) -> io::Result<Vec<PathBuf>> {
    let names = Names::new(name);
    let mut removed = Vec::new();
    for entry in fs::read_dir(parent)? {
        let entry = entry?;
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        let ours = file_name.starts_with(&names.staging) || file_name.starts_with(&names.old);
        if !ours && !is_dead_legacy_leftover(file_name, name) {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(&path)?;
        } else {
            fs::remove_file(&path)?;
        }
        removed.push(path);
    }
    removed.sort();
    Ok(removed)
}

/// Whether `file_name` is `.NAME.staging-PID` or `.NAME.old-PID`, the names
/// earlier versions used, and process PID is gone (known only where
/// `/proc` lists processes).
fn is_dead_legacy_leftover(file_name: &str, name: &str) -> bool {
    let Some(rest) = file_name
        .strip_prefix('.')
        .and_then(|r| r.strip_prefix(name))
    else {
        return false;
    };
    let Some(pid) = rest
        .strip_prefix(".staging-")
        .or_else(|| rest.strip_prefix(".old-"))
    else {
        return false;
    };
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let proc = Path::new("/proc");
    proc.join("self").exists() && !proc.join(pid).exists()
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
        for name in [
            ".site.gradbook-staging-99999999-abc",
            ".site.gradbook-old-1-0",
            ".site.staging-999999999",
            "site",
            ".other.gradbook-staging-1-0",
            ".site.staging-notapid",
            "notes",
        ] {
            fs::create_dir(parent.join(name)).unwrap();
            fs::write(parent.join(name).join("index.html"), "x").unwrap();
        }
        // The running test's own pid: alive, so its legacy folder stays.
        let alive = format!(".site.old-{}", std::process::id());
        fs::create_dir(parent.join(&alive)).unwrap();
        let removed = remove_leftovers(parent, "site").unwrap();
        let names: Vec<String> = removed
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        let mut expected = vec![
            ".site.gradbook-old-1-0",
            ".site.gradbook-staging-99999999-abc",
        ];
        if Path::new("/proc/self").exists() {
            expected.push(".site.staging-999999999");
        }
        expected.sort_unstable();
        assert_eq!(names, expected);
        for kept in ["site", ".other.gradbook-staging-1-0", "notes", &alive] {
            assert!(parent.join(kept).exists(), "{kept}");
        }
    }
}
