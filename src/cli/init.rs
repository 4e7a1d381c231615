//! `gradbook init`: write a new course skeleton that passes `check` and
//! `build`: a section of two lessons with verified calc blocks and inline
//! values and every kind of component, and a CI workflow running
//! `gradbook check` (plus, on request, one publishing with GitHub Pages).
//! The files are in `src/cli/init/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{EXIT_CONTENT, EXIT_IO, EXIT_OK, EXIT_USAGE, InitArgs, printable};
use crate::config::CONFIG_FILE;

/// Runs `gradbook init`.
pub fn run(args: &InitArgs, quiet: bool) -> ExitCode {
    let dir = &args.dir;
    let shown_dir = printable(&dir.display().to_string());
    if let Some(problem) = not_a_folder(dir) {
        errln!("error: {shown_dir} {problem}; nothing was written");
        return ExitCode::from(EXIT_USAGE);
    }
    for existing in [CONFIG_FILE, "content"] {
        if dir.join(existing).exists() {
            errln!(
                "error: {shown_dir} already holds a site ({} exists); nothing was written",
                printable(&dir.join(existing).display().to_string())
            );
            return ExitCode::from(EXIT_CONTENT);
        }
    }
    let files = site_files(&title_for(dir), args.github_pages);
    let in_the_way = in_the_way(dir, files.iter().map(|(rel, _)| *rel));
    if !in_the_way.is_empty() {
        for (path, problem) in &in_the_way {
            errln!(
                "error: {} {problem}",
                printable(&path.display().to_string())
            );
        }
        errln!(
            "init: nothing was written: move {} out of the way, or choose another folder",
            if in_the_way.len() == 1 { "it" } else { "them" }
        );
        return ExitCode::from(EXIT_CONTENT);
    }
    if let Err(err) = crate::output::create_new_files(dir, &files) {
        errln!("error: cannot create the site in {shown_dir}: {err}");
        return ExitCode::from(EXIT_IO);
    }
    if !quiet {
        let shown = shown_dir;
        errln!("Created a new site in {shown}:");
        for (path, _) in &files {
            errln!("  {path}");
        }
        errln!("Next: `gradbook check {shown}` and `gradbook serve {shown}`.");
        errln!(
            "In CI, .github/workflows/check.yml runs `gradbook check`; it builds gradbook from the git repository named by the repository variable GRADBOOK_GIT."
        );
    }
    ExitCode::from(EXIT_OK)
}

/// Why `dir` cannot hold a new site (exit 2), if it cannot: it, or the
/// nearest part of its path that exists, is not a folder (a file, a
/// device, a symbolic link to nothing).
fn not_a_folder(dir: &Path) -> Option<&'static str> {
    for (depth, path) in dir.ancestors().enumerate() {
        if path.as_os_str().is_empty() {
            return None;
        }
        let Ok(link) = path.symlink_metadata() else {
            continue;
        };
        return match path.metadata() {
            Ok(meta) if meta.is_dir() => None,
            Ok(_) if depth == 0 => Some("exists and is not a folder"),
            Ok(_) => Some("goes through a file, so it cannot be a folder"),
            Err(_) if link.file_type().is_symlink() => {
                Some("is a symbolic link to nothing, not a folder")
            }
            Err(_) => None,
        };
    }
    None
}

/// What stands where init would write, each path named once: a file init
/// would write that already exists, a file where init needs a folder,
/// or a symbolic link (to anything, or to nothing). Init writes nothing
/// while any is there, so it never leaves half a skeleton.
fn in_the_way<'a>(
    dir: &Path,
    files: impl Iterator<Item = &'a str>,
) -> BTreeMap<PathBuf, &'static str> {
    let mut found = BTreeMap::new();
    for rel in files {
        let parts: Vec<&str> = rel.split('/').collect();
        let mut path = dir.to_path_buf();
        for (i, part) in parts.iter().enumerate() {
            path.push(part);
            let Ok(meta) = path.symlink_metadata() else {
                // Missing: init makes it and everything under it.
                break;
            };
            let last = i + 1 == parts.len();
            let problem = if meta.file_type().is_symlink() {
                if path.metadata().is_err() {
                    Some("is a symbolic link to nothing, where init would write")
                } else {
                    Some("is a symbolic link; init writes only into folders it can see are real")
                }
            } else if last {
                Some("already exists; init never replaces a file")
            } else if !meta.is_dir() {
                Some("is a file where init needs a folder")
            } else {
                None
            };
            if let Some(problem) = problem {
                found.insert(path.clone(), problem);
                break;
            }
        }
    }
    found
}

