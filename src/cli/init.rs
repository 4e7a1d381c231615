//! `gradbook init`: write a new site with one section and a sample lesson
//! that passes `check` and `build`.

use std::path::Path;
use std::process::ExitCode;

use super::{EXIT_CONTENT, EXIT_IO, EXIT_OK, InitArgs};
use crate::config::CONFIG_FILE;

/// Runs `gradbook init`.
pub fn run(args: &InitArgs, quiet: bool) -> ExitCode {
    let dir = &args.dir;
    if dir.exists() && !dir.is_dir() {
        eprintln!("error: {} exists and is not a folder", dir.display());
        return ExitCode::from(EXIT_CONTENT);
    }
    for existing in [CONFIG_FILE, "content"] {
        if dir.join(existing).exists() {
            eprintln!(
                "error: {} already holds a site ({} exists); nothing was written",
                dir.display(),
                dir.join(existing).display()
            );
            return ExitCode::from(EXIT_CONTENT);
        }
    }
    let files = site_files(&title_for(dir));
    if let Err(err) = crate::output::create_new_files(dir, &files) {
        eprintln!("error: cannot create the site in {}: {err}", dir.display());
        return ExitCode::from(EXIT_IO);
    }
    if !quiet {
        let shown = dir.display();
        eprintln!("Created a new site in {shown}:");
        for (path, _) in &files {
            eprintln!("  {path}");
        }
        eprintln!("Next: `gradbook check {shown}` and `gradbook build {shown}`.");
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

/// The files of a new site.
fn site_files(title: &str) -> Vec<(&'static str, String)> {
    let title = title.replace('\\', "").replace('"', "'");
    vec![
        (
            "book.toml",
            format!(
                r#"[book]
title = "{title}"
description = "Lessons whose numbers are computed, not typed."
base-url = "/"
language = "en"

[build]
content-dir = "content"
output-dir = "site"

[theme]
default = "auto"
highlight-light = "InspiredGitHub"
highlight-dark = "base16-ocean.dark"

[calc]
precision = 12
"#
            ),
        ),
        (
            "content/basics/_index.md",
            r#"+++
title = "Basics"
summary = "Where every course starts."
order = 1
+++

The first steps: what a derivative measures and how to compute one.
"#
            .to_string(),
        ),
        (
            "content/basics/first-lesson.md",
            r#"+++
title = "Your first lesson"
summary = "A sample lesson: prose, math, code and a verified example."
order = 1
tags = ["sample"]
+++

This lesson was written by `gradbook init`. Edit it, or add more
Markdown files next to it; each one becomes a page.

## Slopes

The derivative of $f(x) = x^2$ is $f'(x) = 2x$, so at $x = 3$ the slope is 6.
gradbook checks that claim at build time:

```calc
>>> f(x) = x**2
>>> f'(3)
6
```

## Code

Code blocks are highlighted when the site is built:

```python
def f(x):
    return x ** 2
```

## Next steps

- Run `gradbook check` to verify every example.
- Run `gradbook build` and open `site/index.html`.
- Link to other lessons by their file name, like [this one](first-lesson.md#slopes).
"#
            .to_string(),
        ),
    ]
}
