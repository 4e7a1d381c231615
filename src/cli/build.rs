//! `gradbook build`: render the whole site and swap it in atomically.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::{BuildArgs, EXIT_CONTENT, EXIT_OK, EXIT_USAGE, plural, print_diagnostics, require_dir};
use crate::site::{STATIC_DIR, Site};

/// Builds with at least this many pages show a progress line on a terminal.
const PROGRESS_FROM: usize = 200;

/// Runs `gradbook build`.
pub fn run(args: &BuildArgs, quiet: bool) -> ExitCode {
    let started = Instant::now();
    if let Err(code) = require_dir(&args.dir) {
        return code;
    }
    let mut site = match Site::load(&args.dir, args.drafts) {
        Ok(site) => site,
        Err(diagnostics) => {
            print_diagnostics(&diagnostics);
            eprintln!(
                "error: {} in book.toml",
                plural(diagnostics.len(), "problem")
            );
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if let Some(url) = &args.base_url {
        site.config.book.set_base_url(url);
    }
    let dest = site.destination(args.dest.as_deref());
    if let Err(message) = check_destination(&site, &dest) {
        eprintln!("error: {message}");
        return ExitCode::from(EXIT_USAGE);
    }
    let show_progress = !quiet && std::io::stderr().is_terminal();
    let printed = AtomicBool::new(false);
    let progress = |done: usize, total: usize| {
        // Only long builds are worth a progress line.
        if show_progress && total >= PROGRESS_FROM && (done.is_multiple_of(50) || done == total) {
            printed.store(true, Ordering::Relaxed);
            eprint!("\r\x1b[2KRendering {done}/{total} pages");
        }
    };
    let outcome = site.render_with_progress(&progress);
    if printed.load(Ordering::Relaxed) {
        eprint!("\r\x1b[2K");
    }
    if !outcome.diagnostics.is_empty() {
        print_diagnostics(&outcome.diagnostics);
        eprintln!(
            "error: the build failed with {}; {} was left as it was",
            plural(outcome.diagnostics.len(), "problem"),
            dest.display()
        );
        return ExitCode::from(EXIT_CONTENT);
    }
    if let Err(err) = crate::output::write_site(&dest, &outcome.files) {
        eprintln!("error: {err:#}");
        return ExitCode::from(EXIT_CONTENT);
    }
    if !quiet {
        eprintln!(
            "Built {} into {} in {:.2}s",
            plural(outcome.pages, "page"),
            dest.display(),
            started.elapsed().as_secs_f64()
        );
        for note in &outcome.notes {
            eprintln!("note: {note}");
        }
    }
    ExitCode::from(EXIT_OK)
}

/// Refuses destinations that would replace the site's own files.
fn check_destination(site: &Site, dest: &Path) -> Result<(), String> {
    let root = absolute(&site.root);
    let dest_abs = absolute(dest);
    if root.starts_with(&dest_abs) {
        return Err(format!(
            "the output folder {} holds the site itself; choose another --dest",
            dest.display()
        ));
    }
    for own in [
        site.config.build.content_dir.as_path(),
        Path::new(STATIC_DIR),
        Path::new(crate::render::TEMPLATE_DIR),
    ] {
        if dest_abs.starts_with(absolute(&site.root.join(own))) {
            return Err(format!(
                "the output folder {} is inside the site's {} folder; choose another --dest",
                dest.display(),
                own.display()
            ));
        }
    }
    Ok(())
}

/// `path` made absolute and resolved as far as it exists.
fn absolute(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    if let Ok(canonical) = abs.canonicalize() {
        return canonical;
    }
    match (abs.parent(), abs.file_name()) {
        (Some(parent), Some(name)) => absolute(parent).join(name),
        _ => abs,
    }
}
