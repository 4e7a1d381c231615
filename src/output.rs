//! The only module that writes to disk.
//!
//! A site is written into a staging folder beside the destination and
//! swapped in with two renames only once every file is in place, so a
//! build that fails (or is interrupted) leaves the previous site exactly
//! as it was. Single files (`check --bless`) are replaced through a
//! temporary file and a rename; `init` creates files without ever
//! overwriting one.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result, bail};

/// Where finished files go, as soon as each one is finished: a staging
/// folder ([`Staging`]), memory ([`InMemory`]) or nowhere ([`Discard`]).
/// Called from several threads at once.
pub trait Sink: Sync {
    /// A generated file, by its path relative to the output folder (with
    /// `/` separators).
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<()>;
    /// A file copied verbatim from `source`.
    fn copy(&self, path: &str, source: &Path) -> Result<()>;
}

/// A sink that keeps nothing: `check` renders every page and writes none.
pub struct Discard;

impl Sink for Discard {
    fn put(&self, _: &str, _: Vec<u8>) -> Result<()> {
        Ok(())
    }
    fn copy(&self, _: &str, _: &Path) -> Result<()> {
        Ok(())
    }
}

/// A sink that keeps every file in memory (what `serve` serves).
#[derive(Default)]
pub struct InMemory(Mutex<SiteFiles>);

impl InMemory {
    /// The files received.
    pub fn into_files(self) -> SiteFiles {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for InMemory {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<()> {
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

/// A site to write: generated files by path relative to the output folder
/// (with `/` separators), plus files copied from disk.
#[derive(Debug, Default, Clone)]
pub struct SiteFiles {
    /// Generated content.
    pub generated: BTreeMap<String, Vec<u8>>,
    /// Files copied verbatim: relative destination → source path.
    pub copied: BTreeMap<String, PathBuf>,
}

/// A new site being written file by file into a staging folder beside its
/// destination. [`Staging::commit`] swaps it in with two renames;
/// dropping it without committing removes it, so a failed or interrupted
/// build leaves the previous site exactly as it was.
pub struct Staging {
    dest: PathBuf,
    dir: PathBuf,
    old: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates an empty staging folder for `dest`.
    pub fn begin(dest: &Path) -> Result<Staging> {
        if dest.exists() && !dest.is_dir() {
            bail!("{} exists and is not a folder", dest.display());
        }
        let name = dest
            .file_name()
            .with_context(|| format!("{} is not a folder name", dest.display()))?
            .to_string_lossy()
            .into_owned();
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let pid = std::process::id();
        let dir = parent.join(format!(".{name}.staging-{pid}"));
        let old = parent.join(format!(".{name}.old-{pid}"));
        for leftover in [&dir, &old] {
            if leftover.exists() {
                fs::remove_dir_all(leftover)
                    .with_context(|| format!("cannot remove {}", leftover.display()))?;
            }
        }
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Staging {
            dest: dest.to_path_buf(),
            dir,
            old,
            committed: false,
        })
    }

    /// Puts the staged site in place of the destination.
    pub fn commit(mut self) -> Result<()> {
        let dest = self.dest.clone();
        let had_old = dest.exists();
        if had_old {
            fs::rename(&dest, &self.old)
                .with_context(|| format!("cannot move {} aside", dest.display()))?;
        }
        if let Err(err) = fs::rename(&self.dir, &dest) {
            if had_old {
                let _ = fs::rename(&self.old, &dest);
            }
            return Err(err)
                .with_context(|| format!("cannot move the new site to {}", dest.display()));
        }
        self.committed = true;
        if had_old {
            // The new site is in place; a leftover old copy is only clutter.
            let _ = fs::remove_dir_all(&self.old);
        }
        Ok(())
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
    fn put(&self, rel: &str, bytes: Vec<u8>) -> Result<()> {
        let target = self.dir.join(rel);
        create_parent(&target)?;
        fs::write(&target, bytes).with_context(|| format!("cannot write {}", target.display()))
    }

    fn copy(&self, rel: &str, source: &Path) -> Result<()> {
        let target = self.dir.join(rel);
        create_parent(&target)?;
        fs::copy(source, &target)
            .with_context(|| format!("cannot copy {} to {}", source.display(), target.display()))?;
        Ok(())
    }
}

/// Writes `files` to `dest`, replacing whatever was there only if all of
/// it could be written.
pub fn write_site(dest: &Path, files: &SiteFiles) -> Result<()> {
    let staging = Staging::begin(dest)?;
    for (rel, source) in &files.copied {
        staging.copy(rel, source)?;
    }
    for (rel, bytes) in &files.generated {
        staging.put(rel, bytes.clone())?;
    }
    staging.commit()
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
        file.write_all(contents.as_bytes())?;
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
                .map(|(p, c)| (p.to_string(), c.as_bytes().to_vec()))
                .collect(),
            copied: BTreeMap::new(),
        }
    }

    #[test]
    fn writes_and_replaces_a_site() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("site");
        write_site(
            &dest,
            &files(&[("index.html", "one"), ("a/index.html", "a")]),
        )
        .unwrap();
        assert_eq!(fs::read_to_string(dest.join("a/index.html")).unwrap(), "a");
        write_site(&dest, &files(&[("index.html", "two")])).unwrap();
        assert_eq!(fs::read_to_string(dest.join("index.html")).unwrap(), "two");
        assert!(!dest.join("a").exists(), "old files are gone");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["site"], "no staging folder is left behind");
    }

    #[test]
    fn a_failed_write_leaves_the_old_site() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("site");
        write_site(&dest, &files(&[("index.html", "old")])).unwrap();
        let mut bad = files(&[("index.html", "new")]);
        bad.copied
            .insert("x".into(), dir.path().join("missing-file"));
        assert!(write_site(&dest, &bad).is_err());
        assert_eq!(fs::read_to_string(dest.join("index.html")).unwrap(), "old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
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
