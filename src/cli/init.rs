//! `gradbook init`: write a new course skeleton that passes `check` and
//! `build`: a section of two lessons with verified calc blocks and inline
//! values and every kind of component, and a CI workflow running
//! `gradbook check` (plus, on request, one publishing with GitHub Pages).
//! The files are in `src/cli/init/`.

use std::path::Path;
use std::process::ExitCode;

use super::{EXIT_CONTENT, EXIT_IO, EXIT_OK, InitArgs};
use crate::config::CONFIG_FILE;

/// Runs `gradbook init`.
pub fn run(args: &InitArgs, quiet: bool) -> ExitCode {
    let dir = &args.dir;
    if dir.exists() && !dir.is_dir() {
        errln!("error: {} exists and is not a folder", dir.display());
        return ExitCode::from(EXIT_CONTENT);
    }
    for existing in [CONFIG_FILE, "content"] {
        if dir.join(existing).exists() {
            errln!(
                "error: {} already holds a site ({} exists); nothing was written",
                dir.display(),
                dir.join(existing).display()
            );
            return ExitCode::from(EXIT_CONTENT);
        }
    }
    let files = site_files(&title_for(dir), args.github_pages);
    if let Err(err) = crate::output::create_new_files(dir, &files) {
        errln!("error: cannot create the site in {}: {err}", dir.display());
        return ExitCode::from(EXIT_IO);
    }
    if !quiet {
        let shown = dir.display();
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
    fn titles_are_safe_in_toml() {
        let files = site_files("A \"quoted\" \\ name", false);
        let book = &files[0].1;
        assert!(book.contains("title = \"A 'quoted'  name\""), "{book}");
        assert!(!files.iter().any(|(_, text)| text.contains("{default_git}")));
    }
}