/// A readable title from the folder's name.
fn title_for(dir: &Path) -> String {
    let name = std::path::absolute(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let title = crate::content::slug::humanize(&name);
    if title.is_empty() {
        "My Lessons".to_string()
    } else {
        title
    }
}

/// The files of a new site: a section with two lessons whose calc blocks
/// and inline values are checked, one component of each kind between
/// them, a `.gitignore` for the built site, a CI workflow that runs
/// `gradbook check`, and with `github_pages` a workflow that publishes the
/// site with GitHub Pages.
fn site_files(title: &str, github_pages: bool) -> Vec<(&'static str, String)> {
    let title = title.replace('\\', "").replace('"', "'");
    // The workflows build gradbook from its git repository: the one named
    // in this package's metadata when it has one, else the one the author
    // names in a repository variable (the workflow says so when it is not
    // set). Nothing here guesses an address.
    let default_git = match env!("CARGO_PKG_REPOSITORY") {
        "" => String::new(),
        url => format!(" || '{url}'"),
    };
    let workflow = |text: &str| text.replace("{default_git}", &default_git);
    let mut files = vec![
        (
            "book.toml",
            include_str!("init/book.toml").replace("{title}", &title),
        ),
        (".gitignore", include_str!("init/gitignore").to_string()),
        (
            "content/basics/_index.md",
            include_str!("init/section.md").to_string(),
        ),
        (
            "content/basics/derivatives.md",
            include_str!("init/derivatives.md").to_string(),
        ),
        (
            "content/basics/gradient-descent.md",
            include_str!("init/gradient-descent.md").to_string(),
        ),
        (
            ".github/workflows/check.yml",
            workflow(include_str!("init/check.yml")),
        ),
    ];
    if github_pages {
        files.push((
            ".github/workflows/pages.yml",
            workflow(include_str!("init/pages.yml")),
        ));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_skeleton_has_every_component_kind() {
        let files = site_files("Course", false);
        let lessons: String = files
            .iter()
            .filter(|(path, _)| Path::new(path).extension().is_some_and(|e| e == "md"))
            .map(|(_, text)| text.as_str())
            .collect();
        for kind in crate::components::Kind::ALL {
            assert!(
                lessons.contains(&format!("::: {} ", kind.name())),
                "no {} component",
                kind.name()
            );
        }
        assert!(!files.iter().any(|(path, _)| path.ends_with("pages.yml")));
        assert!(
            site_files("Course", true)
                .iter()
                .any(|(path, _)| *path == ".github/workflows/pages.yml")
        );
    }

    #[test]
    fn everything_in_the_way_is_found_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join(".github"), "").unwrap();
        std::fs::create_dir(root.join("content")).unwrap();
        std::fs::write(root.join(".gitignore"), "").unwrap();
        let files = site_files("Course", true);
        let found = in_the_way(root, files.iter().map(|(rel, _)| *rel));
        let found: Vec<(String, &str)> = found
            .into_iter()
            .map(|(p, why)| (p.strip_prefix(root).unwrap().display().to_string(), why))
            .collect();
        assert_eq!(
            found,
            [
                (".github".to_string(), "is a file where init needs a folder"),
                (
                    ".gitignore".to_string(),
                    "already exists; init never replaces a file"
                ),
            ]
        );
        assert!(in_the_way(&root.join("new"), files.iter().map(|(rel, _)| *rel)).is_empty());
    }

    #[test]
    fn a_folder_path_through_a_file_is_not_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "").unwrap();
        assert_eq!(not_a_folder(&file), Some("exists and is not a folder"));
        assert!(
            not_a_folder(&file.join("x/y"))
                .unwrap()
                .contains("goes through a file")
        );
        assert_eq!(not_a_folder(&dir.path().join("new/deeper")), None);
        assert_eq!(not_a_folder(Path::new("relative-new")), None);
    }

    #[test]
    fn titles_are_safe_in_toml() {
        let files = site_files("A \"quoted\" \\ name", false);
        let book = &files[0].1;
        assert!(book.contains("title = \"A 'quoted'  name\""), "{book}");
        assert!(!files.iter().any(|(_, text)| text.contains("{default_git}")));
    }
}
